"""go1.22 checkinvariants catches each kind of broken scheduler state.

Each case breaks one rule in a healthy world (GOMAXPROCS=2, g1 running on m0/p0, g2 in
p0's runnext, m1 created for p1 but not started; `sys` cases first put g1 in a syscall) and
names the message checkinvariants must throw.
"""

from __future__ import annotations

import pytest

from rt22 import P, PC, boot, go, sp_of
from runtime_py import Throw


def _requeue_global(rt, g2):
    rt.allp[0].runnext = None
    rt.lock(rt.sched.lock)
    rt.globrunqput(g2)
    rt.unlock(rt.sched.lock)


def _keep_m_p(rt, g2):  # as go1.10 did: the M keeps its P during the syscall
    p0 = rt.allp[0]
    p0.status, p0.m, rt.m0.p = P._Prunning, rt.m0, p0


def _hold_lock(rt, g2):
    rt.os.setg(rt.m0.g0)
    rt.lock(rt.sched.sysmonlock)
    rt.m0.locks = 0


def _dead_unfreed(rt, g2):
    rt.allp[0].runnext = None
    g2.atomicstatus = P._Gdead


def _cycle(rt, g2):
    _requeue_global(rt, g2)
    g2.schedlink = g2


def _two_owners(rt, g2):
    rt.allm.nextp, rt.allm.p = None, rt.allp[0]


def _stale(rt, g2):
    rt.allp[0].m, rt.allp[0].status = None, P._Pidle


def _idle_twice(rt, g2):
    rt.lock(rt.sched.lock)
    rt.pidleput(rt.allp[1], 0)  # p1 is already m1's nextp
    rt.unlock(rt.sched.lock)


CASES = [
    # (sys, break, message)
    (True, _keep_m_p, "M in a syscall holds a P"),
    (False, lambda rt, g2: setattr(rt.m0, "oldp", rt.allp[1]), "m.oldp set outside a syscall"),
    (True, lambda rt, g2: setattr(rt.m0, "syscalltick", 5),
     "_Psyscall P without exactly one M in its syscall"),
    (False, _stale, "M holds a P that is not _Prunning"),
    (False, lambda rt, g2: rt.idlepMask.set(0), "idlepMask disagrees with sched.pidle"),
    (False, _two_owners, "P owned by more than one M"),
    (False, lambda rt, g2: setattr(rt.allp[0], "m", None), "_Prunning P without its M"),
    (False, _idle_twice, "_Pidle P not in exactly one place"),
    (False, lambda rt, g2: setattr(rt.sched, "npidle", 3), "npidle != len(pidle)"),
    (False, lambda rt, g2: setattr(rt.sched, "nmidle", 1), "nmidle != len(midle)"),
    (False, lambda rt, g2: setattr(rt.sched, "runqsize", 3), "runqsize != len(global runq)"),
    (False, lambda rt, g2: (_requeue_global(rt, g2), setattr(rt.sched.runq, "tail", None)),
     "sched.runq.tail is not the last G"),
    (False, lambda rt, g2: rt.globrunqput(g2), "runnable G not queued exactly once"),
    (False, lambda rt, g2: setattr(rt.m0, "curg", None), "_Grunning G not on exactly one M"),
    (False, lambda rt, g2: setattr(g2, "atomicstatus", P._Gwaiting),
     "_Gwaiting G still queued or on an M"),
    (False, _dead_unfreed, "dead G not on exactly one free list"),
    (False, lambda rt, g2: setattr(rt.allp[0].gFree, "n", 1), "p0.gFree.n != its length"),
    (False, _hold_lock, "a runtime lock is held between steps"),
    (False, lambda rt, g2: setattr(rt.m0, "locks", 1), "M holds runtime locks between steps"),
    (False, _cycle, "sched.runq has a cycle"),
]


@pytest.mark.parametrize("sys,breaker,what", CASES, ids=[c[2] for c in CASES])
def test_checkinvariants_catches(sys, breaker, what):
    rt, fos, g1 = boot(gomaxprocs=2)
    g2 = go(rt, fos)
    if sys:
        rt.entersyscall(PC, sp_of(g1))
    rt.checkinvariants()  # healthy
    breaker(rt, g2)
    with pytest.raises(Throw) as ei:
        rt.checkinvariants()
    assert ei.value.msg == "checkinvariants: " + what, ei.value
    assert ei.value.detail.startswith("runtime: checkinvariants: ")
