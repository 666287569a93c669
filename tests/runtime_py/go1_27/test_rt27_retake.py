"""go1.27 retake: only _Prunning Ps; the P of a goroutine in a syscall is taken through the
goroutine's _Gscan bit (setBlockOnExitSyscall -> takeP -> resume -> handoffp). Each rule alone:
first sighting, idle-and-young, 10 ms syscall age, the schedtick/sysretake rule."""

from __future__ import annotations

from rt27_helpers import MS, boot, enter, go, new_ms, retake_on, warm
from runtime_py import Recorder
from runtime_py.go1_27 import (
    _Grunning, _Gscan, _Gsyscall, _Pidle, _Prunning, forcePreemptNS, stackPreempt,
)


def _in_syscall(gomaxprocs: int = 1, work: bool = False):
    rec = Recorder()
    rt, fos, g1 = boot(gomaxprocs, observer=rec)
    warm(rt, fos, g1)
    if work:
        go(rt)
    smon = rt.start_sysmon()
    enter(rt, fos, g1)
    rec.events.clear()
    return rt, fos, g1, smon, rec


def _scan_events(rec, gp):
    return [e[2:] for e in rec.events if e[0] == "gstatus" and e[1] is gp]


def test_first_sighting_records_and_releases_the_bit():
    rt, fos, g1, smon, rec = _in_syscall(work=True)
    p0 = rt.allp[0]
    now = fos.now
    assert retake_on(rt, fos, smon, now) == 0
    assert p0.status == _Prunning and p0.m is rt.m0 and rt.m0.p is p0
    assert (p0.sysmontick.syscalltick, p0.sysmontick.syscallwhen) == (1, now)
    assert _scan_events(rec, g1) == [(_Gsyscall, _Gscan | _Gsyscall),
                                     (_Gscan | _Gsyscall, _Gsyscall)]
    assert "takeP" not in rec.calls() and rt.scanheld == {}
    assert rt.m0.locks == 0 and smon.locks == 0
    rt.checkinvariants()


def test_second_sighting_takes_the_p_through_the_scan_bit():
    rt, fos, g1, smon, rec = _in_syscall(work=True)
    p0 = rt.allp[0]
    t0 = fos.now
    retake_on(rt, fos, smon, t0)
    rec.events.clear()
    assert retake_on(rt, fos, smon, t0 + 20_000) == 1
    calls = rec.calls()
    order = ["incidlelocked", "setBlockOnExitSyscall", "castogscanstatus", "takeP",
             "releaseP", "addGSyscallNoP", "resume", "casfrom_Gscanstatus", "handoffp",
             "startm", "newm"]
    assert [c for c in calls if c in order] == order + ["incidlelocked"]
    ev = [e for e in rec.events if e[0] in ("gstatus", "pstatus", "traceev")]
    assert ev[:4] == [("gstatus", g1, _Gsyscall, _Gscan | _Gsyscall),
                      ("pstatus", p0, _Prunning, _Pidle),
                      ("traceev", "ProcSteal", {"p": p0, "m": rt.m0}),
                      ("gstatus", g1, _Gscan | _Gsyscall, _Gsyscall)]
    assert p0.m is None and rt.m0.p is None and rt.m0.oldp is p0
    assert p0.syscalltick == 2 and rt.sched.nGsyscallNoP == 1
    # newm's allocm runs on sysmon's M, which has no P: it borrows p0 for its mallocs.
    assert [e[2:] for e in rec.events if e[0] == "pstatus"] == [
        (_Prunning, _Pidle), (_Pidle, _Prunning), (_Prunning, _Pidle)]
    assert ("traceev", "ProcStart", {"p": p0, "m": smon}) in rec.events
    (mp,) = [x for x in new_ms(fos) if x.nextp is p0]  # handoffp started an M for the work
    assert rt.sched.nmidlelocked == 0
    rt.checkinvariants()


def test_a_running_p_whose_goroutine_is_not_in_a_syscall_is_left_alone():
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    warm(rt, fos, g1)
    smon = rt.start_sysmon()
    rec.events.clear()
    assert retake_on(rt, fos, smon, fos.now) == 0
    assert "setBlockOnExitSyscall" in rec.calls() and "castogscanstatus" not in rec.calls()
    assert rt.allp[0].status == _Prunning and g1.atomicstatus == _Grunning


