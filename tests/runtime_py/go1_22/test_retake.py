"""go1.22 retake (proc.go:6104): each rule for a _Psyscall P alone, and the 10 ms preemption.

The helper in_syscall leaves g1 in a syscall on p0 at t0 = fos.now, with p0's schedtick
seen by sysmon at t0 (so the sysretake rule is quiet until t0 + 10ms) and p0's syscalltick
not yet seen (so retake's next look is a first sighting).
"""

from __future__ import annotations

import pytest

from rt_fakeos import Gogo
from rt22 import MS, P, PC, boot, go, in_syscall, new_ms, retake_on, roundtrip, sp_of


def test_first_sighting_never_retakes():
    """Queued work, no idle P: still, the first look at a syscall only records it."""
    rt, fos, g1, g2, smon, rec = in_syscall(work=True)
    p0 = rt.allp[0]
    t0 = fos.now
    assert retake_on(rt, fos, smon, t0 + 5 * MS) == 0
    assert p0.status == P._Psyscall
    assert (p0.sysmontick.syscalltick, p0.sysmontick.syscallwhen) == (1, t0 + 5 * MS)
    assert ("note", "retake: first sighting of p0 in syscall (syscalltick 1)") in rec.events


def test_second_sighting_retakes_when_the_runq_has_work():
    """g2 waits on p0; a spinning M exists (newproc's wakep started one for p1), so only the
    queued work makes sysmon take p0 20us after the first sighting."""
    rt, fos, g1, g2, smon, rec = in_syscall(gomaxprocs=2, work=True)
    assert rt.sched.nmspinning + rt.sched.npidle > 0
    p0 = rt.allp[0]
    t0 = fos.now
    retake_on(rt, fos, smon, t0)
    rec.events.clear()
    assert retake_on(rt, fos, smon, t0 + 20_000) == 1  # one sysmon tick (20us) later
    assert ("pstatus", p0, P._Psyscall, P._Pidle) in rec.events
    assert rec.traceevs()[:1] == ["ProcSteal"]  # GoSysBlock is a no-op in the new tracer
    assert ("traceev", "ProcSteal", {"p": p0, "m": smon, "inSyscall": False}) in rec.events
    assert p0.syscalltick == 2
    calls = rec.calls()
    assert calls.index("incidlelocked") < calls.index("handoffp") < calls.index("startm")
    assert "preemptone" not in calls  # the sysretake rule did not fire
    (mp,) = [x for x in new_ms(fos) if x.nextp is p0]
    assert mp.mstartfn is None and rt.sched.nmidlelocked == 0
    rt.checkinvariants()


def test_second_sighting_retakes_when_no_p_is_idle_and_no_m_spins():
    """GOMAXPROCS=1, empty runq: nobody else could run anything, so the P is taken at the
    second look (and handoffp starts a spinning M for it)."""
    rt, fos, g1, g2, smon, rec = in_syscall(gomaxprocs=1)
    p0 = rt.allp[0]
    t0 = fos.now
    retake_on(rt, fos, smon, t0)
    assert retake_on(rt, fos, smon, t0 + 20_000) == 1
    (mp,) = [x for x in new_ms(fos) if x.nextp is p0]
    assert mp.mstartfn == rt.mspinning and rt.sched.nmspinning == 1
    rt.checkinvariants()


def test_second_sighting_leaves_an_idle_young_syscall_alone():
    """runqempty && an idle P exists && the syscall is younger than 10ms: leave it."""
    rt, fos, g1, g2, smon, rec = in_syscall(gomaxprocs=2)
    p0 = rt.allp[0]
    t0 = fos.now
    retake_on(rt, fos, smon, t0)
    assert retake_on(rt, fos, smon, t0 + 10 * MS - 1) == 0
    assert p0.status == P._Psyscall
    rt.checkinvariants()


def test_a_spinning_m_counts_like_an_idle_p():
    """nmspinning + npidle > 0: with GOMAXPROCS=1 (no idle P) a spinning M is enough."""
    rt, fos, g1, g2, smon, rec = in_syscall(gomaxprocs=1)
    t0 = fos.now
    retake_on(rt, fos, smon, t0)
    rt.sched.nmspinning = 1  # some M is looking for work
    assert retake_on(rt, fos, smon, t0 + 20_000) == 0
    rt.sched.nmspinning = 0
    assert retake_on(rt, fos, smon, t0 + 40_000) == 1


def test_an_idle_syscall_is_retaken_10ms_after_its_first_sighting():
    """The syscallwhen + 10ms rule alone: p0's schedtick was seen *after* the syscall's first
    sighting (pd.schedwhen later), so the sysretake rule is still quiet at syscallwhen+10ms."""
    rt, fos, g1, g2, smon, rec = in_syscall(gomaxprocs=2)
    p0 = rt.allp[0]
    t0 = fos.now
    retake_on(rt, fos, smon, t0)  # first sighting: syscallwhen = t0
    p0.sysmontick.schedwhen = t0 + 5 * MS
    rec.events.clear()
    assert retake_on(rt, fos, smon, t0 + 10 * MS) == 1
    assert "preemptone" not in rec.calls() and p0.status == P._Pidle
    rt.checkinvariants()


