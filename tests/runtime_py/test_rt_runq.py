"""go1.10 run queues: the 256-slot ring, runnext, overflow to the global queue, stealing."""

from __future__ import annotations

import pytest

from rt_helpers import boot
from runtime_py import Throw
from runtime_py.go1_10 import g


def _gs(n: int, start: int = 100) -> list[g]:
    return [g(goid=start + i) for i in range(n)]


def test_ring_is_fifo():
    rt, fos, g1 = boot()
    p0 = rt.allp[0]
    a, b, c = _gs(3)
    for x in (a, b, c):
        rt.runqput(p0, x, False)
    assert not rt.runqempty(p0)
    assert [rt.runqget(p0) for _ in range(4)] == [(a, False), (b, False), (c, False),
                                                  (None, False)]
    assert rt.runqempty(p0)


def test_runnext_runs_first_and_inherits_the_time_slice():
    rt, fos, g1 = boot()
    p0 = rt.allp[0]
    a, b, c = _gs(3)
    rt.runqput(p0, a, False)
    rt.runqput(p0, b, True)
    rt.runqput(p0, c, True)  # kicks b out of runnext to the tail
    assert p0.runnext is c
    assert [rt.runqget(p0) for _ in range(3)] == [(c, True), (a, False), (b, False)]


def test_runqempty_sees_runnext():
    rt, fos, g1 = boot()
    p0 = rt.allp[0]
    (a,) = _gs(1)
    rt.runqput(p0, a, True)
    assert p0.runqhead == p0.runqtail and not rt.runqempty(p0)


def test_full_ring_moves_half_to_the_global_queue():
    rt, fos, g1 = boot()
    p0 = rt.allp[0]
    gs = _gs(257)
    for x in gs[:256]:
        rt.runqput(p0, x, False)
    assert p0.runqtail - p0.runqhead == 256 and rt.sched.runqsize == 0
    rt.runqput(p0, gs[256], False)  # runqputslow: 128 oldest + the new one
    assert p0.runqtail - p0.runqhead == 128
    assert rt.sched.runqsize == 129
    glob, x = [], rt.sched.runqhead
    while x is not None:
        glob.append(x)
        x = x.schedlink
    assert glob == gs[:128] + [gs[256]] and rt.sched.runqtail is gs[256]
    assert [rt.runqget(p0)[0] for _ in range(128)] == gs[128:256]
    assert rt.m0.locks == 0


def test_runqputslow_requires_a_full_ring():
    rt, fos, g1 = boot()
    p0 = rt.allp[0]
    with pytest.raises(Throw, match="runqputslow: queue is not full"):
        rt.runqputslow(p0, g(), 0, 3)


def test_ring_wraps():
    rt, fos, g1 = boot()
    p0 = rt.allp[0]
    for r in range(3):  # head and tail run past 256: slots are reused modulo 256
        gs = _gs(200, start=1000 * (r + 1))
        for x in gs:
            rt.runqput(p0, x, False)
        assert [rt.runqget(p0)[0] for _ in range(200)] == gs
    assert p0.runqhead == p0.runqtail == 600 and rt.sched.runqsize == 0


def test_globrunqget_takes_a_fair_batch():
    rt, fos, g1 = boot(gomaxprocs=4)
    p0 = rt.allp[0]
    gs = _gs(10)
    rt.lock(rt.sched.lock)
    for x in gs:
        rt.globrunqput(x)
    got = rt.globrunqget(p0, 0)  # n = 10/4 + 1 = 3: one returned, two to the local runq
    rt.unlock(rt.sched.lock)
    assert got is gs[0] and rt.sched.runqsize == 7 and rt.sched.runqhead is gs[3]
    assert [rt.runqget(p0)[0] for _ in range(2)] == gs[1:3]
    rt.lock(rt.sched.lock)
    assert rt.globrunqget(p0, 1) is gs[3] and rt.runqempty(p0)  # max 1
    rt.unlock(rt.sched.lock)


def test_globrunqget_empty_queue():
    rt, fos, g1 = boot()
    assert rt.globrunqget(rt.allp[0], 0) is None


def test_runqsteal_takes_half():
    rt, fos, g1 = boot(gomaxprocs=2)
    p0, p1 = rt.allp
    gs = _gs(5)
    for x in gs:
        rt.runqput(p1, x, False)
    got = rt.runqsteal(p0, p1, False)  # grabs 3 (n - n/2): returns the last, keeps 2
    assert got is gs[2]
    assert [rt.runqget(p0)[0] for _ in range(3)] == [gs[0], gs[1], None]
    assert [rt.runqget(p1)[0] for _ in range(3)] == [gs[3], gs[4], None]


def test_runqsteal_takes_runnext_only_when_asked():
    rt, fos, g1 = boot(gomaxprocs=2)
    p0, p1 = rt.allp
    (a,) = _gs(1)
    rt.runqput(p1, a, True)
    assert rt.runqsteal(p0, p1, False) is None
    assert rt.runqsteal(p0, p1, True) is a and p1.runnext is None
    assert fos.of("usleep") == []  # p1 is idle: no need to give it a chance first


def test_stealing_runnext_from_a_running_p_waits_3us():
    rt, fos, g1 = boot(gomaxprocs=2)
    p0, p1 = rt.allp
    (a,) = _gs(1)
    rt.runqput(p0, a, True)  # p0 is _Prunning (g1)
    assert rt.runqsteal(p1, p0, True) is a
    assert fos.of("usleep") == [("usleep", 3)]
