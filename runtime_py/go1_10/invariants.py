"""runtime_py/go1_10/invariants.py: checkinvariants — not a Go function; the model's self-check.

Call it when no thread is inside the runtime (between steps of a simulation): every M is then
running a goroutine, in a syscall, parked on a note, sleeping, or not started yet. It throws
"checkinvariants: ..." with the details on the first broken rule. The rules every release
shares are in runtime_py/checks.py; go1.10's own: an M in a syscall keeps m.p (which may go
stale), a running M holds its P's mcache, and the global queue is sched.runqhead/runqtail.
"""

from __future__ import annotations

from runtime_py.checks import (
    allms, check_g_places, check_idle_lists, check_p_place, fail, insyscall, linked,
)
from runtime_py.go1_10.runtime2 import _Prunning, _Psyscall


class Invariants:
    """Mixin of Runtime: the invariant checker."""

    def checkinvariants(self) -> None:
        """Not in Go: check the scheduler's structural invariants (see each rule below)."""
        ms = allms(self)
        self._check_ps_and_ms(ms)
        glob = linked(self.sched.runqhead, "schedlink", len(self.allgs), "sched.runq")
        if len(glob) != self.sched.runqsize:
            fail("runqsize != len(global runq)", "runqsize=", self.sched.runqsize,
                 " len=", len(glob))
        if (glob[-1] if glob else None) is not self.sched.runqtail:
            fail("sched.runqtail is not the last G", self.sched.runqtail)
        check_g_places(self, ms, glob)

    def _check_ps_and_ms(self, ms: list) -> None:
        pidle, _ = check_idle_lists(self, ms)
        nextp_of = [mp.nextp for mp in ms if mp.nextp is not None]
        for pp in self.allp:
            # A P is owned by at most one M: p.m <-> m.p agree for _Prunning.
            owners = [mp for mp in ms if mp.p is pp and not insyscall(mp)]
            if pp.status == _Prunning:
                if pp.m is None or pp.m.p is not pp or pp.m not in ms:
                    fail("_Prunning P without its M", pp, " p.m=", pp.m)
                if owners != [pp.m]:
                    fail("P owned by more than one M", pp, " owners=", owners)
                if pp.m.mcache is not pp.mcache:
                    fail("M running a P without its mcache", pp.m, " ", pp)
            elif pp.m is not None:
                fail("p.m set but P not _Prunning", pp)
            elif owners:
                fail("M holds a P that is not _Prunning", pp, " owners=", owners)
            # _Psyscall: exactly one M is in the syscall that started it.
            if pp.status == _Psyscall:
                sys = [mp for mp in ms
                       if mp.p is pp and insyscall(mp) and mp.syscalltick == pp.syscalltick]
                if len(sys) != 1:
                    fail("_Psyscall P without exactly one M in its syscall", pp, " ms=", sys)
            check_p_place(self, pp, pidle, nextp_of)
        for mp in ms:
            # An M that is not in a syscall and has a P owns it.
            if mp.p is not None and not insyscall(mp) and mp.p.m is not mp:
                fail("m.p does not point back", mp, " ", mp.p)
            if mp.nextp is not None and mp.p is not None and not insyscall(mp):
                fail("M has both p and nextp", mp, " nextp=", mp.nextp)
            if insyscall(mp) and mp.mcache is not None:
                fail("M in syscall keeps an mcache", mp)
            if mp.locks != 0:
                fail("M holds runtime locks between steps", mp, " locks=", mp.locks)
        if self.sched.lock.key != 0 or self.allpLock.key != 0:
            fail("a runtime lock is held between steps")
