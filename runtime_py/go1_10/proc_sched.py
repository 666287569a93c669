"""runtime_py/go1_10/proc_sched.py: go1.10 proc.go — one round of scheduling.

schedule -> (globrunqget every 61 schedticks | runqget | findrunnable) -> execute -> gogo.
Stop-the-world is not modeled: the gcwaiting/gcstopm checks of schedule and findrunnable are
skipped (sched.gcwaiting stays 0), and so are the GC worker, the tracer's reader goroutine and
LockOSThread (m.lockedg is always nil).
"""

from __future__ import annotations

from typing import Optional

from runtime_py.go1_10.runtime2 import _Grunnable, _Grunning, _StackGuard, g
from runtime_py.throw import throw


class randomOrder:
    """go1.10 proc.go:4953 randomOrder — with randomEnum, enumerates all Ps in different
    pseudo-random orders without repetitions: if X and GOMAXPROCS are coprime, the sequence
    (i + X) % GOMAXPROCS visits every P once."""

    def __init__(self) -> None:
        self.count = 0
        self.coprimes: list[int] = []

    def reset(self, count: int) -> None:
        """go1.10 proc.go:4965 (*randomOrder).reset."""
        self.count = count
        self.coprimes = []
        for i in range(1, count + 1):
            if gcd(i, count) == 1:
                self.coprimes.append(i)

    def start(self, i: int) -> randomEnum:
        """go1.10 proc.go:4975 (*randomOrder).start."""
        return randomEnum(count=self.count, pos=i % self.count,
                          inc=self.coprimes[i % len(self.coprimes)])


class randomEnum:
    """go1.10 proc.go:4958 randomEnum."""

    def __init__(self, count: int, pos: int, inc: int) -> None:
        self.i = 0
        self.count = count
        self.pos = pos
        self.inc = inc

    def done(self) -> bool:
        """go1.10 proc.go:4983 (*randomEnum).done."""
        return self.i == self.count

    def next(self) -> None:
        """go1.10 proc.go:4987 (*randomEnum).next."""
        self.i += 1
        self.pos = (self.pos + self.inc) % self.count

    def position(self) -> int:
        """go1.10 proc.go:4992 (*randomEnum).position."""
        return self.pos


def gcd(a: int, b: int) -> int:
    """go1.10 proc.go:4996 gcd."""
    while b != 0:
        a, b = b, a % b
    return a


