"""go1.22 exitsyscall: exitsyscallfast's three outcomes (the same P via _Psyscall -> _Pidle +
wirep; an idle P; none -> exitsyscall0 -> stopm) and the goroutine resuming elsewhere."""

from __future__ import annotations

import pytest

from rt22 import (
    MS, P, PC, WriteLog, boot, in_syscall, new_ms, retake_on, run_new_m, sp_of,
)
from rt_fakeos import Blocked, Gogo
from rt_simworld import World
from runtime_py import Throw


def test_fast_path_reacquires_the_same_p_in_go_order(monkeypatch):
    """proc.go:4502/4601: oldp = m.oldp; m.oldp = 0; CAS oldp _Psyscall -> _Pidle; wirep;
    GoSyscallEnd; p.syscalltick++; _Gsyscall -> _Grunning; syscallsp = 0; stack guard."""
    wl = WriteLog(monkeypatch)
    rt, fos, g1 = boot(observer=wl)
    m0, p0 = rt.m0, rt.allp[0]
    rt.entersyscall(PC, sp_of(g1))
    wl.on = True
    rt.exitsyscall(sp_of(g1))
    wl.on = False
    assert wl.log == [
        ("m0", "locks", 1),
        ("g1", "waitsince", 0),
        ("m0", "oldp", None),  # gp.m.oldp = 0
        ("p0", "status", P._Pidle),  # exitsyscallfast: CAS _Psyscall -> _Pidle ...
        ("pstatus", "p0", P._Psyscall, P._Pidle),
        ("m0", "p", p0),  # ... wirep(oldp)
        ("p0", "m", m0),
        ("p0", "status", P._Prunning),
        ("pstatus", "p0", P._Pidle, P._Prunning),
        ("traceev", "GoSyscallEnd"),  # never lost the P: no GoStart
        ("p0", "syscalltick", 1),
        ("g1", "atomicstatus", P._Grunning),
        ("gstatus", "g1", P._Gsyscall, P._Grunning),
        ("g1", "syscallsp", 0),
        ("m0", "locks", 0),
        ("g1", "stackguard0", g1.stack.lo + 928),  # stack.lo + stackGuard
        ("g1", "throwsplit", False),
    ]
    assert m0.p is p0 and p0.m is m0 and m0.oldp is None
    rt.checkinvariants()


def test_fast_path_keeps_a_pending_preemption():
    rt, fos, g1 = boot()
    rt.entersyscall(PC, sp_of(g1))
    g1.preempt = True
    rt.exitsyscall(sp_of(g1))
    assert g1.stackguard0 == P.stackPreempt


def test_exitsyscall_frame_check():
    rt, fos, g1 = boot()
    rt.entersyscall(PC, sp_of(g1))
    with pytest.raises(Throw) as ei:
        rt.exitsyscall(sp_of(g1) + 8)  # the caller's frame is above syscallsp: popped
    assert ei.value.msg == "exitsyscall: syscall frame is no longer valid"


def test_frozen_world_takes_the_slow_path():
    """freezetheworld sets stopwait = freezeStopWait: exitsyscallfast gives up at once."""
    rt, fos, g1 = boot()
    rt.start_sysmon()  # another M, not started: checkdead counts it as running
    rt.entersyscall(PC, sp_of(g1))
    rt.sched.stopwait = P.freezeStopWait
    with pytest.raises(Blocked):
        rt.exitsyscall(sp_of(g1))
    assert rt.allp[0].status == P._Psyscall  # not re-acquired
    assert rt.sched.runq.head is g1


def _retaken(gomaxprocs: int, work: bool):
    """g1 in a syscall, then sysmon retakes p0 (10 ms after the first sighting)."""
    rt, fos, g1, g2, smon, rec = in_syscall(gomaxprocs, work)
    t0 = fos.now
    assert retake_on(rt, fos, smon, t0) == 0  # first sighting
    assert retake_on(rt, fos, smon, t0 + 10 * MS) == 1
    return rt, fos, g1, g2, rec


def test_after_retake_exitsyscallfast_takes_an_idle_p():
    rt, fos, g1, _, rec = _retaken(gomaxprocs=2, work=False)
    m0, p0, p1 = rt.m0, rt.allp[0], rt.allp[1]
    # handoffp: p0 was the last running P and nobody polls the network: an M was started
    # for it (not run yet), so p0 waits in that M's nextp; p1 is idle.
    (mp,) = [x for x in new_ms(fos) if x.nextp is p0]
    assert p0.status == P._Pidle and rt.sched.pidle is p1 and m0.oldp is p0
    rt.checkinvariants()
    fos.setg(g1)
    rec.events.clear()
    rt.exitsyscall(sp_of(g1))
    assert rec.calls()[:5] == ["exitsyscall", "exitsyscallfast", "systemstack",
                               "exitsyscallfast_pidle", "lock"]
    assert m0.p is p1 and p1.m is m0 and p1.status == P._Prunning and m0.oldp is None
    assert g1.atomicstatus == P._Grunning and g1.m is m0
    # acquirep's ProcStart, then (lostP: oldp != m.p) the blocked end and a new start.
    assert rec.traceevs() == ["ProcStart", "GoSyscallEndBlocked", "GoStart"]
    assert p1.syscalltick == 1 and not rt.idlepMask.read(1)
    rt.checkinvariants()


