"""runtime_py/go1_10/lock_futex.py: go1.10 lock_futex.go — runtime locks and notes.

Only one thread touches runtime state at a time (runtime.py) and no runtime lock is held
across a block, so a lock is never contended: lock() never sleeps, and finding the lock
already held means a model bug (a double lock, or a lock held across a blocking call): throw.

The note functions (notesleep, notetsleep, notewakeup, noteclear) are the same in every
release and come from runtime_py/notes.py.
"""

from __future__ import annotations

from runtime_py.go1_10.runtime2 import mutex, stackPreempt
from runtime_py.notes import FutexNotes
from runtime_py.throw import throw


class LockFutex(FutexNotes):
    """Mixin of Runtime: lock and unlock; the note functions come from FutexNotes."""

    def lock(self, l: mutex) -> None:
        """go1.10 lock_futex.go:46 lock.
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
        """go1.10 lock_futex.go:106 unlock.
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
