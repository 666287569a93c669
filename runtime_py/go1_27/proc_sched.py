"""runtime_py/go1_27/proc_sched.py: go1.27.3 proc.go — one round of scheduling.

schedule -> findRunnable (globrunqget every 61 schedticks | runqget | globrunqgetbatch |
stealWork | give up the P, re-check, stopm) -> execute -> gogo.
Not modeled, so skipped wherever findRunnable and schedule look at them: stop-the-world
(sched.gcwaiting stays false: no gcstopm), timers (no pp.timers: now and pollUntil stay 0),
the network poller (netpollinited() is false: neither the non-blocking poll before stealing
nor the blocking one before stopm), the trace reader and GC worker goroutines, the finalizer
and cleanup goroutines, cgo, LockOSThread (m.lockedg and g.lockedm are always nil) and
sched.disable (schedEnableUser is never called).
"""

from __future__ import annotations

from typing import Optional

from runtime_py.go1_27.runtime2 import _Grunnable, _Grunning, g, p, stackGuard
from runtime_py.throw import throw

stealTries = 4  # proc.go:3848


class ProcSched:
    """Mixin of Runtime: schedule, findRunnable, stealWork, execute."""

    def schedule(self) -> None:
        """go1.27.3 proc.go:4150 schedule — one round of scheduler: find a runnable goroutine
        and execute it. Never returns."""
        self._call("schedule")
        mp = self.os.getg().m
        if mp.locks != 0:
            throw("schedule: holding locks")
        # We should not schedule away from a g that is executing a cgo call.
        if mp.incgo:
            throw("schedule: in cgo")
        # top:
        pp = mp.p
        pp.preempt = False
        # Safety check: if we are spinning, the run queue should be empty.
        if mp.spinning and (pp.runnext is not None or pp.runqhead != pp.runqtail):
            throw("schedule: spinning with local work")
        gp, inheritTime, tryWakeP = self.findRunnable()  # blocks until work is available
        # May be on a new P.
        pp = mp.p
        mp.allpSnapshot = None  # mp.clearAllpSnapshot()
        # This thread is going to run a goroutine and is not spinning anymore, so if it was
        # marked as spinning we need to reset it now and potentially start a new spinning M.
        if mp.spinning:
            self.resetspinning()
        # If about to schedule a not-normal goroutine (a GCworker or tracereader), wake a P.
        if tryWakeP:
            self.wakep()
        self.execute(gp, inheritTime)

    def findRunnable(self) -> tuple[g, bool, bool]:
        """go1.27.3 proc.go:3404 findRunnable — (gp, inheritTime, tryWakeP): local runq,
        global runq, steal from other Ps (a spinning M, at most half as many as busy Ps);
        otherwise give up the P (releasep, pidleput), and if this M was spinning check the
        global and all per-P queues once more; then stopm until woken with a P.
        Steal order: deterministic, starting after this P (go1.27 draws a random start and
        stride from cheaprand).
        """
        self._call("findRunnable")
        mp = self.os.getg().m
        while True:  # top:
            mp.allpSnapshot = None  # mp.clearAllpSnapshot()
            pp = mp.p
            if pp.runSafePointFn != 0:
                self.runSafePointFn()
            # now, pollUntil, _ := pp.timers.check(0, nil): no timers, so both stay 0.
            now = 0
            # Check the global runnable queue once in a while to ensure fairness.
            if pp.schedtick % 61 == 0 and not self.sched.runq.empty():
                self.lock(self.sched.lock)
                gp = self.globrunqget()
                self.unlock(self.sched.lock)
                if gp is not None:
                    return gp, False, False
            # local runq
            gp, inheritTime = self.runqget(pp)
            if gp is not None:
                return gp, inheritTime, False
            # global runq
            if not self.sched.runq.empty():
                self.lock(self.sched.lock)
                gp, q = self.globrunqgetbatch(len(pp.runq) // 2)
                self.unlock(self.sched.lock)
                if gp is not None:
                    self.runqputbatch(pp, q)
                    if not q.empty():
                        throw("Couldn't put Gs into empty local runq")
                    return gp, False, False
            # Spinning Ms: steal work from other Ps. Limit the number of spinning Ms to half
            # the number of busy Ps.
            if mp.spinning or 2 * self.sched.nmspinning < self.gomaxprocs - self.sched.npidle:
                if not mp.spinning:
                    self.becomeSpinning(mp)
                gp, inheritTime, tnow, _w, newWork = self.stealWork(now)
                if gp is not None:
                    # Successfully stole.
                    return gp, inheritTime, False
                if newWork:
                    # There may be new timer or GC work; restart to discover.
                    continue
                now = tnow
            # We have nothing to do. Before we drop our P, make a snapshot of the allp slice.
            mp.allpSnapshot = list(self.allp)  # mp.snapshotAllp()
            allpSnapshot = mp.allpSnapshot
            idlepMaskSnapshot = set(self.idlepMask)
            # return P and block
            self.lock(self.sched.lock)
            if self.sched.gcwaiting or pp.runSafePointFn != 0:
                self.unlock(self.sched.lock)
                continue  # goto top
            if not self.sched.runq.empty():
                gp, q = self.globrunqgetbatch(len(pp.runq) // 2)
                self.unlock(self.sched.lock)
                if gp is None:
                    throw("global runq empty with non-zero runqsize")
                self.runqputbatch(pp, q)
                if not q.empty():
                    throw("Couldn't put Gs into empty local runq")
                return gp, False, False
            if not mp.spinning and self.sched.needspinning == 1:
                # See "Delicate dance" comment below.
                self.becomeSpinning(mp)
                self.unlock(self.sched.lock)
                continue  # goto top
            if self.releasep() is not pp:
                throw("findRunnable: wrong p")
            now = self.pidleput(pp, now)
            self.unlock(self.sched.lock)
            # Delicate dance: thread transitions from spinning to non-spinning state,
            # potentially concurrently with submission of new work. Drop nmspinning first
            # and then check all sources again.
            if mp.spinning:
                mp.spinning = False
                self.sched.nmspinning -= 1
                if self.sched.nmspinning < 0:
                    throw("findRunnable: negative nmspinning")
                # Check global and P runqueues again.
                self.lock(self.sched.lock)
                if not self.sched.runq.empty():
                    pp2, _ = self.pidlegetSpinning(0)
                    if pp2 is not None:
                        gp, q = self.globrunqgetbatch(len(pp2.runq) // 2)
                        self.unlock(self.sched.lock)
                        if gp is None:
                            throw("global runq empty with non-zero runqsize")
                        self.runqputbatch(pp2, q)
                        if not q.empty():
                            throw("Couldn't put Gs into empty local runq")
                        self.acquirep(pp2)
                        self.becomeSpinning(mp)
                        return gp, False, False
                self.unlock(self.sched.lock)
                pp2 = self.checkRunqsNoP(allpSnapshot, idlepMaskSnapshot)
                if pp2 is not None:
                    self.acquirep(pp2)
                    self.becomeSpinning(mp)
                    continue  # goto top
            self.stopm()
            # goto top

    def stealWork(self, now: int) -> tuple[Optional[g], bool, int, int, bool]:
        """go1.27.3 proc.go:3843 stealWork — (gp, inheritTime, now, pollUntil, newWork):
        stealTries passes over the other Ps that are not idle (idlepMask), runnext only in
        the last pass.
        skips: stealing timers in the last pass (no timers).
        """
        self._call("stealWork", now=now)
        pp = self.os.getg().m.p
        ranTimer = False
        pollUntil = 0
        for i in range(stealTries):
            stealTimersOrRunNextG = i == stealTries - 1
            for k in range(len(self.allp)):
                if self.sched.gcwaiting:
                    # GC work may be available.
                    return None, False, now, pollUntil, True
                p2 = self.allp[(pp.id + 1 + k) % len(self.allp)]
                if pp is p2:
                    continue
                # Don't bother to attempt to steal if p2 is idle.
                if p2.id not in self.idlepMask:
                    gp = self.runqsteal(pp, p2, stealTimersOrRunNextG)
                    if gp is not None:
                        return gp, False, now, pollUntil, ranTimer
        # No goroutines found to steal.
        return None, False, now, pollUntil, ranTimer

    def checkRunqsNoP(self, allpSnapshot: list, idlepMaskSnapshot: set) -> Optional[p]:
        """go1.27.3 proc.go:3917 checkRunqsNoP — on entry we have no P; if some non-idle P
        has work and a P is idle, return the idle P (the caller acquires it and steals)."""
        self._call("checkRunqsNoP")
        for id_, p2 in enumerate(allpSnapshot):
            if id_ not in idlepMaskSnapshot and not self.runqempty(p2):
                self.lock(self.sched.lock)
                pp, _ = self.pidlegetSpinning(0)
                if pp is None:
                    # Can't get a P, don't bother checking remaining Ps.
                    self.unlock(self.sched.lock)
                    return None
                self.unlock(self.sched.lock)
                return pp
        # No work available.
        return None

    def resetspinning(self) -> None:
        """go1.27.3 proc.go:4036 resetspinning."""
        self._call("resetspinning")
        gp = self.os.getg()
        if not gp.m.spinning:
            throw("resetspinning: not a spinning m")
        gp.m.spinning = False
        self.sched.nmspinning -= 1
        if self.sched.nmspinning < 0:
            throw("findRunnable: negative nmspinning")
        # M wakeup policy is deliberately somewhat conservative, so check if we need to
        # wakeup another P here.
        self.wakep()

    def execute(self, gp: g, inheritTime: bool) -> None:
        """go1.27.3 proc.go:3346 execute — schedule gp to run on the current M (gp.m and
        m.curg are set before the _Grunnable -> _Grunning CAS). If inheritTime, gp inherits
        the remaining time in the current time slice. Never returns (gogo).
        skips: the goroutine profile, DIT and the CPU profiler rate check.
        """
        self._call("execute", gp=gp, inheritTime=inheritTime)
        mp = self.os.getg().m
        # Assign gp.m before entering _Grunning so running Gs have an M.
        mp.curg = gp
        gp.m = mp
        self.casgstatus(gp, _Grunnable, _Grunning)
        gp.waitsince = 0
        gp.preempt = False
        gp.stackguard0 = gp.stack.lo + stackGuard
        if not inheritTime:
            mp.p.schedtick += 1
        self._traceev("GoStart", g=gp, p=mp.p)
        self.os.gogo(gp.sched)

    def dropg(self) -> None:
        """go1.27.3 proc.go:4255 dropg — remove the association between m and its current
        goroutine m.curg."""
        self._call("dropg")
        gp = self.os.getg()
        gp.m.curg.m = None
        gp.m.curg = None

    def runSafePointFn(self) -> None:
        """go1.27.3 proc.go:2250 runSafePointFn — run sched.safePointFn for this P if
        requested."""
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
