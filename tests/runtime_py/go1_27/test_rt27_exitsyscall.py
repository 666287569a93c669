"""go1.27 exitsyscall: the goroutine's CAS first, then one of its outcomes — keep the P, steal
oldp back (exitsyscallTryGetP), take an idle P, or park (exitsyscallNoP)."""

from __future__ import annotations

import pytest

from rt27_helpers import (
    Blocked, Gogo, boot, enter, go, leave, new_ms, retake_on, run_new_m, warm, sp_of,
    writelog,
)
from runtime_py import Recorder, Throw
from runtime_py.go1_27 import (
    _Grunnable, _Grunning, _Gscan, _Gsyscall, _Prunning, stackGuard, stackPreempt,
)


def test_keep_the_p_statement_order(monkeypatch):
    wl = writelog(monkeypatch)
    rt, fos, g1 = boot(observer=wl)
    enter(rt, fos, g1)
    wl.on = True
    leave(rt, fos, g1)
    wl.on = False
    assert wl.log == [
        ("m0", "locks", 1),
        ("g1", "waitsince", 0),
        ("g1", "atomicstatus", _Grunning), ("gstatus", "g1", _Gsyscall, _Grunning),
        ("m0", "oldp", None),
        ("traceev", "GoSyscallEnd"),
        ("p0", "syscalltick", 1),
        ("g1", "syscallsp", 0),
        ("m0", "locks", 0),
        ("g1", "stackguard0", g1.stack.lo + stackGuard),
        ("g1", "throwsplit", False),
    ]
    assert rt.m0.p is rt.allp[0] and rt.allp[0].status == _Prunning
    rt.checkinvariants()


def test_keep_the_p_restores_a_preemption_request():
    rt, fos, g1 = boot()
    enter(rt, fos, g1)
    g1.preempt = True
    leave(rt, fos, g1)
    assert g1.stackguard0 == stackPreempt


def test_keep_the_p_whose_syscalltick_moved_traces_a_steal():
    """The P is still wired but p.syscalltick differs from m.syscalltick (Go: dropm trashes
    it): the tracer is told the P was lost and regained."""
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    enter(rt, fos, g1)
    rt.allp[0].syscalltick += 5
    rec.events.clear()
    leave(rt, fos, g1)
    assert rec.traceevs() == ["ProcSteal", "ProcStart", "GoSyscallEndBlocked", "GoStart"]


def test_a_frame_above_syscallsp_throws():
    rt, fos, g1 = boot()
    enter(rt, fos, g1)
    with pytest.raises(Throw, match="syscall frame is no longer valid"):
        rt.exitsyscall(sp_of(g1) + 8)


def _retaken(gomaxprocs: int, observer=None):
    """g1 in a syscall on m0; sysmon takes p0 (queued work makes it worth it at the second
    look) and hands it to a new M, which is not run yet."""
    rt, fos, g1 = boot(gomaxprocs, observer=observer)
    warm(rt, fos, g1)
    g2 = go(rt)
    smon = rt.start_sysmon()
    enter(rt, fos, g1)
    t0 = fos.now
    retake_on(rt, fos, smon, t0)
    assert retake_on(rt, fos, smon, t0 + 20_000) == 1
    (mp,) = [x for x in new_ms(fos) if x.nextp is rt.allp[0]]
    return rt, fos, g1, g2, smon, mp


def test_exitsyscallTryGetP_steals_oldp_back_from_another_syscall():
    rec = Recorder()
    rt, fos, g1, g2, smon, m2 = _retaken(1, rec)
    p0, m0 = rt.allp[0], rt.m0
    assert isinstance(run_new_m(rt, fos, m2), Gogo) and m2.curg is g2  # m2 runs g2 on p0
    enter(rt, fos, g2)  # g2 is in a syscall on m2, which keeps p0
    assert m2.oldp is p0 and p0.m is m2
    rec.events.clear()
    leave(rt, fos, g1)  # g1's syscall returns on m0: it takes p0 back from m2
    calls = rec.calls()
    assert calls.index("setBlockOnExitSyscall") < calls.index("takeP") \
        < calls.index("decGSyscallNoP") < calls.index("resume") < calls.index("acquirepNoTrace")
    assert ("gstatus", g2, _Gsyscall, _Gscan | _Gsyscall) in rec.events
    assert ("gstatus", g2, _Gscan | _Gsyscall, _Gsyscall) in rec.events
    assert rec.traceevs() == ["ProcSteal", "ProcStart", "GoSyscallEndBlocked", "GoStart"]
    assert m0.p is p0 and p0.m is m0 and m2.p is None and m2.oldp is p0
    assert p0.oldm is m0  # acquirepNoTrace remembers the M
    assert g1.atomicstatus == _Grunning and g2.atomicstatus == _Gsyscall
    assert rt.sched.nGsyscallNoP == 1  # now g2 is the one without a P
    rt.checkinvariants()
    # g2 returns: its oldp runs g1 (not in a syscall) and no P is idle: it parks.
    with pytest.raises(Blocked):
        leave(rt, fos, g2)
    assert g2.atomicstatus == _Grunnable and rt.sched.runq.head is g2
    assert rt.sched.nGsyscallNoP == 0


