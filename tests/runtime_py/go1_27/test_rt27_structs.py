"""go1.27 statuses and their names, the profile entry, the layout's offsets (from the DWARF of
a go1.27.3 linux/amd64 binary), and the g words guest memory shows during a syscall."""

from __future__ import annotations

import runtime_py
from rt27_helpers import PC, boot, bp_of, enter, sp_of
from runtime_py import load
from runtime_py.go1_27 import (
    _Gdeadextra, _Gleaked, _Gpreempted, _Gscan, _Gsyscall, _Pdead, _Pgcstop, _Pidle,
    _Prunning, _Psyscall_unused, gstatusname, layout, pstatusname, stackGuard, stackPreempt,
    waitReasonChanReceive, waitReasonString,
)
from runtime_py.go1_27.lock_spinbit import mutexMLocksDelta


def test_constants():
    assert (_Gpreempted, _Gleaked, _Gdeadextra) == (9, 10, 11) and _Gscan == 0x1000
    assert [_Pidle, _Prunning, _Psyscall_unused, _Pgcstop, _Pdead] == list(range(5))
    assert stackGuard == 928 and stackPreempt == 0xFFFFFFFFFFFFFADE
    assert mutexMLocksDelta == 16
    assert waitReasonString(waitReasonChanReceive) == "chan receive"
    assert waitReasonString(15) == "chan receive (nil chan)"
    assert waitReasonString(200) == "unknown wait reason"


def test_status_names_show_the_scan_bit():
    assert gstatusname(_Gsyscall) == "_Gsyscall"
    assert gstatusname(_Gscan | _Gsyscall) == "_Gscan|_Gsyscall"
    assert gstatusname(_Gscan | _Gdeadextra) == "_Gscan|_Gdeadextra"
    assert gstatusname(0x77) == "status(0x77)"
    assert pstatusname(2) == "_Psyscall_unused" and pstatusname(_Prunning) == "_Prunning"


def test_the_profile_is_registered():
    mod = load("go1.27")
    assert mod.GO_VERSION == "go1.27" and mod.Runtime is runtime_py.go1_27.Runtime
    assert runtime_py.PROFILES["go1.27"] == "runtime_py.go1_27"


def test_offsets_are_go1_27_3s():
    f = layout.G_FIELDS
    assert [f[k][0] for k in ("sched.sp", "sched.pc", "sched.g", "sched.ctxt", "sched.lr",
                              "sched.bp")] == [56, 64, 72, 80, 88, 96]
    assert (f["syscallsp"], f["syscallpc"], f["syscallbp"]) == ((104, 8), (112, 8), (120, 8))
    assert (f["stktopsp"], f["param"], f["atomicstatus"]) == ((128, 8), (136, 8), (144, 4))
    assert (f["goid"], f["schedlink"], f["waitsince"]) == ((152, 8), (160, 8), (168, 8))
    assert (f["waitreason"], f["preempt"], f["throwsplit"]) == ((176, 1), (177, 1), (183, 1))
    assert f["lockedm"] == (208, 8) and layout.SIZEOF_G == 456
    assert (layout.M_TLS, layout.M_CURG, layout.M_P, layout.M_OLDP, layout.M_LOCKS,
            layout.M_SYSCALLTICK) == (128, 184, 208, 224, 264, 788)
    assert (layout.P_STATUS, layout.P_SCHEDTICK, layout.P_SYSCALLTICK, layout.P_M) == \
        (4, 16, 20, 48)
    spans = sorted(f.values())
    for (o1, s1), (o2, _) in zip(spans, spans[1:]):
        assert o1 + s1 <= o2
    assert spans[-1][0] + spans[-1][1] <= layout.SIZEOF_G


def test_g_words_of_a_goroutine_in_a_syscall():
    rt, fos, g1 = boot()
    enter(rt, fos, g1)
    addrs = {id(rt.m0): 0x5000, id(g1): 0x6000}
    words = {off: (size, v) for off, size, v in layout.g_words(g1, lambda o: addrs[id(o)])}
    assert words[16] == (8, stackPreempt) and words[48] == (8, 0x5000)
    assert words[56] == (8, sp_of(g1)) and words[64] == (8, PC) and words[72] == (8, 0x6000)
    assert words[96] == (8, bp_of(g1))  # sched.bp
    assert words[104] == (8, sp_of(g1)) and words[112] == (8, PC)
    assert words[120] == (8, bp_of(g1))  # syscallbp
    assert words[144] == (4, _Gsyscall) and words[152] == (8, 1)
    assert words[176] == (1, 0) and words[183] == (1, 1)  # waitreason, throwsplit
    assert len(layout.G_STRUCT.pack(*layout.g_values(g1, lambda o: addrs[id(o)]))) <= 456
    g1.atomicstatus = _Gscan | _Gsyscall
    words = {off: v for off, _, v in layout.g_words(g1, lambda o: addrs[id(o)])}
    assert words[144] == 0x1003