def test_sysretake_takes_a_syscall_at_its_first_sighting():
    """proc.go:6132: p0's schedtick unchanged for 10ms (forcePreemptNS) -> preemptone (which
    cannot work: no M is wired to a _Psyscall P) and sysretake = true: the first-sighting
    rule is skipped, and the stale pd.syscallwhen fails the 10ms test, so the P is retaken
    at once although its runq is empty and p1 is idle."""
    rt, fos, g1, g2, smon, rec = in_syscall(gomaxprocs=2)
    p0 = rt.allp[0]
    t0 = fos.now
    rec.events.clear()
    assert retake_on(rt, fos, smon, t0 + 10 * MS) == 1  # no earlier look at this syscall
    assert ("call", "preemptone", {"pp": p0}) in rec.events
    assert p0.sysmontick.syscalltick == 0  # never recorded: no first sighting
    assert p0.status == P._Pidle and p0.syscalltick == 2
    assert not g1.preempt  # preemptone found no M on p0
    rt.checkinvariants()


def test_sysretake_needs_the_full_10ms():
    rt, fos, g1, g2, smon, rec = in_syscall(gomaxprocs=2)
    t0 = fos.now
    assert retake_on(rt, fos, smon, t0 + 10 * MS - 1) == 0  # a plain first sighting
    assert rt.allp[0].status == P._Psyscall


def test_a_new_syscall_on_the_same_p_is_a_new_first_sighting():
    rt, fos, g1, g2, smon, rec = in_syscall(gomaxprocs=2)
    p0 = rt.allp[0]
    t0 = fos.now
    retake_on(rt, fos, smon, t0)
    fos.setg(g1)
    rt.exitsyscall(sp_of(g1))  # syscalltick 1 -> 2
    p0.schedtick += 1  # g1 ran on: the P scheduled again
    retake_on(rt, fos, smon, t0 + 8 * MS)  # sysmon sees the new schedtick
    rt.entersyscall(PC, sp_of(g1))
    assert retake_on(rt, fos, smon, t0 + 12 * MS) == 0  # first sighting of tick 2
    assert p0.sysmontick.syscallwhen == t0 + 12 * MS


def test_running_goroutine_is_preempted_after_10ms_of_one_schedtick():
    rt, fos, g1 = boot()
    smon = rt.start_sysmon()
    p0 = rt.allp[0]
    p0.schedtick = 7  # some scheduling rounds ago (tick 0 would count as already seen)
    t0 = fos.now
    retake_on(rt, fos, smon, t0)  # records schedtick
    assert (p0.sysmontick.schedtick, p0.sysmontick.schedwhen) == (7, t0)
    retake_on(rt, fos, smon, t0 + 10 * MS - 1)
    assert not g1.preempt and not p0.preempt
    assert retake_on(rt, fos, smon, t0 + 10 * MS) == 0  # a running P is not retaken
    assert g1.preempt and g1.stackguard0 == P.stackPreempt
    assert p0.preempt  # the async preemption request (preemptM is not modeled)
    assert p0.status == P._Prunning


def test_preemptone_skips_own_m_and_idle_ps():
    rt, fos, g1 = boot(gomaxprocs=2)
    assert not rt.preemptone(rt.allp[0])  # p0's M is the caller's own M
    assert not rt.preemptone(rt.allp[1])  # idle: no M
    assert not g1.preempt and not rt.allp[0].preempt


def test_schedule_clears_the_async_preemption_request():
    """schedule's top (proc.go:3859) clears pp.preempt; the next execute clears gp.preempt."""
    rt, fos, g1 = boot()
    g2 = go(rt, fos)
    p0 = rt.allp[0]
    p0.preempt = g1.preempt = True
    with pytest.raises(Gogo):
        rt.gopark(None, None, P.waitReasonChanReceive, P.traceBlockChanRecv)
    assert not p0.preempt and not g2.preempt and rt.m0.curg is g2


def test_retake_of_a_p_whose_zero_syscalltick_matches_sysmons_zero():
    """A P in its first syscall has syscalltick 0, which equals the zero sysmontick: the
    first look already counts as a second sighting (as in go1.10)."""
    rt, fos, g1 = boot(1)
    go(rt, fos)
    smon = rt.start_sysmon()
    rt.allp[0].schedtick = 7
    retake_on(rt, fos, smon, fos.now)
    fos.setg(g1)
    rt.entersyscall(PC, sp_of(g1))
    assert retake_on(rt, fos, smon, fos.now) == 1


def test_roundtrip_bumps_syscalltick_once():
    rt, fos, g1 = boot()
    roundtrip(rt, fos, g1)
    assert rt.allp[0].syscalltick == 1 and rt.m0.syscalltick == 0
