"""go1.22 entersyscall / reentersyscall / entersyscallblock: state changes and their order."""

from __future__ import annotations

import pytest

from rt22 import P, PC, WriteLog, boot, go, new_ms, sp_of
from runtime_py import Recorder, Throw


def test_reentersyscall_state_changes_in_go_order(monkeypatch):
    """proc.go:4315: the P is given up — pp.m = 0; m.oldp = pp; m.p = 0; _Psyscall."""
    wl = WriteLog(monkeypatch)
    rt, fos, g1 = boot(observer=wl)
    m0, p0 = rt.m0, rt.allp[0]
    sp = sp_of(g1)
    wl.on = True
    rt.entersyscall(PC, sp)
    wl.on = False
    assert wl.log == [
        ("m0", "locks", 1),  # disable preemption
        ("g1", "stackguard0", P.stackPreempt),  # any stack check now traps
        ("g1", "throwsplit", True),
        ("g1.sched", "pc", PC),  # save(pc, sp): no sched.g write since go1.17
        ("g1.sched", "sp", sp),
        ("g1.sched", "lr", 0),
        ("g1.sched", "ret", 0),
        ("g1", "syscallsp", sp),
        ("g1", "syscallpc", PC),
        ("g1", "atomicstatus", P._Gsyscall),  # casgstatus(_Grunning, _Gsyscall)
        ("gstatus", "g1", P._Grunning, P._Gsyscall),
        ("traceev", "GoSyscallBegin"),
        ("m0", "syscalltick", 0),  # m.syscalltick = p.syscalltick
        ("p0", "m", None),  # pp.m = 0
        ("m0", "oldp", p0),  # gp.m.oldp.set(pp)
        ("m0", "p", None),  # gp.m.p = 0
        ("p0", "status", P._Psyscall),  # atomic.Store(&pp.status, _Psyscall)
        ("pstatus", "p0", P._Prunning, P._Psyscall),
        ("m0", "locks", 0),
    ]
    # During the syscall the M holds no P: m.p is nil, p.m is nil, m.oldp is the P.
    assert m0.p is None and p0.m is None and m0.oldp is p0
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
    assert ("traceev", "GoSyscallBegin", {"g": g1, "p": rt.allp[0]}) in rec.events


@pytest.mark.parametrize("sp", [0xC000000000 - 8, 0xC000008000 + 8])
def test_syscallsp_outside_the_stack_throws(sp):
    rt, fos, g1 = boot()
    with pytest.raises(Throw) as ei:
        rt.entersyscall(PC, sp)
    assert ei.value.msg == "entersyscall"
    assert f"entersyscall inconsistent {sp:#x} [{g1.stack.lo:#x},{g1.stack.hi:#x}]" in (
        ei.value.detail)


def test_save_refuses_g0():
    rt, fos, g1 = boot()
    fos.setg(rt.m0.g0)
    with pytest.raises(Throw, match="save on system g not allowed"):
        rt.save(PC, 0x1000)


def test_entersyscall_wakes_a_deep_sleeping_sysmon():
    rt, fos, g1 = boot()
    rt.sched.sysmonwait = True  # sysmon sleeps on sched.sysmonnote
    fos.calls.clear()
    rt.entersyscall(PC, sp_of(g1))
    assert rt.sched.sysmonwait is False
    assert rt.sched.sysmonnote.key == 1
    assert ("futexwakeup", rt.sched.sysmonnote, 1) in fos.calls
    # entersyscall_sysmon ran on g0 (systemstack) and came back to g1.
    assert [c[1] for c in fos.of("setg")] == [rt.m0.g0, g1]
    assert g1.sched.pc == PC and g1.sched.sp == sp_of(g1)  # re-saved
    assert rt.m0.locks == 0


def test_entersyscall_runs_a_pending_safe_point_function_before_giving_up_the_p():
    rt, fos, g1 = boot()
    p0 = rt.allp[0]
    seen = []
    rt.sched.safePointFn = lambda pp: seen.append((pp, pp.status, rt.m0.p))
    rt.sched.safePointWait = 1
    p0.runSafePointFn = 1
    rt.entersyscall(PC, sp_of(g1))
    assert seen == [(p0, P._Prunning, p0)]  # while the M still owns the P
    assert p0.runSafePointFn == 0 and rt.sched.safePointWait == 0
    assert rt.sched.safePointNote.key == 1
    assert p0.status == P._Psyscall


def test_entersyscall_gives_the_p_to_a_waiting_stop_the_world():
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    p0 = rt.allp[0]
    rt.sched.gcwaiting = True
    rt.sched.stopwait = 1
    rec.events.clear()
    rt.entersyscall(PC, sp_of(g1))
    assert p0.status == P._Pgcstop  # CAS _Psyscall -> _Pgcstop on m.oldp
    assert ("pstatus", p0, P._Psyscall, P._Pgcstop) in rec.events
    assert p0.syscalltick == 1
    assert rt.sched.stopwait == 0 and rt.sched.stopnote.key == 1
    assert rec.traceevs() == ["GoSyscallBegin", "ProcSteal"]


def test_entersyscallblock_hands_the_p_off_at_once():
    rec = Recorder()
    rt, fos, g1 = boot(gomaxprocs=2, observer=rec)
    m0, p0, p1 = rt.m0, rt.allp[0], rt.allp[1]
    rt.sched.lastpoll = 0  # someone polls the network: an idle P may stay idle
    rec.events.clear()
    rt.entersyscallblock(PC, sp_of(g1))
    assert g1.atomicstatus == P._Gsyscall
    assert m0.p is None and m0.oldp is None and m0.syscalltick == 0
    assert p0.syscalltick == 1 and p0.status == P._Pidle and p0.m is None
    assert rt.sched.pidle is p0 and p0.link is p1 and rt.sched.npidle == 2  # idled
    assert rt.idlepMask.read(0) and rt.idlepMask.read(1)
    assert (g1.syscallsp, g1.syscallpc) == (sp_of(g1), PC)
    assert m0.locks == 0
    assert rec.traceevs() == ["GoSyscallBegin", "ProcStop"]  # GoSysBlock is a no-op
    rt.checkinvariants()


def test_entersyscallblock_with_work_starts_an_m_for_the_p():
    """handoffp on an M without a P: startm -> newm -> allocm borrows the P for the
    allocation (acquirep, then releasep: ProcStart, ProcStop) and hands it to the new M."""
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    g2 = go(rt, fos)
    rec.events.clear()
    rt.entersyscallblock(PC, sp_of(g1))
    (newm,) = new_ms(fos)
    p0 = rt.allp[0]
    assert newm.nextp is p0 and newm.mstartfn is None and p0.status == P._Pidle
    assert p0.runnext is g2
    calls = rec.calls()
    assert calls.index("startm") < calls.index("mReserveID") < calls.index("allocm")
    i = calls.index("allocm")
    assert calls[i:].index("acquirep") < calls[i:].index("mcommoninit") < (
        calls[i:].index("releasep"))
    assert rec.traceevs() == ["GoSyscallBegin", "ProcStop", "ProcStart", "ProcStop"]
    assert rt.sched.mnext == 2 and newm.id == 1  # the reserved id
    rt.checkinvariants()
