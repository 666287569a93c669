"""runtime_py/go1_27/lock_spinbit.py: go1.27.3 lock_spinbit.go — runtime mutexes on linux/amd64.

go1.27.3 builds lock_spinbit.go for every non-wasm port (its build tag is `!wasm`), so
linux/amd64 locks are the "spin bit" mutex; lock_futex.go supplies only the notes (shared,
runtime_py/notes.py) and semasleep/semawakeup. With lock ranking off (lockrank_off.go),
lock(l) is lock2(l) and unlock(l) is unlock2(l).

A held runtime mutex adds mutexMLocksDelta (16) to m.locks, not 1 as in go1.10: acquirem
and releasem still count by 1, so m.locks tells the two apart.

Only one thread touches runtime state at a time and no runtime lock is held across a
block, so a lock is never contended: lock2's fast path (the 8-bit swap) always succeeds;
finding the lock held means a model bug (a double lock, or a lock held across a block).
"""

from __future__ import annotations

from runtime_py.go1_27.runtime2 import mutex, stackPreempt
from runtime_py.throw import throw

mutexLocked = 0x001  # lock_spinbit.go:58
mutexMLocksDelta = 16  # lock_spinbit.go:79: change in m.locks for each lock/unlock


class LockSpinbit:
    """Mixin of Runtime: lock and unlock."""

    def lock(self, l: mutex) -> None:
        """go1.27.3 lock_spinbit.go:160 lock -> lockrank_off.go:23 lockWithRank ->
        lock_spinbit.go:164 lock2.
        skips: the contended path (spinning with procyield/osyield, then semasleep on the
        M's semaphore): never contended in the model.
        """
        self._call("lock", l=l.name)
        gp = self.os.getg()
        if gp.m.locks < 0:
            throw("runtime·lock: lock count")
        gp.m.locks += mutexMLocksDelta
        # Speculative grab for lock.
        v8, l.key = l.key, mutexLocked  # atomic.Xchg8(k8, mutexLocked)
        if v8 & mutexLocked == 0:
            return
        throw("lock: lock already held", "runtime: lock ", l.name,
              " is already held (the model is sequential: a double lock)\n")

    def unlock(self, l: mutex) -> None:
        """go1.27.3 lock_spinbit.go:269 unlock -> lockrank_off.go:35 unlockWithRank ->
        lock_spinbit.go:276 unlock2.
        skips: contention sampling and unlock2Wake (there are no sleepers).
        """
        self._call("unlock", l=l.name)
        gp = self.os.getg()
        prev8, l.key = l.key, 0  # atomic.Xchg8(key8(&l.key), 0)
        if prev8 & mutexLocked == 0:
            throw("unlock of unlocked lock")
        gp.m.locks -= mutexMLocksDelta
        if gp.m.locks < 0:
            throw("runtime·unlock: lock count")
        if gp.m.locks == 0 and gp.preempt:
            # restore the preemption request in case we've cleared it in newstack
            gp.stackguard0 = stackPreempt
