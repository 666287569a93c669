"""go1.22.10 amd64 offsets of the guest-visible g/m/p fields, and the values mirrored into memory.

The expected numbers are those of a go1.22.10 build's DWARF and go_asm.h (layout.py says how
they were read); a check against a freshly built binary belongs to the toolchain tests.
"""

from __future__ import annotations

from rt22 import P, PC, boot, go, sp_of
from runtime_py.go1_22 import layout


def test_g_field_offsets_match_go1_22():
    f = layout.G_FIELDS
    assert f["stack.lo"] == (0, 8) and f["stack.hi"] == (8, 8)
    assert f["stackguard0"] == (16, 8) and f["stackguard1"] == (24, 8)
    assert f["m"] == (48, 8)
    assert [f[k][0] for k in ("sched.sp", "sched.pc", "sched.g", "sched.ctxt", "sched.ret",
                              "sched.lr", "sched.bp")] == [56, 64, 72, 80, 88, 96, 104]
    assert f["syscallsp"] == (112, 8) and f["syscallpc"] == (120, 8)
    assert f["stktopsp"] == (128, 8) and f["param"] == (136, 8)
    assert f["atomicstatus"] == (144, 4) and f["stackLock"] == (148, 4)
    assert f["goid"] == (152, 8)
    # go1.22: schedlink before waitsince; waitreason is a uint8 enum, not a string.
    assert f["schedlink"] == (160, 8) and f["waitsince"] == (168, 8)
    assert f["waitreason"] == (176, 1) and f["preempt"] == (177, 1)
    assert f["throwsplit"] == (183, 1) and f["lockedm"] == (208, 8)
    assert f["parentGoid"] == (272, 8) and f["gopc"] == (280, 8) and f["startpc"] == (296, 8)
    assert "sysblocktraced" not in f and "sysexitticks" not in f
    assert layout.SIZEOF_G == 424


def test_m_p_sched_offsets_match_go1_22():
    assert (layout.M_TLS, layout.M_CURG, layout.M_P, layout.M_NEXTP, layout.M_OLDP) == (
        136, 192, 208, 216, 224)
    assert (layout.M_ID, layout.M_LOCKS, layout.M_SYSCALLTICK) == (232, 264, 952)
    assert (layout.P_STATUS, layout.P_SCHEDTICK, layout.P_SYSCALLTICK, layout.P_SYSMONTICK,
            layout.P_M) == (4, 16, 20, 24, 56)
    assert layout.P_FIELDS["runnext"] == (2456, 8) and layout.SIZEOF_P == 8944
    assert layout.SIZEOF_M == 2024
    s = layout.SCHED_FIELDS
    assert (s["pidle"][0], s["npidle"][0], s["nmspinning"][0]) == (80, 88, 92)
    assert (s["gcwaiting"][0], s["stopwait"][0], s["sysmonwait"][0]) == (232, 236, 248)


def test_fields_do_not_overlap_and_fit():
    for fields, size in ((layout.G_FIELDS, layout.SIZEOF_G), (layout.M_FIELDS, layout.SIZEOF_M),
                         (layout.P_FIELDS, layout.SIZEOF_P)):
        spans = sorted(fields.values())
        for (o1, s1), (o2, _) in zip(spans, spans[1:]):
            assert o1 + s1 <= o2
        off, sz = spans[-1]
        assert off + sz <= size


def test_every_mirrored_field_is_a_model_field():
    gp = P.g()
    for name in layout.G_FIELDS:
        obj = gp
        for part in name.split("."):
            obj = getattr(obj, part)  # raises if the model lacks the field
    for name in layout.M_FIELDS:
        assert hasattr(P.m(), name), name
    for name in layout.P_FIELDS:
        assert hasattr(P.p(), name), name


def test_g_words_of_a_goroutine_in_a_syscall():
    rt, fos, g1 = boot()
    rt.entersyscall(PC, sp_of(g1))
    addrs = {id(rt.m0): 0x5000, id(g1): 0x6000}
    words = {off: (size, v) for off, size, v in layout.g_words(g1, lambda o: addrs[id(o)])}
    assert words[0] == (8, g1.stack.lo) and words[8] == (8, g1.stack.hi)
    assert words[16] == (8, P.stackPreempt)
    assert words[48] == (8, 0x5000)  # g.m
    assert words[56] == (8, sp_of(g1)) and words[64] == (8, PC)  # sched.sp, sched.pc
    assert words[72] == (8, 0x6000)  # sched.g (newproc1 set it; save no longer does)
    assert words[112] == (8, sp_of(g1)) and words[120] == (8, PC)
    assert words[144] == (4, 3)  # atomicstatus = _Gsyscall
    assert words[152] == (8, 1)  # goid
    assert words[160] == (8, 0)  # schedlink nil
    assert words[176] == (1, 0)  # waitreason = waitReasonZero
    assert words[183] == (1, 1)  # throwsplit


def test_g_words_of_a_parked_goroutine():
    rt, fos, g1 = boot()
    g2 = go(rt, fos)
    g2.waitreason = P.waitReasonChanReceive
    g2.waitsince = -1  # int64
    words = {off: v for off, _, v in layout.g_words(g2, lambda o: 0x9000)}
    assert words[176] == 14  # waitReasonChanReceive: one byte, its enum value
    assert words[168] == 0xFFFFFFFFFFFFFFFF
    assert words[272] == 1  # parentGoid: g1 made it
    packed = layout.G_STRUCT.pack(*layout.g_values(g2, lambda o: 0x9000))
    assert len(packed) == layout.G_STRUCT.size <= layout.SIZEOF_G
    assert packed[176] == 14