def test_idle_ps_are_not_looked_at():
    rt, fos, g1, smon, rec = _in_syscall(gomaxprocs=2)
    retake_on(rt, fos, smon, fos.now)
    assert rec.calls().count("setBlockOnExitSyscall") == 1  # p0 only; p1 is _Pidle


def test_idle_and_young_is_left_until_10ms():
    """runqempty && an idle P exists && the syscall is younger than 10ms: leave it."""
    rt, fos, g1, smon, rec = _in_syscall(gomaxprocs=2)
    p0 = rt.allp[0]
    t0 = fos.now
    retake_on(rt, fos, smon, t0)
    p0.schedtick += 1  # keep the schedtick rule out of it (it would also fire at 10ms)
    retake_on(rt, fos, smon, t0 + 1)
    assert retake_on(rt, fos, smon, t0 + 10 * MS - 1) == 0
    assert p0.status == _Prunning
    assert retake_on(rt, fos, smon, t0 + 10 * MS) == 1  # the syscall is 10ms old: take it
    # Nothing to run, but p0 was the last running P and nobody polls the network: handoffp
    # starts an M for it anyway.
    assert p0.status == _Pidle and [x.nextp for x in new_ms(fos)][-1] is p0
    rt.checkinvariants()


def test_no_idle_p_and_no_spinning_m_takes_at_the_second_look():
    """GOMAXPROCS=1, empty runq: nobody else could run anything, so the P is taken at the
    second look, and handoffp starts a spinning M for it."""
    rt, fos, g1, smon, rec = _in_syscall(gomaxprocs=1)
    p0 = rt.allp[0]
    t0 = fos.now
    assert retake_on(rt, fos, smon, t0) == 0
    assert retake_on(rt, fos, smon, t0 + 20_000) == 1
    (mp,) = [x for x in new_ms(fos) if x.nextp is p0]
    assert mp.mstartfn == rt.mspinning and rt.sched.nmspinning == 1
    rt.checkinvariants()


def test_sysretake_same_schedtick_for_10ms_skips_the_first_sighting():
    """The schedtick rule alone: p0's schedtick has not moved for forcePreemptNS, so
    preemptone is tried (it refuses a goroutine in a syscall) and sysretake takes the P even
    though sysmon sees this syscall for the first time."""
    rt, fos, g1, smon, rec = _in_syscall(work=True)
    p0 = rt.allp[0]
    pd = p0.sysmontick
    pd.schedtick, pd.schedwhen = p0.schedtick, fos.now - forcePreemptNS
    assert pd.syscalltick != p0.syscalltick  # a first sighting
    assert retake_on(rt, fos, smon, fos.now) == 1
    assert "preemptone" in rec.calls() and g1.preempt is False
    assert p0.status == _Pidle and pd.syscalltick == 0  # not recorded: taken at once


def test_schedtick_rule_preempts_a_running_goroutine():
    rt, fos, g1 = boot()
    warm(rt, fos, g1)
    smon = rt.start_sysmon()
    p0 = rt.allp[0]
    t0 = fos.now
    retake_on(rt, fos, smon, t0)  # records schedtick 1 at t0
    retake_on(rt, fos, smon, t0 + forcePreemptNS - 1)
    assert g1.preempt is False
    retake_on(rt, fos, smon, t0 + forcePreemptNS)
    assert g1.preempt is True and g1.stackguard0 == stackPreempt and p0.preempt is True
    assert p0.status == _Prunning  # not in a syscall: nothing to take


def test_zero_syscalltick_counts_as_already_seen():
    """A P whose first syscall is in progress has syscalltick 0, equal to sysmon's zero
    copy: retake treats it as a second sighting at once."""
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    rt.allp[0].schedtick += 1
    go(rt)
    smon = rt.start_sysmon()
    enter(rt, fos, g1)
    assert retake_on(rt, fos, smon, fos.now) == 1
