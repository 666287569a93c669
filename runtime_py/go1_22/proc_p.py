"""runtime_py/go1_22/proc_p.py: go1.22.10 proc.go — Ps: wire, release, hand off, the idle list.

acquirep = wirep (m.p, p.m, _Prunning) + ProcStart; releasep = ProcStop + releasepNoTrace.
handoffp decides the fate of a P whose M cannot run it (syscall retaken, blocking syscall):
start an M for it when findRunnable would find work, else put it on sched.pidle.
The idle list keeps idlepMask (one bit per P) in step, which findRunnable's stealing reads.
"""

from __future__ import annotations

from typing import Optional

from runtime_py.go1_22.runtime2 import _Pgcstop, _Pidle, _Prunning, p
from runtime_py.throw import throw


class ProcP:
    """Mixin of Runtime: P ownership and hand-off."""

    def handoffp(self, pp: p) -> None:
        """go1.22.10 proc.go:2905 handoffp — hands off P from syscall or locked M. It must
        start an M in any situation where findRunnable would return a G to run on pp.
        skips: the trace-reader check (the tracer is off) and the GC mark-work check (no GC).
        skips: nobarrierWakeTime (time.go:757) and wakeNetPoller for pp's timers (no timers).
        """
        self._call("handoffp", pp=pp)
        # if it has local work, start it straight away
        if not self.runqempty(pp) or self.sched.runqsize != 0:
            self.startm(pp, False, False)
            return
        # no local work, check that there are no spinning/idle M's, otherwise our help is
        # not required
        if (self.sched.nmspinning + self.sched.npidle == 0
                and self._cas(self.sched, "nmspinning", 0, 1)):
            self.sched.needspinning = 0
            self.startm(pp, True, False)
            return
        self.lock(self.sched.lock)
        if self.sched.gcwaiting:
            self._pstore(pp, _Pgcstop)
            self.sched.stopwait -= 1
            if self.sched.stopwait == 0:
                self.notewakeup(self.sched.stopnote)
            self.unlock(self.sched.lock)
            return
        if pp.runSafePointFn != 0 and self._cas(pp, "runSafePointFn", 1, 0):
            self.sched.safePointFn(pp)
            self.sched.safePointWait -= 1
            if self.sched.safePointWait == 0:
                self.notewakeup(self.sched.safePointNote)
        if self.sched.runqsize != 0:
            self.unlock(self.sched.lock)
            self.startm(pp, False, False)
            return
        # If this is the last running P and nobody is polling network, need to wakeup
        # another M to poll network.
        if self.sched.npidle == self.gomaxprocs - 1 and self.sched.lastpoll != 0:
            self.unlock(self.sched.lock)
            self.startm(pp, False, False)
            return
        # (when := nobarrierWakeTime(pp) is 0: pp has no timers, so no wakeNetPoller(when))
        self.pidleput(pp, 0)
        self.unlock(self.sched.lock)

    def wakep(self) -> None:
        """go1.22.10 proc.go:2975 wakep — try to add one more P to execute G's. Called when
        a G is made runnable (newproc, ready). Must be called with a P."""
        self._call("wakep")
        # Be conservative about spinning threads, only start one if none exist already.
        if self.sched.nmspinning != 0 or not self._cas(self.sched, "nmspinning", 0, 1):
            return
        # Disable preemption until ownership of pp transfers to the next M in startm.
        mp = self.acquirem()
        self.lock(self.sched.lock)
        pp, _ = self.pidlegetSpinning(0)
        if pp is None:
            self.sched.nmspinning -= 1
            if self.sched.nmspinning < 0:
                throw("wakep: negative nmspinning")
            self.unlock(self.sched.lock)
            self.releasem(mp)
            return
        self.unlock(self.sched.lock)
        self.startm(pp, True, False)
        self.releasem(mp)

    # --- owning Ps -----------------------------------------------------------------------

    def acquirep(self, pp: p) -> None:
        """go1.22.10 proc.go:5740 acquirep — associate pp and the current m.
        skips: pp.mcache.prepareForSweep() (no GC).
        """
        self._call("acquirep", pp=pp)
        # Do the part that isn't allowed to have write barriers.
        self.wirep(pp)
        trace = self.traceAcquire()
        trace.ProcStart()

    def wirep(self, pp: p) -> None:
        """go1.22.10 proc.go:5763 wirep — the first step of acquirep: associate pp and the
        current M (exitsyscallfast calls it alone, without ProcStart)."""
        self._call("wirep", pp=pp)
        gp = self.os.getg()
        if gp.m.p is not None:
            throw("wirep: already in go")
        if pp.m is not None or pp.status != _Pidle:
            id_ = pp.m.id if pp.m is not None else 0
            throw("wirep: invalid p state", "wirep: p->m=", pp.m, "(", id_, ") p->status=",
                  pp.status, "\n")
        gp.m.p = pp
        pp.m = gp.m
        self._pstore(pp, _Prunning)

    def releasep(self) -> p:
        """go1.22.10 proc.go:5791 releasep — disassociate p and the current m (ProcStop)."""
        self._call("releasep")
        trace = self.traceAcquire()
        trace.ProcStop(self.os.getg().m.p)
        return self.releasepNoTrace()

    def releasepNoTrace(self) -> p:
        """go1.22.10 proc.go:5801 releasepNoTrace."""
        self._call("releasepNoTrace")
        gp = self.os.getg()
        if gp.m.p is None:
            throw("releasep: invalid arg")
        pp = gp.m.p
        if pp.m is not gp.m or pp.status != _Prunning:
            throw("releasep: invalid p state", "releasep: m=", gp.m, " m->p=", gp.m.p,
                  " p->m=", pp.m, " p->status=",
                  pp.status, "\n")
        gp.m.p = None
        pp.m = None
        self._pstore(pp, _Pidle)
        return pp

    # --- the idle P list (sched.lock held) -----------------------------------------------

    def pidleput(self, pp: p, now: int) -> int:
        """go1.22.10 proc.go:6532 pidleput — put pp on the _Pidle list; returns now (or the
        current time if now was 0). sched.lock must be held.
        skips: updateTimerPMask (no timers) and the GC CPU limiter's idle event.
        """
        self._call("pidleput", pp=pp, now=now)
        if not self.runqempty(pp):
            throw("pidleput: P has non-empty run queue")
        if now == 0:
            now = self.os.nanotime()
        self.idlepMask.set(pp.id)
        pp.link = self.sched.pidle
        self.sched.pidle = pp
        self.sched.npidle += 1
        return now

    def pidleget(self, now: int) -> tuple[Optional[p], int]:
        """go1.22.10 proc.go:6559 pidleget — try to get a p from the _Pidle list, acquiring
        ownership. sched.lock must be held.
        skips: timerpMask.set (no timers) and the GC CPU limiter's idle event.
        """
        self._call("pidleget", now=now)
        pp = self.sched.pidle
        if pp is not None:
            # Timer may get added at any time now.
            if now == 0:
                now = self.os.nanotime()
            self.idlepMask.clear(pp.id)
            self.sched.pidle = pp.link
            self.sched.npidle -= 1
        return pp, now

    def pidlegetSpinning(self, now: int) -> tuple[Optional[p], int]:
        """go1.22.10 proc.go:6587 pidlegetSpinning — pidleget for a spinning M that found
        work: if no P is available, ask the next M about to drop its P to spin instead
        (sched.needspinning). sched.lock must be held."""
        self._call("pidlegetSpinning", now=now)
        pp, now = self.pidleget(now)
        if pp is None:
            # See "Delicate dance" comment in findrunnable. We found work that we cannot
            # take, we must synchronize with non-spinning Ms that may be preparing to drop
            # their P.
            self.sched.needspinning = 1
            return None, now
        return pp, now
