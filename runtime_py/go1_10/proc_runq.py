"""runtime_py/go1_10/proc_runq.py: go1.10 proc.go — the global run queue and the per-P rings.

Per-P queue: runq is a 256-slot ring indexed by runqhead/runqtail (free-running counters;
Go's are uint32 and wrap, the model's are Python ints), plus the runnext slot. The global
queue is a list linked through g.schedlink, guarded by sched.lock.
"""

from __future__ import annotations

from typing import Optional

from runtime_py.go1_10.runtime2 import _Prunning, g, p
from runtime_py.throw import throw


class ProcRunq:
    """Mixin of Runtime: run queues."""

    # --- global run queue (sched.lock held) ----------------------------------------------

    def globrunqput(self, gp: g) -> None:
        """go1.10 proc.go:4539 globrunqput — put gp on the global runnable queue."""
        self._call("globrunqput", gp=gp)
        gp.schedlink = None
        if self.sched.runqtail is not None:
            self.sched.runqtail.schedlink = gp
        else:
            self.sched.runqhead = gp
        self.sched.runqtail = gp
        self.sched.runqsize += 1

    def globrunqputbatch(self, ghead: g, gtail: g, n: int) -> None:
        """go1.10 proc.go:4565 globrunqputbatch — put a linked batch on the global queue."""
        self._call("globrunqputbatch", ghead=ghead, gtail=gtail, n=n)
        gtail.schedlink = None
        if self.sched.runqtail is not None:
            self.sched.runqtail.schedlink = ghead
        else:
            self.sched.runqhead = ghead
        self.sched.runqtail = gtail
        self.sched.runqsize += n

    def globrunqget(self, _p_: p, max_: int) -> Optional[g]:
        """go1.10 proc.go:4578 globrunqget(_p_, max) — take a batch from the global queue: return
        one G and put the rest on _p_'s local queue."""
        self._call("globrunqget", _p_=_p_, max=max_)
        if self.sched.runqsize == 0:
            return None
        n = self.sched.runqsize // self.gomaxprocs + 1
        if n > self.sched.runqsize:
            n = self.sched.runqsize
        if max_ > 0 and n > max_:
            n = max_
        if n > len(_p_.runq) // 2:
            n = len(_p_.runq) // 2
        self.sched.runqsize -= n
        if self.sched.runqsize == 0:
            self.sched.runqtail = None
        gp = self.sched.runqhead
        self.sched.runqhead = gp.schedlink
        n -= 1
        while n > 0:
            gp1 = self.sched.runqhead
            self.sched.runqhead = gp1.schedlink
            self.runqput(_p_, gp1, False)
            n -= 1
        return gp

    # --- per-P run queue -----------------------------------------------------------------

    def runqempty(self, _p_: p) -> bool:
        """go1.10 proc.go:4638 runqempty — true if _p_ has no Gs on its local run queue."""
        self._call("runqempty", _p_=_p_)
        return _p_.runqhead == _p_.runqtail and _p_.runnext is None

    def runqput(self, _p_: p, gp: g, next_: bool) -> None:
        """go1.10 proc.go:4669 runqput(_p_, gp, next) — put gp on the local runnable queue: in the
        runnext slot if next (kicking the old runnext to the tail), else at the tail; a full
        ring moves half of itself to the global queue (runqputslow).
        skips: randomizeScheduler (race builds only).
        """
        self._call("runqput", _p_=_p_, gp=gp, next=next_)
        if next_:
            oldnext = _p_.runnext  # retryNext: the cas always succeeds sequentially
            _p_.runnext = gp
            if oldnext is None:
                return
            # Kick the old runnext out to the regular run queue.
            gp = oldnext
        while True:  # retry:
            h = _p_.runqhead
            t = _p_.runqtail
            if t - h < len(_p_.runq):
                _p_.runq[t % len(_p_.runq)] = gp
                _p_.runqtail = t + 1
                return
            if self.runqputslow(_p_, gp, h, t):
                return
            # the queue is not full, now the put above must succeed

    def runqputslow(self, _p_: p, gp: g, h: int, t: int) -> bool:
        """go1.10 proc.go:4704 runqputslow — put gp and half of the local queue on the global
        queue.
        skips: randomizeScheduler shuffling (race builds only).
        """
        self._call("runqputslow", _p_=_p_, gp=gp, h=h, t=t)
        # First, grab a batch from local queue.
        n = (t - h) // 2
        if n != len(_p_.runq) // 2:
            throw("runqputslow: queue is not full")
        batch: list[g] = [_p_.runq[(h + i) % len(_p_.runq)] for i in range(n)]
        if not self._cas(_p_, "runqhead", h, h + n):
            return False
        batch.append(gp)
        # Link the goroutines.
        for i in range(n):
            batch[i].schedlink = batch[i + 1]
        # Now put the batch on global queue.
        self.lock(self.sched.lock)
        self.globrunqputbatch(batch[0], batch[n], n + 1)
        self.unlock(self.sched.lock)
        return True

    def runqget(self, _p_: p) -> tuple[Optional[g], bool]:
        """go1.10 proc.go:4744 runqget — (gp, inheritTime): runnext first (inherits the time
        slice), then the head of the ring."""
        self._call("runqget", _p_=_p_)
        # If there's a runnext, it's the next G to run.
        while True:
            next_ = _p_.runnext
            if next_ is None:
                break
            if self._cas(_p_, "runnext", next_, None):
                return next_, True
        while True:
            h = _p_.runqhead
            t = _p_.runqtail
            if t == h:
                return None, False
            gp = _p_.runq[h % len(_p_.runq)]
            if self._cas(_p_, "runqhead", h, h + 1):
                return gp, False

    def runqgrab(self, _p_: p, batch: list, batchHead: int, stealRunNextG: bool) -> int:
        """go1.10 proc.go:4773 runqgrab — grab half of _p_'s queue into the ring `batch` starting
        at batchHead; with stealRunNextG and an empty ring, take runnext (after a 3us sleep if
        _p_ is running, so it gets a chance to schedule it itself)."""
        self._call("runqgrab", _p_=_p_, batchHead=batchHead, stealRunNextG=stealRunNextG)
        while True:
            h = _p_.runqhead
            t = _p_.runqtail
            n = t - h
            n = n - n // 2
            if n == 0:
                if stealRunNextG:
                    # Try to steal from _p_.runnext.
                    next_ = _p_.runnext
                    if next_ is not None:
                        if _p_.status == _Prunning:
                            self.os.usleep(3)
                        if not self._cas(_p_, "runnext", next_, None):
                            continue
                        batch[batchHead % len(batch)] = next_
                        return 1
                return 0
            if n > len(_p_.runq) // 2:  # read inconsistent h and t
                continue
            for i in range(n):
                batch[(batchHead + i) % len(batch)] = _p_.runq[(h + i) % len(_p_.runq)]
            if self._cas(_p_, "runqhead", h, h + n):
                return n

    def runqsteal(self, _p_: p, p2: p, stealRunNextG: bool) -> Optional[g]:
        """go1.10 proc.go:4828 runqsteal — steal half of p2's queue onto _p_'s; return one of the
        stolen Gs (or None)."""
        self._call("runqsteal", _p_=_p_, p2=p2, stealRunNextG=stealRunNextG)
        t = _p_.runqtail
        n = self.runqgrab(p2, _p_.runq, t, stealRunNextG)
        if n == 0:
            return None
        n -= 1
        gp = _p_.runq[(t + n) % len(_p_.runq)]
        if n == 0:
            return gp
        h = _p_.runqhead
        if t - h + n >= len(_p_.runq):
            throw("runqsteal: runq overflow")
        _p_.runqtail = t + n
        return gp
