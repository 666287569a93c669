"""runtime_py/go1_10/proc_g.py: go1.10 proc.go — goroutine status and lifecycle.

casgstatus; newproc/newproc1 and the free list; gopark/park_m and goready/ready (blocking
without a syscall); Gosched; goexit1/goexit0.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from runtime_py.go1_10.runtime2 import (
    _Gdead, _Gidle, _Grunnable, _Grunning, _Gscan, _Gscanrunning, _Gwaiting, _StackGuard,
    _StackMin, _GoidCacheBatch, g, gobuf, mutex, p, stack, stackPreempt,
)
from runtime_py.throw import hex_, throw


class ProcG:
    """Mixin of Runtime: goroutines."""

    # --- status --------------------------------------------------------------------------

    def readgstatus(self, gp: g) -> int:
        """go1.10 proc.go:706 readgstatus."""
        return gp.atomicstatus

    def dumpgstatus(self, gp: g) -> str:
        """go1.10 proc.go:527 dumpgstatus — returns what Go prints (for a throw's detail)."""
        _g_ = self.os.getg()
        return (f"runtime: gp: gp={gp}, goid={gp.goid}, gp->atomicstatus="
                f"{self.readgstatus(gp)}\n"
                f"runtime:  g:  g={_g_}, goid={_g_.goid},  g->atomicstatus="
                f"{self.readgstatus(_g_)}\n")

    def casgstatus(self, gp: g, oldval: int, newval: int) -> None:
        """go1.10 proc.go:772 casgstatus — CAS gp.atomicstatus from oldval to newval.
        Go loops while the status is in a _Gscan state, until the GC finishes. Nothing else
        runs while this thread does, so in the model a failing CAS could never succeed: it
        throws "casgstatus: bad old status" (the model's own message) instead of hanging.
        """
        self._call("casgstatus", gp=gp, oldval=oldval, newval=newval)
        if (oldval & _Gscan) != 0 or (newval & _Gscan) != 0 or oldval == newval:
            throw("casgstatus: bad incoming values", "runtime: casgstatus: oldval=",
                  hex_(oldval), " newval=", hex_(newval), "\n")
        if oldval == _Grunning and gp.gcscanvalid:
            # gp.gcscanvalid must not be true when we are running.
            throw("casgstatus", "runtime: casgstatus ", hex_(oldval), "->", hex_(newval),
                  " gp.status=", hex_(gp.atomicstatus), " gp.gcscanvalid=true\n")
        if gp.atomicstatus != oldval:  # !atomic.Cas(&gp.atomicstatus, oldval, newval)
            if oldval == _Gwaiting and gp.atomicstatus == _Grunnable:
                throw("casgstatus: waiting for Gwaiting but is Grunnable")
            throw("casgstatus: bad old status", "runtime: casgstatus: gp=", gp, " oldval=",
                  hex_(oldval), " newval=", hex_(newval), " gp.status=",
                  hex_(gp.atomicstatus), "\n")
        self._gstore(gp, newval)
        if newval == _Grunning:
            gp.gcscanvalid = False

    def allgadd(self, gp: g) -> None:
        """go1.10 proc.go:447 allgadd."""
        self._call("allgadd", gp=gp)
        if self.readgstatus(gp) == _Gidle:
            throw("allgadd: bad status Gidle")
        self.allgs.append(gp)

    # --- creation and the free list ------------------------------------------------------

    def newproc(self, fn: int, stack_lo: int, stack_hi: int, callerpc: int = 0) -> g:
        """go1.10 proc.go:3235 newproc(siz, fn) — create a new g running fn and put it on the
        queue of g's waiting to run (what a go statement compiles to). Simplified: fn is the
        entry PC, there are no arguments, the caller supplies the stack [stack_lo, stack_hi)
        and callerpc (Go: getcallerpc()). Returns the new g (Go's returns nothing).
        """
        self._call("newproc", fn=fn, stack_lo=stack_lo, stack_hi=stack_hi)
        out: list[g] = []
        self.systemstack(lambda: out.append(self.newproc1(fn, stack_lo, stack_hi, callerpc)))
        return out[0]

    def newproc1(self, fn: int, stack_lo: int, stack_hi: int, callerpc: int) -> g:
        """go1.10 proc.go:3246 newproc1 — create a new g running fn (see newproc).
        skips: argument copying and its size check (no arguments).
        skips: stack allocation (the caller's stack replaces any stack a recycled g had).
        skips: profiler labels, race context, system goroutine accounting.
        gostartcallfn: sched.sp moves down one word for the return
        address (goexitpc + 1, which the platform stores at that address) and sched.pc = fn;
        ctxt stays nil (no closure).
        """
        self._call("newproc1", fn=fn, stack_lo=stack_lo, stack_hi=stack_hi, callerpc=callerpc)
        _g_ = self.os.getg()
        if not fn:
            _g_.m.throwing = -1  # do not dump full stacks
            throw("go of nil func value")
        _g_.m.locks += 1  # disable preemption because it can be holding p in a local var
        _p_ = _g_.m.p
        newg = self.gfget(_p_)
        if newg is None:
            newg = self.malg(_StackMin)
            self.casgstatus(newg, _Gidle, _Gdead)
            self.allgadd(newg)  # publishes with a g->status of Gdead
        newg.stack = stack(stack_lo, stack_hi)
        newg.stackguard0 = newg.stack.lo + _StackGuard
        newg.stackguard1 = 0xFFFFFFFFFFFFFFFF
        if newg.stack.hi == 0:
            throw("newproc1: newg missing stack")
        if self.readgstatus(newg) != _Gdead:
            throw("newproc1: new g is not Gdead")
        totalSize = 4 * 8  # 4*sys.RegSize + siz + sys.MinFrameSize; siz = 0, MinFrameSize = 0
        totalSize += -totalSize & (16 - 1)  # align to spAlign
        sp = newg.stack.hi - totalSize
        newg.sched = gobuf()  # memclrNoHeapPointers(&newg.sched)
        newg.sched.sp = sp
        newg.stktopsp = sp
        newg.sched.pc = self.goexitpc + 1  # funcPC(goexit) + sys.PCQuantum
        newg.sched.g = newg
        # gostartcallfn(&newg.sched, fn): push sched.pc as the return address, pc = fn.
        newg.sched.sp -= 8
        newg.sched.pc = fn
        newg.gopc = callerpc
        newg.startpc = fn
        newg.gcscanvalid = False
        self.casgstatus(newg, _Gdead, _Grunnable)
        if _p_.goidcache == _p_.goidcacheend:
            # Sched.goidgen is the last allocated id; this batch is
            # [sched.goidgen+1, sched.goidgen+_GoidCacheBatch]. The main goroutine gets 1.
            self.sched.goidgen += _GoidCacheBatch
            _p_.goidcache = self.sched.goidgen - (_GoidCacheBatch - 1)
            _p_.goidcacheend = _p_.goidcache + _GoidCacheBatch
        newg.goid = _p_.goidcache
        _p_.goidcache += 1
        self._traceev("GoCreate", g=newg, startpc=newg.startpc)
        self.runqput(_p_, newg, True)
        if self.sched.npidle != 0 and self.sched.nmspinning == 0 and self.mainStarted:
            self.wakep()
        _g_.m.locks -= 1
        if _g_.m.locks == 0 and _g_.preempt:
            # restore the preemption request in case we've cleared it in newstack
            _g_.stackguard0 = stackPreempt
        return newg

    def gfput(self, _p_: p, gp: g) -> None:
        """go1.10 proc.go:3353 gfput — put gp on _p_'s free list.
        skips: stackfree of non-standard stacks (stacks belong to the caller).
        skips: moving a batch to the global free lists when the local list reaches 64.
        """
        self._call("gfput", _p_=_p_, gp=gp)
        if self.readgstatus(gp) != _Gdead:
            throw("gfput: bad status (not Gdead)")
        gp.schedlink = _p_.gfree
        _p_.gfree = gp
        _p_.gfreecnt += 1

    def gfget(self, _p_: p) -> Optional[g]:
        """go1.10 proc.go:3392 gfget — get a g from _p_'s free list.
        skips: refilling from the global free lists (gfput never fills them).
        skips: stack (re)allocation (stacks belong to the caller).
        """
        self._call("gfget", _p_=_p_)
        gp = _p_.gfree
        if gp is not None:
            _p_.gfree = gp.schedlink
            _p_.gfreecnt -= 1
        return gp

    # --- parking and readying ------------------------------------------------------------

    def gopark(self, unlockf: Optional[Callable[[g, Any], bool]], lock: Any, reason: str,
               traceEv: str = "GoBlock", traceskip: int = 1) -> None:
        """go1.10 proc.go:277 gopark — put the current goroutine into a waiting state and call
        unlockf on g0. If unlockf returns false, the goroutine is resumed. traceEv is the
        tracer event's name (GoBlock, GoBlockRecv, ...). Returns when the goroutine is
        readied and run again (mcall)."""
        self._call("gopark", reason=reason, traceEv=traceEv)
        mp = self.acquirem()
        gp = mp.curg
        status = self.readgstatus(gp)
        if status != _Grunning and status != _Gscanrunning:
            throw("gopark: bad g status")
        mp.waitlock = lock
        mp.waitunlockf = unlockf
        gp.waitreason = reason
        mp.waittraceev = traceEv
        mp.waittraceskip = traceskip
        self.releasem(mp)
        # can't do anything that might move the G between Ms here.
        self.os.mcall(self.park_m, gp)

    def goparkunlock(self, lock: mutex, reason: str, traceEv: str = "GoBlock",
                     traceskip: int = 1) -> None:
        """go1.10 proc.go:296 goparkunlock — gopark and unlock `lock` once parked."""
        self.gopark(self.parkunlock_c, lock, reason, traceEv, traceskip)

    def parkunlock_c(self, gp: g, lock: mutex) -> bool:
        """go1.10 proc.go:2570 parkunlock_c."""
        self.unlock(lock)
        return True

    def park_m(self, gp: g) -> None:
        """go1.10 proc.go:2576 park_m — gopark's continuation on g0."""
        self._call("park_m", gp=gp)
        _g_ = self.os.getg()
        self._traceev(_g_.m.waittraceev or "GoBlock", g=gp, skip=_g_.m.waittraceskip)
        self.casgstatus(gp, _Grunning, _Gwaiting)
        self.dropg()
        if _g_.m.waitunlockf is not None:
            fn = _g_.m.waitunlockf
            ok = fn(gp, _g_.m.waitlock)
            _g_.m.waitunlockf = None
            _g_.m.waitlock = None
            if not ok:
                self._traceev("GoUnpark", g=gp, skip=2)
                self.casgstatus(gp, _Gwaiting, _Grunnable)
                self.execute(gp, True)  # Schedule it back, never returns.
                return
        self.schedule()

    def goready(self, gp: g, traceskip: int = 1) -> None:
        """go1.10 proc.go:300 goready — make a waiting gp runnable (in runnext of our P)."""
        self._call("goready", gp=gp, traceskip=traceskip)
        self.systemstack(lambda: self.ready(gp, traceskip, True))

    def ready(self, gp: g, traceskip: int, next_: bool) -> None:
        """go1.10 proc.go:584 ready(gp, traceskip, next) — mark gp ready to run."""
        self._call("ready", gp=gp, traceskip=traceskip, next=next_)
        self._traceev("GoUnpark", g=gp, skip=traceskip)
        status = self.readgstatus(gp)
        # Mark runnable.
        _g_ = self.os.getg()
        _g_.m.locks += 1  # disable preemption because it can be holding p in a local var
        if status & ~_Gscan != _Gwaiting:
            throw("bad g->status in ready", self.dumpgstatus(gp))
        # status is Gwaiting or Gscanwaiting, make Grunnable and put on runq
        self.casgstatus(gp, _Gwaiting, _Grunnable)
        self.runqput(_g_.m.p, gp, next_)
        if self.sched.npidle != 0 and self.sched.nmspinning == 0:
            self.wakep()
        _g_.m.locks -= 1
        if _g_.m.locks == 0 and _g_.preempt:
            _g_.stackguard0 = stackPreempt

    # --- yielding and exiting ------------------------------------------------------------

    def Gosched(self) -> None:
        """go1.10 proc.go:262 Gosched — yield the processor; the goroutine goes to the global
        queue and resumes (after this call) when scheduled again."""
        self._call("Gosched")
        self.os.mcall(self.gosched_m, self.os.getg())

    def gosched_m(self, gp: g) -> None:
        """go1.10 proc.go:2618 gosched_m — Gosched continuation on g0."""
        self._call("gosched_m", gp=gp)
        self._traceev("GoSched", g=gp)
        self.goschedImpl(gp)

    def goschedImpl(self, gp: g) -> None:
        """go1.10 proc.go:2602 goschedImpl."""
        self._call("goschedImpl", gp=gp)
        status = self.readgstatus(gp)
        if status & ~_Gscan != _Grunning:
            throw("bad g status", self.dumpgstatus(gp))
        self.casgstatus(gp, _Grunning, _Grunnable)
        self.dropg()
        self.lock(self.sched.lock)
        self.globrunqput(gp)
        self.unlock(self.sched.lock)
        self.schedule()

    def goexit1(self) -> None:
        """go1.10 proc.go:2646 goexit1 — finish execution of the current goroutine.
        skips: racegoend (race detector).
        """
        self._call("goexit1")
        self._traceev("GoEnd", g=self.os.getg())
        self.os.mcall(self.goexit0, self.os.getg())

    def goexit0(self, gp: g) -> None:
        """go1.10 proc.go:2657 goexit0 — goexit continuation on g0.
        skips: system goroutine accounting.
        skips: clearing writebuf, labels and timer (not modeled).
        skips: flushing GC assist credit (no GC).
        skips: the lockedInt/lockedExt checks and the locked-thread exit (no LockOSThread).
        """
        self._call("goexit0", gp=gp)
        _g_ = self.os.getg()
        self.casgstatus(gp, _Grunning, _Gdead)
        gp.m = None
        gp.lockedm = None
        _g_.m.lockedg = None
        gp.paniconfault = False
        gp._defer = None  # should be true already but just in case.
        gp._panic = None  # non-nil for Goexit during panic.
        gp.waitreason = ""
        gp.param = None
        # Note that gp's stack scan is now "valid" because it has no stack.
        gp.gcscanvalid = True
        self.dropg()
        self.gfput(_g_.m.p, gp)
        self.schedule()
