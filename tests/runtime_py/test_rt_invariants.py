"""checkinvariants catches each kind of broken scheduler state."""

from __future__ import annotations

import pytest

from rt_helpers import PC, boot, go, sp_of
from runtime_py import Throw
from runtime_py.go1_10 import _Gwaiting, _Prunning


def _world():
    rt, fos, g1 = boot(gomaxprocs=2)
    g2 = go(rt, fos)  # runnable in p0.runnext; wakep made m1 for p1 (not started)
    rt.checkinvariants()
    return rt, fos, g1, g2


def _breaks(rt, what: str) -> None:
    with pytest.raises(Throw) as ei:
        rt.checkinvariants()
    assert ei.value.msg == "checkinvariants: " + what, ei.value
    assert ei.value.detail.startswith("runtime: checkinvariants: ")


def test_a_healthy_world_passes():
    rt, fos, g1, g2 = _world()
    rt.entersyscall(PC, sp_of(g1))
    rt.checkinvariants()


def test_p_owned_by_two_ms():
    rt, fos, g1, g2 = _world()
    m1 = rt.allm
    m1.nextp = None
    m1.p = rt.allp[0]
    _breaks(rt, "P owned by more than one M")


def test_running_p_without_its_m():
    rt, fos, g1, g2 = _world()
    rt.allp[0].m = None
    _breaks(rt, "_Prunning P without its M")


def test_idle_p_in_two_places():
    rt, fos, g1, g2 = _world()
    p1 = rt.allp[1]
    rt.lock(rt.sched.lock)
    rt.pidleput(p1)  # p1 is already m1's nextp
    rt.unlock(rt.sched.lock)
    _breaks(rt, "_Pidle P not in exactly one place")


def test_npidle_count():
    rt, fos, g1, g2 = _world()
    rt.sched.npidle += 1
    _breaks(rt, "npidle != len(pidle)")


def test_busy_p_on_the_idle_list():
    rt, fos, g1 = boot(gomaxprocs=2)
    rt.allp[1].status = _Prunning
    _breaks(rt, "bad P on pidle")


def test_nmidle_count():
    rt, fos, g1, g2 = _world()
    rt.sched.nmidle = 1
    _breaks(rt, "nmidle != len(midle)")


def test_runqsize_count():
    rt, fos, g1, g2 = _world()
    rt.sched.runqsize = 3
    _breaks(rt, "runqsize != len(global runq)")


def test_runnable_g_queued_twice():
    rt, fos, g1, g2 = _world()
    rt.lock(rt.sched.lock)
    rt.globrunqput(g2)  # also in p0.runnext
    rt.unlock(rt.sched.lock)
    _breaks(rt, "runnable G not queued exactly once")


def test_runnable_g_lost():
    rt, fos, g1, g2 = _world()
    rt.allp[0].runnext = None
    _breaks(rt, "runnable G not queued exactly once")


def test_running_g_not_on_its_m():
    rt, fos, g1, g2 = _world()
    rt.m0.curg = None
    _breaks(rt, "_Grunning G not on exactly one M")


def test_waiting_g_still_queued():
    rt, fos, g1, g2 = _world()
    g2.atomicstatus = _Gwaiting
    _breaks(rt, "_Gwaiting G still queued or on an M")


def test_syscall_p_without_its_m():
    rt, fos, g1, g2 = _world()
    rt.entersyscall(PC, sp_of(g1))
    rt.m0.syscalltick += 1
    _breaks(rt, "_Psyscall P without exactly one M in its syscall")


def test_lock_held_between_steps():
    rt, fos, g1, g2 = _world()
    fos.setg(rt.m0.g0)
    rt.lock(rt.sched.lock)
    rt.m0.locks = 0
    _breaks(rt, "a runtime lock is held between steps")


def test_m_holding_locks_between_steps():
    rt, fos, g1, g2 = _world()
    rt.m0.locks = 1
    _breaks(rt, "M holds runtime locks between steps")


def test_global_queue_cycle():
    rt, fos, g1, g2 = _world()
    rt.allp[0].runnext = None
    rt.lock(rt.sched.lock)
    rt.globrunqput(g2)
    rt.unlock(rt.sched.lock)
    g2.schedlink = g2
    _breaks(rt, "sched.runq has a cycle")
