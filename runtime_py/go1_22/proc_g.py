"""runtime_py/go1_22/proc_g.py: go1.22.10 proc.go — goroutine status and lifecycle.

casgstatus; newproc/newproc1 and the free lists; gopark/park_m and goready/ready (blocking
without a syscall); Gosched and gopreempt_m; goexit1/goexit0/gdestroy.
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Union

from runtime_py.go1_22.runtime2 import (
    _Gdead, _Gidle, _Grunnable, _Grunning, _Gscan, _Gscanrunning, _Gwaiting, _GoidCacheBatch,
    g, gobuf, gQueue, mutex, p, stack, stackGuard, stackMin, waitReason,
    waitReasonStrings, waitReasonZero,
)
from runtime_py.go1_22.trace2runtime import OLD_TRACE_EVENT_REASON
from runtime_py.throw import hex_, throw


def _waitreason(reason: Union[int, str]) -> waitReason:
    """Not Go: gopark's reason as go1.22's waitReason enum. A platform written for the
    go1.10 profile passes the string ("chan receive"); it names the same reason."""
    if isinstance(reason, str):
        if reason not in waitReasonStrings:
            raise ValueError(f"gopark: no go1.22 waitReason is {reason!r}")
        return waitReason(waitReasonStrings.index(reason))
    return waitReason(reason)


def _traceblockreason(reason: Union[int, str]) -> int:
    """Not Go: gopark's traceReason as go1.22's traceBlockReason. A platform written for the
    go1.10 profile passes the old tracer's event name ("GoBlockRecv"); go1.22's trace.go
    maps each reason to that event, read backwards here."""
    if isinstance(reason, str):
        if reason not in OLD_TRACE_EVENT_REASON:
            raise ValueError(f"gopark: no go1.22 traceBlockReason maps to {reason!r}")
        return OLD_TRACE_EVENT_REASON[reason]
    return reason


class ProcG:
    """Mixin of Runtime: goroutines."""

    # --- status --------------------------------------------------------------------------

    def readgstatus(self, gp: g) -> int:
        """go1.22.10 proc.go:1039 readgstatus."""
        return gp.atomicstatus

    def dumpgstatus(self, gp: g) -> str:
        """go1.22.10 proc.go:847 dumpgstatus — returns what Go prints (a throw's detail)."""
        thisg = self.os.getg()
        return (f"runtime:   gp: gp={gp}, goid={gp.goid}, gp->atomicstatus="
                f"{self.readgstatus(gp)}\n"
                f"runtime: getg:  g={thisg}, goid={thisg.goid},  g->atomicstatus="
                f"{self.readgstatus(thisg)}\n")

    def casgstatus(self, gp: g, oldval: int, newval: int) -> None:
        """go1.22.10 proc.go:1105 casgstatus — CAS gp.atomicstatus from oldval to newval.
        Go loops (procyield, then osyield every 5us) while the status is in a _Gscan state,
        until the GC finishes. Nothing else runs while this thread does, so in the model a
        failing CAS could never succeed: it throws "casgstatus: bad old status" (the model's
        own message) instead of hanging.
        skips: the scheduling-latency tracking (trackingSeq, runnableTime, timeToRun).
        """
        self._call("casgstatus", gp=gp, oldval=oldval, newval=newval)
        if (oldval & _Gscan) != 0 or (newval & _Gscan) != 0 or oldval == newval:
            throw("casgstatus: bad incoming values", "runtime: casgstatus: oldval=",
                  hex_(oldval), " newval=", hex_(newval), "\n")
        if gp.atomicstatus != oldval:  # !gp.atomicstatus.CompareAndSwap(oldval, newval)
            if oldval == _Gwaiting and gp.atomicstatus == _Grunnable:
                throw("casgstatus: waiting for Gwaiting but is Grunnable")
            throw("casgstatus: bad old status", "runtime: casgstatus: gp=", gp, " oldval=",
                  hex_(oldval), " newval=", hex_(newval), " gp.status=",
                  hex_(gp.atomicstatus), "\n")
        self._gstore(gp, newval)

    def allgadd(self, gp: g) -> None:
        """go1.22.10 proc.go:618 allgadd."""
        self._call("allgadd", gp=gp)
        if self.readgstatus(gp) == _Gidle:
            throw("allgadd: bad status Gidle")
        self.lock(self.allglock)
        self.allgs.append(gp)
        self.unlock(self.allglock)

    # --- creation and the free lists -----------------------------------------------------

    def newproc(self, fn: int, stack_lo: int, stack_hi: int, callerpc: int = 0) -> g:
        """go1.22.10 proc.go:4874 newproc(fn) — create a new g running fn and put it on the
        queue of g's waiting to run (what a go statement compiles to). Simplified: fn is the
        entry PC (no funcval, no closure context), the caller supplies the stack
        [stack_lo, stack_hi) and callerpc (Go: getcallerpc()). Returns the new g (Go's
        returns nothing). Since go1.21 runqput and wakep are here, not in newproc1.
        """
        self._call("newproc", fn=fn, stack_lo=stack_lo, stack_hi=stack_hi)
        gp = self.os.getg()
        pc = callerpc
        out: list[g] = []

        def onsystemstack() -> None:
            newg = self.newproc1(fn, gp, pc, stack_lo, stack_hi)
            pp = self.os.getg().m.p
            self.runqput(pp, newg, True)
            if self.mainStarted:
                self.wakep()
            out.append(newg)

        self.systemstack(onsystemstack)
        return out[0]

    def newproc1(self, fn: int, callergp: g, callerpc: int, stack_lo: int,
                 stack_hi: int) -> g:
        """go1.22.10 proc.go:4892 newproc1 — create a new g in state _Grunnable, starting at
        fn; the caller puts it on a run queue.
        The caller's stack [stack_lo, stack_hi) stands for what malg/gfget would stackalloc:
        it replaces any stack a recycled g had (stackguard0 = lo + stackGuard, and malg's
        stackguard1 = ^0).
        gostartcallfn: sched.sp moves down one word for the return address (goexitpc + 1,
        which the platform stores at that address) and sched.pc = fn; ctxt stays nil (the
        model passes an entry PC, not a *funcval).
        skips: saveAncestors, profiler labels, the goroutine profile, tracking, scannable-
        stack accounting, system goroutine counts and race contexts.
        """
        self._call("newproc1", fn=fn, callergp=callergp, callerpc=callerpc)
        if not fn:
            throw("go of nil func value")  # fatal
        mp = self.acquirem()  # disable preemption because we hold M and P in local vars.
        pp = mp.p
        newg = self.gfget(pp)
        if newg is None:
            newg = self.malg(stackMin)
            self.casgstatus(newg, _Gidle, _Gdead)
            self.allgadd(newg)  # publishes with a g->status of Gdead
        newg.stack = stack(stack_lo, stack_hi)  # stackalloc (see the docstring)
        newg.stackguard0 = newg.stack.lo + stackGuard
        newg.stackguard1 = 0xFFFFFFFFFFFFFFFF
        if newg.stack.hi == 0:
            throw("newproc1: newg missing stack")
        if self.readgstatus(newg) != _Gdead:
            throw("newproc1: new g is not Gdead")
        totalSize = 4 * 8 + 0  # 4*goarch.PtrSize + sys.MinFrameSize: extra space
        totalSize += -totalSize & (8 - 1)  # alignUp(totalSize, sys.StackAlign)
        sp = newg.stack.hi - totalSize
        newg.sched = gobuf()  # memclrNoHeapPointers(&newg.sched)
        newg.sched.sp = sp
        newg.stktopsp = sp
        newg.sched.pc = self.goexitpc + 1  # abi.FuncPCABI0(goexit) + sys.PCQuantum
        newg.sched.g = newg
        # gostartcallfn(&newg.sched, fn): push sched.pc as the return address, pc = fn.
        newg.sched.sp -= 8
        newg.sched.pc = fn
        newg.parentGoid = callergp.goid
        newg.gopc = callerpc
        newg.startpc = fn
        # Get a goid and switch to runnable. Make all this atomic to the tracer.
        trace = self.traceAcquire()
        self.casgstatus(newg, _Gdead, _Grunnable)
        if pp.goidcache == pp.goidcacheend:
            # Sched.goidgen is the last allocated id, this batch must be
            # [sched.goidgen+1, sched.goidgen+GoidCacheBatch]. At startup sched.goidgen=0,
            # so main goroutine receives goid=1.
            self.sched.goidgen += _GoidCacheBatch
            pp.goidcache = self.sched.goidgen
            pp.goidcache -= _GoidCacheBatch - 1
            pp.goidcacheend = pp.goidcache + _GoidCacheBatch
        newg.goid = pp.goidcache
        pp.goidcache += 1
        trace.GoCreate(newg, newg.startpc)
        self.releasem(mp)
        return newg

    def gfput(self, pp: p, gp: g) -> None:
        """go1.22.10 proc.go:5029 gfput — put gp on pp's free list; a local list of 64 moves
        a batch to the global lists.
        skips: freeing a non-standard-size stack (stacks belong to the caller of newproc).
        """
        self._call("gfput", pp=pp, gp=gp)
        if self.readgstatus(gp) != _Gdead:
            throw("gfput: bad status (not Gdead)")
        pp.gFree.push(gp)
        pp.gFree.n += 1
        if pp.gFree.n >= 64:
            inc = 0
            stackQ, noStackQ = gQueue(), gQueue()
            while pp.gFree.n >= 32:
                gp = pp.gFree.pop()
                pp.gFree.n -= 1
                if gp.stack.lo == 0:
                    noStackQ.push(gp)
                else:
                    stackQ.push(gp)
                inc += 1
            self.lock(self.sched.gFree.lock)
            self.sched.gFree.noStack.pushAll(noStackQ)
            self.sched.gFree.stack.pushAll(stackQ)
            self.sched.gFree.n += inc
            self.unlock(self.sched.gFree.lock)

    def gfget(self, pp: p) -> Optional[g]:
        """go1.22.10 proc.go:5072 gfget — get a g from pp's free list; an empty local list
        first takes a batch of up to 32 from the global lists.
        skips: stack (re)allocation (newproc1's caller supplies the stack).
        """
        self._call("gfget", pp=pp)
        while True:  # retry:
            if pp.gFree.empty() and (not self.sched.gFree.stack.empty()
                                     or not self.sched.gFree.noStack.empty()):
                self.lock(self.sched.gFree.lock)
                # Move a batch of free Gs to the P.
                while pp.gFree.n < 32:
                    # Prefer Gs with stacks.
                    gp = self.sched.gFree.stack.pop()
                    if gp is None:
                        gp = self.sched.gFree.noStack.pop()
                        if gp is None:
                            break
                    self.sched.gFree.n -= 1
                    pp.gFree.push(gp)
                    pp.gFree.n += 1
                self.unlock(self.sched.gFree.lock)
                continue  # goto retry
            break
        gp = pp.gFree.pop()
        if gp is None:
            return None
        pp.gFree.n -= 1
        return gp

    # --- parking and readying ------------------------------------------------------------

    def gopark(self, unlockf: Optional[Callable[[g, Any], bool]], lock: Any,
               reason: Union[int, str], traceReason: Union[int, str] = 0,
               traceskip: int = 1) -> None:
        """go1.22.10 proc.go:385 gopark — put the current goroutine into a waiting state and
        call unlockf on g0. If unlockf returns false, the goroutine is resumed. Returns when
        the goroutine is readied and run again (mcall).
        reason is a waitReason, traceReason a traceBlockReason; the go1.10 profile's string
        reason and old tracer event name are accepted too (_waitreason, _traceblockreason).
        checkTimeouts() is a no-op on linux (lock_futex.go:256).
        """
        reason = _waitreason(reason)
        traceReason = _traceblockreason(traceReason)
        self._call("gopark", reason=str(reason), traceReason=traceReason)
        mp = self.acquirem()
        gp = mp.curg
        status = self.readgstatus(gp)
        if status != _Grunning and status != _Gscanrunning:
            throw("gopark: bad g status")
        mp.waitlock = lock
        mp.waitunlockf = unlockf
        gp.waitreason = reason
        mp.waitTraceBlockReason = traceReason
        mp.waitTraceSkip = traceskip
        self.releasem(mp)
        # can't do anything that might move the G between Ms here.
        self.os.mcall(self.park_m, gp)

    def goparkunlock(self, lock: mutex, reason: Union[int, str],
                     traceReason: Union[int, str] = 0, traceskip: int = 1) -> None:
        """go1.22.10 proc.go:407 goparkunlock — gopark and unlock `lock` once parked."""
        self.gopark(self.parkunlock_c, lock, reason, traceReason, traceskip)

    def parkunlock_c(self, gp: g, lock: mutex) -> bool:
        """go1.22.10 proc.go:4001 parkunlock_c."""
        self.unlock(lock)
        return True

    def park_m(self, gp: g) -> None:
        """go1.22.10 proc.go:4007 park_m — gopark's continuation on g0."""
        self._call("park_m", gp=gp)
        mp = self.os.getg().m
        trace = self.traceAcquire()
        # N.B. Not using casGToWaiting here because the waitreason is set by park_m's caller.
        self.casgstatus(gp, _Grunning, _Gwaiting)
        trace.GoPark(mp.waitTraceBlockReason, mp.waitTraceSkip)
        self.dropg()
        fn = mp.waitunlockf
        if fn is not None:
            ok = fn(gp, mp.waitlock)
            mp.waitunlockf = None
            mp.waitlock = None
            if not ok:
                trace = self.traceAcquire()
                self.casgstatus(gp, _Gwaiting, _Grunnable)
                trace.GoUnpark(gp, 2)
                self.execute(gp, True)  # Schedule it back, never returns.
                return
        self.schedule()

    def goready(self, gp: g, traceskip: int = 1) -> None:
        """go1.22.10 proc.go:411 goready — make a waiting gp runnable (in runnext of our P)."""
        self._call("goready", gp=gp, traceskip=traceskip)
        self.systemstack(lambda: self.ready(gp, traceskip, True))

    def ready(self, gp: g, traceskip: int, next_: bool) -> None:
        """go1.22.10 proc.go:952 ready(gp, traceskip, next) — mark gp ready to run. Since
        go1.21 it calls wakep unconditionally (wakep checks nmspinning itself)."""
        self._call("ready", gp=gp, traceskip=traceskip, next=next_)
        status = self.readgstatus(gp)
        # Mark runnable.
        mp = self.acquirem()  # disable preemption because it can be holding p in a local var
        if status & ~_Gscan != _Gwaiting:
            throw("bad g->status in ready", self.dumpgstatus(gp))
        # status is Gwaiting or Gscanwaiting, make Grunnable and put on runq
        trace = self.traceAcquire()
        self.casgstatus(gp, _Gwaiting, _Grunnable)
        trace.GoUnpark(gp, traceskip)
        self.runqput(mp.p, gp, next_)
        self.wakep()
        self.releasem(mp)

    # --- yielding and exiting ------------------------------------------------------------

    def Gosched(self) -> None:
        """go1.22.10 proc.go:340 Gosched — yield the processor; the goroutine goes to the
        global queue and resumes (after this call) when scheduled again. checkTimeouts() is
        a no-op on linux."""
        self._call("Gosched")
        self.os.mcall(self.gosched_m, self.os.getg())

    def gosched_m(self, gp: g) -> None:
        """go1.22.10 proc.go:4069 gosched_m — Gosched continuation on g0."""
        self._call("gosched_m", gp=gp)
        self.goschedImpl(gp, False)

    def gopreempt_m(self, gp: g) -> None:
        """go1.22.10 proc.go:4081 gopreempt_m — what newstack does with a goroutine whose
        stack check found stackguard0 == stackPreempt (retake's 10 ms preemption)."""
        self._call("gopreempt_m", gp=gp)
        self.goschedImpl(gp, True)

    def goschedImpl(self, gp: g, preempted: bool) -> None:
        """go1.22.10 proc.go:4039 goschedImpl."""
        self._call("goschedImpl", gp=gp, preempted=preempted)
        trace = self.traceAcquire()
        status = self.readgstatus(gp)
        if status & ~_Gscan != _Grunning:
            throw("bad g status", self.dumpgstatus(gp))
        self.casgstatus(gp, _Grunning, _Grunnable)
        if preempted:
            trace.GoPreempt()
        else:
            trace.GoSched()
        self.dropg()
        self.lock(self.sched.lock)
        self.globrunqput(gp)
        self.unlock(self.sched.lock)
        if self.mainStarted:
            self.wakep()
        self.schedule()

    def goexit1(self) -> None:
        """go1.22.10 proc.go:4166 goexit1 — finish execution of the current goroutine.
        skips: racegoend (race detector).
        """
        self._call("goexit1")
        trace = self.traceAcquire()
        trace.GoEnd()
        self.os.mcall(self.goexit0, self.os.getg())

    def goexit0(self, gp: g) -> None:
        """go1.22.10 proc.go:4179 goexit0 — goexit continuation on g0."""
        self._call("goexit0", gp=gp)
        self.gdestroy(gp)
        self.schedule()

    def gdestroy(self, gp: g) -> None:
        """go1.22.10 proc.go:4184 gdestroy.
        skips: scannable-stack and system goroutine accounting, GC assist credit, writebuf,
        labels and timer (not modeled).
        skips: the locked-thread exit (gogo(&mp.g0.sched)): LockOSThread is not modeled.
        """
        self._call("gdestroy", gp=gp)
        mp = self.os.getg().m
        pp = mp.p
        self.casgstatus(gp, _Grunning, _Gdead)
        gp.m = None
        gp.lockedm = None
        mp.lockedg = None
        gp.preemptStop = False
        gp.paniconfault = False
        gp._defer = None  # should be true already but just in case.
        gp._panic = None  # non-nil for Goexit during panic. points at stack-allocated data.
        gp.waitreason = waitReasonZero
        gp.param = None
        self.dropg()
        if mp.lockedInt != 0:
            throw("internal lockOSThread error", "invalid m->lockedInt = ", mp.lockedInt, "\n")
        self.gfput(pp, gp)
