"""runtime_py/go1_22/proc_syscall.py: go1.22.10 proc.go — save, entersyscall*, exitsyscall*.

Since go1.12 the M gives its P up on the way into a syscall: reentersyscall does
`pp.m = 0; gp.m.oldp.set(pp); gp.m.p = 0; atomic.Store(&pp.status, _Psyscall)`, so m.p is
never stale. On the way out exitsyscallfast CASes the old P `_Psyscall -> _Pidle` and wires
it again (wirep), or takes an idle P, or exitsyscall0 queues the goroutine and stops the M.

Syscall tracing (proc.go:4301): p.syscalltick is bumped by whoever takes the P from the
syscall (sysmon's retake, entersyscall_gcwait) and by exitsyscall; m.syscalltick remembers
the value at entry, so a differing pair means the P was lost at some point.
"""

from __future__ import annotations

from typing import Optional

from runtime_py.go1_22.runtime2 import (
    _Grunnable, _Grunning, _Gsyscall, _Pgcstop, _Pidle, _Psyscall, freezeStopWait, g, p,
    pstatusname, stackGuard, stackPreempt,
)
from runtime_py.throw import hex_, throw


class ProcSyscall:
    """Mixin of Runtime: the syscall entry and exit path."""

    def save(self, pc: int, sp: int) -> None:
        """go1.22.10 proc.go:4254 save — make getg().sched refer to pc and sp, for a later
        gogo. Since go1.17 it no longer writes sched.g, and refuses to run on g0."""
        self._call("save", pc=pc, sp=sp)
        gp = self.os.getg()
        if gp is gp.m.g0:  # || gp == gp.m.gsignal (no signal goroutines in the model)
            # m.g0.sched is special and must describe the context for exiting the thread.
            throw("save on system g not allowed")
        gp.sched.pc = pc
        gp.sched.sp = sp
        gp.sched.lr = 0
        gp.sched.ret = 0
        # We need to ensure ctxt is zero, but can't have a write barrier here. However, it
        # should always already be zero. Assert that.
        if gp.sched.ctxt is not None and gp.sched.ctxt != 0:
            self.badctxt()

    def badctxt(self) -> None:
        """go1.22.10 proc.go:544 badctxt."""
        throw("ctxt != 0")

    def reentersyscall(self, pc: int, sp: int) -> None:
        """go1.22.10 proc.go:4315 reentersyscall — the goroutine is about to enter a system
        call: record that it's not using the cpu anymore, and give the P up.
        trace: GoSyscallBegin is reported; the save() after it runs only when tracing.
        skips: the staticLockRanking re-save (lock ranking is off).
        The throw runs directly rather than inside systemstack (no stack to protect here).
        """
        self._call("reentersyscall", pc=pc, sp=sp)
        trace = self.traceAcquire()
        gp = self.os.getg()
        # Disable preemption because during this function g is in Gsyscall status, but can
        # have inconsistent g->sched, do not let GC observe it.
        gp.m.locks += 1
        # Entersyscall must not call any function that might split/grow the stack. Catch
        # calls that might, by replacing the stack guard with something that will trip any
        # stack check and leaving a flag to tell newstack to die.
        gp.stackguard0 = stackPreempt
        gp.throwsplit = True
        # Leave SP around for GC and traceback.
        self.save(pc, sp)
        gp.syscallsp = sp
        gp.syscallpc = pc
        self.casgstatus(gp, _Grunning, _Gsyscall)
        if gp.syscallsp < gp.stack.lo or gp.stack.hi < gp.syscallsp:
            throw("entersyscall", "entersyscall inconsistent ", hex_(gp.syscallsp), " [",
                  hex_(gp.stack.lo), ",", hex_(gp.stack.hi), "]\n")
        trace.GoSysCall()
        if self.sched.sysmonwait:
            self.systemstack(self.entersyscall_sysmon)
            self.save(pc, sp)
        if gp.m.p.runSafePointFn != 0:
            # runSafePointFn may stack split if run on this stack
            self.systemstack(self.runSafePointFn)
            self.save(pc, sp)
        gp.m.syscalltick = gp.m.p.syscalltick
        pp = gp.m.p
        pp.m = None
        gp.m.oldp = pp
        gp.m.p = None
        self._pstore(pp, _Psyscall)  # atomic.Store(&pp.status, _Psyscall)
        if self.sched.gcwaiting:
            self.systemstack(self.entersyscall_gcwait)
            self.save(pc, sp)
        gp.m.locks -= 1

    def entersyscall(self, callerpc: int, callersp: int, callerfp: int = 0) -> None:
        """go1.22.10 proc.go:4389 entersyscall() — the standard syscall entry.

        Go calls reentersyscall(getcallerpc(), getcallersp()). The model cannot read a stack,
        so the platform passes those two values: at the CALL's target, callerpc = [RSP] (the
        return address into syscall.Syscall) and callersp = RSP+8 (syscall.Syscall's SP).
        callerfp (the caller's frame pointer, passed to every release) is unused: the frame
        pointer of a syscall (g.syscallbp) arrived after go1.22.
        """
        self._call("entersyscall", callerpc=callerpc, callersp=callersp)
        self.reentersyscall(callerpc, callersp)

    def entersyscall_sysmon(self) -> None:
        """go1.22.10 proc.go:4393 entersyscall_sysmon — wake a deep-sleeping sysmon."""
        self._call("entersyscall_sysmon")
        self.lock(self.sched.lock)
        if self.sched.sysmonwait:
            self.sched.sysmonwait = False
            self.notewakeup(self.sched.sysmonnote)
        self.unlock(self.sched.lock)

    def entersyscall_gcwait(self) -> None:
        """go1.22.10 proc.go:4402 entersyscall_gcwait — hand the P to a waiting
        stop-the-world (ExecTracer2: a ProcSteal)."""
        self._call("entersyscall_gcwait")
        gp = self.os.getg()
        pp = gp.m.oldp
        self.lock(self.sched.lock)
        trace = self.traceAcquire()
        if self.sched.stopwait > 0 and self._pcas(pp, _Psyscall, _Pgcstop):
            trace.ProcSteal(pp, True)
            pp.syscalltick += 1
            self.sched.stopwait -= 1
            if self.sched.stopwait == 0:
                self.notewakeup(self.sched.stopnote)
        self.unlock(self.sched.lock)

    def entersyscallblock(self, callerpc: int, callersp: int, callerfp: int = 0) -> None:
        """go1.22.10 proc.go:4440 entersyscallblock() — entersyscall for a call known to
        block: the P is handed off at once (m.oldp stays nil). callerpc/callersp as for
        entersyscall (Go reads getcallerpc()/getcallersp() itself)."""
        self._call("entersyscallblock", callerpc=callerpc, callersp=callersp)
        gp = self.os.getg()
        gp.m.locks += 1  # see comment in entersyscall
        gp.throwsplit = True
        gp.stackguard0 = stackPreempt  # see comment in entersyscall
        gp.m.syscalltick = gp.m.p.syscalltick
        gp.m.p.syscalltick += 1
        # Leave SP around for GC and traceback.
        pc = callerpc
        sp = callersp
        self.save(pc, sp)
        gp.syscallsp = gp.sched.sp
        gp.syscallpc = gp.sched.pc
        if gp.syscallsp < gp.stack.lo or gp.stack.hi < gp.syscallsp:
            throw("entersyscallblock", "entersyscallblock inconsistent ", hex_(sp), " ",
                  hex_(gp.sched.sp), " ", hex_(gp.syscallsp), " [", hex_(gp.stack.lo), ",",
                  hex_(gp.stack.hi), "]\n")
        self.casgstatus(gp, _Grunning, _Gsyscall)
        if gp.syscallsp < gp.stack.lo or gp.stack.hi < gp.syscallsp:
            throw("entersyscallblock", "entersyscallblock inconsistent ", hex_(sp), " ",
                  hex_(gp.sched.sp), " ", hex_(gp.syscallsp), " [", hex_(gp.stack.lo), ",",
                  hex_(gp.stack.hi), "]\n")
        self.systemstack(self.entersyscallblock_handoff)
        # Resave for traceback during blocked call.
        self.save(callerpc, callersp)
        gp.m.locks -= 1

    def entersyscallblock_handoff(self) -> None:
        """go1.22.10 proc.go:4480 entersyscallblock_handoff."""
        self._call("entersyscallblock_handoff")
        trace = self.traceAcquire()
        trace.GoSysCall()
        trace.GoSysBlock(self.os.getg().m.p)
        self.handoffp(self.releasep())

    def exitsyscall(self, callersp: int) -> None:
        """go1.22.10 proc.go:4502 exitsyscall() — the goroutine exited its system call;
        arrange for it to run on a cpu again.

        go1.22's exitsyscall has no parameter: it reads getcallersp(). The platform passes
        that value as callersp (RSP+8 at the CALL's target, as for entersyscall), so the
        signature is the go1.10 profile's. It must not be above g.syscallsp.
        trace: GoSyscallEnd / GoSyscallEndBlocked and GoStart are reported.
        skips: the goroutine-profile hook (no profiler).
        skips: `sched.disable.user && !schedEnabled(gp)` -> Gosched (user scheduling is
        only disabled by GODEBUG=gcstoptheworld).
        """
        self._call("exitsyscall", callersp=callersp)
        gp = self.os.getg()
        gp.m.locks += 1  # see comment in entersyscall
        if callersp > gp.syscallsp:
            throw("exitsyscall: syscall frame is no longer valid")
        gp.waitsince = 0
        oldp = gp.m.oldp
        gp.m.oldp = None
        if self.exitsyscallfast(oldp):
            # When exitsyscallfast returns success, we have a P so can now use write barriers
            trace = self.traceAcquire()
            lostP = oldp is not gp.m.p or gp.m.syscalltick != gp.m.p.syscalltick
            # Write out syscall exit eagerly (after we know whether we lost our P).
            trace.GoSysExit(lostP)
            if lostP:
                # We lost the P at some point, even though we got it back here: we're
                # starting again.
                trace.GoStart()
            # There's a cpu for us, so we can run.
            gp.m.p.syscalltick += 1
            # We need to cas the status and scan before resuming...
            self.casgstatus(gp, _Gsyscall, _Grunning)
            # Garbage collector isn't running (since we are), so okay to clear syscallsp.
            gp.syscallsp = 0
            gp.m.locks -= 1
            if gp.preempt:
                # restore the preemption request in case we've cleared it in newstack
                gp.stackguard0 = stackPreempt
            else:
                # otherwise restore the real stackGuard, we've spoiled it in entersyscall
                gp.stackguard0 = gp.stack.lo + stackGuard
            gp.throwsplit = False
            return

        gp.m.locks -= 1
        # Call the scheduler. Returns when some M runs this goroutine again (maybe another M).
        self.os.mcall(self.exitsyscall0, gp)
        # Scheduler returned, so we're allowed to run now. Delete the syscallsp information
        # that we left for the garbage collector during the system call.
        gp.syscallsp = 0
        gp.m.p.syscalltick += 1
        gp.throwsplit = False

    def exitsyscallfast(self, oldp: Optional[p]) -> bool:
        """go1.22.10 proc.go:4601 exitsyscallfast — try to get a P without going through
        the scheduler: first the P we gave up (CAS _Psyscall -> _Pidle, then wirep), then
        any idle P."""
        self._call("exitsyscallfast", oldp=oldp)
        # Freezetheworld sets stopwait but does not retake P's.
        if self.sched.stopwait == freezeStopWait:
            return False
        # Try to re-acquire the last P.
        trace = self.traceAcquire()
        if (oldp is not None and oldp.status == _Psyscall
                and self._pcas(oldp, _Psyscall, _Pidle)):
            # There's a cpu for us, so we can run.
            self.wirep(oldp)
            self.exitsyscallfast_reacquired(trace)
            return True
        if oldp is not None:  # not Go: say why the CAS above did not happen
            self._note(f"exitsyscallfast: p{oldp.id} is no longer ours "
                       f"({pstatusname(oldp.status)}, m{oldp.m.id if oldp.m else '-'}): "
                       "try an idle P, else exitsyscall0")
        # Try to get any other idle P.
        if self.sched.pidle is not None:
            ok = False

            def pidle() -> None:
                nonlocal ok
                ok = self.exitsyscallfast_pidle()

            self.systemstack(pidle)
            if ok:
                return True
        return False

    def exitsyscallfast_reacquired(self, trace) -> None:
        """go1.22.10 proc.go:4658 exitsyscallfast_reacquired — this G got back the P it
        ran on before the syscall."""
        self._call("exitsyscallfast_reacquired")
        gp = self.os.getg()
        if gp.m.syscalltick != gp.m.p.syscalltick:
            # The p was retaken and then entered a syscall again (gp.m.syscalltick has
            # changed): we're stealing the P, as if it stopped running, then start it.
            trace.ProcSteal(gp.m.p, True)
            trace.ProcStart()
            gp.m.p.syscalltick += 1

    def exitsyscallfast_pidle(self) -> bool:
        """go1.22.10 proc.go:4683 exitsyscallfast_pidle — take an idle P (and wake sysmon)."""
        self._call("exitsyscallfast_pidle")
        self.lock(self.sched.lock)
        pp, _ = self.pidleget(0)
        if pp is not None and self.sched.sysmonwait:
            self.sched.sysmonwait = False
            self.notewakeup(self.sched.sysmonnote)
        self.unlock(self.sched.lock)
        if pp is not None:
            self.acquirep(pp)
            return True
        return False

    def exitsyscall0(self, gp: g) -> None:
        """go1.22.10 proc.go:4704 exitsyscall0 — exitsyscall slow path on g0 (via mcall):
        failed to acquire a P, enqueue gp as runnable.
        trace: GoSyscallEndBlocked is reported (traceExitingSyscall/traceExitedSyscall only
        count for the tracer).
        schedEnabled(gp) is true (sched.disable.user is never set in the model).
        skips: the locked branch (stoplockedm): LockOSThread is not modeled, so
        gp.lockedm is always nil.
        """
        self._call("exitsyscall0", gp=gp)
        trace = self.traceAcquire()
        self.casgstatus(gp, _Gsyscall, _Grunnable)
        trace.GoSysExit(True)
        self.dropg()
        self.lock(self.sched.lock)
        pp, _ = self.pidleget(0)  # if schedEnabled(gp)
        if pp is None:
            self.globrunqput(gp)
        elif self.sched.sysmonwait:
            self.sched.sysmonwait = False
            self.notewakeup(self.sched.sysmonnote)
        self.unlock(self.sched.lock)
        if pp is not None:
            self.acquirep(pp)
            self.execute(gp, False)  # Never returns.
            return
        self.stopm()
        self.schedule()  # Never returns.
