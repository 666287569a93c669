"""runtime_py/notes.py: lock_futex.go's one-time notifications, shared by every profile.

noteclear, notewakeup, notesleep, notetsleep_internal and notetsleep have the same text in
every release modeled: go1.10, go1.22.10 (lock_futex.go:145-234) and go1.27.3
(lock_futex.go:22-115), where Linux notes sleep on a futex. Only the cgo_yield branches are
left out (no cgo), so ns stays as the caller gave it. The mutex half of lock_futex.go does
differ between releases (go1.22 adds lockWithRank/lock2; go1.24 replaced it with the
spinbit mutex) and stays in each profile's lock_futex.py.

A note's key is 0 until notewakeup stores 1; notesleep blocks the calling thread (the
platform's futexsleep) until then. Go keys the futex on &n.key; the model passes the note.
"""

from __future__ import annotations

from typing import Any

from runtime_py.throw import throw


class FutexNotes:
    """Mixin of every profile's Runtime: Go's note functions on top of OS futexes."""

    os: Any

    def noteclear(self, n: Any) -> None:
        """lock_futex.go: noteclear (go1.22.10 :145, go1.27.3 :22)."""
        self._call("noteclear", n=n.name)
        n.key = 0

    def notewakeup(self, n: Any) -> None:
        """lock_futex.go: notewakeup (go1.22.10 :149, go1.27.3 :26)."""
        self._call("notewakeup", n=n.name)
        old, n.key = n.key, 1  # atomic.Xchg(key32(&n.key), 1)
        if old != 0:
            throw("notewakeup - double wakeup", "notewakeup - double wakeup (", old, ")\n")
        self.os.futexwakeup(n, 1)

    def notesleep(self, n: Any) -> None:
        """lock_futex.go: notesleep (go1.22.10 :158, go1.27.3 :35).
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

    def notetsleep_internal(self, n: Any, ns: int) -> bool:
        """lock_futex.go: notetsleep_internal (go1.22.10 :183, go1.27.3 :60).
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

    def notetsleep(self, n: Any, ns: int) -> bool:
        """lock_futex.go: notetsleep (go1.22.10 :229, go1.27.3 :106)."""
        self._call("notetsleep", n=n.name, ns=ns)
        gp = self.os.getg()
        if gp is not gp.m.g0 and gp.m.preemptoff != "":
            throw("notetsleep not on g0")
        return self.notetsleep_internal(n, ns)
