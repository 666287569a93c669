"""go1.10 exitsyscall: the fast path (same P, or an idle P) and the slow path (exitsyscall0)."""

from __future__ import annotations

import pytest

from rt_fakeos import Blocked, Gogo
from rt_helpers import (
    PC, boot, go, retake_on, roundtrip, run_new_m, sp_of, sysmon_m,
)
from runtime_py import Recorder, Throw
from runtime_py.go1_10 import (
    _Grunnable, _Grunning, _Gsyscall, _Pidle, _Prunning, _Psyscall, _StackGuard,
    stackPreempt,
)

MS = 1_000_000


def test_fast_path_reacquires_the_same_p():
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    m0, p0 = rt.m0, rt.allp[0]
    rt.entersyscall(PC, sp_of(g1))
    rec.events.clear()
    rt.exitsyscall(sp_of(g1))
    assert ("pstatus", p0, _Psyscall, _Prunning) in rec.events
    assert ("gstatus", g1, _Gsyscall, _Grunning) in rec.events
    assert g1.atomicstatus == _Grunning and p0.status == _Prunning
    assert p0.m is m0 and m0.p is p0 and m0.mcache is p0.mcache
    assert g1.stackguard0 == g1.stack.lo + _StackGuard == g1.stack.lo + 880
    assert g1.syscallsp == 0 and not g1.throwsplit
    assert p0.syscalltick == 1
    assert m0.locks == 0
    assert rec.calls()[:3] == ["exitsyscall", "exitsyscallfast", "exitsyscallfast_reacquired"]
    assert rec.traceevs() == []  # same P, same syscalltick: no GoStart
    rt.checkinvariants()


def test_fast_path_keeps_a_pending_preemption():
    rt, fos, g1 = boot()
    rt.entersyscall(PC, sp_of(g1))
    g1.preempt = True
    rt.exitsyscall(sp_of(g1))
    assert g1.stackguard0 == stackPreempt


def test_exitsyscall_frame_check():
    rt, fos, g1 = boot()
    rt.entersyscall(PC, sp_of(g1))
    with pytest.raises(Throw) as ei:
        rt.exitsyscall(sp_of(g1) + 8)  # the caller's frame is above syscallsp: popped
    assert ei.value.msg == "exitsyscall: syscall frame is no longer valid"


def _retaken(gomaxprocs: int, work: bool):
    """g1 in a syscall (its second), then sysmon retakes p0 (10ms later if needed)."""
    rec = Recorder()
    rt, fos, g1 = boot(gomaxprocs, observer=rec)
    roundtrip(rt, fos, g1)
    g2 = go(rt, fos) if work else None
    smon = sysmon_m(rt, fos)
    fos.setg(g1)
    rt.entersyscall(PC, sp_of(g1))
    t0 = fos.now
    assert retake_on(rt, fos, smon, t0) == 0  # first sighting
    assert retake_on(rt, fos, smon, t0 + 10 * MS) == 1
    return rt, fos, g1, g2, rec


def test_after_retake_exitsyscallfast_takes_an_idle_p():
    rt, fos, g1, _, rec = _retaken(gomaxprocs=2, work=False)
    m0, p0, p1 = rt.m0, rt.allp[0], rt.allp[1]
    # handoffp: p0 was the last running P and nobody polls the network: an M was started
    # for it (not run yet), so p0 waits in that M's nextp; p1 is idle.
    (mp,) = [c[1] for c in fos.of("newosproc") if c[1].nextp is p0]
    assert p0.status == _Pidle and rt.sched.pidle is p1
    rt.checkinvariants()
    fos.setg(g1)
    rec.events.clear()
    rt.exitsyscall(sp_of(g1))
    assert rec.calls()[:5] == ["exitsyscall", "exitsyscallfast", "systemstack",
                               "exitsyscallfast_pidle", "lock"]
    assert m0.p is p1 and p1.m is m0 and p1.status == _Prunning
    assert g1.atomicstatus == _Grunning and g1.m is m0
    assert "GoSysExit" in rec.traceevs() and "GoStart" in rec.traceevs()
    assert p1.syscalltick == 1
    rt.checkinvariants()


def test_after_retake_without_idle_p_the_slow_path_queues_g_and_parks_the_m():
    rt, fos, g1, g2, rec = _retaken(gomaxprocs=1, work=True)
    m0, p0 = rt.m0, rt.allp[0]
    # handoffp saw queued work: it started a new M for p0. Let that M run: it takes p0
    # and runs g2.
    (m2,) = [c[1] for c in fos.of("newosproc") if c[1].nextp is p0]
    stop = run_new_m(rt, fos, m2)
    assert isinstance(stop, Gogo) and stop.buf.g is g2
    assert m2.p is p0 and m2.curg is g2
    rt.checkinvariants()
    # g1's syscall returns: no P anywhere.
    fos.setg(g1)
    rec.events.clear()
    with pytest.raises(Blocked) as bi:
        rt.exitsyscall(sp_of(g1))
    assert bi.value.note is m0.park  # stopm sleeps on m0.park
    assert rec.calls()[:3] == ["exitsyscall", "exitsyscallfast", "exitsyscall0"]
    assert ("gstatus", g1, _Gsyscall, _Grunnable) in rec.events
    assert g1.atomicstatus == _Grunnable and g1.m is None and m0.curg is None
    assert rt.sched.runqhead is g1 and rt.sched.runqsize == 1
    assert rt.sched.midle is m0 and rt.sched.nmidle == 1 and m0.p is None
    assert fos.g is m0.g0  # exitsyscall0 runs on g0 (mcall)
    rt.checkinvariants()


def test_stale_m_p_takes_the_p_back_from_a_newer_syscall():
    """go1.10 keeps m.p during a syscall. If the P was retaken and is in a syscall again
    (another M's goroutine), the first M's exitsyscallfast still wins the CAS and takes it
    over: exitsyscallfast_reacquired sees the changed syscalltick (GoSysBlock + GoSysExit)."""
    rt, fos, g1, g2, rec = _retaken(gomaxprocs=1, work=True)
    m0, p0 = rt.m0, rt.allp[0]
    (m2,) = [c[1] for c in fos.of("newosproc") if c[1].nextp is p0]
    run_new_m(rt, fos, m2)  # m2 runs g2 on p0
    fos.setg(g2)
    rt.entersyscall(PC, sp_of(g2))  # g2 enters a syscall on p0
    assert p0.status == _Psyscall and m2.syscalltick == p0.syscalltick != m0.syscalltick
    rt.checkinvariants()
    fos.setg(g1)
    rec.events.clear()
    rt.exitsyscall(sp_of(g1))
    assert m0.p is p0 and p0.m is m0 and p0.status == _Prunning
    assert g1.atomicstatus == _Grunning
    assert rec.traceevs()[:2] == ["GoSysBlock", "GoSysExit"]
    assert m2.p is p0 and g2.atomicstatus == _Gsyscall  # m2's m.p is now stale
    rt.checkinvariants()
    # g2 returns: its P is running someone else and there is no idle P.
    fos.setg(g2)
    with pytest.raises(Blocked):
        rt.exitsyscall(sp_of(g2))
    assert m2.p is None and rt.sched.runqhead is g2 and rt.sched.midle is m2
    rt.checkinvariants()
