"""runtime_py/go1_27/proc_g.py: go1.27.3 proc.go — goroutine status and lifecycle.

readgstatus, casgstatus (with its wait on a _Gscan bit), castogscanstatus and
casfrom_Gscanstatus (the bit as a lock); newproc/newproc1 and the free lists; gopark/park_m
and goready/ready; Gosched; goexit1/goexit0/gdestroy.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from runtime_py.go1_27.runtime2 import (
    _Gdead, _Gdeadextra, _Gidle, _Gleaked, _Grunnable, _Grunning, _Gscan, _Gscandeadextra,
    _Gscanleaked, _Gscanpreempted, _Gscanrunnable, _Gscanrunning, _Gscansyscall,
    _Gscanwaiting, _Gsyscall, _GoidCacheBatch, _Gwaiting, g, gobuf, gQueue, gstatusname, mutex, p,
    stack, stackGuard, stackMin, traceBlockReasonString, waitReasonZero,
)
from runtime_py.throw import hex_, throw

# casgstatus: see https://golang.org/cl/21503 for justification of the yield delay.
yieldDelay = 5 * 1000  # proc.go:1303: ns of procyield before casgstatus starts to osyield


class ProcG:
    """Mixin of Runtime: goroutines."""

    # --- status --------------------------------------------------------------------------

    def readgstatus(self, gp: g) -> int:
        """go1.27.3 proc.go:1220 readgstatus."""
        return gp.atomicstatus

    def dumpgstatus(self, gp: g) -> str:
        """go1.27.3 proc.go:969 dumpgstatus — returns what Go prints (for a throw's detail)."""
        thisg = self.os.getg()
        return (f"runtime:   gp: gp={gp}, goid={gp.goid}, gp->atomicstatus="
                f"{self.readgstatus(gp)}\n"
                f"runtime: getg:  g={thisg}, goid={thisg.goid},  g->atomicstatus="
                f"{self.readgstatus(thisg)}\n")

    def casfrom_Gscanstatus(self, gp: g, oldval: int, newval: int) -> None:
        """go1.27.3 proc.go:1228 casfrom_Gscanstatus — release the _Gscan bit (the
        Gscanstatuses act like locks and this releases them)."""
        self._call("casfrom_Gscanstatus", gp=gp, oldval=oldval, newval=newval)
        success = False
        # Check that transition is valid.
        if oldval not in (_Gscanrunnable, _Gscanwaiting, _Gscanrunning, _Gscansyscall,
                          _Gscanleaked, _Gscanpreempted, _Gscandeadextra):
            throw("casfrom_Gscanstatus:top gp->status is not in scan state",
                  "runtime: casfrom_Gscanstatus bad oldval gp=", gp, ", oldval=",
                  hex_(oldval), ", newval=", hex_(newval), "\n", self.dumpgstatus(gp))
        if newval == oldval & ~_Gscan:
            success = self._gcas(gp, oldval, newval)
        if not success:
            throw("casfrom_Gscanstatus: gp->status is not in scan state",
                  "runtime: casfrom_Gscanstatus failed gp=", gp, ", oldval=", hex_(oldval),
                  ", newval=", hex_(newval), "\n", self.dumpgstatus(gp))
        self.releaseLockRankAndM()

    def castogscanstatus(self, gp: g, oldval: int, newval: int) -> bool:
        """go1.27.3 proc.go:1258 castogscanstatus — try to take the _Gscan bit (a lock
        acquire; casfrom_Gscanstatus is the release). False if gp is not in oldval."""
        self._call("castogscanstatus", gp=gp, oldval=oldval, newval=newval)
        if oldval in (_Grunnable, _Grunning, _Gwaiting, _Gleaked, _Gsyscall, _Gdeadextra):
            if newval == oldval | _Gscan:
                r = self._gcas(gp, oldval, newval)
                if r:
                    self.acquireLockRankAndM()
                return r
        throw("bad oldval passed to castogscanstatus", "runtime: castogscanstatus oldval=",
              hex_(oldval), " newval=", hex_(newval), "\n")

    def casgstatus(self, gp: g, oldval: int, newval: int) -> None:
        """go1.27.3 proc.go:1290 casgstatus — CAS gp.atomicstatus from oldval to newval,
        looping while someone holds gp's _Gscan bit: for the first yieldDelay (5 us) of
        nanotime it spins with procyield(1) (at most 10 PAUSEs between two CAS attempts,
        each after re-reading the status), after that it calls osyield() and allows itself
        yieldDelay/2 more of spinning. This is how exitsyscall waits while sysmon (retake)
        or the returning thread of another M holds the bit to take its P.
        A status other than oldval|_Gscan can only change under a bug (Go would loop for
        ever): the model throws "casgstatus: bad old status" (its own message) instead.
        skips: synctest bubbles (gp.bubble is always nil) and the scheduling-latency
        tracking (gp.tracking, runnableTime, totalMutexWaitTime).
        """
        self._call("casgstatus", gp=gp, oldval=oldval, newval=newval)
        if (oldval & _Gscan) != 0 or (newval & _Gscan) != 0 or oldval == newval:
            throw("casgstatus: bad incoming values", "runtime: casgstatus: oldval=",
                  hex_(oldval), " newval=", hex_(newval), "\n")
        nextYield = 0
        # loop if gp->atomicstatus is in a scan state giving GC time to finish and change
        # the state to oldval.
        i = 0
        while not self._gcas(gp, oldval, newval):
            if oldval == _Gwaiting and gp.atomicstatus == _Grunnable:
                throw("casgstatus: waiting for Gwaiting but is Grunnable")
            if gp.atomicstatus != oldval | _Gscan:  # not Go: see the docstring
                throw("casgstatus: bad old status", "runtime: casgstatus: gp=", gp,
                      " oldval=", hex_(oldval), " newval=", hex_(newval), " gp.status=",
                      hex_(gp.atomicstatus), "\n")
            if i == 0:
                nextYield = self.os.nanotime() + yieldDelay
                self._note(f"casgstatus: g{gp.goid} is {gstatusname(gp.atomicstatus)}: wait "
                           f"for the scan bit to clear (procyield, then osyield after "
                           f"{yieldDelay} ns)")
            if self.os.nanotime() < nextYield:
                x = 0
                while x < 10 and gp.atomicstatus != oldval:
                    self.procyield(1)
                    x += 1
            else:
                self.osyield()
                nextYield = self.os.nanotime() + yieldDelay // 2
            i += 1

    def procyield(self, cycles: int) -> None:
        """go1.27.3 stubs.go:286 procyield: cycles PAUSE instructions (asm_amd64.s)."""
        self._call("procyield", cycles=cycles)
        self.os.procyield(cycles)

    def osyield(self) -> None:
        """go1.27.3 sys_linux_amd64.s:671 osyield: sched_yield."""
        self._call("osyield")
        self.os.osyield()

    def allgadd(self, gp: g) -> None:
        """go1.27.3 proc.go:700 allgadd.
        skips: allglock, allgptr and allglen (one thread at a time touches allgs).
        """
        self._call("allgadd", gp=gp)
        if self.readgstatus(gp) == _Gidle:
            throw("allgadd: bad status Gidle")
        self.allgs.append(gp)

    # --- creation and the free lists -----------------------------------------------------

    def malg(self, stacksize: int) -> g:
        """go1.27.3 proc.go:5312 malg — a new g. The model allocates no stack memory: a g0
        made with malg(-1) keeps stack (0, 0) until the platform or mstart0 sets it; for a
        goroutine the caller of newproc supplies the stack (see newproc1)."""
        self._call("malg", stacksize=stacksize)
        newg = g()
        return newg

    def newproc(self, fn: int, stack_lo: int, stack_hi: int, callerpc: int = 0) -> g:
        """go1.27.3 proc.go:5334 newproc(fn) — create a new g running fn and put it on the
        queue of g's waiting to run (what a go statement compiles to). Simplified: fn is the
        entry PC, there are no arguments, the caller supplies the stack [stack_lo, stack_hi)
        and callerpc (Go: sys.GetCallerPC()). Returns the new g (Go's returns nothing)."""
        self._call("newproc", fn=fn, stack_lo=stack_lo, stack_hi=stack_hi)
        gp = self.os.getg()
        pc = callerpc
        out: list[g] = []

        def onsystemstack() -> None:
            newg = self.newproc1(fn, gp, pc, False, waitReasonZero, stack_lo, stack_hi)
            pp = self.os.getg().m.p
            self.runqput(pp, newg, True)
            if self.mainStarted:
                self.wakep()
            out.append(newg)

        self.systemstack(onsystemstack)
        return out[0]

    def newproc1(self, fn: int, callergp: g, callerpc: int, parked: bool, waitreason: int,
                 stack_lo: int = 0, stack_hi: int = 0) -> g:
        """go1.27.3 proc.go:5352 newproc1 — create a new g in _Grunnable (or _Gwaiting if
        parked), starting at fn; the caller puts it on a run queue.
        The stack: where Go's malg(stackMin) or gfget gives the g a stack, the model gives it
        [stack_lo, stack_hi) from the caller, with stackguard0 = lo + stackGuard and
        stackguard1 = ~0 as malg sets them.
        gostartcallfn: sched.sp moves down one word for the return address (goexitpc + 1,
        which the platform stores there) and sched.pc = fn; ctxt stays nil (no closure).
        skips: saveAncestors, labels, synctest bubbles, goroutine profiles, latency
        tracking, scannable-stack accounting, fips/dit/secret bubbles, race context.
        """
        self._call("newproc1", fn=fn, callerpc=callerpc, parked=parked)
        if not fn:
            throw("go of nil func value")  # Go: fatal
        mp = self.acquirem()  # disable preemption because we hold M and P in local vars.
        pp = mp.p
        newg = self.gfget(pp)
        if newg is None:
            newg = self.malg(stackMin)
            self.casgstatus(newg, _Gidle, _Gdead)
            self.allgadd(newg)  # publishes with a g->status of Gdead
        newg.stack = stack(stack_lo, stack_hi)  # the model's stackalloc: see the docstring
        newg.stackguard0 = newg.stack.lo + stackGuard
        newg.stackguard1 = 0xFFFFFFFFFFFFFFFF
        if newg.stack.hi == 0:
            throw("newproc1: newg missing stack")
        if self.readgstatus(newg) != _Gdead:
            throw("newproc1: new g is not Gdead")
        totalSize = 4 * 8 + 0  # 4*goarch.PtrSize + sys.MinFrameSize (0 on amd64)
        totalSize = (totalSize + 15) & ~15  # alignUp(totalSize, sys.StackAlign)
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
        status = _Grunnable
        if parked:
            status = _Gwaiting
            newg.waitreason = waitreason
        if pp.goidcache == pp.goidcacheend:
            # Sched.goidgen is the last allocated id, this batch must be
            # [sched.goidgen+1, sched.goidgen+GoidCacheBatch]. The main goroutine gets 1.
            self.sched.goidgen += _GoidCacheBatch
            pp.goidcache = self.sched.goidgen
            pp.goidcache -= _GoidCacheBatch - 1
            pp.goidcacheend = pp.goidcache + _GoidCacheBatch
        newg.goid = pp.goidcache
        self.casgstatus(newg, _Gdead, status)
        pp.goidcache += 1
        self._traceev("GoCreate", g=newg, startpc=newg.startpc, blocked=parked)
        pp.goroutinesCreated += 1
        self.releasem(mp)
        return newg

    def gfput(self, pp: p, gp: g) -> None:
        """go1.27.3 proc.go:5516 gfput — put gp on pp's free list; a list of 64 moves down
        to 31 by sending Gs to the global lists.
        skips: freeing a stack of non-standard size (stacks belong to the caller).
        """
        self._call("gfput", pp=pp, gp=gp)
        if self.readgstatus(gp) != _Gdead:
            throw("gfput: bad status (not Gdead)")
        pp.gFree.push(gp)
        if pp.gFree.size >= 64:
            stackQ, noStackQ = gQueue(), gQueue()
            while pp.gFree.size >= 32:
                gp1 = pp.gFree.pop()
                if gp1.stack.lo == 0:
                    noStackQ.push(gp1)
                else:
                    stackQ.push(gp1)
            self.lock(self.sched.gFree_lock)
            self.sched.gFree_noStack.pushAll(noStackQ)
            self.sched.gFree_stack.pushAll(stackQ)
            self.unlock(self.sched.gFree_lock)

    def gfget(self, pp: p) -> Optional[g]:
        """go1.27.3 proc.go:5558 gfget — get a g from pp's free list, refilling it (up to 32)
        from the global lists first if it is empty.
        skips: stack (re)allocation (stacks belong to the caller: see newproc1).
        """
        self._call("gfget", pp=pp)
        while True:  # retry:
            if pp.gFree.empty() and (not self.sched.gFree_stack.empty()
                                     or not self.sched.gFree_noStack.empty()):
                self.lock(self.sched.gFree_lock)
                # Move a batch of free Gs to the P.
                while pp.gFree.size < 32:
                    # Prefer Gs with stacks.
                    gp = self.sched.gFree_stack.pop()
                    if gp is None:
                        gp = self.sched.gFree_noStack.pop()
                        if gp is None:
                            break
                    pp.gFree.push(gp)
                self.unlock(self.sched.gFree_lock)
                continue  # goto retry
            break
        return pp.gFree.pop()

    # --- parking and readying ------------------------------------------------------------

    def gopark(self, unlockf: Optional[Callable[[g, Any], bool]], lock: Any, reason: int,
               traceReason: int, traceskip: int) -> None:
        """go1.27.3 proc.go:457 gopark — put the current goroutine into a waiting state and
        call unlockf on g0. If unlockf returns false, the goroutine is resumed. reason is a
        waitReason, traceReason a traceBlockReason (runtime2.py). Returns when the goroutine
        is readied and run again (mcall).
        skips: checkTimeouts (a no-op on linux).
        """
        self._call("gopark", reason=reason, traceReason=traceReason)
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

    def goparkunlock(self, lock: mutex, reason: int, traceReason: int,
                     traceskip: int) -> None:
        """go1.27.3 proc.go:479 goparkunlock — gopark and unlock `lock` once parked."""
        self.gopark(self.parkunlock_c, lock, reason, traceReason, traceskip)

    def parkunlock_c(self, gp: g, lock: mutex) -> bool:
        """go1.27.3 proc.go:4262 parkunlock_c."""
        self.unlock(lock)
        return True

    def park_m(self, gp: g) -> None:
        """go1.27.3 proc.go:4268 park_m — gopark's continuation on g0.
        skips: synctest bubbles.
        """
        self._call("park_m", gp=gp)
        mp = self.os.getg().m
        # Trace the event before the transition.
        self._traceev("GoBlock", g=gp,
                      reason=traceBlockReasonString(mp.waitTraceBlockReason))
        # N.B. Not using casGToWaiting here because the waitreason is set by park_m's caller.
        self.casgstatus(gp, _Grunning, _Gwaiting)
        self.dropg()
        fn = mp.waitunlockf
        if fn is not None:
            ok = fn(gp, mp.waitlock)
            mp.waitunlockf = None
            mp.waitlock = None
            if not ok:
                self.casgstatus(gp, _Gwaiting, _Grunnable)
                self._traceev("GoUnblock", g=gp)
                self.execute(gp, True)  # Schedule it back, never returns.
                return
        self.schedule()

    def goready(self, gp: g, traceskip: int) -> None:
        """go1.27.3 proc.go:493 goready — make a waiting gp runnable (in runnext of our P)."""
        self._call("goready", gp=gp, traceskip=traceskip)
        self.systemstack(lambda: self.ready(gp, traceskip, True))

    def ready(self, gp: g, traceskip: int, next_: bool) -> None:
        """go1.27.3 proc.go:1133 ready(gp, traceskip, next) — mark gp ready to run."""
        self._call("ready", gp=gp, traceskip=traceskip, next=next_)
        status = self.readgstatus(gp)
        # Mark runnable.
        mp = self.acquirem()  # disable preemption because it can be holding p in a local var
        if status & ~_Gscan != _Gwaiting:
            throw("bad g->status in ready", self.dumpgstatus(gp))
        # status is Gwaiting or Gscanwaiting, make Grunnable and put on runq
        self.casgstatus(gp, _Gwaiting, _Grunnable)
        self._traceev("GoUnblock", g=gp)
        self.runqput(mp.p, gp, next_)
        self.wakep()
        self.releasem(mp)

    # --- yielding and exiting ------------------------------------------------------------

    def Gosched(self) -> None:
        """go1.27.3 proc.go:401 Gosched — yield the processor; the goroutine goes to the
        global queue and resumes (after this call) when scheduled again.
        skips: checkTimeouts (a no-op on linux).
        """
        self._call("Gosched")
        self.os.mcall(self.gosched_m, self.os.getg())

    def gosched_m(self, gp: g) -> None:
        """go1.27.3 proc.go:4364 gosched_m — Gosched continuation on g0."""
        self._call("gosched_m", gp=gp)
        self.goschedImpl(gp, False)

    def goschedImpl(self, gp: g, preempted: bool) -> None:
        """go1.27.3 proc.go:4322 goschedImpl."""
        self._call("goschedImpl", gp=gp, preempted=preempted)
        pp = gp.m.p
        status = self.readgstatus(gp)
        if status & ~_Gscan != _Grunning:
            throw("bad g status", self.dumpgstatus(gp))
        self._traceev("GoStop", g=gp, reason="GoPreempted" if preempted else "GoSched")
        self.casgstatus(gp, _Grunning, _Grunnable)
        self.dropg()
        if preempted and self.sched.gcwaiting:
            # If preempted for STW, keep the G on the local P in runnext.
            self.runqput(pp, gp, True)
        else:
            self.lock(self.sched.lock)
            self.globrunqput(gp)
            self.unlock(self.sched.lock)
        if self.mainStarted:
            self.wakep()
        self.schedule()

    def goexit1(self) -> None:
        """go1.27.3 proc.go:4490 goexit1 — finish execution of the current goroutine.
        skips: the race detector.
        """
        self._call("goexit1")
        self._traceev("GoDestroy", g=self.os.getg())
        self.os.mcall(self.goexit0, self.os.getg())

    def goexit0(self, gp: g) -> None:
        """go1.27.3 proc.go:4506 goexit0 — goexit continuation on g0.
        skips: erasing the stack of a goroutine in runtime/secret mode.
        """
        self._call("goexit0", gp=gp)
        self.gdestroy(gp)
        self.schedule()

    def gdestroy(self, gp: g) -> None:
        """go1.27.3 proc.go:4518 gdestroy.
        skips: scannable-stack and system-goroutine accounting, flushing GC assist credit,
        clearing writebuf/labels/timer/secret (not modeled).
        skips: the lockedInt check and the locked-thread exit (no LockOSThread).
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
        gp._panic = None  # non-nil for Goexit during panic.
        gp.waitreason = waitReasonZero
        gp.param = None
        gp.bubble = None
        self.dropg()
        self.gfput(pp, gp)

