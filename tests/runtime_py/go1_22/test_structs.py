"""go1.22 statuses, constants, waitReason, gQueue/gList/pMask, the profile entry, reprs."""

from __future__ import annotations

import runtime_py
from runtime_py import load
from runtime_py.go1_22 import runtime2 as R
from runtime_py.go1_22 import trace2runtime as T
from rt22 import P


def test_go_constants():
    assert [P._Gidle, P._Grunnable, P._Grunning, P._Gsyscall, P._Gwaiting,
            P._Gmoribund_unused, P._Gdead, P._Genqueue_unused, P._Gcopystack,
            P._Gpreempted] == list(range(10))
    assert P._Gscan == 0x1000 and R._Gscanpreempted == 0x1009
    assert [P._Pidle, P._Prunning, P._Psyscall, P._Pgcstop, P._Pdead] == list(range(5))
    assert P.stackPreempt == 0xFFFFFFFFFFFFFADE == (-1314) & 0xFFFFFFFFFFFFFFFF
    assert P.stackGuard == 928 == 800 + 0 + 128 and P.stackMin == 2048
    assert P.freezeStopWait == 0x7FFFFFFF and P.forcePreemptNS == 10 * 1000 * 1000
    assert P._GoidCacheBatch == 16
    assert P.schedt().maxmcount == 10000
    assert len(P.p().runq) == 256 and len(P.m().tls) == 6


def test_status_names():
    assert P.gstatusname(2) == "_Grunning" and P.gstatusname(9) == "_Gpreempted"
    assert P.gstatusname(P._Gscan | P._Gsyscall) == "_Gscansyscall"
    assert P.gstatusname(0x77) == "status(0x77)"
    assert P.pstatusname(2) == "_Psyscall" and P.pstatusname(7) == "status(0x7)"


def test_wait_reasons_are_a_uint8_enum():
    assert len(R.waitReasonStrings) == 37  # waitReasonZero .. waitReasonCoroutine
    assert R.waitReasonChanReceive == 14 and str(R.waitReasonChanReceive) == "chan receive"
    assert R.waitReasonCoroutine == 36 and str(R.waitReasonCoroutine) == "coroutine"
    assert R.waitReason(200).String() == "unknown wait reason"
    assert f"{R.waitReasonSleep}" == "sleep" and R.waitReasonSleep + 0 == 19
    assert repr(R.waitReasonZero) == "waitReason(0, '')"


def test_trace_reasons():
    assert T.traceBlockReasonStrings[T.traceBlockChanRecv] == "chan receive"
    assert T.traceBlockReasonStrings[T.traceBlockForever] == "forever"
    assert T.OLD_TRACE_EVENT_REASON["GoBlockRecv"] == T.traceBlockChanRecv
    assert T.traceGoStopReasonStrings[T.traceGoStopPreempted] == "preempted"


def test_gqueue_and_glist():
    a, b, c = P.g(goid=1), P.g(goid=2), P.g(goid=3)
    q = P.gQueue()
    assert q.empty() and q.pop() is None
    q.pushBack(a)
    q.pushBack(b)
    q.push(c)  # to the head
    assert [q.pop(), q.pop(), q.pop(), q.pop()] == [c, a, b, None]
    assert q.head is None and q.tail is None
    q2 = P.gQueue()
    q2.pushBack(b)
    q.pushBack(a)
    q.pushBackAll(q2)
    assert q.head is a and q.tail is b and a.schedlink is b and b.schedlink is None
    lst = P.gList()
    lst.push(c)
    lst.pushAll(q)
    assert [lst.pop(), lst.pop(), lst.pop(), lst.pop()] == [a, b, c, None]


def test_pmask():
    mask = P.pMask([0, 0])
    mask.set(33)
    mask.set(1)
    assert mask.read(33) and mask.read(1) and not mask.read(0) and list(mask) == [2, 2]
    mask.clear(33)
    assert not mask.read(33) and list(mask) == [2, 0]


def test_reprs():
    mp = P.m(id=0)
    pp = P.p(id=0, status=P._Psyscall)
    gp = P.g(goid=1, atomicstatus=P._Gsyscall, m=mp)
    mp.oldp, mp.curg = pp, gp
    assert repr(gp) == "<g 1 _Gsyscall m0>"
    assert repr(pp) == "<p 0 _Psyscall m->"
    assert repr(mp) == "<m 0 p- curg=g1>"


def test_identity_is_equality():
    a, b = P.g(), P.g()
    assert a != b and a == a
    a.m = P.m(curg=a)  # cycles do not break == or hash
    assert len({a, b}) == 2


def test_profile_entry():
    mod = load("go1.22")
    assert mod is P and mod.GO_VERSION == "go1.22" and mod.Runtime is P.Runtime
    assert runtime_py.PROFILES["go1.22"] == "runtime_py.go1_22"
    # The module-level names the emulator reads, as for go1.10.
    for name in ("gstatusname", "pstatusname", "layout", "OS", "Runtime", "GO_VERSION"):
        assert hasattr(mod, name), name
    for name in ("G_FIELDS", "G_STRUCT", "g_values", "g_words", "M_TLS", "M_CURG", "M_P",
                 "M_LOCKS", "P_STATUS", "P_M", "SIZEOF_G", "M_OLDP"):
        assert hasattr(mod.layout, name), name


def test_both_profiles_share_the_note_functions():
    from runtime_py.go1_10.lock_futex import LockFutex as L10
    from runtime_py.go1_22.lock_futex import LockFutex as L22
    from runtime_py.notes import FutexNotes
    assert L10.notesleep is L22.notesleep is FutexNotes.notesleep
    assert L10.lock is not L22.lock  # the mutex differs: go1.22 has lock2/unlock2
