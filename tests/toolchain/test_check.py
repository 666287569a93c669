"""The go1.22 and go1.27 listings held against binaries the real toolchains built.

Each check passes on the profile as written and fails on a copy with one byte, one
line, one call target or one offset changed — so a passing check means something.
"""
import dataclasses
import types

import pytest

from asm import go1_22, go1_27
from asm.assembler import assemble
from emu.toolchain import check

LISTINGS = {"1.22.10": go1_22, "1.27.3": go1_27}
BASE = 0x401000                          # gosyscall's own address map, not the binary's
EXTERNS = {"runtime.entersyscall": 0x42C000, "runtime.exitsyscall": 0x42C020}


def image_of(stubs):
    return assemble(list(stubs.values()), BASE, EXTERNS)


def changed(stubs, name, index, **fields):
    """A copy of the listings with line ``index`` of ``name`` changed."""
    stub = stubs[name]
    lines = list(stub.lines)
    lines[index] = dataclasses.replace(lines[index], **fields)
    return {**stubs, name: dataclasses.replace(stub, lines=tuple(lines))}


@pytest.mark.parametrize("version", sorted(LISTINGS))
def test_the_listings_are_the_toolchains_code(go, version):
    b = go.binary(version)
    image = image_of(LISTINGS[version].STUBS)
    assert check.check_code(image, b) == []
    assert check.check_lines(image, b) == []
    assert check.check_lines(image, b, source="pclntab") == []


@pytest.mark.parametrize("version", sorted(LISTINGS))
def test_at_the_binarys_own_addresses_not_even_a_mask_is_needed(go, version):
    """Assembled where the linker put each function, calling where the binary's callees
    are, every byte of every listing equals the binary's — the rel32s included."""
    b = go.binary(version)
    for name, stub in LISTINGS[version].STUBS.items():
        callees = {i.intel.split()[1] for i in stub.lines if i.intel.startswith("call ")}
        one = assemble([stub], b.symbol(name).addr, {c: b.symbol(c).addr for c in callees})
        assert one.code == b.code(name), name


def test_one_changed_byte_fails(go):
    b = go.binary("1.22.10")
    bad = changed(go1_22.STUBS, "syscall.Syscall", 2, intel="sub rsp, 0x48")    # SUBQ $0x50 → $0x48
    got = check.check_code(image_of(bad), b)
    assert [(m.where, m.what) for m in got] == [("syscall.Syscall+0x4", "bytes")]
    assert str(got[0]) == "syscall.Syscall+0x4: bytes: profile 4883ec48 (sub rsp, 0x48), binary 4883ec50"


def test_exact_bytes_capstone_cannot_tell_apart_still_fail(go):
    """Keystone's 3-byte NOP reads as the same text; the toolchain check sees it."""
    b = go.binary("1.27.3")
    bad = changed(go1_27.STUBS, "syscall.Syscall", 7, raw=bytes.fromhex("0f1820"))
    got = check.check_code(image_of(bad), b)
    assert ("syscall.Syscall", "size") in [(m.where, m.what) for m in got]
    assert ("syscall.Syscall+0x1c", "bytes") in [(m.where, m.what) for m in got]


def test_a_changed_call_target_fails_though_its_bytes_are_masked(go):
    b = go.binary("1.22.10")
    stub = go1_22.STUBS["syscall.Syscall"]
    i = next(k for k, ln in enumerate(stub.lines) if ln.intel == "call runtime.entersyscall")
    bad = changed(go1_22.STUBS, "syscall.Syscall", i, intel="call runtime.exitsyscall")
    got = check.check_code(image_of(bad), b)
    assert [str(m) for m in got] == [
        "syscall.Syscall+0x20: call target: profile runtime.exitsyscall, binary runtime.entersyscall"]


def test_one_changed_line_fails(go):
    b = go.binary("1.27.3")
    bad = changed(go1_27.STUBS, "internal/runtime/syscall/linux.Syscall6", 4, loc="asm_linux_amd64.s:34")
    for source in ("dwarf", "pclntab"):
        got = check.check_lines(image_of(bad), b, source=source)
        assert [str(m) for m in got] == [
            "internal/runtime/syscall/linux.Syscall6+0xc: line: profile "
            "internal/runtime/syscall/linux/asm_linux_amd64.s:34, binary "
            "internal/runtime/syscall/linux/asm_linux_amd64.s:35"]


