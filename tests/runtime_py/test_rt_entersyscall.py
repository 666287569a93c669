"""go1.10 entersyscall / reentersyscall / entersyscallblock: state changes and their order."""

from __future__ import annotations

import pytest

from rt_helpers import PC, WriteLog, boot, go, sp_of
from runtime_py import Recorder, Throw
from runtime_py.go1_10 import (
    _Grunning, _Gsyscall, _Pgcstop, _Pidle, _Prunning, _Psyscall, stackPreempt,
)


def test_reentersyscall_state_changes_in_go_order(monkeypatch):
    wl = WriteLog(monkeypatch)
    rt, fos, g1 = boot(observer=wl)
    m0, p0 = rt.m0, rt.allp[0]
    sp = sp_of(g1)
    wl.on = True
    rt.entersyscall(PC, sp)
    wl.on = False
    assert wl.log == [
        ("m0", "locks", 1),  # disable preemption
        ("g1", "stackguard0", stackPreempt),  # any stack check now traps
        ("g1", "throwsplit", True),
        ("g1.sched", "pc", PC),  # save(pc, sp)
        ("g1.sched", "sp", sp),
        ("g1.sched", "lr", 0),
        ("g1.sched", "ret", 0),
        ("g1.sched", "g", g1),
        ("g1", "syscallsp", sp),
        ("g1", "syscallpc", PC),
        ("g1", "atomicstatus", _Gsyscall),  # casgstatus(_Grunning, _Gsyscall)
        ("gstatus", "g1", _Grunning, _Gsyscall),
        ("traceev", "GoSysCall"),
        ("m0", "syscalltick", 0),  # m.syscalltick = p.syscalltick
        ("g1", "sysblocktraced", True),
        ("m0", "mcache", None),
        ("p0", "m", None),  # the P forgets its M ...
        ("p0", "status", _Psyscall),  # ... and is marked in a syscall
        ("pstatus", "p0", _Prunning, _Psyscall),
        ("g1", "stackguard0", stackPreempt),
        ("m0", "locks", 0),
    ]
    assert m0.p is p0  # go1.10 keeps m.p during the syscall
    assert g1.m is m0 and m0.curg is g1
    rt.checkinvariants()


def test_entersyscall_passes_callerpc_and_callersp():
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    rec.events.clear()
    rt.entersyscall(PC, sp_of(g1))
    assert rec.events[0] == ("call", "entersyscall", {"callerpc": PC, "callersp": sp_of(g1)})
    assert rec.events[1] == ("call", "reentersyscall", {"pc": PC, "sp": sp_of(g1)})
    assert (g1.syscallpc, g1.syscallsp) == (PC, sp_of(g1))


@pytest.mark.parametrize("sp", [0xC000000000 - 8, 0xC000008000 + 8])
def test_syscallsp_outside_the_stack_throws(sp):
    rt, fos, g1 = boot()
    with pytest.raises(Throw) as ei:
        rt.entersyscall(PC, sp)
    assert ei.value.msg == "entersyscall"
    assert ei.value.detail.startswith("entersyscall inconsistent ")
    assert f"{sp:#x} [{g1.stack.lo:#x},{g1.stack.hi:#x}]" in ei.value.detail


def test_entersyscall_wakes_a_deep_sleeping_sysmon():
    rt, fos, g1 = boot()
    rt.sched.sysmonwait = 1  # sysmon sleeps on sched.sysmonnote
    fos.calls.clear()
    rt.entersyscall(PC, sp_of(g1))
    assert rt.sched.sysmonwait == 0
    assert rt.sched.sysmonnote.key == 1
    assert ("futexwakeup", rt.sched.sysmonnote, 1) in fos.calls
    # entersyscall_sysmon ran on g0 (systemstack) and came back to g1.
    assert [c[1] for c in fos.of("setg")] == [rt.m0.g0, g1]
    assert g1.sched.pc == PC and g1.sched.sp == sp_of(g1)  # re-saved
    assert rt.m0.locks == 0


def test_entersyscall_gives_the_p_to_a_waiting_stop_the_world():
    rt, fos, g1 = boot()
    p0 = rt.allp[0]
    rt.sched.gcwaiting = 1
    rt.sched.stopwait = 1
    rt.entersyscall(PC, sp_of(g1))
    assert p0.status == _Pgcstop
    assert p0.syscalltick == 1
    assert rt.sched.stopwait == 0 and rt.sched.stopnote.key == 1


def test_entersyscallblock_hands_the_p_off_at_once():
    rec = Recorder()
    rt, fos, g1 = boot(gomaxprocs=2, observer=rec)
    m0, p0, p1 = rt.m0, rt.allp[0], rt.allp[1]
    rt.sched.lastpoll = 0  # someone polls the network: an idle P may stay idle
    rec.events.clear()
    rt.entersyscallblock(PC, sp_of(g1))
    assert g1.atomicstatus == _Gsyscall
    assert m0.p is None and m0.mcache is None and m0.syscalltick == 0
    assert p0.syscalltick == 1 and p0.status == _Pidle and p0.m is None
    assert rt.sched.pidle is p0 and p0.link is p1 and rt.sched.npidle == 2  # handoffp idled it
    assert (g1.syscallsp, g1.syscallpc) == (sp_of(g1), PC)
    assert m0.locks == 0
    assert rec.traceevs() == ["GoSysCall", "GoSysBlock", "ProcStop"]
    rt.checkinvariants()


def test_entersyscallblock_with_work_starts_an_m_for_the_p():
    rt, fos, g1 = boot()
    g2 = go(rt, fos)
    rt.entersyscallblock(PC, sp_of(g1))
    (newm,) = [c[1] for c in fos.of("newosproc")]
    assert newm.nextp is rt.allp[0] and newm.mstartfn is None
    assert rt.allp[0].runnext is g2
    rt.checkinvariants()
