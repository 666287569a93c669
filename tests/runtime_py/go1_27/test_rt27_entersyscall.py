"""go1.27 entersyscall/reentersyscall and entersyscallblock: statement order and state."""

from __future__ import annotations

import pytest

from rt27_helpers import PC, bp_of, boot, enter, go, sp_of, writelog
from runtime_py import Recorder, Throw
from runtime_py.go1_27 import _Grunning, _Gsyscall, _Pgcstop, _Pidle, _Prunning, stackPreempt


def _entry_log(monkeypatch, gomaxprocs=1, setup=None):
    wl = writelog(monkeypatch)
    rt, fos, g1 = boot(gomaxprocs, observer=wl)
    if setup:
        setup(rt)
    wl.on = True
    enter(rt, fos, g1)
    wl.on = False
    return rt, g1, wl.log


def test_reentersyscall_statement_order(monkeypatch):
    rt, g1, log = _entry_log(monkeypatch)
    sp, bp = sp_of(g1), bp_of(g1)
    assert log == [
        ("m0", "locks", 1),
        ("g1", "stackguard0", stackPreempt),
        ("g1", "throwsplit", True),
        ("m0", "syscalltick", 0),
        ("m0", "oldp", rt.allp[0]),
        ("g1.sched", "pc", PC), ("g1.sched", "sp", sp), ("g1.sched", "lr", 0),
        ("g1.sched", "bp", bp),
        ("g1", "syscallsp", sp), ("g1", "syscallpc", PC), ("g1", "syscallbp", bp),
        ("traceev", "GoSyscallBegin"),
        ("g1", "atomicstatus", _Gsyscall), ("gstatus", "g1", _Grunning, _Gsyscall),
        ("m0", "locks", 0),
    ]


def test_the_p_stays_running_and_wired():
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    rec.events.clear()
    enter(rt, fos, g1)
    p0, m0 = rt.allp[0], rt.m0
    assert p0.status == _Prunning and p0.m is m0 and m0.p is p0 and m0.oldp is p0
    assert g1.atomicstatus == _Gsyscall
    assert not [e for e in rec.events if e[0] == "pstatus"]
    assert rec.traceevs() == ["GoSyscallBegin"]
    assert rt.sched.nGsyscallNoP == 0
    rt.checkinvariants()


def test_sysmonwait_wakes_sysmon_after_the_status_change(monkeypatch):
    def setup(rt):
        rt.sched.sysmonwait = True
    rt, g1, log = _entry_log(monkeypatch, setup=setup)
    i = log.index(("gstatus", "g1", _Grunning, _Gsyscall))
    assert ("g1.sched", "pc", PC) in log[i + 1:]  # the save after entersyscallWakeSysmon
    assert rt.sched.sysmonwait is False and rt.sched.sysmonnote.key == 1


def test_gcwaiting_hands_the_p_to_the_stop_the_world_before_the_cas(monkeypatch):
    def setup(rt):
        rt.sched.gcwaiting, rt.sched.stopwait = True, 1
    rt, g1, log = _entry_log(monkeypatch, setup=setup)
    p0 = rt.allp[0]
    i = log.index(("pstatus", "p0", _Prunning, _Pgcstop))
    assert log.index(("traceev", "ProcStop")) > i
    assert i < log.index(("gstatus", "g1", _Grunning, _Gsyscall))
    assert p0.m is None and rt.m0.p is None and rt.m0.oldp is p0
    assert rt.sched.nGsyscallNoP == 1 and p0.syscalltick == 1 and rt.sched.stopwait == 0
    assert rt.sched.stopnote.key == 1


def test_entersyscall_passes_the_callers_frame_pointer():
    rt, fos, g1 = boot()
    fos.setg(g1)
    rt.entersyscall(PC, sp_of(g1), 0)  # no frame pointer: not checked
    assert g1.syscallbp == 0 and g1.sched.bp == 0


@pytest.mark.parametrize("bp", [0xC000000000 - 8, 0xC000008000 + 8])
def test_a_frame_pointer_off_the_stack_throws(bp):
    rt, fos, g1 = boot()
    fos.setg(g1)
    with pytest.raises(Throw) as ei:
        rt.entersyscall(PC, sp_of(g1), bp)
    assert ei.value.msg == "entersyscall" and "inconsistent bp" in ei.value.detail


def test_an_sp_off_the_stack_throws():
    rt, fos, g1 = boot()
    fos.setg(g1)
    with pytest.raises(Throw) as ei:
        rt.entersyscall(PC, g1.stack.hi + 8, bp_of(g1))
    assert "inconsistent sp" in ei.value.detail


def test_entersyscallblock_hands_off_the_p_while_still_running(monkeypatch):
    wl = writelog(monkeypatch)
    rt, fos, g1 = boot(2, observer=wl)
    go(rt)  # work for the handed-off P
    wl.on = True
    fos.setg(g1)
    rt.entersyscallblock(PC, sp_of(g1), bp_of(g1))
    wl.on = False
    log = wl.log
    p0 = rt.allp[0]
    i_tick = log.index(("p0", "syscalltick", 1))
    i_begin = log.index(("traceev", "GoSyscallBegin"))
    i_stop = log.index(("traceev", "ProcStop"))
    i_idle = log.index(("pstatus", "p0", _Prunning, _Pidle))
    i_cas = log.index(("gstatus", "g1", _Grunning, _Gsyscall))
    assert i_tick < i_begin < i_stop < i_idle < i_cas
    assert rt.m0.p is None and rt.m0.oldp is None and rt.sched.nGsyscallNoP == 1
    assert p0.m is None and p0.status == _Pidle
    # handoffp: p0 has work, an M starts for it (go's wakep started one for p1 before)
    assert [c[1].nextp for c in fos.of("newosproc")] == [rt.allp[1], p0]
    rt.checkinvariants()
