"""Statuses, names, reprs, identity, profiles, Throw, the Recorder observer."""

from __future__ import annotations

import pytest

import runtime_py
from runtime_py import Recorder, Throw, load, throw
from runtime_py.go1_10 import (
    _Gcopystack, _Gdead, _Genqueue_unused, _Gidle, _Gmoribund_unused, _Grunnable, _Grunning,
    _Gscan, _Gsyscall, _Gwaiting, _Pdead, _Pgcstop, _Pidle, _Prunning, _Psyscall,
    _StackGuard, forcePreemptNS, freezeStopWait, g, gstatusname, m, p, pstatusname, schedt,
    stackPreempt,
)
from runtime_py.go1_10 import runtime2


def test_go_constants():
    assert [_Gidle, _Grunnable, _Grunning, _Gsyscall, _Gwaiting, _Gmoribund_unused, _Gdead,
            _Genqueue_unused, _Gcopystack] == list(range(9))
    assert _Gscan == 0x1000
    assert [_Pidle, _Prunning, _Psyscall, _Pgcstop, _Pdead] == list(range(5))
    assert stackPreempt == 0xFFFFFFFFFFFFFADE == (-1314) & 0xFFFFFFFFFFFFFFFF
    assert _StackGuard == 880 and freezeStopWait == 0x7FFFFFFF
    assert forcePreemptNS == 10 * 1000 * 1000
    assert schedt().maxmcount == 10000
    assert len(p().runq) == 256 and len(m().tls) == 6


def test_status_names():
    assert gstatusname(2) == "_Grunning" and gstatusname(_Gsyscall) == "_Gsyscall"
    assert gstatusname(_Gscan | _Gsyscall) == "_Gscansyscall"
    assert pstatusname(2) == "_Psyscall" and pstatusname(_Pidle) == "_Pidle"


def test_reprs():
    mp = m(id=0)
    pp = p(id=0, status=_Psyscall)
    gp = g(goid=1, atomicstatus=_Gsyscall, m=mp)
    mp.p, mp.curg = pp, gp
    assert repr(gp) == "<g 1 _Gsyscall m0>"
    assert repr(pp) == "<p 0 _Psyscall m->"
    assert repr(mp) == "<m 0 p0 curg=g1>"


def test_identity_is_equality():
    a, b = g(), g()
    assert a != b and a == a
    a.m = m(curg=a)  # cycles do not break == or hash
    assert len({a, b}) == 2


def test_profiles():
    mod = load("go1.10")
    assert mod.Runtime is runtime_py.go1_10.Runtime and mod.GO_VERSION == "go1.10"
    assert runtime_py.PROFILES["go1.10"] == "runtime_py.go1_10"
    with pytest.raises(ValueError, match="supported: go1.10"):
        load("go1.99")


def test_throw():
    with pytest.raises(Throw) as ei:
        throw("entersyscall", "entersyscall inconsistent ", hex(16), "\n")
    e = ei.value
    assert isinstance(e, RuntimeError)
    assert e.msg == "entersyscall" and e.detail == "entersyscall inconsistent 0x10\n"
    assert str(e) == "entersyscall inconsistent 0x10\nfatal error: entersyscall"
    assert str(Throw("x")) == "fatal error: x"


def test_recorder_sees_calls_statuses_and_events():
    from rt_helpers import PC, boot, sp_of
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    rec.events.clear()
    rt.entersyscall(PC, sp_of(g1))
    assert rec.calls()[:2] == ["entersyscall", "reentersyscall"]
    assert ("gstatus", g1, _Grunning, _Gsyscall) in rec.events
    assert ("pstatus", rt.allp[0], _Prunning, _Psyscall) in rec.events
    assert rec.traceevs() == ["GoSysCall"]
    assert _Grunnable == runtime2._Grunnable and _Gdead == 6