def test_the_wrong_file_fails(go):
    """go1.22's RawSyscall6 is runtime code linknamed into package syscall: its lines are
    the runtime's file, and a listing that said syscall/syscall_linux.go would be wrong."""
    b = go.binary("1.22.10")
    stubs = dict(go1_22.STUBS)
    stubs["syscall.RawSyscall6"] = dataclasses.replace(stubs["syscall.RawSyscall6"],
                                                       source="syscall/syscall_linux.go")
    got = check.check_lines(image_of(stubs), b, names=["syscall.RawSyscall6"])
    assert len(got) == 7 and got[0].expected == "syscall/syscall_linux.go:37"
    assert got[0].got == "runtime/internal/syscall/syscall_linux.go:37"


def test_a_function_the_binary_lacks_is_reported(go):
    b = go.binary("1.27.3")
    stubs = {**go1_27.STUBS, "syscall.Nope": dataclasses.replace(go1_27.STUBS["syscall.RawSyscall"], name="syscall.Nope")}
    assert [str(m) for m in check.check_code(image_of(stubs), b)] == \
        ["syscall.Nope: missing: profile a function, binary no such symbol"]
    assert [m.what for m in check.check_lines(image_of(stubs), b)] == ["missing"]


LAYOUT_122 = {"stack.lo": (0, 8), "stackguard0": (16, 8), "m": (48, 8), "sched.sp": (56, 8),
              "syscallsp": (112, 8), "syscallpc": (120, 8), "atomicstatus": (144, 4), "goid": (152, 8)}


def test_layout_check_passes_and_fails_on_one_offset(go):
    b = go.binary("1.22.10")
    assert check.check_layout(LAYOUT_122, b, "runtime.g") == []
    bad = dict(LAYOUT_122, syscallpc=(128, 8))
    assert [str(m) for m in check.check_layout(bad, b, "runtime.g")] == \
        ["runtime.g.syscallpc: offset: profile 128, binary 120"]
    assert [str(m) for m in check.check_layout({"atomicstatus": (144, 8)}, b, "runtime.g")] == \
        ["runtime.g.atomicstatus: size: profile 8, binary 4"]
    assert check.check_layout({"nosuch": 1}, b, "runtime.g")[0].what == "missing"


def test_constants_of_a_layout_module_are_checked_by_name(go):
    """A runtime profile's ``M_CURG = 192``-style constants, matched to DWARF names."""
    b = go.binary("1.27.3")
    layout = types.SimpleNamespace(M_G0=0, M_TLS=128, M_CURG=184, M_P=208, M_OLDP=224, P_STATUS=4, P_M=48)
    assert check.constants_layout(layout, "M_") == {"g0": 0, "tls": 128, "curg": 184, "p": 208, "oldp": 224}
    assert check.check_layout(check.constants_layout(layout, "M_"), b, "runtime.m") == []
    assert check.check_layout(check.constants_layout(layout, "P_"), b, "runtime.p") == []
    layout.M_CURG = 192                                           # go1.22's value: wrong for go1.27
    assert [m.where for m in check.check_layout(check.constants_layout(layout, "M_"), b, "runtime.m")] == \
        ["runtime.m.curg"]


def test_dwarf_layouts_hands_out_g_m_p(go):
    got = check.dwarf_layouts(go.binary("1.27.3"))
    assert set(got) == {"runtime.g", "runtime.m", "runtime.p", "runtime.schedt"}
    assert got["runtime.g"]["syscallbp"] == (120, 8) and got["runtime.p"]["status"] == (4, 4)


def test_what_is_masked():
    """Only an out-of-function rel32 and a RIP-relative disp32; never an in-function jump."""
    call = bytes.fromhex("e83babffff")                     # CALL runtime.entersyscall
    assert check.address_fields(call, 0x45E1C0, 0x45E1A0, 0x45E20F) == [(1, 4, 0x458D00)]
    lea = bytes.fromhex("488d0501000000")                  # LEAQ x(SB), AX
    assert check.address_fields(lea, 0x1000, 0x1000, 0x1100) == [(3, 4, 0x1008)]
    jbe = bytes.fromhex("7615")                            # JLS ok, inside Syscall6
    assert check.address_fields(jbe, 0x402AF4, 0x402AE0, 0x402B16) == []
    near = bytes.fromhex("e800000000")                     # a CALL to the next instruction: inside
    assert check.address_fields(near, 0x1000, 0x1000, 0x1010) == []
    assert check.address_fields(bytes.fromhex("4883ec50"), 0x1000, 0x1000, 0x1010) == []
