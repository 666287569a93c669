"""runtime_py/go1_10/invariants.py: checkinvariants — not a Go function; the model's self-check.

Call it when no thread is inside the runtime (between steps of a simulation): every M is then
running a goroutine, in a syscall, parked on a note, sleeping, or not started yet. It throws
"checkinvariants: ..." with the details on the first broken rule.
"""

from __future__ import annotations

from runtime_py.go1_10.runtime2 import (
    _Gdead, _Grunnable, _Grunning, _Gsyscall, _Gwaiting, _Pgcstop, _Pidle, _Prunning,
    _Psyscall, g, gstatusname, m,
)
from runtime_py.throw import throw


def _fail(what: str, *detail: object) -> None:
    throw("checkinvariants: " + what, "runtime: checkinvariants: ", *detail, "\n")


def _runqempty(pp) -> bool:
    """runqempty without announcing a call to the observer (the checker is not a Go path)."""
    return pp.runqhead == pp.runqtail and pp.runnext is None


class Invariants:
    """Mixin of Runtime: the invariant checker."""

    def _allms(self) -> list[m]:
        ms: list[m] = []
        mp = self.allm
        while mp is not None:
            if len(ms) > self.sched.mnext:
                _fail("allm list has a cycle")
            ms.append(mp)
            mp = mp.alllink
        return ms

    def _linked(self, head, attr: str, limit: int, what: str) -> list:
        out = []
        seen: set[int] = set()
        x = head
        while x is not None:
            if id(x) in seen or len(out) > limit:
                _fail(f"{what} has a cycle", what, " loops at ", x)
            seen.add(id(x))
            out.append(x)
            x = getattr(x, attr)
        return out

    def checkinvariants(self) -> None:
        """Not in Go: check the scheduler's structural invariants (see each rule below)."""
        self._check_ps_and_ms()
        self._check_gs()

    def _check_ps_and_ms(self) -> None:
        ms = self._allms()
        sched = self.sched
        # sched.pidle: npidle == its length; each P on it _Pidle, unowned, with an empty runq.
        pidle = self._linked(sched.pidle, "link", len(self.allp), "sched.pidle")
        if len(pidle) != sched.npidle:
            _fail("npidle != len(pidle)", "npidle=", sched.npidle, " len=", len(pidle))
        for pp in pidle:
            if pp.status != _Pidle or pp.m is not None or not _runqempty(pp):
                _fail("bad P on pidle", pp, " runq empty=", _runqempty(pp))
        # sched.midle: nmidle == its length; an idle M has no P, no nextp, is not spinning.
        midle = self._linked(sched.midle, "schedlink", len(ms), "sched.midle")
        if len(midle) != sched.nmidle:
            _fail("nmidle != len(midle)", "nmidle=", sched.nmidle, " len=", len(midle))
        for mp in midle:
            if mp.p is not None or mp.nextp is not None or mp.spinning:
                _fail("bad M on midle", mp, " nextp=", mp.nextp, " spinning=", mp.spinning)
        if sched.nmspinning < 0 or sched.npidle < 0 or sched.nmidle < 0:
            _fail("negative count", "nmspinning=", sched.nmspinning, " npidle=",
                  sched.npidle, " nmidle=", sched.nmidle)

        def insyscall(mp: m) -> bool:
            return mp.curg is not None and mp.curg.atomicstatus == _Gsyscall

        nextp_of = [mp.nextp for mp in ms if mp.nextp is not None]
        for pp in self.allp:
            # A P is owned by at most one M: p.m <-> m.p agree for _Prunning.
            owners = [mp for mp in ms if mp.p is pp and not insyscall(mp)]
            if pp.status == _Prunning:
                if pp.m is None or pp.m.p is not pp or pp.m not in ms:
                    _fail("_Prunning P without its M", pp, " p.m=", pp.m)
                if owners != [pp.m]:
                    _fail("P owned by more than one M", pp, " owners=", owners)
                if pp.m.mcache is not pp.mcache:
                    _fail("M running a P without its mcache", pp.m, " ", pp)
            elif pp.m is not None:
                _fail("p.m set but P not _Prunning", pp)
            elif owners:
                _fail("M holds a P that is not _Prunning", pp, " owners=", owners)
            # _Psyscall: exactly one M is in the syscall that started it.
            if pp.status == _Psyscall:
                sys = [mp for mp in ms
                       if mp.p is pp and insyscall(mp) and mp.syscalltick == pp.syscalltick]
                if len(sys) != 1:
                    _fail("_Psyscall P without exactly one M in its syscall", pp, " ms=", sys)
            # _Pidle: on pidle exactly once, or handed to exactly one M as nextp, not both.
            if pp.status == _Pidle:
                where = pidle.count(pp) + nextp_of.count(pp)
                if where != 1:
                    _fail("_Pidle P not in exactly one place", pp, " on pidle ",
                          pidle.count(pp), "x, nextp of ", nextp_of.count(pp), " Ms")
            elif pp in nextp_of or pp in pidle:
                _fail("non-idle P on pidle or in nextp", pp)
            if pp.status == _Pgcstop and sched.gcwaiting == 0:
                _fail("_Pgcstop P without a stop-the-world", pp)
            n = pp.runqtail - pp.runqhead
            if not 0 <= n <= len(pp.runq):
                _fail("bad runq bounds", pp, " head=", pp.runqhead, " tail=", pp.runqtail)
        for mp in ms:
            # An M that is not in a syscall and has a P owns it.
            if mp.p is not None and not insyscall(mp) and mp.p.m is not mp:
                _fail("m.p does not point back", mp, " ", mp.p)
            if mp.nextp is not None and mp.p is not None and not insyscall(mp):
                _fail("M has both p and nextp", mp, " nextp=", mp.nextp)
            if insyscall(mp) and mp.mcache is not None:
                _fail("M in syscall keeps an mcache", mp)
            if mp.locks != 0:
                _fail("M holds runtime locks between steps", mp, " locks=", mp.locks)
        if self.sched.lock.key != 0 or self.allpLock.key != 0:
            _fail("a runtime lock is held between steps")

    def _check_gs(self) -> None:
        ms = self._allms()
        allg = {id(gp) for gp in self.allgs}
        # Where each G is queued: global runq, then each P's runnext and ring.
        queued: dict[int, int] = {}
        glob = self._linked(self.sched.runqhead, "schedlink", len(self.allgs),
                            "sched.runq")
        if len(glob) != self.sched.runqsize:
            _fail("runqsize != len(global runq)", "runqsize=", self.sched.runqsize,
                  " len=", len(glob))
        if (glob[-1] if glob else None) is not self.sched.runqtail:
            _fail("sched.runqtail is not the last G", self.sched.runqtail)
        entries: list[g] = list(glob)
        for pp in self.allp:
            if pp.runnext is not None:
                entries.append(pp.runnext)
            for i in range(pp.runqhead, pp.runqtail):
                gp = pp.runq[i % len(pp.runq)]
                if gp is None:
                    _fail("nil G in runq", pp, " slot ", i)
                entries.append(gp)
        for gp in entries:
            if id(gp) not in allg:
                _fail("queued G not in allgs", gp)
            queued[id(gp)] = queued.get(id(gp), 0) + 1
        curg_of: dict[int, list[m]] = {}
        for mp in ms:
            if mp.curg is not None:
                curg_of.setdefault(id(mp.curg), []).append(mp)
        # Every G is in exactly one place.
        for gp in self.allgs:
            s = gp.atomicstatus
            nq = queued.get(id(gp), 0)
            on = curg_of.get(id(gp), [])
            if s == _Grunnable:
                if nq != 1 or on:
                    _fail("runnable G not queued exactly once", gp, " queued ", nq,
                          "x, curg of ", on)
            elif s in (_Grunning, _Gsyscall):
                if nq != 0 or len(on) != 1 or gp.m is not on[0]:
                    _fail(f"{gstatusname(s)} G not on exactly one M", gp, " queued ", nq,
                          "x, curg of ", on, ", gp.m=", gp.m)
                if s == _Grunning and (on[0].p is None or on[0].p.m is not on[0]):
                    _fail("running G's M has no P", gp, " on ", on[0])
            elif s in (_Gwaiting, _Gdead):
                if nq != 0 or on or gp.m is not None:
                    _fail(f"{gstatusname(s)} G still queued or on an M", gp, " queued ", nq,
                          "x, curg of ", on)
            else:
                _fail("G in a transient status between steps", gp)
        for key, on in curg_of.items():
            if key not in allg:
                _fail("m.curg not in allgs", on[0], " curg=", on[0].curg)

