"""runtime_py/go1_27/proc_syscall.py: go1.27.3 proc.go — save, entersyscall*, exitsyscall*.

go1.27's syscall protocol (proc.go:4642-5200). Entering, the goroutine keeps its P: the P stays
_Prunning and wired (m.p, p.m), m.oldp records it, and the very last state change is the
goroutine's _Grunning -> _Gsyscall. From then on the P is not the goroutine's to touch: whoever
wants it (sysmon's retake, another M's exitsyscallTryGetP, a stop-the-world) first wins the
goroutine's _Gscan bit (setBlockOnExitSyscall, proc_sysmon.py), then unwires the P (takeP).
Exiting, the goroutine first CASes itself _Gsyscall -> _Grunning — waiting in casgstatus while
someone holds its scan bit — then keeps its P if still wired, or takes oldp back, or an idle P,
or parks (exitsyscallNoP). sched.nGsyscallNoP counts the goroutines in a syscall whose P was
taken (addGSyscallNoP/decGSyscallNoP).

Tracer events (traceruntime.go; reported to the observer where go1.27 emits them, with the
wire names of internal/trace/tracev2): GoSyscallBegin on entry; on exit GoSyscallEnd if the P
was never lost, else ProcSteal/ProcStart/GoSyscallEndBlocked/GoStart; whoever takes a P from
a syscall emits ProcSteal.
"""

from __future__ import annotations

from typing import Optional

from runtime_py.go1_27.runtime2 import (
    _Grunnable, _Grunning, _Gsyscall, _Pgcstop, freezeStopWait, g, m, p, stackGuard,
    stackPreempt,
)
from runtime_py.throw import hex_, throw


