"""runtime_py/go1_27/invariants.py: checkinvariants — not a Go function; the model's self-check.

Call it between steps of a simulation: every thread is then running guest code, in a
syscall, parked or sleeping in the OS, or paused inside the runtime at one of its OS calls
(an M may be paused while it holds a goroutine's _Gscan bit: OS.parallel in
setBlockOnExitSyscall; or while it waits for one: procyield/osyield in casgstatus). It throws
"checkinvariants: ..." with the details on the first broken rule.

The go1.27 rules that go1.10 did not have: a P in a syscall is _Prunning and wired (m.p,
p.m) with m.oldp == m.p; a _Gscan bit is held only on a _Gsyscall goroutine whose P is still
wired, by another M that setBlockOnExitSyscall recorded in rt.scanheld; sched.nGsyscallNoP
counts exactly the goroutines that are in a syscall (or in exitsyscall/entersyscallblock's
_Grunning window) without a P; idlepMask is the set of idle Ps.
"""

from __future__ import annotations

from runtime_py.go1_27.lock_spinbit import mutexMLocksDelta
from runtime_py.go1_27.runtime2 import (
    _Gdead, _Grunnable, _Grunning, _Gscan, _Gsyscall, _Gwaiting, _Pgcstop, _Pidle, _Prunning,
    g, gstatusname, m,
)
from runtime_py.throw import throw


def _fail(what: str, *detail: object) -> None:
    throw("checkinvariants: " + what, "runtime: checkinvariants: ", *detail, "\n")


def _runqempty(pp) -> bool:
    """runqempty without announcing a call to the observer (the checker is not a Go path)."""
    return pp.runqhead == pp.runqtail and pp.runnext is None


def _walk(head, step, limit: int, what: str) -> list:
    """The objects of a linked list from head, following step(x); throws on a cycle."""
    out, seen, x = [], set(), head
    while x is not None:
        if id(x) in seen or len(out) > limit:
            _fail(f"{what} has a cycle", what, " loops at ", x)
        seen.add(id(x))
        out.append(x)
        x = step(x)
    return out


def _insyscall(mp: m) -> bool:
    return mp.curg is not None and mp.curg.atomicstatus & ~_Gscan == _Gsyscall