def test_exitsyscall_takes_an_idle_p():
    rec = Recorder()
    rt, fos, g1, g2, smon, m2 = _retaken(3, rec)
    # procresize left sched.pidle headed by p2, which newproc's wakep gave to a spinning M.
    p1 = rt.allp[1]
    assert rt.sched.pidle is p1 and rt.sched.npidle == 1
    rec.events.clear()
    fos.setg(g1)
    rt.exitsyscall(sp_of(g1))
    assert rt.m0.p is p1 and p1.status == _Prunning and rt.sched.nGsyscallNoP == 0
    assert rec.calls().count("pidleget") == 1
    assert rec.traceevs() == ["ProcStart", "GoSyscallEndBlocked", "GoStart"]
    assert p1.syscalltick == 1 and g1.syscallsp == 0
    rt.checkinvariants()


def test_exitsyscallNoP_parks_the_goroutine_and_the_thread():
    rec = Recorder()
    rt, fos, g1, g2, smon, m2 = _retaken(1, rec)
    assert rt.sched.nGsyscallNoP == 1
    rec.events.clear()
    fos.setg(g1)
    with pytest.raises(Blocked) as ei:
        rt.exitsyscall(sp_of(g1))
    assert ei.value.note is rt.m0.park
    st = [e[2:] for e in rec.events if e[0] == "gstatus"]
    assert st == [(_Gsyscall, _Grunning), (_Grunning, _Grunnable)]
    assert rec.calls().index("exitsyscallNoP") < rec.calls().index("stopm")
    assert "GoSyscallEndBlocked" in rec.traceevs()
    assert rt.sched.runq.head is g1 and rt.sched.nGsyscallNoP == 0
    assert rt.m0.curg is None and g1.m is None and rt.sched.midle is rt.m0
    # m2 starts with p0 and runs g2 first (its runq), then g1 comes from the global queue.
    assert isinstance(run_new_m(rt, fos, m2), Gogo) and m2.curg is g2
    rt.checkinvariants()


def test_the_wait_for_a_held_scan_bit_spins_then_yields():
    """Nothing releases the bit in a single-threaded fake: casgstatus spins with procyield
    for 5 us of nanotime (10 PAUSE rounds between CAS attempts), then osyields."""
    rt, fos, g1 = boot()
    enter(rt, fos, g1)
    g1.atomicstatus = _Gscan | _Gsyscall  # another thread holds the bit
    fos.spin_limit = 400
    with pytest.raises(Exception) as ei:
        leave(rt, fos, g1)
    assert type(ei.value).__name__ == "Spinning"
    names = [c[0] for c in fos.calls if c[0] in ("procyield", "osyield")]
    first_yield = names.index("osyield")
    assert set(names[:first_yield]) == {"procyield"}
    assert 5000 // 20 <= first_yield <= 5000 // 20 + 10
    assert g1.atomicstatus == _Gscan | _Gsyscall


def test_a_status_that_is_not_the_scanned_oldval_throws():
    rt, fos, g1 = boot()
    enter(rt, fos, g1)
    g1.atomicstatus = _Grunnable
    with pytest.raises(Throw, match="casgstatus: bad old status"):
        leave(rt, fos, g1)


def test_the_slow_path_after_mcall_bumps_the_new_ps_syscalltick():
    """exitsyscallNoP's goroutine resumes after its mcall on whatever M runs it: there
    syscallsp is cleared and that M's P gets syscalltick++ (proc.go:5060-5066)."""
    rt, fos, g1, g2, smon, m2 = _retaken(1)
    p0 = rt.allp[0]

    def run_g1_on_m2(fn, gp):          # mcall: m0 parks; later m2 runs g1 with p0
        fos.g = gp.m.g0
        rt.casgstatus(gp, _Grunning, _Grunnable)
        rt.decGSyscallNoP(rt.m0)
        rt.dropg()
        fos.setg(m2.g0)
        rt.acquirep(p0)
        m2.curg, gp.m = gp, m2
        rt.casgstatus(gp, _Grunnable, _Grunning)
        fos.setg(gp)

    fos.mcall = run_g1_on_m2
    before = p0.syscalltick
    fos.setg(g1)
    rt.exitsyscall(sp_of(g1))
    assert g1.m is m2 and g1.syscallsp == 0 and g1.throwsplit is False
    assert p0.syscalltick == before + 1
