"""go1.10 retake: when sysmon takes a P back from a syscall, and when it preempts."""

from __future__ import annotations

from rt_helpers import PC, boot, go, retake_on, roundtrip, sp_of, sysmon_m
from runtime_py import Recorder
from runtime_py.go1_10 import _Pidle, _Psyscall, stackPreempt

MS = 1_000_000


def _in_syscall(gomaxprocs: int = 1, work: bool = False):
    rec = Recorder()
    rt, fos, g1 = boot(gomaxprocs, observer=rec)
    roundtrip(rt, fos, g1)  # p0.syscalltick = 1: sysmon has not seen this tick yet
    if work:
        go(rt, fos)
    smon = sysmon_m(rt, fos)
    fos.setg(g1)
    rt.entersyscall(PC, sp_of(g1))
    return rt, fos, g1, smon, rec


def test_first_sighting_never_retakes():
    rt, fos, g1, smon, rec = _in_syscall(work=True)
    p0 = rt.allp[0]
    now = fos.now + 50 * MS
    assert retake_on(rt, fos, smon, now) == 0
    assert p0.status == _Psyscall
    assert (p0.sysmontick.syscalltick, p0.sysmontick.syscallwhen) == (1, now)
    assert ("note", "retake: first sighting of p0 in syscall (syscalltick 1)") in rec.events


def test_second_sighting_retakes_when_the_runq_has_work():
    rt, fos, g1, smon, rec = _in_syscall(work=True)
    p0 = rt.allp[0]
    t0 = fos.now
    retake_on(rt, fos, smon, t0)
    rec.events.clear()
    assert retake_on(rt, fos, smon, t0 + 20_000) == 1  # 20us later
    assert ("pstatus", p0, _Psyscall, _Pidle) in rec.events
    assert rec.traceevs()[:2] == ["GoSysBlock", "ProcStop"]
    assert p0.syscalltick == 2
    calls = rec.calls()
    assert calls.index("incidlelocked") < calls.index("handoffp") < calls.index("startm")
    (mp,) = [c[1] for c in fos.of("newosproc") if c[1].nextp is p0]
    assert rt.sched.nmidlelocked == 0
    rt.checkinvariants()


def test_second_sighting_waits_when_idle_and_young():
    """runqempty && an idle P exists && the syscall is younger than 10ms: leave it."""
    rt, fos, g1, smon, rec = _in_syscall(gomaxprocs=2)
    p0 = rt.allp[0]
    t0 = fos.now
    retake_on(rt, fos, smon, t0)
    assert retake_on(rt, fos, smon, t0 + 10 * MS - 1) == 0
    assert p0.status == _Psyscall
    assert retake_on(rt, fos, smon, t0 + 10 * MS) == 1  # 10ms: retake
    assert p0.status == _Pidle
    rt.checkinvariants()


def test_second_sighting_retakes_when_no_idle_p_and_no_spinning_m():
    """GOMAXPROCS=1, empty runq: nobody else could run anything, so the P is taken at the
    second look (and handoffp starts a spinning M for it)."""
    rt, fos, g1, smon, rec = _in_syscall(gomaxprocs=1)
    p0 = rt.allp[0]
    t0 = fos.now
    retake_on(rt, fos, smon, t0)
    assert retake_on(rt, fos, smon, t0 + 20_000) == 1
    (mp,) = [c[1] for c in fos.of("newosproc") if c[1].nextp is p0]
    assert mp.mstartfn == rt.mspinning and rt.sched.nmspinning == 1
    rt.checkinvariants()


def test_zero_syscalltick_counts_as_already_seen():
    """A P whose first syscall is in progress has syscalltick 0, which equals the zero
    sysmontick: retake treats it as a second sighting at once (as go1.10 does)."""
    rec = Recorder()
    rt, fos, g1 = boot(1, observer=rec)
    go(rt, fos)
    smon = sysmon_m(rt, fos)
    fos.setg(g1)
    rt.entersyscall(PC, sp_of(g1))
    assert retake_on(rt, fos, smon, fos.now) == 1


def test_a_new_syscall_on_the_same_p_is_a_new_first_sighting():
    rt, fos, g1, smon, rec = _in_syscall(gomaxprocs=2)
    t0 = fos.now
    retake_on(rt, fos, smon, t0)
    fos.setg(g1)
    rt.exitsyscall(sp_of(g1))  # syscalltick 1 -> 2
    rt.entersyscall(PC, sp_of(g1))
    assert retake_on(rt, fos, smon, t0 + 30 * MS) == 0  # first sighting of tick 2
    assert rt.allp[0].sysmontick.syscallwhen == t0 + 30 * MS


def test_running_goroutine_is_preempted_after_10ms_of_one_schedtick():
    rt, fos, g1 = boot()
    smon = sysmon_m(rt, fos)
    p0 = rt.allp[0]
    p0.schedtick = 7  # some scheduling rounds ago (tick 0 would count as already seen)
    t0 = fos.now
    retake_on(rt, fos, smon, t0)  # records schedtick
    assert (p0.sysmontick.schedtick, p0.sysmontick.schedwhen) == (p0.schedtick, t0)
    retake_on(rt, fos, smon, t0 + 10 * MS - 1)
    assert not g1.preempt
    retake_on(rt, fos, smon, t0 + 10 * MS)
    assert g1.preempt and g1.stackguard0 == stackPreempt


def test_preemptone_skips_own_m_and_idle_ps():
    rt, fos, g1 = boot(gomaxprocs=2)
    assert not rt.preemptone(rt.allp[0])  # p0's M is the caller's own M
    assert not rt.preemptone(rt.allp[1])  # idle: no M
    assert not g1.preempt
