"""runtime_py/go1_22/proc_runq.py: go1.22.10 proc.go — the global run queue and the per-P rings.

Per-P queue: runq is a 256-slot ring indexed by runqhead/runqtail (free-running counters;
Go's are uint32 and wrap, the model's are Python ints), plus the runnext slot. The global
queue is sched.runq, a gQueue linked through g.schedlink, with sched.runqsize, guarded by
sched.lock. randomizeScheduler is false (race builds only), so nothing here is random.
"""

from __future__ import annotations

from typing import Optional

from runtime_py.go1_22.runtime2 import _Prunning, g, gQueue, p
from runtime_py.throw import throw


class ProcRunq:
    """Mixin of Runtime: run queues."""

    # --- global run queue (sched.lock held) ----------------------------------------------

    def globrunqput(self, gp: g) -> None:
        """go1.22.10 proc.go:6393 globrunqput — put gp on the global runnable queue."""
        self._call("globrunqput", gp=gp)
        self.sched.runq.pushBack(gp)
        self.sched.runqsize += 1

    def globrunqputbatch(self, batch: gQueue, n: int) -> None:
        """go1.22.10 proc.go:6418 globrunqputbatch — put a batch on the global queue; clears
        *batch."""
        self._call("globrunqputbatch", n=n)
        self.sched.runq.pushBackAll(batch)
        self.sched.runqsize += n
        batch.head = batch.tail = None  # *batch = gQueue{}

    def globrunqget(self, pp: p, max_: int) -> Optional[g]:
        """go1.22.10 proc.go:6428 globrunqget(pp, max) — take a batch from the global queue:
        return one G and put the rest on pp's local queue."""
        self._call("globrunqget", pp=pp, max=max_)
        if self.sched.runqsize == 0:
            return None
        n = self.sched.runqsize // self.gomaxprocs + 1
        if n > self.sched.runqsize:
            n = self.sched.runqsize
        if max_ > 0 and n > max_:
            n = max_
        if n > len(pp.runq) // 2:
            n = len(pp.runq) // 2
        self.sched.runqsize -= n
        gp = self.sched.runq.pop()
        n -= 1
        while n > 0:
            gp1 = self.sched.runq.pop()
            self.runqput(pp, gp1, False)
            n -= 1
        return gp

    # --- per-P run queue -----------------------------------------------------------------

    def runqempty(self, pp: p) -> bool:
        """go1.22.10 proc.go:6604 runqempty — pp has no Gs on its local run queue (head,
        tail and runnext read consistently: one thread runs at a time)."""
        self._call("runqempty", pp=pp)
        return pp.runqhead == pp.runqtail and pp.runnext is None

    def runqput(self, pp: p, gp: g, next_: bool) -> None:
        """go1.22.10 proc.go:6635 runqput(pp, gp, next) — put gp on the local runnable queue:
        in the runnext slot if next (kicking the old runnext to the tail), else at the tail;
        a full ring moves half of itself to the global queue (runqputslow)."""
        self._call("runqput", pp=pp, gp=gp, next=next_)
        if next_:
            oldnext = pp.runnext  # retryNext: the cas always succeeds sequentially
            pp.runnext = gp
            if oldnext is None:
                return
            # Kick the old runnext out to the regular run queue.
            gp = oldnext
        while True:  # retry:
            h = pp.runqhead  # load-acquire, synchronize with consumers
            t = pp.runqtail
            if t - h < len(pp.runq):
                pp.runq[t % len(pp.runq)] = gp
                pp.runqtail = t + 1  # store-release, makes the item available
                return
            if self.runqputslow(pp, gp, h, t):
                return
            # the queue is not full, now the put above must succeed

    def runqputslow(self, pp: p, gp: g, h: int, t: int) -> bool:
        """go1.22.10 proc.go:6670 runqputslow — put gp and a batch of work from the local
        runnable queue on the global queue."""
        self._call("runqputslow", pp=pp, gp=gp, h=h, t=t)
        # First, grab a batch from local queue.
        n = (t - h) // 2
        if n != len(pp.runq) // 2:
            throw("runqputslow: queue is not full")
        batch: list[g] = [pp.runq[(h + i) % len(pp.runq)] for i in range(n)]
        if not self._cas(pp, "runqhead", h, h + n):  # cas-release, commits consume
            return False
        batch.append(gp)
        # Link the goroutines.
        for i in range(n):
            batch[i].schedlink = batch[i + 1]
        q = gQueue(head=batch[0], tail=batch[n])
        # Now put the batch on global queue.
        self.lock(self.sched.lock)
        self.globrunqputbatch(q, n + 1)
        self.unlock(self.sched.lock)
        return True

    def runqget(self, pp: p) -> tuple[Optional[g], bool]:
        """go1.22.10 proc.go:6747 runqget — (gp, inheritTime): runnext first (it inherits
        the time slice), then the head of the ring."""
        self._call("runqget", pp=pp)
        # If there's a runnext, it's the next G to run. If the CAS fails, it could only
        # have been stolen by another P: no need to retry.
        next_ = pp.runnext
        if next_ is not None and self._cas(pp, "runnext", next_, None):
            return next_, True
        while True:
            h = pp.runqhead  # load-acquire, synchronize with other consumers
            t = pp.runqtail
            if t == h:
                return None, False
            gp = pp.runq[h % len(pp.runq)]
            if self._cas(pp, "runqhead", h, h + 1):  # cas-release, commits consume
                return gp, False

    def runqgrab(self, pp: p, batch: list, batchHead: int, stealRunNextG: bool) -> int:
        """go1.22.10 proc.go:6813 runqgrab — grab half of pp's queue into the ring `batch`
        starting at batchHead; with stealRunNextG and an empty ring, take runnext (after a
        3us sleep if pp is running, to give it a chance to schedule it itself:
        osHasLowResTimer is false on linux)."""
        self._call("runqgrab", pp=pp, batchHead=batchHead, stealRunNextG=stealRunNextG)
        while True:
            h = pp.runqhead  # load-acquire, synchronize with other consumers
            t = pp.runqtail  # load-acquire, synchronize with the producer
            n = t - h
            n = n - n // 2
            if n == 0:
                if stealRunNextG:
                    # Try to steal from pp.runnext.
                    next_ = pp.runnext
                    if next_ is not None:
                        if pp.status == _Prunning:
                            self.os.usleep(3)
                        if not self._cas(pp, "runnext", next_, None):
                            continue
                        batch[batchHead % len(batch)] = next_
                        return 1
                return 0
            if n > len(pp.runq) // 2:  # read inconsistent h and t
                continue
            for i in range(n):
                batch[(batchHead + i) % len(batch)] = pp.runq[(h + i) % len(pp.runq)]
            if self._cas(pp, "runqhead", h, h + n):  # cas-release, commits consume
                return n

    def runqsteal(self, pp: p, p2: p, stealRunNextG: bool) -> Optional[g]:
        """go1.22.10 proc.go:6868 runqsteal — steal half of p2's local queue onto pp's;
        return one of the stolen Gs (or nil)."""
        self._call("runqsteal", pp=pp, p2=p2, stealRunNextG=stealRunNextG)
        t = pp.runqtail
        n = self.runqgrab(p2, pp.runq, t, stealRunNextG)
        if n == 0:
            return None
        n -= 1
        gp = pp.runq[(t + n) % len(pp.runq)]
        if n == 0:
            return gp
        h = pp.runqhead  # load-acquire, synchronize with consumers
        if t - h + n >= len(pp.runq):
            throw("runqsteal: runq overflow")
        pp.runqtail = t + n  # store-release, makes the item available for consumption
        return gp
