"""runtime_py/go1_22/proc_sched.py: go1.22.10 proc.go — one round of scheduling.

schedule -> findRunnable (every 61 schedticks the global queue first | local runq | global
runq | steal from other Ps | give the P up, re-check, stopm) -> execute -> gogo.

Not modeled, each said once here and in the function that skips it: starting a
stop-the-world (nothing in the model sets sched.gcwaiting; an M that finds it set does stop
for it: gcstopm), timers (checkTimers, timer stealing,
checkTimersNoP: no P has timers), the network poller (netpollinited() is false: no
goroutine waits on a socket, so neither the non-blocking nor the blocking netpoll runs and
sched.lastpoll keeps its schedinit value), the tracer's reader goroutine and GC workers (the
tracer is off, no GC), the finalizer goroutine, cgo, and LockOSThread (m.lockedg and
g.lockedm are always nil).
"""

from __future__ import annotations

from typing import Optional

from runtime_py.go1_22.runtime2 import _Grunnable, _Grunning, _Pgcstop, g, p, stackGuard
from runtime_py.throw import throw


class ProcSched:
    """Mixin of Runtime: schedule, findRunnable, execute."""

    def schedule(self) -> None:
        """go1.22.10 proc.go:3839 schedule — one round of scheduler: find a runnable
        goroutine and execute it. Never returns.
        skips: the m.lockedg branch (stoplockedm), gp.lockedm (startlockedm), the incgo
        check, the freezetheworld deadlock and the disable.user queue (none happen here).
        """
        self._call("schedule")
        mp = self.os.getg().m
        if mp.locks != 0:
            throw("schedule: holding locks")
        # top:
        pp = mp.p
        pp.preempt = False
        # Safety check: if we are spinning, the run queue should be empty.
        if mp.spinning and (pp.runnext is not None or pp.runqhead != pp.runqtail):
            throw("schedule: spinning with local work")
        gp, inheritTime, tryWakeP = self.findRunnable()  # blocks until work is available
        # This thread is going to run a goroutine and is not spinning anymore, so if it was
        # marked as spinning we need to reset it now and potentially start a new spinning M.
        if mp.spinning:
            self.resetspinning()
        # If about to schedule a not-normal goroutine (a GCworker or tracereader), wake a P.
        if tryWakeP:
            self.wakep()
        self.execute(gp, inheritTime)

    def findRunnable(self) -> tuple[g, bool, bool]:
        """go1.22.10 proc.go:3139 findRunnable — (gp, inheritTime, tryWakeP): find a
        runnable goroutine; if there is none, give up the P and stopm until woken with one.
        skips: checkTimers, the trace reader, GC workers (idle and dedicated), the
        finalizer wakeup, cgo_yield, netpoll (non-blocking and blocking), beforeIdle (wasm)
        and checkIdleGCNoP/checkTimersNoP: see the module docstring. tryWakeP is false.
        """
        self._call("findRunnable")
        mp = self.os.getg().m
        while True:  # top:
            pp = mp.p
            if self.sched.gcwaiting:
                self.gcstopm()
                continue  # goto top
            if pp.runSafePointFn != 0:
                self.runSafePointFn()
            # Check the global runnable queue once in a while to ensure fairness.
            # Otherwise two goroutines can completely occupy the local runqueue by
            # constantly respawning each other.
            if pp.schedtick % 61 == 0 and self.sched.runqsize > 0:
                self.lock(self.sched.lock)
                gp = self.globrunqget(pp, 1)
                self.unlock(self.sched.lock)
                if gp is not None:
                    return gp, False, False
            # local runq
            gp, inheritTime = self.runqget(pp)
            if gp is not None:
                return gp, inheritTime, False
            # global runq
            if self.sched.runqsize != 0:
                self.lock(self.sched.lock)
                gp = self.globrunqget(pp, 0)
                self.unlock(self.sched.lock)
                if gp is not None:
                    return gp, False, False
            # Spinning Ms: steal work from other Ps. Limit the number of spinning Ms to half
            # the number of busy Ps.
            if mp.spinning or 2 * self.sched.nmspinning < self.gomaxprocs - self.sched.npidle:
                if not mp.spinning:
                    self.becomeSpinning(mp)
                gp, inheritTime, _, _, newWork = self.stealWork(0)
                if gp is not None:
                    # Successfully stole.
                    return gp, inheritTime, False
                if newWork:
                    continue  # goto top
            # We have nothing to do. Before we drop our P, make a snapshot of the allp
            # slice and of idlepMask: the slices, not their contents (the bits may change).
            allpSnapshot = self.allp
            idlepMaskSnapshot = self.idlepMask
            # return P and block
            self.lock(self.sched.lock)
            if self.sched.gcwaiting or pp.runSafePointFn != 0:
                self.unlock(self.sched.lock)
                continue  # goto top
            if self.sched.runqsize != 0:
                gp = self.globrunqget(pp, 0)
                self.unlock(self.sched.lock)
                return gp, False, False
            if not mp.spinning and self.sched.needspinning == 1:
                # See "Delicate dance" comment below.
                self.becomeSpinning(mp)
                self.unlock(self.sched.lock)
                continue  # goto top
            if self.releasep() is not pp:
                throw("findrunnable: wrong p")
            self.pidleput(pp, 0)
            self.unlock(self.sched.lock)
            # Delicate dance: thread transitions from spinning to non-spinning state,
            # potentially concurrently with submission of new work. We must drop nmspinning
            # first and then check all sources again.
            # (wasSpinning := mp.spinning is read only by the blocking netpoll: not modeled)
            if mp.spinning:
                mp.spinning = False
                self.sched.nmspinning -= 1
                if self.sched.nmspinning < 0:
                    throw("findrunnable: negative nmspinning")
                # Check global and P runqueues again.
                self.lock(self.sched.lock)
                if self.sched.runqsize != 0:
                    pp, _ = self.pidlegetSpinning(0)
                    if pp is not None:
                        gp = self.globrunqget(pp, 0)
                        if gp is None:
                            throw("global runq empty with non-zero runqsize")
                        self.unlock(self.sched.lock)
                        self.acquirep(pp)
                        self.becomeSpinning(mp)
                        return gp, False, False
                self.unlock(self.sched.lock)
                pp = self.checkRunqsNoP(allpSnapshot, idlepMaskSnapshot)
                if pp is not None:
                    self.acquirep(pp)
                    self.becomeSpinning(mp)
                    continue  # goto top
            self.stopm()
            # goto top

    def gcstopm(self) -> None:
        """go1.22.10 proc.go:3059 gcstopm — stop the current m for stopTheWorld; returns
        when the world is restarted (its M parks in stopm until then)."""
        self._call("gcstopm")
        gp = self.os.getg()
        if not self.sched.gcwaiting:
            throw("gcstopm: not waiting for gc")
        if gp.m.spinning:
            gp.m.spinning = False
            # OK to just drop nmspinning here, startTheWorld will unpark threads as necessary.
            self.sched.nmspinning -= 1
            if self.sched.nmspinning < 0:
                throw("gcstopm: negative nmspinning")
        pp = self.releasep()
        self.lock(self.sched.lock)
        self._pstore(pp, _Pgcstop)
        self.sched.stopwait -= 1
        if self.sched.stopwait == 0:
            self.notewakeup(self.sched.stopnote)
        self.unlock(self.sched.lock)
        self.stopm()

    def stealWork(self, now: int) -> tuple[Optional[g], bool, int, int, bool]:
        """go1.22.10 proc.go:3544 stealWork — (gp, inheritTime, rnow, pollUntil, newWork):
        steal a runnable goroutine from any P that is not idle; 4 passes, p2's runnext
        only in the last.
        Steal order: deterministic, starting after this P (go1.22 draws a random start and
        coprime stride with stealOrder.start(cheaprand())).
        skips: timer stealing (checkTimers on p2: no timers).
        """
        self._call("stealWork", now=now)
        pp = self.os.getg().m.p
        ranTimer = False
        pollUntil = 0
        stealTries = 4
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
                if not self.idlepMask.read(p2.id):
                    gp = self.runqsteal(pp, p2, stealTimersOrRunNextG)
                    if gp is not None:
                        return gp, False, now, pollUntil, ranTimer
        # No goroutines found to steal.
        return None, False, now, pollUntil, ranTimer

    def checkRunqsNoP(self, allpSnapshot: list, idlepMaskSnapshot) -> Optional[p]:
        """go1.22.10 proc.go:3618 checkRunqsNoP — on entry we have no P. If a G is available
        to steal and a P is available, return the P, which the caller should acquire and
        attempt to steal the work to."""
        self._call("checkRunqsNoP")
        for id_, p2 in enumerate(allpSnapshot):
            if not idlepMaskSnapshot.read(id_) and not self.runqempty(p2):
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
        """go1.22.10 proc.go:3737 resetspinning."""
        self._call("resetspinning")
        gp = self.os.getg()
        if not gp.m.spinning:
            throw("resetspinning: not a spinning m")
        gp.m.spinning = False
        self.sched.nmspinning -= 1
        nmspinning = self.sched.nmspinning
        if nmspinning < 0:
            throw("findrunnable: negative nmspinning")
        # M wakeup policy is deliberately somewhat conservative, so check if we need to
        # wakeup another P here.
        self.wakep()

    def execute(self, gp: g, inheritTime: bool) -> None:
        """go1.22.10 proc.go:3093 execute — schedule gp to run on the current M. If
        inheritTime, gp inherits the remaining time in the current time slice. Never
        returns (gogo).
        skips: the goroutine-profile hook and the CPU profiler rate check.
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
        trace = self.traceAcquire()
        trace.GoStart()
        self.os.gogo(gp.sched)

    def dropg(self) -> None:
        """go1.22.10 proc.go:3928 dropg — remove the association between m and its current
        goroutine m.curg."""
        self._call("dropg")
        gp = self.os.getg()
        gp.m.curg.m = None
        gp.m.curg = None

    def runSafePointFn(self) -> None:
        """go1.22.10 proc.go:2020 runSafePointFn — run sched.safePointFn for this P if
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