class ProcSched:
    """Mixin of Runtime: schedule, findrunnable, execute."""

    def schedule(self) -> None:
        """go1.10 proc.go:2480 schedule — one round of scheduler: find a runnable goroutine and
        execute it. Never returns.
        skips: the m.lockedg branch (stoplockedm) and gp.lockedm (startlockedm).
        skips: the incgo check (no cgo).
        skips: gcwaiting/gcstopm (no stop-the-world).
        skips: the trace reader and GC worker goroutines.
        """
        self._call("schedule")
        _g_ = self.os.getg()
        if _g_.m.locks != 0:
            throw("schedule: holding locks")
        # top:
        if _g_.m.p.runSafePointFn != 0:
            self.runSafePointFn()
        gp: Optional[g] = None
        inheritTime = False
        if gp is None:
            # Check the global runnable queue once in a while to ensure fairness. Otherwise
            # two goroutines can completely occupy the local runqueue by constantly
            # respawning each other.
            if _g_.m.p.schedtick % 61 == 0 and self.sched.runqsize > 0:
                self.lock(self.sched.lock)
                gp = self.globrunqget(_g_.m.p, 1)
                self.unlock(self.sched.lock)
        if gp is None:
            gp, inheritTime = self.runqget(_g_.m.p)
            if gp is not None and _g_.m.spinning:
                throw("schedule: spinning with local work")
        if gp is None:
            gp, inheritTime = self.findrunnable()  # blocks until work is available
        # This thread is going to run a goroutine and is not spinning anymore, so if it was
        # marked as spinning we need to reset it now and potentially start a new spinning M.
        if _g_.m.spinning:
            self.resetspinning()
        self.execute(gp, inheritTime)

    def findrunnable(self) -> tuple[g, bool]:
        """go1.10 proc.go:2198 findrunnable — find a runnable goroutine: local runq, global runq,
        steal from other Ps; otherwise give up the P (releasep, pidleput), check all run
        queues once more, and stopm until woken with a P.
        skips: gcwaiting/gcstopm (no stop-the-world).
        skips: the finalizer goroutine wakeup.
        skips: cgo_yield (no cgo).
        skips: netpoll, both the non-blocking poll before stealing and the blocking one
        before stopm (no network poller).
        skips: idle GC mark work, both checks (no GC).
        Steal order: go1.10's, 4 passes over allp in stealOrder's pseudo-random order (a
        start and a stride coprime with GOMAXPROCS from fastrand), runnext only in the last;
        deterministic because each M's fastrand is seeded from its id and the platform's
        cputicks (mcommoninit), which runs on virtual time.
        Not Go: os.parallel("findrunnable") where the final re-check found work and loops back
        to top (see
        there).
        """
        self._call("findrunnable")
        _g_ = self.os.getg()
        while True:  # top:
            _p_ = _g_.m.p
            if _p_.runSafePointFn != 0:
                self.runSafePointFn()
            # local runq
            gp, inheritTime = self.runqget(_p_)
            if gp is not None:
                return gp, inheritTime
            # global runq
            if self.sched.runqsize != 0:
                self.lock(self.sched.lock)
                gp = self.globrunqget(_p_, 0)
                self.unlock(self.sched.lock)
                if gp is not None:
                    return gp, False
            # Steal work from other P's.
            procs = self.gomaxprocs
            steal = True
            if self.sched.npidle == procs - 1:
                # Either GOMAXPROCS=1 or everybody, except for us, is idle already.
                steal = False
            elif not _g_.m.spinning and 2 * self.sched.nmspinning >= procs - self.sched.npidle:
                # If number of spinning M's >= number of busy P's, block.
                steal = False
            if steal:
                if not _g_.m.spinning:
                    _g_.m.spinning = True
                    self.sched.nmspinning += 1
                for i in range(4):
                    enum = self.stealOrder.start(self.fastrand())
                    while not enum.done():
                        stealRunNextG = i > 2  # first look for ready queues with more than 1 g
                        gp = self.runqsteal(_p_, self.allp[enum.position()], stealRunNextG)
                        if gp is not None:
                            return gp, False
                        enum.next()
            # stop:
            # Before we drop our P, make a snapshot of the allp slice.
            allpSnapshot = list(self.allp)
            # return P and block
            self.lock(self.sched.lock)
            if self.sched.gcwaiting != 0 or _p_.runSafePointFn != 0:
                self.unlock(self.sched.lock)
                continue  # goto top
            if self.sched.runqsize != 0:
                gp = self.globrunqget(_p_, 0)
                self.unlock(self.sched.lock)
                return gp, False
            if self.releasep() is not _p_:
                throw("findrunnable: wrong p")
            self.pidleput(_p_)
            self.unlock(self.sched.lock)
            # Delicate dance: drop nmspinning first and then check all per-P queues again.
            wasSpinning = _g_.m.spinning
            if _g_.m.spinning:
                _g_.m.spinning = False
                self.sched.nmspinning -= 1
                if self.sched.nmspinning < 0:
                    throw("findrunnable: negative nmspinning")
            # check all runqueues once again
            found = False
            for _p_ in allpSnapshot:
                if not self.runqempty(_p_):
                    self.lock(self.sched.lock)
                    _p_ = self.pidleget()
                    self.unlock(self.sched.lock)
                    if _p_ is not None:
                        self.acquirep(_p_)
                        if wasSpinning:
                            _g_.m.spinning = True
                            self.sched.nmspinning += 1
                        found = True
                    break
            if found:
                # Not Go: a real M may loop here (top -> too many spinners -> give the P back
                # -> the recheck finds the same queued work) until an M running in parallel
                # takes that work; in the sequential model that M runs only if this one lets
                # it, so the platform runs the threads that are due first.
                self.os.parallel("findrunnable")
                continue  # goto top
            self.stopm()
            # goto top

    def resetspinning(self) -> None:
        """go1.10 proc.go:2435 resetspinning."""
        self._call("resetspinning")
        _g_ = self.os.getg()
        if not _g_.m.spinning:
            throw("resetspinning: not a spinning m")
        _g_.m.spinning = False
        self.sched.nmspinning -= 1
        nmspinning = self.sched.nmspinning
        if nmspinning < 0:
            throw("findrunnable: negative nmspinning")
        # M wakeup policy is deliberately somewhat conservative, so check if we need to
        # wakeup another P here.
        if nmspinning == 0 and self.sched.npidle > 0:
            self.wakep()

    def execute(self, gp: g, inheritTime: bool) -> None:
        """go1.10 proc.go:2165 execute — schedule gp to run on the current M. If inheritTime, gp
        inherits the remaining time in the current time slice. Never returns (gogo).
        skips: the CPU profiler rate check.
        """
        self._call("execute", gp=gp, inheritTime=inheritTime)
        _g_ = self.os.getg()
        self.casgstatus(gp, _Grunnable, _Grunning)
        gp.waitsince = 0
        gp.preempt = False
        gp.stackguard0 = gp.stack.lo + _StackGuard
        if not inheritTime:
            _g_.m.p.schedtick += 1
        _g_.m.curg = gp
        gp.m = _g_.m
        # GoSysExit has to happen when we have a P, but before GoStart.
        if gp.syscallsp != 0 and gp.sysblocktraced:
            self._traceev("GoSysExit", g=gp, ts=gp.sysexitticks)
        self._traceev("GoStart", g=gp, p=_g_.m.p)
        self.os.gogo(gp.sched)

    def dropg(self) -> None:
        """go1.10 proc.go:2563 dropg — remove the association between m and its current
        goroutine m.curg."""
        self._call("dropg")
        _g_ = self.os.getg()
        _g_.m.curg.m = None
        _g_.m.curg = None

    def runSafePointFn(self) -> None:
        """go1.10 proc.go:1446 runSafePointFn — run sched.safePointFn for this P if requested."""
        self._call("runSafePointFn")
        p_ = self.os.getg().m.p
        # Resolve the race between forEachP running the safe-point function on this P's
        # behalf and this P running the safe-point function directly.
        if not self._cas(p_, "runSafePointFn", 1, 0):
            return
        self.sched.safePointFn(p_)
        self.lock(self.sched.lock)
        self.sched.safePointWait -= 1
        if self.sched.safePointWait == 0:
            self.notewakeup(self.sched.safePointNote)
        self.unlock(self.sched.lock)
