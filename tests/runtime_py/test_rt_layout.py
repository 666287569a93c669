"""go1.10 amd64 offsets of the guest-visible g fields, and the values mirrored into memory."""

from __future__ import annotations

from rt_helpers import PC, boot, sp_of
from runtime_py.go1_10 import layout, stackPreempt


def test_g_field_offsets_match_go1_10():
    f = layout.G_FIELDS
    assert f["stack.lo"] == (0, 8) and f["stack.hi"] == (8, 8)
    assert f["stackguard0"] == (16, 8) and f["stackguard1"] == (24, 8)
    assert f["m"] == (48, 8)
    assert [f[k][0] for k in ("sched.sp", "sched.pc", "sched.g", "sched.ctxt", "sched.ret",
                              "sched.lr", "sched.bp")] == [56, 64, 72, 80, 88, 96, 104]
    assert f["syscallsp"] == (112, 8) and f["syscallpc"] == (120, 8)
    assert f["stktopsp"] == (128, 8) and f["param"] == (136, 8)
    assert f["atomicstatus"] == (144, 4) and f["stackLock"] == (148, 4)
    assert f["goid"] == (152, 8) and f["waitsince"] == (160, 8)
    assert f["waitreason"] == (168, 16) and f["schedlink"] == (184, 8)
    assert f["preempt"] == (192, 1) and f["throwsplit"] == (197, 1)
    assert f["sysblocktraced"] == (199, 1) and f["sysexitticks"] == (200, 8)
    assert f["lockedm"] == (224, 8)
    assert (layout.M_TLS, layout.M_CURG, layout.M_P, layout.M_LOCKS) == (136, 192, 208, 256)
    assert (layout.P_STATUS, layout.P_M) == (12, 64)


def test_g_fields_do_not_overlap_and_fit():
    spans = sorted(layout.G_FIELDS.values())
    for (o1, s1), (o2, _) in zip(spans, spans[1:]):
        assert o1 + s1 <= o2
    off, size = spans[-1]
    assert off + size <= layout.SIZEOF_G


def test_g_words_of_a_goroutine_in_a_syscall():
    rt, fos, g1 = boot()
    rt.entersyscall(PC, sp_of(g1))
    addrs = {id(rt.m0): 0x5000, id(g1): 0x6000}
    words = {off: (size, v) for off, size, v in layout.g_words(g1, lambda o: addrs[id(o)])}
    assert words[0] == (8, g1.stack.lo) and words[8] == (8, g1.stack.hi)
    assert words[16] == (8, stackPreempt)
    assert words[48] == (8, 0x5000)  # g.m
    assert words[56] == (8, sp_of(g1)) and words[64] == (8, PC)  # sched.sp, sched.pc
    assert words[72] == (8, 0x6000)  # sched.g
    assert words[112] == (8, sp_of(g1)) and words[120] == (8, PC)
    assert words[144] == (4, 3)  # atomicstatus = _Gsyscall
    assert words[152] == (8, 1)  # goid
    assert words[168] == (8, 0) and words[176] == (8, 0)  # waitreason "" = {nil, 0}
    assert words[184] == (8, 0)  # schedlink nil
    assert words[197] == (1, 1) and words[199] == (1, 1)  # throwsplit, sysblocktraced


def test_g_words_of_a_waitreason():
    rt, fos, g1 = boot()
    g1.waitreason = "chan receive"
    words = {off: v for off, _, v in layout.g_words(g1, lambda o: 0x9000)}
    assert words[168] == 0x9000 and words[176] == len("chan receive")
