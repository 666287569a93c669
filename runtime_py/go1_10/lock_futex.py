"""runtime_py/go1_10/lock_futex.py: go1.10 lock_futex.go — runtime locks and notes.

Only one thread touches runtime state at a time (runtime.py) and no runtime lock is held
across a block, so a lock is never contended: lock() never sleeps, and finding the lock
already held means a model bug (a double lock, or a lock held across a blocking call): throw.

Notes are Go's: notesleep/notetsleep/notewakeup/noteclear on top of the OS futex calls.
"""

from __future__ import annotations

from runtime_py.go1_10.runtime2 import mutex, note, stackPreempt
from runtime_py.throw import throw


class LockFutex:
    """Mixin of Runtime: lock, unlock and the note functions."""

    def lock(self, l: mutex) -> None:
        """go1.10 lock_futex.go: lock.
        skips: the spin/osyield/futexsleep contention path (never contended in the model).
        """
        self._call("lock", l=l.name)
        gp = self.os.getg()
        if gp.m.locks < 0:
            throw("runtime·lock: lock count")
        gp.m.locks += 1
        v, l.key = l.key, 1  # atomic.Xchg(key32(&l.key), mutex_locked)
        if v == 0:
            return
        throw("lock: lock already held", "runtime: lock ", l.name,
              " is already held (the model is sequential: a double lock)\n")

    def unlock(self, l: mutex) -> None:
        """go1.10 lock_futex.go: unlock.
        skips: futexwakeup of sleepers (there are none).
        """
        self._call("unlock", l=l.name)
        v, l.key = l.key, 0  # atomic.Xchg(key32(&l.key), mutex_unlocked)
        if v == 0:
            throw("unlock of unlocked lock")
        gp = self.os.getg()
        gp.m.locks -= 1
        if gp.m.locks < 0:
            throw("runtime·unlock: lock count")
        if gp.m.locks == 0 and gp.preempt:
            # restore the preemption request in case we've cleared it in newstack
            gp.stackguard0 = stackPreempt

    def noteclear(self, n: note) -> None:
        """go1.10 lock_futex.go: noteclear."""
        self._call("noteclear", n=n.name)
        n.key = 0

    def notewakeup(self, n: note) -> None:
        """go1.10 lock_futex.go: notewakeup."""
        self._call("notewakeup", n=n.name)
        old, n.key = n.key, 1
        if old != 0:
            throw("notewakeup - double wakeup", "notewakeup - double wakeup (", old, ")\n")
        self.os.futexwakeup(n, 1)

    def notesleep(self, n: note) -> None:
        """go1.10 lock_futex.go: notesleep.
        skips: cgo_yield (no cgo), so ns is always -1.
        """
        self._call("notesleep", n=n.name)
        gp = self.os.getg()
        if gp is not gp.m.g0:
            throw("notesleep not on g0")
        ns = -1
        while n.key == 0:
            gp.m.blocked = True
            self.os.futexsleep(n, 0, ns)
            gp.m.blocked = False

    def notetsleep_internal(self, n: note, ns: int) -> bool:
        """go1.10 lock_futex.go: notetsleep_internal.
        skips: cgo_yield (no cgo).
        """
        self._call("notetsleep_internal", n=n.name, ns=ns)
        gp = self.os.getg()
        if ns < 0:
            while n.key == 0:
                gp.m.blocked = True
                self.os.futexsleep(n, 0, ns)
                gp.m.blocked = False
            return True
        if n.key != 0:
            return True
        deadline = self.os.nanotime() + ns
        while True:
            gp.m.blocked = True
            self.os.futexsleep(n, 0, ns)
            gp.m.blocked = False
            if n.key != 0:
                break
            now = self.os.nanotime()
            if now >= deadline:
                break
            ns = deadline - now
        return n.key != 0

    def notetsleep(self, n: note, ns: int) -> bool:
        """go1.10 lock_futex.go: notetsleep."""
        self._call("notetsleep", n=n.name, ns=ns)
        gp = self.os.getg()
        if gp is not gp.m.g0 and gp.m.preemptoff != "":
            throw("notetsleep not on g0")
        return self.notetsleep_internal(n, ns)
