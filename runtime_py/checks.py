"""runtime_py/checks.py: the parts of checkinvariants that are the same for every profile.

Not Go: the model's self-check (each profile's invariants.py) is built from these rules, which
hold in every release modeled: the idle P and M lists agree with their counts, an idle P is
in exactly one place, and every goroutine is in exactly one place for its status. What a
release changes (who owns a P during a syscall, where the global queue lives, the free
lists) stays in the profile's invariants.py.
"""

from __future__ import annotations

from typing import Any, Optional

from runtime_py.throw import throw

# Goroutine statuses with the same values in every release (runtime2.go).
_Grunnable, _Grunning, _Gsyscall, _Gwaiting, _Gdead = 1, 2, 3, 4, 6
_Pidle, _Pgcstop = 0, 3
_GNAMES = {_Grunnable: "_Grunnable", _Grunning: "_Grunning", _Gsyscall: "_Gsyscall",
           _Gwaiting: "_Gwaiting", _Gdead: "_Gdead"}


def fail(what: str, *detail: object) -> None:
    """throw("checkinvariants: what") with Go's "runtime: " detail line."""
    throw("checkinvariants: " + what, "runtime: checkinvariants: ", *detail, "\n")


def runqempty(pp: Any) -> bool:
    """runqempty without announcing a call to the observer (the checker is not a Go path)."""
    return pp.runqhead == pp.runqtail and pp.runnext is None


def insyscall(mp: Any) -> bool:
    """mp's goroutine is in a system call."""
    return mp.curg is not None and mp.curg.atomicstatus == _Gsyscall


def linked(head: Any, attr: str, limit: int, what: str) -> list:
    """The list starting at head and linked through attr; throws on a cycle."""
    out = []
    seen: set[int] = set()
    x = head
    while x is not None:
        if id(x) in seen or len(out) > limit:
            fail(f"{what} has a cycle", what, " loops at ", x)
        seen.add(id(x))
        out.append(x)
        x = getattr(x, attr)
    return out


def allms(rt: Any) -> list:
    """Every M on allm."""
    return linked(rt.allm, "alllink", rt.sched.mnext, "allm")


def check_idle_lists(rt: Any, ms: list) -> tuple[list, list]:
    """sched.pidle and sched.midle agree with npidle/nmidle and hold only idle things;
    returns (pidle, midle)."""
    sched = rt.sched
    # sched.pidle: npidle == its length; each P on it _Pidle, unowned, with an empty runq.
    pidle = linked(sched.pidle, "link", len(rt.allp), "sched.pidle")
    if len(pidle) != sched.npidle:
        fail("npidle != len(pidle)", "npidle=", sched.npidle, " len=", len(pidle))
    for pp in pidle:
        if pp.status != _Pidle or pp.m is not None or not runqempty(pp):
            fail("bad P on pidle", pp, " runq empty=", runqempty(pp))
    # sched.midle: nmidle == its length; an idle M has no P, no nextp, is not spinning.
    midle = linked(sched.midle, "schedlink", len(ms), "sched.midle")
    if len(midle) != sched.nmidle:
        fail("nmidle != len(midle)", "nmidle=", sched.nmidle, " len=", len(midle))
    for mp in midle:
        if mp.p is not None or mp.nextp is not None or mp.spinning:
            fail("bad M on midle", mp, " nextp=", mp.nextp, " spinning=", mp.spinning)
    if sched.nmspinning < 0 or sched.npidle < 0 or sched.nmidle < 0:
        fail("negative count", "nmspinning=", sched.nmspinning, " npidle=",
             sched.npidle, " nmidle=", sched.nmidle)
    return pidle, midle


def check_p_place(rt: Any, pp: Any, pidle: list, nextp_of: list) -> None:
    """An idle P is on pidle exactly once, or handed to exactly one M as nextp, not both; a
    non-idle one is in neither; _Pgcstop only during a stop-the-world; sane runq bounds."""
    if pp.status == _Pidle:
        where = pidle.count(pp) + nextp_of.count(pp)
        if where != 1:
            fail("_Pidle P not in exactly one place", pp, " on pidle ", pidle.count(pp),
                 "x, nextp of ", nextp_of.count(pp), " Ms")
    elif pp in nextp_of or pp in pidle:
        fail("non-idle P on pidle or in nextp", pp)
    if pp.status == _Pgcstop and not rt.sched.gcwaiting:
        fail("_Pgcstop P without a stop-the-world", pp)
    n = pp.runqtail - pp.runqhead
    if not 0 <= n <= len(pp.runq):
        fail("bad runq bounds", pp, " head=", pp.runqhead, " tail=", pp.runqtail)


def check_g_places(rt: Any, ms: list, glob: list,
                   free: Optional[dict[int, int]] = None) -> None:
    """Every G is in exactly one place for its status: runnable on exactly one run queue
    (glob, the global queue, then each P's runnext and ring), running or in a syscall as
    exactly one M's curg, waiting or dead nowhere (and, given `free` (id(g) -> times on a
    free list), a dead G on exactly one free list)."""
    allg = {id(gp) for gp in rt.allgs}
    entries = list(glob)
    for pp in rt.allp:
        if pp.runnext is not None:
            entries.append(pp.runnext)
        for i in range(pp.runqhead, pp.runqtail):
            gp = pp.runq[i % len(pp.runq)]
            if gp is None:
                fail("nil G in runq", pp, " slot ", i)
            entries.append(gp)
    queued: dict[int, int] = {}
    for gp in entries:
        if id(gp) not in allg:
            fail("queued G not in allgs", gp)
        queued[id(gp)] = queued.get(id(gp), 0) + 1
    curg_of: dict[int, list] = {}
    for mp in ms:
        if mp.curg is not None:
            curg_of.setdefault(id(mp.curg), []).append(mp)
    for gp in rt.allgs:
        s = gp.atomicstatus
        nq = queued.get(id(gp), 0)
        on = curg_of.get(id(gp), [])
        if s == _Grunnable:
            if nq != 1 or on:
                fail("runnable G not queued exactly once", gp, " queued ", nq,
                     "x, curg of ", on)
        elif s in (_Grunning, _Gsyscall):
            if nq != 0 or len(on) != 1 or gp.m is not on[0]:
                fail(f"{_GNAMES[s]} G not on exactly one M", gp, " queued ", nq,
                     "x, curg of ", on, ", gp.m=", gp.m)
            if s == _Grunning and (on[0].p is None or on[0].p.m is not on[0]):
                fail("running G's M has no P", gp, " on ", on[0])
        elif s in (_Gwaiting, _Gdead):
            if nq != 0 or on or gp.m is not None:
                fail(f"{_GNAMES[s]} G still queued or on an M", gp, " queued ", nq,
                     "x, curg of ", on)
            if s == _Gdead and free is not None and free.get(id(gp), 0) != 1:
                fail("dead G not on exactly one free list", gp, " on ", free.get(id(gp), 0))
        else:
            fail("G in a transient status between steps", gp)
    for key, on in curg_of.items():
        if key not in allg:
            fail("m.curg not in allgs", on[0], " curg=", on[0].curg)