class Invariants:
    """Mixin of Runtime: the invariant checker."""

    def _allms(self) -> list[m]:
        return _walk(self.allm, lambda x: x.alllink, self.sched.mnext, "allm")

    def checkinvariants(self) -> None:
        """Not in Go: check the scheduler's structural invariants (see each rule below)."""
        ms = self._allms()
        self._check_idle_lists(ms)
        self._check_ps(ms)
        self._check_ms(ms)
        self._check_gs(ms)

    def _check_idle_lists(self, ms: list[m]) -> None:
        sched = self.sched
        # sched.pidle: npidle == its length; each P on it _Pidle, unowned, runq empty; the
        # idlepMask is exactly the set of their ids.
        pidle = _walk(sched.pidle, lambda x: x.link, len(self.allp), "sched.pidle")
        if len(pidle) != sched.npidle:
            _fail("npidle != len(pidle)", "npidle=", sched.npidle, " len=", len(pidle))
        for pp in pidle:
            if pp.status != _Pidle or pp.m is not None or not _runqempty(pp):
                _fail("bad P on pidle", pp, " runq empty=", _runqempty(pp))
        if self.idlepMask != {pp.id for pp in pidle}:
            _fail("idlepMask is not the set of idle Ps", sorted(self.idlepMask))
        # sched.midle (linked by m.idleNode): nmidle == its length, prev links agree; an
        # idle M has no P, no nextp, is not spinning and holds no locks.
        midle = _walk(sched.midle, lambda x: x.idleNode.next, len(ms), "sched.midle")
        if len(midle) != sched.nmidle:
            _fail("nmidle != len(midle)", "nmidle=", sched.nmidle, " len=", len(midle))
        for i, mp in enumerate(midle):
            if mp.idleNode.prev is not (midle[i - 1] if i else None):
                _fail("bad idleNode.prev on midle", mp)
            if mp.p is not None or mp.nextp is not None or mp.spinning or mp.locks != 0:
                _fail("bad M on midle", mp, " nextp=", mp.nextp, " spinning=", mp.spinning,
                      " locks=", mp.locks)
        for name in ("nmspinning", "npidle", "nmidle", "nGsyscallNoP"):
            if getattr(sched, name) < 0:
                _fail("negative count", name, "=", getattr(sched, name))
        if sched.lock.key != 0 or self.allpLock.key != 0:
            _fail("sched.lock or allpLock held between steps")

    def _check_ps(self, ms: list[m]) -> None:
        pidle = _walk(self.sched.pidle, lambda x: x.link, len(self.allp), "sched.pidle")
        nextp_of = [mp.nextp for mp in ms if mp.nextp is not None]
        for pp in self.allp:
            owners = [mp for mp in ms if mp.p is pp]
            if pp.status == _Prunning:
                # Wired to exactly one M, both ways — also while that M's g is in a syscall.
                if pp.m is None or pp.m not in ms or owners != [pp.m]:
                    _fail("_Prunning P not wired to exactly one M", pp, " p.m=", pp.m,
                          " owners=", owners)
            elif pp.m is not None or owners:
                _fail("P wired but not _Prunning", pp, " owners=", owners)
            # _Pidle: on pidle exactly once, or handed to exactly one M as nextp, not both.
            if pp.status == _Pidle:
                where = pidle.count(pp) + nextp_of.count(pp)
                if where != 1:
                    _fail("_Pidle P not in exactly one place", pp, " on pidle ",
                          pidle.count(pp), "x, nextp of ", nextp_of.count(pp), " Ms")
            elif pp in nextp_of or pp in pidle:
                _fail("non-idle P on pidle or in nextp", pp)
            elif pp.status != _Prunning and not (pp.status == _Pgcstop and self.sched.gcwaiting):
                _fail("P in a status it cannot have here", pp)
            n = pp.runqtail - pp.runqhead
            if not 0 <= n <= len(pp.runq):
                _fail("bad runq bounds", pp, " head=", pp.runqhead, " tail=", pp.runqtail)

    def _check_ms(self, ms: list[m]) -> None:
        holders = set(id(mp) for mp in self.scanheld.values())
        for mp in ms:
            if mp.nextp is not None and mp.p is not None:
                _fail("M has both p and nextp", mp, " nextp=", mp.nextp)
            # m.oldp is set by entersyscall and cleared by exitsyscall: only an M whose
            # goroutine is in a syscall has it, and while it keeps its P, oldp is that P.
            if mp.oldp is not None and not _insyscall(mp):
                _fail("m.oldp set but curg not in a syscall", mp, " oldp=", mp.oldp)
            if _insyscall(mp) and mp.p is not None and mp.oldp is not mp.p:
                _fail("M in a syscall keeps a P that is not its oldp", mp, " oldp=", mp.oldp)
            # Holding a _Gscan bit counts as a runtime lock (acquireLockRankAndM).
            if id(mp) in holders and mp.locks < 1 + mutexMLocksDelta:
                _fail("M holds a scan bit without its lock count", mp, " locks=", mp.locks)

    def _check_gs(self, ms: list[m]) -> None:
        allg = {id(gp) for gp in self.allgs}
        glob = _walk(self.sched.runq.head, lambda x: x.schedlink, len(self.allgs),
                     "sched.runq")
        if len(glob) != self.sched.runq.size:
            _fail("runq.size != len(global runq)", "size=", self.sched.runq.size,
                  " len=", len(glob))
        if (glob[-1] if glob else None) is not self.sched.runq.tail:
            _fail("sched.runq.tail is not the last G", self.sched.runq.tail)
        entries: list[g] = list(glob)
        for pp in self.allp:
            if pp.runnext is not None:
                entries.append(pp.runnext)
            for i in range(pp.runqhead, pp.runqtail):
                gp = pp.runq[i % len(pp.runq)]
                if gp is None:
                    _fail("nil G in runq", pp, " slot ", i)
                entries.append(gp)
        queued: dict[int, int] = {}
        for gp in entries:
            if id(gp) not in allg:
                _fail("queued G not in allgs", gp)
            queued[id(gp)] = queued.get(id(gp), 0) + 1
        curg_of: dict[int, list[m]] = {}
        for mp in ms:
            if mp.curg is not None:
                if id(mp.curg) not in allg:
                    _fail("m.curg not in allgs", mp, " curg=", mp.curg)
                curg_of.setdefault(id(mp.curg), []).append(mp)
        nop = 0
        for gp in self.allgs:
            s = gp.atomicstatus
            nq = queued.get(id(gp), 0)
            on = curg_of.get(id(gp), [])
            if s & _Gscan:
                self._check_scan(gp)
            base = s & ~_Gscan
            if base == _Grunnable and not s & _Gscan:
                if nq != 1 or on:
                    _fail("runnable G not queued exactly once", gp, " queued ", nq,
                          "x, curg of ", on)
            elif base in (_Grunning, _Gsyscall):
                if nq != 0 or len(on) != 1 or gp.m is not on[0]:
                    _fail(f"{gstatusname(s)} G not on exactly one M", gp, " queued ", nq,
                          "x, curg of ", on, ", gp.m=", gp.m)
                if gp.m.p is None:
                    nop += 1
            elif s in (_Gwaiting, _Gdead):
                if nq != 0 or on or gp.m is not None:
                    _fail(f"{gstatusname(s)} G still queued or on an M", gp, " queued ", nq,
                          "x, curg of ", on)
            else:
                _fail("G in a transient status between steps", gp)
        # Every goroutine in a syscall without a P is counted — and every running one
        # without a P is in entersyscallblock's or exitsyscall's window, counted too.
        if nop != self.sched.nGsyscallNoP:
            _fail("nGsyscallNoP != goroutines in a syscall without a P",
                  "nGsyscallNoP=", self.sched.nGsyscallNoP, " counted=", nop)
        for gp in self.scanheld:
            if not gp.atomicstatus & _Gscan:
                _fail("scanheld records a G without its scan bit", gp)

    def _check_scan(self, gp: g) -> None:
        """A _Gscan bit is held only by setBlockOnExitSyscall's winner, on a goroutine in a
        syscall whose P is still wired (the holder has not taken it yet: takeP and resume
        run without a pause between them)."""
        holder = self.scanheld.get(gp)
        if gp.atomicstatus != _Gscan | _Gsyscall or holder is None:
            _fail("scan bit held outside setBlockOnExitSyscall", gp, " holder=", holder)
        if holder is gp.m:
            _fail("an M holds the scan bit of its own goroutine", gp)
        mp = gp.m
        if mp is None or mp.p is None or mp.p.m is not mp or mp.p.status != _Prunning:
            _fail("scan bit held on a G whose P is not wired", gp, " m=", mp)
