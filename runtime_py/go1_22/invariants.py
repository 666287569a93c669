"""runtime_py/go1_22/invariants.py: checkinvariants — not a Go function; the model's self-check.

Call it when no thread is inside the runtime (between steps of a simulation): every M is then
running a goroutine, in a syscall, parked on a note, sleeping, or not started yet. It throws
"checkinvariants: ..." with the details on the first broken rule. The rules every release
shares are in runtime_py/checks.py.

go1.22's own rules follow from the syscall path it has had since go1.12: an M in a syscall
holds no P (m.p is nil, the P it gave up is m.oldp and p.m is nil), so m.p is never stale: a
non-nil m.p is always a _Prunning P wired back to it. A _Psyscall P is the m.oldp of exactly
one M whose syscall is still the one that gave it up (same syscalltick); other Ms may still
name it in m.oldp after sysmon retook it. idlepMask has exactly the bits of sched.pidle; the
global queue is the gQueue sched.runq; each dead G is on exactly one free list.
"""

from __future__ import annotations

from runtime_py.checks import (
    allms, check_g_places, check_idle_lists, check_p_place, fail, insyscall, linked,
)
from runtime_py.go1_22.runtime2 import _Gdead, _Prunning, _Psyscall


class Invariants:
    """Mixin of Runtime: the invariant checker."""

    def checkinvariants(self) -> None:
        """Not in Go: check the scheduler's structural invariants (see each rule below)."""
        ms = allms(self)
        pidle, _ = check_idle_lists(self, ms)
        for pp in self.allp:
            if self.idlepMask.read(pp.id) != (pp in pidle):
                fail("idlepMask disagrees with sched.pidle", pp, " bit=",
                     self.idlepMask.read(pp.id))
        sched = self.sched
        if (sched.lock.key != 0 or self.allpLock.key != 0 or sched.sysmonlock.key != 0
                or self.allglock.key != 0 or sched.gFree.lock.key != 0):
            fail("a runtime lock is held between steps")
        self._check_ps(ms, pidle)
        self._check_ms(ms)
        glob = linked(sched.runq.head, "schedlink", len(self.allgs), "sched.runq")
        if len(glob) != sched.runqsize:
            fail("runqsize != len(global runq)", "runqsize=", sched.runqsize,
                 " len=", len(glob))
        if (glob[-1] if glob else None) is not sched.runq.tail:
            fail("sched.runq.tail is not the last G", sched.runq.tail)
        check_g_places(self, ms, glob, self._free_gs())

    def _check_ps(self, ms: list, pidle: list) -> None:
        nextp_of = [mp.nextp for mp in ms if mp.nextp is not None]
        for pp in self.allp:
            owners = [mp for mp in ms if mp.p is pp]
            if pp.status == _Prunning:
                # A P is owned by exactly one M: p.m <-> m.p agree.
                if pp.m is None or pp.m.p is not pp or pp.m not in ms:
                    fail("_Prunning P without its M", pp, " p.m=", pp.m)
                if owners != [pp.m]:
                    fail("P owned by more than one M", pp, " owners=", owners)
            elif pp.m is not None:
                fail("p.m set but P not _Prunning", pp)
            elif owners:
                fail("M holds a P that is not _Prunning", pp, " owners=", owners)
            # _Psyscall: the oldp of exactly one M still in the syscall that gave it up.
            if pp.status == _Psyscall:
                sys = [mp for mp in ms if mp.oldp is pp and insyscall(mp)
                       and mp.syscalltick == pp.syscalltick]
                if len(sys) != 1:
                    fail("_Psyscall P without exactly one M in its syscall", pp, " ms=", sys)
            check_p_place(self, pp, pidle, nextp_of)

    def _check_ms(self, ms: list) -> None:
        # (_check_ps has checked that a non-nil m.p is a _Prunning P wired back to it: m.p
        # is never stale since go1.12.)
        for mp in ms:
            if insyscall(mp) and mp.p is not None:
                fail("M in a syscall holds a P", mp, " p=", mp.p)
            if mp.oldp is not None and not insyscall(mp):
                fail("m.oldp set outside a syscall", mp, " oldp=", mp.oldp)
            if mp.nextp is not None and mp.p is not None:
                fail("M has both p and nextp", mp, " nextp=", mp.nextp)
            if mp.locks != 0:
                fail("M holds runtime locks between steps", mp, " locks=", mp.locks)

    def _free_gs(self) -> dict[int, int]:
        """id(g) -> how many free lists (p.gFree, sched.gFree) hold it; checks their counts."""
        free: dict[int, int] = {}
        gf = self.sched.gFree
        lists = [([pp.gFree], pp.gFree.n, f"p{pp.id}.gFree") for pp in self.allp]
        lists.append(([gf.stack, gf.noStack], gf.n, "sched.gFree"))
        for heads, n, what in lists:
            on = [gp for lst in heads
                  for gp in linked(lst.head, "schedlink", len(self.allgs), what)]
            if len(on) != n:
                fail(f"{what}.n != its length", "n=", n, " len=", len(on))
            for gp in on:
                if gp.atomicstatus != _Gdead:
                    fail("free G not _Gdead", gp, " on ", what)
                free[id(gp)] = free.get(id(gp), 0) + 1
        return free