class ProcSyscall:
    """Mixin of Runtime: the syscall entry and exit path."""

    def save(self, pc: int, sp: int, bp: int) -> None:
        """go1.27.3 proc.go:4594 save — make getg().sched refer to pc, sp and bp, for a later
        gogo."""
        self._call("save", pc=pc, sp=sp, bp=bp)
        gp = self.os.getg()
        if gp is gp.m.g0:  # (or gp.m.gsignal: the model has no signal goroutine)
            throw("save on system g not allowed")
        gp.sched.pc = pc
        gp.sched.sp = sp
        gp.sched.lr = 0
        gp.sched.bp = bp
        # We need to ensure ctxt is zero; it should always already be zero.
        if gp.sched.ctxt is not None and gp.sched.ctxt != 0:
            self.badctxt()

    def badctxt(self) -> None:
        """go1.27.3 proc.go:626 badctxt."""
        throw("ctxt != 0")

    def reentersyscall(self, pc: int, sp: int, bp: int) -> None:
        """go1.27.3 proc.go:4642 reentersyscall — the goroutine is about to enter a system
        call. The P stays _Prunning and wired; m.oldp = p; the _Grunning -> _Gsyscall CAS is
        the last state change ("as soon as we switch to _Gsyscall, we are in danger of losing
        our P"). trace.enabled branch: GoSyscallBegin is reported; its save() is not run.
        skips: erasing the signal stack in runtime/secret mode (GOEXPERIMENT=runtimesecret).
        skips: staticLockRanking's extra save (lock ranking is off).
        """
        self._call("reentersyscall", pc=pc, sp=sp, bp=bp)
        gp = self.os.getg()
        # Disable preemption because during this function g is in Gsyscall status, but can
        # have inconsistent g->sched, do not let GC observe it.
        gp.m.locks += 1
        # Entersyscall must not call any function that might split/grow the stack: trip any
        # stack check, and leave a flag to tell newstack to die.
        gp.stackguard0 = stackPreempt
        gp.throwsplit = True
        # Copy the syscalltick over so we can identify if the P got stolen later.
        gp.m.syscalltick = gp.m.p.syscalltick
        pp = gp.m.p
        if pp.runSafePointFn != 0:
            # runSafePointFn may stack split if run on this stack
            self.systemstack(self.runSafePointFn)
        gp.m.oldp = pp
        # Leave SP around for GC and traceback.
        self.save(pc, sp, bp)
        gp.syscallsp = sp
        gp.syscallpc = pc
        gp.syscallbp = bp
        # Double-check sp and bp.
        if gp.syscallsp < gp.stack.lo or gp.stack.hi < gp.syscallsp:
            throw("entersyscall", "entersyscall inconsistent sp ", hex_(gp.syscallsp), " [",
                  hex_(gp.stack.lo), ",", hex_(gp.stack.hi), "]\n")
        if gp.syscallbp != 0 and gp.syscallbp < gp.stack.lo or gp.stack.hi < gp.syscallbp:
            throw("entersyscall", "entersyscall inconsistent bp ", hex_(gp.syscallbp), " [",
                  hex_(gp.stack.lo), ",", hex_(gp.stack.hi), "]\n")
        # Emitting the event must happen before the casgstatus because it mutates the P.
        self._traceev("GoSyscallBegin", g=gp, p=pp)
        if self.sched.gcwaiting:
            # Optimization: If there's a pending STW, do the equivalent of entersyscallblock
            # here at the last minute and immediately give away our P.
            self.systemstack(self.entersyscallHandleGCWait)
            self.save(pc, sp, bp)
        # As soon as we switch to _Gsyscall, we are in danger of losing our P. We must not
        # touch it after this point. Try a quick CAS to avoid casgstatus in the common case.
        if gp.bubble is not None or not self._gcas(gp, _Grunning, _Gsyscall):
            self.casgstatus(gp, _Grunning, _Gsyscall)
        if self.sched.sysmonwait:
            self.systemstack(self.entersyscallWakeSysmon)
            self.save(pc, sp, bp)
        gp.m.locks -= 1

    def entersyscall(self, callerpc: int, callersp: int, callerfp: int = 0) -> None:
        """go1.27.3 proc.go:4776 entersyscall — the standard syscall entry: fp :=
        getcallerfp(); reentersyscall(sys.GetCallerPC(), sys.GetCallerSP(), fp).

        The model cannot read a stack, so the platform passes the three values: at the
        CALL's target, callerpc = [RSP] (the return address into syscall.Syscall), callersp
        = RSP+8 (the caller's SP before the CALL) and callerfp = RBP (getcallerfp walks two
        frame links up from its own frame, through entersyscall's, to the caller's: the
        frame pointer syscall.Syscall set with PUSHQ BP; MOVQ SP, BP). 0 means no frame
        pointer (then reentersyscall does not check it).
        """
        self._call("entersyscall", callerpc=callerpc, callersp=callersp, callerfp=callerfp)
        fp = callerfp
        self.reentersyscall(callerpc, callersp, fp)

    def entersyscallWakeSysmon(self) -> None:
        """go1.27.3 proc.go:4785 entersyscallWakeSysmon — wake a deep-sleeping sysmon."""
        self._call("entersyscallWakeSysmon")
        self.lock(self.sched.lock)
        if self.sched.sysmonwait:
            self.sched.sysmonwait = False
            self.notewakeup(self.sched.sysmonnote)
        self.unlock(self.sched.lock)

    def entersyscallHandleGCWait(self) -> None:
        """go1.27.3 proc.go:4794 entersyscallHandleGCWait — a stop-the-world is waiting:
        give the P to it now (unwire, _Pgcstop) instead of leaving it to be taken."""
        self._call("entersyscallHandleGCWait")
        gp = self.os.getg()
        self.lock(self.sched.lock)
        if self.sched.stopwait > 0:
            # Set our P to _Pgcstop so the STW can take it.
            pp = gp.m.p
            pp.m = None
            gp.m.p = None
            self._pstore(pp, _Pgcstop)
            self._traceev("ProcStop", p=pp)
            self.addGSyscallNoP(gp.m)  # We gave up our P voluntarily.
            pp.gcStopTime = self.os.nanotime()
            pp.syscalltick += 1
            self.sched.stopwait -= 1
            if self.sched.stopwait == 0:
                self.notewakeup(self.sched.stopnote)
        self.unlock(self.sched.lock)

    def entersyscallblock(self, callerpc: int, callersp: int, callerfp: int = 0) -> None:
        """go1.27.3 proc.go:4830 entersyscallblock — entersyscall for a call known to block:
        the P is handed off at once, while the goroutine is still _Grunning ("the order here
        must be (1) trace, (2) handoff, (3) _Gsyscall switch"). callerpc/callersp/callerfp
        as for entersyscall (Go reads them with GetCallerPC/GetCallerSP/getcallerfp)."""
        self._call("entersyscallblock", callerpc=callerpc, callersp=callersp,
                   callerfp=callerfp)
        gp = self.os.getg()
        gp.m.locks += 1  # see comment in entersyscall
        gp.throwsplit = True
        gp.stackguard0 = stackPreempt  # see comment in entersyscall
        gp.m.syscalltick = gp.m.p.syscalltick
        gp.m.p.syscalltick += 1
        self.addGSyscallNoP(gp.m)  # We're going to give up our P.
        # Leave SP around for GC and traceback.
        pc = callerpc
        sp = callersp
        bp = callerfp
        self.save(pc, sp, bp)
        gp.syscallsp = gp.sched.sp
        gp.syscallpc = gp.sched.pc
        gp.syscallbp = gp.sched.bp
        if gp.syscallsp < gp.stack.lo or gp.stack.hi < gp.syscallsp:
            throw("entersyscallblock", "entersyscallblock inconsistent sp ", hex_(sp), " ",
                  hex_(gp.sched.sp), " ", hex_(gp.syscallsp), " [", hex_(gp.stack.lo), ",",
                  hex_(gp.stack.hi), "]\n")

        def handoff() -> None:
            self._traceev("GoSyscallBegin", g=gp, p=gp.m.p)
            self.handoffp(self.releasep())

        self.systemstack(handoff)
        # Caution: we're in a small window where we are in _Grunning without a P.
        self.casgstatus(gp, _Grunning, _Gsyscall)
        if gp.syscallsp < gp.stack.lo or gp.stack.hi < gp.syscallsp:
            throw("entersyscallblock", "entersyscallblock inconsistent sp ", hex_(sp), " ",
                  hex_(gp.sched.sp), " ", hex_(gp.syscallsp), " [", hex_(gp.stack.lo), ",",
                  hex_(gp.stack.hi), "]\n")
        if gp.syscallbp != 0 and gp.syscallbp < gp.stack.lo or gp.stack.hi < gp.syscallbp:
            throw("entersyscallblock", "entersyscallblock inconsistent bp ", hex_(bp), " ",
                  hex_(gp.sched.bp), " ", hex_(gp.syscallbp), " [", hex_(gp.stack.lo), ",",
                  hex_(gp.stack.hi), "]\n")
        # Resave for traceback during blocked call.
        self.save(callerpc, callersp, callerfp)
        gp.m.locks -= 1

    def exitsyscall(self, callersp: int) -> None:
        """go1.27.3 proc.go:4922 exitsyscall — the goroutine exited its system call; arrange
        for it to run on a cpu again. callersp is sys.GetCallerSP(): RSP+8 at the CALL's
        target, as for entersyscall. It must not be above g.syscallsp.

        Unlike go1.10, this may wait: the first state change is the goroutine's own
        _Gsyscall -> _Grunning, and while another thread holds the goroutine's _Gscan bit
        (it is taking the P) that CAS fails and casgstatus spins (OS.procyield, then
        OS.osyield) until the bit is released. Then: the P still wired -> keep it; else
        exitsyscallTryGetP (oldp back, or an idle P); else mcall(exitsyscallNoP).
        trace.enabled branches: their events are reported, nothing else of them runs.
        skips: the goroutine-profile hook (goroutineProfile.active is false).
        """
        self._call("exitsyscall", callersp=callersp)
        gp = self.os.getg()
        gp.m.locks += 1  # see comment in entersyscall
        if callersp > gp.syscallsp:
            throw("exitsyscall: syscall frame is no longer valid")
        gp.waitsince = 0
        if self.sched.stopwait == freezeStopWait:
            # Wedge ourselves if there's an outstanding freezetheworld (the model's
            # sequential lock throws on the second lock instead of hanging).
            self.systemstack(lambda: (self.lock(self.deadlock), self.lock(self.deadlock)))
        # Optimistically assume we're going to keep running, and switch to running. Before
        # this point, our P wiring is not ours. Once we get past this point, we can access
        # our P if we have it, otherwise we lost it.
        if gp.bubble is not None or not self._gcas(gp, _Gsyscall, _Grunning):
            self.casgstatus(gp, _Gsyscall, _Grunning)
        # Caution: we're in a window where we may be in _Grunning without a P.
        # Grab and clear our old P.
        oldp = gp.m.oldp
        gp.m.oldp = None
        # Check if we still have a P, and if not, try to acquire an idle P.
        pp = gp.m.p
        if pp is not None:
            # Fast path: we still have our P. Just emit a syscall exit event.
            if pp.syscalltick == gp.m.syscalltick:
                self._traceev("GoSyscallEnd", g=gp, p=pp)
            else:
                # We need to pretend we lost the P, but nobody ever took it.
                self._traceev("ProcSteal", p=pp, m=gp.m)
                self._traceev("ProcStart", p=pp, m=gp.m)
                self._traceev("GoSyscallEndBlocked", g=gp)
                self._traceev("GoStart", g=gp, p=pp)
        else:
            # Slow path: we lost our P. Try to get another one.
            def trygetp() -> None:
                pp2 = self.exitsyscallTryGetP(oldp)
                if pp2 is not None:
                    # Install the P.
                    self.acquirepNoTrace(pp2)
                    # We're going to start running again, so emit all the relevant events.
                    self._traceev("ProcStart", p=pp2, m=gp.m)
                    self._traceev("GoSyscallEndBlocked", g=gp)
                    self._traceev("GoStart", g=gp, p=pp2)

            self.systemstack(trygetp)
            pp = gp.m.p
        # If we have a P, clean up and exit.
        if pp is not None:
            # Increment the syscalltick for P, since we're exiting a syscall.
            pp.syscalltick += 1
            # Garbage collector isn't running (since we are), so okay to clear syscallsp.
            gp.syscallsp = 0
            gp.m.locks -= 1
            if gp.preempt:
                # Restore the preemption request in case we cleared it in newstack.
                gp.stackguard0 = stackPreempt
            else:
                # Otherwise restore the real stackGuard, we clobbered it in entersyscall.
                gp.stackguard0 = gp.stack.lo + stackGuard
            gp.throwsplit = False
            if self.sched.disable_user and not self.schedEnabled(gp):
                # Scheduling of this goroutine is disabled.
                self.Gosched()
            return
        # Slowest path: We couldn't get a P, so call into the scheduler.
        gp.m.locks -= 1
        # Call the scheduler. Returns when some M runs this goroutine again (maybe another M).
        self.os.mcall(self.exitsyscallNoP, gp)
        # Scheduler returned, so we're allowed to run now. Delete the syscallsp information
        # that we left for the garbage collector during the system call.
        gp.syscallsp = 0
        gp.m.p.syscalltick += 1
        gp.throwsplit = False

    def exitsyscallTryGetP(self, oldp: Optional[p]) -> Optional[p]:
        """go1.27.3 proc.go:5072 exitsyscallTryGetP — exitsyscall's attempt to get a P when it
        lost its own: steal oldp back from whoever runs it now, if that M's goroutine is in a
        syscall (setBlockOnExitSyscall -> takeP -> resume); else take an idle P."""
        self._call("exitsyscallTryGetP", oldp=oldp)
        # Try to steal our old P back.
        if oldp is not None:
            thread, ok = self.setBlockOnExitSyscall(oldp)
            if ok:
                thread.takeP()
                self.decGSyscallNoP(self.os.getg().m)  # We got a P for ourselves.
                thread.resume()
                return oldp
        # Try to get an idle P.
        if self.sched.pidle is not None:
            self.lock(self.sched.lock)
            pp, _ = self.pidleget(0)
            if pp is not None and self.sched.sysmonwait:
                self.sched.sysmonwait = False
                self.notewakeup(self.sched.sysmonnote)
            self.unlock(self.sched.lock)
            if pp is not None:
                self.decGSyscallNoP(self.os.getg().m)  # We got a P for ourselves.
                return pp
        return None

    def exitsyscallNoP(self, gp: g) -> None:
        """go1.27.3 proc.go:5106 exitsyscallNoP — exitsyscall slow path on g0 (via mcall):
        failed to acquire a P, enqueue gp as runnable. gp is already _Grunning (exitsyscall
        switched it), so the change is _Grunning -> _Grunnable.
        skips: the lockedm branch (stoplockedm): LockOSThread is not modeled.
        """
        self._call("exitsyscallNoP", gp=gp)
        self.casgstatus(gp, _Grunning, _Grunnable)
        # Write out syscall exit eagerly.
        self._traceev("GoSyscallEndBlocked", g=gp)
        self.decGSyscallNoP(self.os.getg().m)
        self.dropg()
        self.lock(self.sched.lock)
        pp: Optional[p] = None
        if self.schedEnabled(gp):
            pp, _ = self.pidleget(0)
        locked = False
        if pp is None:
            self.globrunqput(gp)
            # Check if gp is locked before releasing ownership of it (unlock below).
            locked = gp.lockedm is not None
        elif self.sched.sysmonwait:
            self.sched.sysmonwait = False
            self.notewakeup(self.sched.sysmonnote)
        self.unlock(self.sched.lock)
        if pp is not None:
            self.acquirep(pp)
            self.execute(gp, False)  # Never returns.
            return
        if locked:
            throw("exitsyscallNoP: locked goroutine (LockOSThread is not modeled)")
        self.stopm()
        self.schedule()  # Never returns.

    def addGSyscallNoP(self, mp: m) -> None:
        """go1.27.3 proc.go:5163 addGSyscallNoP — a goroutine in a syscall lost its P."""
        self._call("addGSyscallNoP", mp=mp)
        if not mp.isExtraInC:
            self.sched.nGsyscallNoP += 1

    def decGSyscallNoP(self, mp: m) -> None:
        """go1.27.3 proc.go:5183 decGSyscallNoP — a goroutine in a syscall without a P
        exits the system call."""
        self._call("decGSyscallNoP", mp=mp)
        if not mp.isExtraInC:
            self.sched.nGsyscallNoP -= 1

    def schedEnabled(self, gp: g) -> bool:
        """go1.27.3 proc.go:7237 schedEnabled — scheduling of gp is allowed (sched.disable
        is never set in the model: no GC)."""
        if self.sched.disable_user:
            return False  # Go: isSystemGoroutine(gp, true); the model has none
        return True

