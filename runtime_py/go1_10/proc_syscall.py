"""runtime_py/go1_10/proc_syscall.py: go1.10 proc.go — save, entersyscall*, exitsyscall*.

Syscall tracing (from proc.go's own comment): entering a syscall emits GoSysCall; if the P is
retaken, the retaker emits GoSysBlock and increments p.syscalltick; on return GoSysExit and,
when the goroutine runs again, GoStart. The increment happens even when tracing is off.
"""

from __future__ import annotations

from runtime_py.go1_10.runtime2 import (
    _Grunnable, _Grunning, _Gsyscall, _Pgcstop, _Prunning, _Psyscall, _StackGuard,
    freezeStopWait, g, pstatusname, stackPreempt,
)
from runtime_py.throw import hex_, throw


class ProcSyscall:
    """Mixin of Runtime: the syscall entry and exit path."""

    def save(self, pc: int, sp: int) -> None:
        """go1.10 proc.go:2719 save — make getg().sched refer to pc and sp, for a later gogo."""
        self._call("save", pc=pc, sp=sp)
        _g_ = self.os.getg()
        _g_.sched.pc = pc
        _g_.sched.sp = sp
        _g_.sched.lr = 0
        _g_.sched.ret = 0
        _g_.sched.g = _g_
        # We need to ensure ctxt is zero; it should always already be zero.
        if _g_.sched.ctxt is not None and _g_.sched.ctxt != 0:
            self.badctxt()

    def badctxt(self) -> None:
        """go1.10 proc.go:433 badctxt."""
        throw("ctxt != 0")

    def reentersyscall(self, pc: int, sp: int) -> None:
        """go1.10 proc.go:2772 reentersyscall — the goroutine is about to enter a system call.
        trace.enabled branch: GoSysCall is reported; the save() inside that branch is not run.
        The throw runs directly rather than inside systemstack (no stack to protect here).
        """
        self._call("reentersyscall", pc=pc, sp=sp)
        _g_ = self.os.getg()
        # Disable preemption: during this function g is in _Gsyscall but can have an
        # inconsistent g.sched; do not let GC observe it.
        _g_.m.locks += 1
        # Nothing here may split the stack: make any stack check trap into morestack, and
        # leave a flag telling newstack to die.
        _g_.stackguard0 = stackPreempt
        _g_.throwsplit = True
        # Leave SP around for GC and traceback.
        self.save(pc, sp)
        _g_.syscallsp = sp
        _g_.syscallpc = pc
        self.casgstatus(_g_, _Grunning, _Gsyscall)
        if _g_.syscallsp < _g_.stack.lo or _g_.stack.hi < _g_.syscallsp:
            throw("entersyscall", "entersyscall inconsistent ", hex_(_g_.syscallsp), " [",
                  hex_(_g_.stack.lo), ",", hex_(_g_.stack.hi), "]\n")
        self._traceev("GoSysCall", g=_g_)
        if self.sched.sysmonwait != 0:
            self.systemstack(self.entersyscall_sysmon)
            self.save(pc, sp)
        if _g_.m.p.runSafePointFn != 0:
            # runSafePointFn may stack split if run on this stack
            self.systemstack(self.runSafePointFn)
            self.save(pc, sp)
        _g_.m.syscalltick = _g_.m.p.syscalltick
        _g_.sysblocktraced = True
        _g_.m.mcache = None
        _g_.m.p.m = None
        self._pstore(_g_.m.p, _Psyscall)
        if self.sched.gcwaiting != 0:
            self.systemstack(self.entersyscall_gcwait)
            self.save(pc, sp)
        # Goroutines must not split stacks in _Gsyscall (it would corrupt g.sched).
        _g_.stackguard0 = stackPreempt
        _g_.m.locks -= 1

    def entersyscall(self, callerpc: int, callersp: int, callerfp: int = 0) -> None:
        """go1.10 proc.go:2836 entersyscall(dummy int32) — the standard syscall entry.

        Go calls reentersyscall(getcallerpc(), getcallersp(unsafe.Pointer(&dummy))). The model
        cannot read a stack, so the platform passes those two values: at the CALL's target,
        callerpc = [RSP] (the return address into Syscall) and callersp = RSP+8 (the address
        of the dummy argument slot = Syscall's own RSP before the CALL). callerfp (the
        caller's frame pointer, which the platform passes to every release) is unused:
        go1.10 keeps no frame pointer of a syscall.
        """
        self._call("entersyscall", callerpc=callerpc, callersp=callersp)
        self.reentersyscall(callerpc, callersp)

    def entersyscall_sysmon(self) -> None:
        """go1.10 proc.go:2840 entersyscall_sysmon — wake a deep-sleeping sysmon."""
        self._call("entersyscall_sysmon")
        self.lock(self.sched.lock)
        if self.sched.sysmonwait != 0:
            self.sched.sysmonwait = 0
            self.notewakeup(self.sched.sysmonnote)
        self.unlock(self.sched.lock)

    def entersyscall_gcwait(self) -> None:
        """go1.10 proc.go:2849 entersyscall_gcwait — hand the P to a waiting stop-the-world."""
        self._call("entersyscall_gcwait")
        _g_ = self.os.getg()
        _p_ = _g_.m.p
        self.lock(self.sched.lock)
        if self.sched.stopwait > 0 and self._pcas(_p_, _Psyscall, _Pgcstop):
            self._traceev("GoSysBlock", p=_p_)
            self._traceev("ProcStop", p=_p_)
            _p_.syscalltick += 1
            self.sched.stopwait -= 1
            if self.sched.stopwait == 0:
                self.notewakeup(self.sched.stopnote)
        self.unlock(self.sched.lock)

    def entersyscallblock(self, callerpc: int, callersp: int, callerfp: int = 0) -> None:
        """go1.10 proc.go:2869 entersyscallblock(dummy int32) — entersyscall for a call known to
        block: the P is handed off at once. callerpc/callersp as for entersyscall.
        """
        self._call("entersyscallblock", callerpc=callerpc, callersp=callersp)
        _g_ = self.os.getg()
        _g_.m.locks += 1  # see comment in entersyscall
        _g_.throwsplit = True
        _g_.stackguard0 = stackPreempt  # see comment in entersyscall
        _g_.m.syscalltick = _g_.m.p.syscalltick
        _g_.sysblocktraced = True
        _g_.m.p.syscalltick += 1
        # Leave SP around for GC and traceback.
        pc = callerpc
        sp = callersp
        self.save(pc, sp)
        _g_.syscallsp = _g_.sched.sp
        _g_.syscallpc = _g_.sched.pc
        if _g_.syscallsp < _g_.stack.lo or _g_.stack.hi < _g_.syscallsp:
            throw("entersyscallblock", "entersyscallblock inconsistent ", hex_(sp), " ",
                  hex_(_g_.sched.sp), " ", hex_(_g_.syscallsp), " [", hex_(_g_.stack.lo), ",",
                  hex_(_g_.stack.hi), "]\n")
        self.casgstatus(_g_, _Grunning, _Gsyscall)
        if _g_.syscallsp < _g_.stack.lo or _g_.stack.hi < _g_.syscallsp:
            throw("entersyscallblock", "entersyscallblock inconsistent ", hex_(sp), " ",
                  hex_(_g_.sched.sp), " ", hex_(_g_.syscallsp), " [", hex_(_g_.stack.lo), ",",
                  hex_(_g_.stack.hi), "]\n")
        self.systemstack(self.entersyscallblock_handoff)
        # Resave for traceback during blocked call.
        self.save(callerpc, callersp)
        _g_.m.locks -= 1

    def entersyscallblock_handoff(self) -> None:
        """go1.10 proc.go:2910 entersyscallblock_handoff."""
        self._call("entersyscallblock_handoff")
        self._traceev("GoSysCall", g=self.os.getg().m.curg)
        self._traceev("GoSysBlock", p=self.os.getg().m.p)
        self.handoffp(self.releasep())

    def exitsyscall(self, callersp: int) -> None:
        """go1.10 proc.go:2927 exitsyscall(dummy int32) — the goroutine exited its system call;
        arrange for it to run on a cpu again. callersp is getcallersp(&dummy): RSP+8 at the
        CALL's target, as for entersyscall. It must not be above g.syscallsp.
        trace.enabled branches: GoStart is reported; the slow path's osyield spin (waiting
        for GoSysBlock) and its sysexitticks = cputicks() are not run.
        """
        self._call("exitsyscall", callersp=callersp)
        _g_ = self.os.getg()
        _g_.m.locks += 1  # see comment in entersyscall
        if callersp > _g_.syscallsp:
            throw("exitsyscall: syscall frame is no longer valid")
        _g_.waitsince = 0
        oldp = _g_.m.p
        if self.exitsyscallfast():
            if _g_.m.mcache is None:
                throw("lost mcache")
            if oldp is not _g_.m.p or _g_.m.syscalltick != _g_.m.p.syscalltick:
                self._traceev("GoStart", g=_g_, p=_g_.m.p)
            # There's a cpu for us, so we can run.
            _g_.m.p.syscalltick += 1
            # We need to cas the status and scan before resuming...
            self.casgstatus(_g_, _Gsyscall, _Grunning)
            # Garbage collector isn't running (since we are), so okay to clear syscallsp.
            _g_.syscallsp = 0
            _g_.m.locks -= 1
            if _g_.preempt:
                # restore the preemption request in case we've cleared it in newstack
                _g_.stackguard0 = stackPreempt
            else:
                # otherwise restore the real _StackGuard, we've spoiled it in entersyscall
                _g_.stackguard0 = _g_.stack.lo + _StackGuard
            _g_.throwsplit = False
            return

        _g_.sysexitticks = 0
        _g_.m.locks -= 1
        # Call the scheduler. Returns when some M runs this goroutine again (maybe another M).
        self.os.mcall(self.exitsyscall0, _g_)
        if _g_.m.mcache is None:
            throw("lost mcache")
        # Scheduler returned, so we're allowed to run now. Delete the syscallsp information
        # that we left for the garbage collector during the system call.
        _g_.syscallsp = 0
        _g_.m.p.syscalltick += 1
        _g_.throwsplit = False

    def exitsyscallfast(self) -> bool:
        """go1.10 proc.go:3010 exitsyscallfast — try to get a P without going through the
        scheduler: first the P we had (CAS _Psyscall -> _Prunning), then any idle P.
        trace.enabled branch: GoSysExit is reported; the osyield spin is not run.
        """
        self._call("exitsyscallfast")
        _g_ = self.os.getg()
        # Freezetheworld sets stopwait but does not retake P's.
        if self.sched.stopwait == freezeStopWait:
            _g_.m.mcache = None
            _g_.m.p = None
            return False
        # Try to re-acquire the last P.
        if (_g_.m.p is not None and _g_.m.p.status == _Psyscall
                and self._pcas(_g_.m.p, _Psyscall, _Prunning)):
            # There's a cpu for us, so we can run.
            self.exitsyscallfast_reacquired()
            return True
        # Try to get any other idle P.
        oldp = _g_.m.p
        if oldp is not None:         # not Go: say why the CAS above did not happen
            self._note(f"exitsyscallfast: p{oldp.id} is no longer ours "
                       f"({pstatusname(oldp.status)}, m{oldp.m.id if oldp.m else '-'}): "
                       "try an idle P, else exitsyscall0")
        _g_.m.mcache = None
        _g_.m.p = None
        if self.sched.pidle is not None:
            ok = False

            def pidle() -> None:
                nonlocal ok
                ok = self.exitsyscallfast_pidle()
                if ok:
                    self._traceev("GoSysExit", g=_g_, oldp=oldp)

            self.systemstack(pidle)
            if ok:
                return True
        return False

    def exitsyscallfast_reacquired(self) -> None:
        """go1.10 proc.go:3062 exitsyscallfast_reacquired — we got back the P we ran on before."""
        self._call("exitsyscallfast_reacquired")
        _g_ = self.os.getg()
        _g_.m.mcache = _g_.m.p.mcache
        _g_.m.p.m = _g_.m
        if _g_.m.syscalltick != _g_.m.p.syscalltick:
            # The p was retaken and then entered a syscall again: we effectively retake the
            # p from the new syscall running on the same p.
            self._traceev("GoSysBlock", p=_g_.m.p)
            self._traceev("GoSysExit", g=_g_)
            _g_.m.p.syscalltick += 1

    def exitsyscallfast_pidle(self) -> bool:
        """go1.10 proc.go:3082 exitsyscallfast_pidle — take an idle P (and wake sysmon)."""
        self._call("exitsyscallfast_pidle")
        self.lock(self.sched.lock)
        _p_ = self.pidleget()
        if _p_ is not None and self.sched.sysmonwait != 0:
            self.sched.sysmonwait = 0
            self.notewakeup(self.sched.sysmonnote)
        self.unlock(self.sched.lock)
        if _p_ is not None:
            self.acquirep(_p_)
            return True
        return False

    def exitsyscall0(self, gp: g) -> None:
        """go1.10 proc.go:3101 exitsyscall0 — exitsyscall slow path on g0 (via mcall): failed to
        acquire a P, enqueue gp as runnable.
        skips: the m.lockedg branch (stoplockedm): LockOSThread is not modeled.
        """
        self._call("exitsyscall0", gp=gp)
        self.casgstatus(gp, _Gsyscall, _Grunnable)
        self.dropg()
        self.lock(self.sched.lock)
        _p_ = self.pidleget()
        if _p_ is None:
            self.globrunqput(gp)
        elif self.sched.sysmonwait != 0:
            self.sched.sysmonwait = 0
            self.notewakeup(self.sched.sysmonnote)
        self.unlock(self.sched.lock)
        if _p_ is not None:
            self.acquirep(_p_)
            self.execute(gp, False)  # Never returns.
            return
        self.stopm()
        self.schedule()  # Never returns.