def test_after_retake_without_idle_p_the_slow_path_queues_g_and_parks_the_m():
    rt, fos, g1, g2, rec = _retaken(gomaxprocs=1, work=True)
    m0, p0 = rt.m0, rt.allp[0]
    # handoffp saw queued work: it started a new M for p0. That M takes p0 and runs g2.
    (m2,) = [x for x in new_ms(fos) if x.nextp is p0]
    stop = run_new_m(rt, fos, m2)
    assert isinstance(stop, Gogo) and stop.buf.g is g2
    assert m2.p is p0 and m2.curg is g2
    rt.checkinvariants()
    # g1's syscall returns: its P runs g2 and there is no idle P.
    fos.setg(g1)
    rec.events.clear()
    with pytest.raises(Blocked) as bi:
        rt.exitsyscall(sp_of(g1))
    assert bi.value.note is m0.park  # stopm -> mPark sleeps on m0.park
    assert rec.calls()[:3] == ["exitsyscall", "exitsyscallfast", "exitsyscall0"]
    i = rec.events.index(("gstatus", g1, P._Gsyscall, P._Grunnable))
    assert rec.events[i + 1][:2] == ("traceev", "GoSyscallEndBlocked")
    assert g1.atomicstatus == P._Grunnable and g1.m is None and m0.curg is None
    assert rt.sched.runq.head is g1 and rt.sched.runqsize == 1
    assert rt.sched.midle is m0 and rt.sched.nmidle == 1 and m0.p is None
    assert fos.g is m0.g0  # exitsyscall0 runs on g0 (mcall)
    rt.checkinvariants()


def test_reacquiring_oldp_steals_it_from_a_newer_syscall():
    """After the retake, m2 runs g2 on p0 and g2 enters a syscall: p0 is _Psyscall again,
    given up by m2. g1's exitsyscallfast still wins the CAS on its oldp and takes p0 from
    m2's syscall: exitsyscallfast_reacquired sees the changed syscalltick (ProcSteal,
    ProcStart). When g2's syscall returns, its oldp is running: m2 parks."""
    rt, fos, g1, g2, rec = _retaken(gomaxprocs=1, work=True)
    m0, p0 = rt.m0, rt.allp[0]
    (m2,) = [x for x in new_ms(fos) if x.nextp is p0]
    run_new_m(rt, fos, m2)  # m2 runs g2 on p0
    fos.setg(g2)
    rt.entersyscall(PC, sp_of(g2))  # g2 enters a syscall on p0
    assert p0.status == P._Psyscall and m2.oldp is p0 and m0.oldp is p0
    assert m2.syscalltick == p0.syscalltick != m0.syscalltick
    rt.checkinvariants()
    fos.setg(g1)
    rec.events.clear()
    rt.exitsyscall(sp_of(g1))
    assert m0.p is p0 and p0.m is m0 and p0.status == P._Prunning
    assert g1.atomicstatus == P._Grunning
    assert rec.traceevs() == ["ProcSteal", "ProcStart", "GoSyscallEndBlocked", "GoStart"]
    assert p0.syscalltick == m2.syscalltick + 2  # reacquired's ++, then exitsyscall's ++
    rt.checkinvariants()
    # g2 returns: its oldp is running someone else and there is no idle P.
    fos.setg(g2)
    with pytest.raises(Blocked):
        rt.exitsyscall(sp_of(g2))
    assert m2.p is None and m2.oldp is None and rt.sched.runq.head is g2
    assert rt.sched.midle is m2
    rt.checkinvariants()


def test_the_slow_path_resumes_the_goroutine_on_another_m():
    """On the simulated world: g1 returns from its syscall after sysmon gave p0 to m2 (which
    runs g2); exitsyscall0 queues g1 and parks m0; when g2 yields, m2 runs g1, which
    resumes after its mcall: syscallsp = 0, p.syscalltick++, throwsplit = false."""
    w = World(1, prof=P)
    try:
        m0, p0 = w.rt.m0, w.rt.allp[0]
        w.command(m0, w.cmd_go)  # g2 in p0's runnext
        w.command(m0, w.cmd_syscall)  # g1 blocks in the kernel
        g1 = w.g1
        while not [mp for mp in w.in_state("user")]:  # sysmon ticks until it retakes p0
            w.now += 20_000
            w.settle()
        (m2,) = w.in_state("user")
        g2 = w.threads[m2].state[1]
        assert m2 is not m0 and p0.m is m2 and g2.goid == 2
        w.run(m0)  # g1's syscall returns: no P for it
        assert w.threads[m0].state[0] == "futex" and w.rt.sched.runq.head is g1
        tick = p0.syscalltick
        w.command(m2, lambda gp: w.rt.Gosched())  # g2 yields: m2 runs g1
        assert g1.m is m2 and m2.curg is g1 and g1.atomicstatus == P._Grunning
        assert g1.syscallsp == 0 and not g1.throwsplit and p0.syscalltick == tick + 1
        w.rt.checkinvariants()
    finally:
        w.teardown()
