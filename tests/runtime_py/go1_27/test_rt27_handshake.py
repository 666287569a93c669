"""The _Gscan handshake as threads interleave: sysmon wins the syscalling goroutine's scan
bit and is paused there (OS.parallel); the syscall returns meanwhile and exitsyscall waits in
casgstatus (procyield, then osyield) until sysmon's takeP and resume; then it finds its P
gone and goes on without it. Runs on the deterministic thread simulation (rt_simworld)."""

from __future__ import annotations

import runtime_py.go1_27
from rt_simworld import World
from runtime_py import Recorder
from runtime_py.go1_27 import (
    _Grunnable, _Grunning, _Gscan, _Gsyscall, _Pidle, _Prunning,
)


def _world(gomaxprocs: int = 1):
    rec = Recorder()
    w = World(gomaxprocs, rec, prof=runtime_py.go1_27)
    rt = w.rt
    m0, smon = rt.m0, w.sysmon_m
    w.settle()  # sysmon starts and sleeps its first 20us
    w.command(m0, lambda gp: w.cmd_syscall(gp))  # g1 enters a syscall and stays there
    rt.allp[0].schedtick += 1  # as if runtime.main had scheduled once (see rt27_helpers.warm)
    return w, rt, rec, m0, smon


def test_the_returning_thread_waits_while_sysmon_holds_the_scan_bit():
    w, rt, rec, m0, smon = _world()
    g1, p0 = w.g1, rt.allp[0]
    try:
        # g1's first syscall has syscalltick 0, which sysmon's zero copy takes for a second
        # sighting: sysmon's next look wins the bit, and pauses there.
        w.now += 30_000
        rec.events.clear()
        w.run(smon)
        assert g1.atomicstatus == _Gscan | _Gsyscall and rt.scanheld == {g1: smon}
        assert p0.status == _Prunning and p0.m is m0  # not taken yet: sysmon is paused
        rt.checkinvariants()
        # The syscall returns now: exitsyscall's CAS fails and it spins.
        w.run(m0)
        assert g1.atomicstatus == _Gscan | _Gsyscall and w.threads[m0].state[0] == "usleep"
        spun = [e for e in rec.events if e[0] == "call" and e[1] == "procyield"]
        assert len(spun) == 1
        assert any(e[0] == "note" and "wait for the scan bit" in e[1] for e in rec.events)
        rt.checkinvariants()
        # Spinning for more than 5us of nanotime makes it osyield.
        for _ in range(40):
            w.now += 200
            w.run(m0)
        calls = [e[1] for e in rec.events if e[0] == "call"]
        assert "osyield" in calls and calls.index("procyield") < calls.index("osyield")
        assert g1.atomicstatus == _Gscan | _Gsyscall
        # sysmon goes on: takeP, resume, handoffp; the waiting thread can now proceed.
        rec.events.clear()
        w.run(smon)
        st = [(e[2], e[3]) for e in rec.events if e[0] == "gstatus" and e[1] is g1]
        assert st == [(_Gscan | _Gsyscall, _Gsyscall)]
        assert p0.status == _Pidle and m0.p is None and rt.sched.nGsyscallNoP == 1
        rt.checkinvariants()
        rec.events.clear()
        w.now += 1000
        w.run(m0)
        st = [(e[2], e[3]) for e in rec.events if e[0] == "gstatus" and e[1] is g1]
        assert st[:2] == [(_Gsyscall, _Grunning), (_Grunning, _Grunnable)]  # exitsyscallNoP
        assert rt.sched.nGsyscallNoP == 0
        rt.checkinvariants()
        # The M sysmon started for p0 runs g1 again.
        w.now += 100_000
        w.settle()
        assert g1.atomicstatus == _Grunning and g1.m is not m0 and g1.m.p is p0
        rt.checkinvariants()
    finally:
        w.teardown()


def test_a_syscall_that_returns_before_sysmon_looks_keeps_its_p():
    w, rt, rec, m0, smon = _world()
    g1, p0 = w.g1, rt.allp[0]
    try:
        rec.events.clear()
        w.run(m0)  # returns at once
        st = [(e[2], e[3]) for e in rec.events if e[0] == "gstatus" and e[1] is g1]
        assert st == [(_Gsyscall, _Grunning)]
        assert m0.p is p0 and p0.status == _Prunning and "procyield" not in \
            [e[1] for e in rec.events if e[0] == "call"]
        rt.checkinvariants()
    finally:
        w.teardown()
