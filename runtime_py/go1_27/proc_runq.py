"""runtime_py/go1_27/proc_runq.py: go1.27.3 proc.go — the global run queue and the per-P rings.

Per-P queue: runq is a 256-slot ring indexed by runqhead/runqtail (free-running counters;
Go's are uint32 and wrap, the model's are Python ints), plus the runnext slot. The global
queue is sched.runq, a gQueue (head, tail, size) guarded by sched.lock.
"""

from __future__ import annotations

from typing import Optional

from runtime_py.go1_27.runtime2 import _Gscan, _Gsyscall, _Prunning, g, gQueue, p
from runtime_py.throw import throw


class ProcRunq:
    """Mixin of Runtime: run queues."""

    # --- global run queue (sched.lock held) ----------------------------------------------

    def globrunqput(self, gp: g) -> None:
        """go1.27.3 proc.go:7300 globrunqput — put gp on the global runnable queue."""
        self._call("globrunqput", gp=gp)
        self.sched.runq.pushBack(gp)

    def globrunqputbatch(self, batch: gQueue) -> None:
        """go1.27.3 proc.go:7323 globrunqputbatch — put a batch on the global queue; clears
        *batch."""
        self._call("globrunqputbatch", n=batch.size)
        self.sched.runq.pushBackAll(batch)
        batch.head, batch.tail, batch.size = None, None, 0  # *batch = gQueue{}

    def globrunqget(self) -> Optional[g]:
        """go1.27.3 proc.go:7332 globrunqget — one G from the global queue."""
        self._call("globrunqget")
        if self.sched.runq.size == 0:
            return None
        return self.sched.runq.pop()

    def globrunqgetbatch(self, n: int) -> tuple[Optional[g], gQueue]:
        """go1.27.3 proc.go:7344 globrunqgetbatch — a G to run and up to n-1 more in q:
        n = min(n, size, size/gomaxprocs + 1)."""
        self._call("globrunqgetbatch", n=n)
        q = gQueue()
        if self.sched.runq.size == 0:
            return None, q
        n = min(n, self.sched.runq.size, self.sched.runq.size // self.gomaxprocs + 1)
        gp = self.sched.runq.pop()
        n -= 1
        while n > 0:
            gp1 = self.sched.runq.pop()
            q.pushBack(gp1)
            n -= 1
        return gp, q

    # --- per-P run queue -----------------------------------------------------------------

    def runqempty(self, pp: p) -> bool:
        """go1.27.3 proc.go:7498 runqempty — true if pp has no Gs on its local run queue
        (the loop defending against a racing runqput is one pass in the model)."""
        self._call("runqempty", pp=pp)
        return pp.runqhead == pp.runqtail and pp.runnext is None

    def runqput(self, pp: p, gp: g, next_: bool) -> None:
        """go1.27.3 proc.go:7529 runqput(pp, gp, next) — put gp on the local runnable queue:
        in the runnext slot if next (kicking the old runnext to the tail), else at the tail;
        a full ring moves half of itself to the global queue (runqputslow).
        skips: randomizeScheduler (race builds only); haveSysmon is true on linux.
        """
        self._call("runqput", pp=pp, gp=gp, next=next_)
        if next_:
            oldnext = pp.runnext  # retryNext: the cas always succeeds sequentially
            pp.runnext = gp
            if oldnext is None:
                return
            # Kick the old runnext out to the regular run queue.
            gp = oldnext
        while True:  # retry:
            h = pp.runqhead
            t = pp.runqtail
            if t - h < len(pp.runq):
                pp.runq[t % len(pp.runq)] = gp
                pp.runqtail = t + 1
                return
            if self.runqputslow(pp, gp, h, t):
                return
            # the queue is not full, now the put above must succeed

    def runqputslow(self, pp: p, gp: g, h: int, t: int) -> bool:
        """go1.27.3 proc.go:7575 runqputslow — put gp and half of the local queue on the
        global queue.
        skips: randomizeScheduler shuffling (race builds only).
        """
        self._call("runqputslow", pp=pp, gp=gp, h=h, t=t)
        # First, grab a batch from local queue.
        n = (t - h) // 2
        if n != len(pp.runq) // 2:
            throw("runqputslow: queue is not full")
        batch: list[g] = [pp.runq[(h + i) % len(pp.runq)] for i in range(n)]
        if not self._cas(pp, "runqhead", h, h + n):
            return False
        batch.append(gp)
        # Link the goroutines.
        for i in range(n):
            batch[i].schedlink = batch[i + 1]
        q = gQueue(batch[0], batch[n], n + 1)
        # Now put the batch on global queue.
        self.lock(self.sched.lock)
        self.globrunqputbatch(q)
        self.unlock(self.sched.lock)
        return True

    def runqputbatch(self, pp: p, q: gQueue) -> None:
        """go1.27.3 proc.go:7616 runqputbatch — put the Gs of q on the local queue while it
        has room; what does not fit stays in q.
        skips: randomizeScheduler shuffling (race builds only).
        """
        self._call("runqputbatch", pp=pp, n=q.size)
        if q.empty():
            return
        h = pp.runqhead
        t = pp.runqtail
        while not q.empty() and t - h < len(pp.runq):
            gp = q.pop()
            pp.runq[t % len(pp.runq)] = gp
            t += 1
        pp.runqtail = t

    def runqget(self, pp: p) -> tuple[Optional[g], bool]:
        """go1.27.3 proc.go:7649 runqget — (gp, inheritTime): runnext first (inherits the
        time slice), then the head of the ring."""
        self._call("runqget", pp=pp)
        # If there's a runnext, it's the next G to run.
        next_ = pp.runnext
        # If the runnext is non-0 and the CAS fails, it could only have been stolen by
        # another P: no need to retry.
        if next_ is not None and self._cas(pp, "runnext", next_, None):
            return next_, True
        while True:
            h = pp.runqhead
            t = pp.runqtail
            if t == h:
                return None, False
            gp = pp.runq[h % len(pp.runq)]
            if self._cas(pp, "runqhead", h, h + 1):
                return gp, False

    def runqgrab(self, pp: p, batch: list, batchHead: int, stealRunNextG: bool) -> int:
        """go1.27.3 proc.go:7713 runqgrab — grab half of pp's queue into the ring `batch`
        starting at batchHead; with stealRunNextG and an empty ring, take runnext (after a
        3us sleep if pp is running a goroutine that is not in a syscall, so it gets a chance
        to schedule runnext itself)."""
        self._call("runqgrab", pp=pp, batchHead=batchHead, stealRunNextG=stealRunNextG)
        while True:
            h = pp.runqhead
            t = pp.runqtail
            n = t - h
            n = n - n // 2
            if n == 0:
                if stealRunNextG:
                    # Try to steal from pp.runnext.
                    next_ = pp.runnext
                    if next_ is not None:
                        if pp.status == _Prunning:
                            mp = pp.m
                            if mp is not None:
                                gp = mp.curg
                                if gp is None or self.readgstatus(gp) & ~_Gscan != _Gsyscall:
                                    # Sleep to ensure that pp isn't about to run the g we
                                    # are about to steal (!osHasLowResTimer on linux).
                                    self.usleep(3)
                        if not self._cas(pp, "runnext", next_, None):
                            continue
                        batch[batchHead % len(batch)] = next_
                        return 1
                return 0
            if n > len(pp.runq) // 2:  # read inconsistent h and t
                continue
            for i in range(n):
                batch[(batchHead + i) % len(batch)] = pp.runq[(h + i) % len(pp.runq)]
            if self._cas(pp, "runqhead", h, h + n):
                return n

    def runqsteal(self, pp: p, p2: p, stealRunNextG: bool) -> Optional[g]:
        """go1.27.3 proc.go:7781 runqsteal — steal half of p2's queue onto pp's; return one of
        the stolen Gs (or None)."""
        self._call("runqsteal", pp=pp, p2=p2, stealRunNextG=stealRunNextG)
        t = pp.runqtail
        n = self.runqgrab(p2, pp.runq, t, stealRunNextG)
        if n == 0:
            return None
        n -= 1
        gp = pp.runq[(t + n) % len(pp.runq)]
        if n == 0:
            return gp
        h = pp.runqhead
        if t - h + n >= len(pp.runq):
            throw("runqsteal: runq overflow")
        pp.runqtail = t + n
        return gp
