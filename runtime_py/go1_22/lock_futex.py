"""runtime_py/go1_22/lock_futex.py: go1.22.10 lock_futex.go and lockrank_off.go — runtime mutexes.

lock -> lockWithRank -> lock2 and unlock -> unlockWithRank -> unlock2: static lock ranking is
off in a normal build (lockrank_off.go:23, 33), so lockWithRank is just lock2. The model
announces lock/unlock only: the two middle calls add nothing.

Only one thread touches runtime state at a time (runtime.py) and no runtime lock is held
across a block, so a lock is never contended: lock2 never sleeps, and finding the lock
already held means a model bug (a double lock, or a lock held across a blocking call): throw.
The notes (notesleep, notewakeup, ...) are the same in every release: runtime_py/notes.py.
"""

from __future__ import annotations

from runtime_py.go1_22.runtime2 import mutex, stackPreempt
from runtime_py.notes import FutexNotes
from runtime_py.throw import throw

mutex_unlocked = 0  # lock_futex.go:26
mutex_locked = 1
mutex_sleeping = 2


class LockFutex(FutexNotes):
    """Mixin of Runtime: lock and unlock; the note functions come from FutexNotes."""

    def lock(self, l: mutex) -> None:
        """go1.22.10 lock_futex.go:51 lock -> lockWithRank (lockrank_off.go:23) -> lock2."""
        self._call("lock", l=l.name)
        self.lock2(l)

    def lock2(self, l: mutex) -> None:
        """go1.22.10 lock_futex.go:55 lock2.
        skips: the spin/osyield/futexsleep contention path and its lockTimer (never
        contended in the model: a held lock throws instead).
        """
        gp = self.os.getg()
        if gp.m.locks < 0:
            throw("runtime·lock: lock count")
        gp.m.locks += 1
        # Speculative grab for lock.
        v, l.key = l.key, mutex_locked  # atomic.Xchg(key32(&l.key), mutex_locked)
        if v == mutex_unlocked:
            return
        throw("lock: lock already held", "runtime: lock ", l.name,
              " is already held (the model is sequential: a double lock)\n")

    def unlock(self, l: mutex) -> None:
        """go1.22.10 lock_futex.go:120 unlock -> unlockWithRank (lockrank_off.go:33) ->
        unlock2."""
        self._call("unlock", l=l.name)
        self.unlock2(l)

    def unlock2(self, l: mutex) -> None:
        """go1.22.10 lock_futex.go:124 unlock2.
        skips: futexwakeup of a sleeper (v == mutex_sleeping never happens).
        skips: mLockProfile.recordUnlock (runtime lock contention profile).
        """
        v, l.key = l.key, mutex_unlocked  # atomic.Xchg(key32(&l.key), mutex_unlocked)
        if v == mutex_unlocked:
            throw("unlock of unlocked lock")
        gp = self.os.getg()
        gp.m.locks -= 1
        if gp.m.locks < 0:
            throw("runtime·unlock: lock count")
        if gp.m.locks == 0 and gp.preempt:
            # restore the preemption request in case we've cleared it in newstack
            gp.stackguard0 = stackPreempt
