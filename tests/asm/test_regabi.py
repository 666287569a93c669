"""The go1.22 and go1.27 listings: the compiler's shapes, Go's encodings, Go's jump padding.

These need no toolchain; tests/toolchain/test_check.py holds the same listings against
binaries the real toolchains build (and tests/asm/test_stubs.py disassembles every line).
"""
import pytest

from asm import go1_22, go1_27
from asm.assembler import AsmError, assemble
from asm.stub import listing

EXTERNS = {"runtime.entersyscall": 0x42C000, "runtime.exitsyscall": 0x42C020}
BASE = 0x401000
PROFILES = {"go1.22": go1_22, "go1.27": go1_27}
ASM_SYSCALL6 = {"go1.22": "runtime/internal/syscall.Syscall6",
                "go1.27": "internal/runtime/syscall/linux.Syscall6"}


@pytest.fixture(scope="module", params=sorted(PROFILES))
def profile(request):
    mod = PROFILES[request.param]
    return request.param, mod, assemble(list(mod.STUBS.values()), BASE, EXTERNS)


def insns(image, name):
    return sorted((i for i in image.insns.values() if i.stub == name), key=lambda i: i.addr)


# The go1.22.10 syscall.Syscall as `go tool objdump` shows it (Go mnemonics and operands).
GO122_SYSCALL = [
    "PUSHQ BP", "MOVQ SP, BP", "SUBQ $0x50, SP",
    "MOVQ AX, 0x60(SP)", "MOVQ BX, 0x68(SP)", "MOVQ CX, 0x70(SP)", "MOVQ DI, 0x78(SP)",
    "NOPL 0(AX)", "CALL runtime.entersyscall(SB)",
    "MOVQ 0x60(SP), AX", "MOVQ 0x68(SP), BX", "MOVQ 0x70(SP), CX", "MOVQ 0x78(SP), DI",
    "XORL SI, SI", "MOVQ SI, R8", "MOVQ SI, R9", "CALL syscall.RawSyscall6(SB)",
    "MOVQ AX, 0x48(SP)", "MOVQ BX, 0x40(SP)", "MOVQ CX, 0x38(SP)", "CALL runtime.exitsyscall(SB)",
    "MOVQ 0x48(SP), AX", "MOVQ 0x40(SP), BX", "MOVQ 0x38(SP), CX", "ADDQ $0x50, SP", "POPQ BP", "RET",
]
GO122_SYSCALL_LINES = [68] * 3 + [84] * 4 + [69] * 2 + [82] * 8 + [82] * 3 + [83] + [84] * 6


def test_go1_22_syscall_is_what_objdump_shows():
    image = assemble(list(go1_22.STUBS.values()), BASE, EXTERNS)
    got = insns(image, "syscall.Syscall")
    assert [i.go for i in got] == GO122_SYSCALL
    assert [int(i.loc.split(":")[1]) for i in got] == GO122_SYSCALL_LINES
    assert {i.loc.split(":")[0] for i in got} == {"syscall_linux.go"}
    assert got[7].data.hex() == "0f1f4000" and got[8].offset == 0x20     # the pad puts CALL at +0x20


# Sizes of each function in the real binaries (`go tool nm -size` of the probe).
SIZES = {"syscall.Syscall": 111, "syscall.Syscall6": 147, "syscall.RawSyscall": 27,
         "syscall.RawSyscall6": 19}


def test_function_sizes_are_the_toolchains(profile):
    name, mod, image = profile
    sizes = dict(SIZES, **{ASM_SYSCALL6[name]: 54 if name == "go1.22" else 50})
    for fn, size in sizes.items():
        got = insns(image, fn)
        assert got[-1].addr + got[-1].size - got[0].addr == size, fn


def _is_branch(ins):
    return ins.intel.split()[0] in ("call", "ret", "jmp") or ins.intel.startswith("j")


def test_no_jump_crosses_or_ends_on_a_32_byte_boundary(profile):
    """Go's padJump rule, for compiled code at a 32-aligned start: the NOPs are where it puts them."""
    name, mod, image = profile
    for fn, stub in mod.STUBS.items():
        assert stub.align == 32 and image.symbols[fn] % 32 == 0
        if fn == ASM_SYSCALL6[name]:
            continue                          # hand-written assembly is not padded
        for ins in insns(image, fn):
            if _is_branch(ins):
                assert (ins.offset % 32) + ins.size < 32, (fn, ins.go, ins.offset)


def test_without_the_nop_the_call_would_cross_the_boundary(profile):
    _, mod, image = profile
    got = insns(image, "syscall.Syscall")
    nop = next(i for i in got if i.go.startswith("NOPL"))
    call = got[got.index(nop) + 1]
    assert (nop.offset % 32) + call.size >= 32          # where the CALL would start without the pad
    assert not any(i.go.startswith("NOP") for i in insns(image, "syscall.Syscall6"))


def test_the_asm_syscall6_shuffles_go_registers_into_the_kernels(profile):
    name, mod, image = profile
    stub = mod.STUBS[ASM_SYSCALL6[name]]
    assert stub.abi.name == "ABIInternal" and stub.abi.args == ("AX", "BX", "CX", "DI", "SI", "R8", "R9")
    assert [stub.abi.reg_of(stub, a) for a in ("trap", "a1", "a4", "r2", "err")] == ["AX", "BX", "SI", "BX", "CX"]
    got = [i.intel for i in insns(image, stub.name)]
    assert got[:5] == ["mov r10, rsi", "mov rdx, rdi", "mov rsi, rcx", "mov rdi, rbx", "syscall"]
    lines = [i.loc for i in insns(image, stub.name)]
    assert lines[0] == "asm_linux_amd64.s:30" and lines[-1] == "asm_linux_amd64.s:47"
    jls = next(i for i in insns(image, stub.name) if i.go.startswith("JLS"))
    assert jls.addr + 2 + jls.data[1] == image.symbols[f"{stub.name}.ok"]


def test_the_releases_differ_only_in_lines_and_three_encodings():
    a = assemble(list(go1_22.STUBS.values()), BASE, EXTERNS)
    b = assemble(list(go1_27.STUBS.values()), BASE, EXTERNS)
    diff = set()
    for ia, ib in zip(sorted(a.insns.values(), key=lambda i: i.addr), sorted(b.insns.values(), key=lambda i: i.addr)):
        if ia.data != ib.data:
            diff.add((ia.go, ia.data.hex(), ib.go, ib.data.hex()))
    assert {(d[1], d[3]) for d in diff} == {
        ("4989f0", "4189f0"), ("4989f1", "4189f1"),           # MOVQ → MOVL SI, R8/R9 (compiler)
        ("48c7c300000000", "bb00000000"), ("48c7c100000000", "b900000000"),   # MOVQ $0 (assembler)
        ("7615", "7613"),                                      # JLS ok, over the shorter MOVL
    }


def test_go1_27_rawsyscall6_converts_errno_without_an_instruction():
    image = assemble(list(go1_27.STUBS.values()), BASE, EXTERNS)
    got = insns(image, "syscall.RawSyscall6")
    assert [i.loc for i in got] == ["syscall_linux.go:63"] * 3 + ["syscall_linux.go:65"] + ["syscall_linux.go:67"] * 3
    assert got[3].go == "CALL internal/runtime/syscall/linux.Syscall6(SB)"
    assert go1_27.STUBS["syscall.RawSyscall6"].source == "syscall/syscall_linux.go"
    assert go1_22.STUBS["syscall.RawSyscall6"].source == "runtime/internal/syscall/syscall_linux.go"


def test_exact_bytes_must_be_the_instruction_written():
    wrong = listing("main.f", "$0", (), (), "f.s", [(1, "NOPL 0(AX)", "nop", "0f1f4000")])
    with pytest.raises(AsmError, match=r"main.f \(f.s:1: NOPL 0\(AX\)\): bytes 0f1f4000 are "
                                       r"'nop dword ptr \[rax\]', not 'nop'"):
        assemble([wrong], BASE, {})
    two = listing("main.f", "$0", (), (), "f.s", [(1, "X", "nop", "9090")])
    with pytest.raises(AsmError, match="not one instruction"):
        assemble([two], BASE, {})
    call = listing("main.f", "$0", (), (), "f.s", [(1, "CALL x", "call 0x10", "e80b000000")])
    with pytest.raises(AsmError, match="may not hold an address"):
        assemble([call], BASE, {})


def test_keystone_would_encode_the_nop_otherwise():
    """Why the NOPL needs exact bytes: Keystone makes ``nop dword ptr [rax]`` the 3-byte hint
    NOP 0f 18 20 (Capstone prints both the same), which would move every later instruction."""
    plain = listing("main.f", "$0", (), (), "f.s", [(1, "NOPL 0(AX)", "nop dword ptr [rax]")])
    assert assemble([plain], BASE, {}).code == bytes.fromhex("0f1820")


def test_aligned_stubs_start_on_their_boundary_after_int3_padding():
    one = listing("main.a", "$0", (), (), "a.s", [(1, "RET", "ret")])
    two = listing("main.b", "$0", (), (), "b.s", [(1, "RET", "ret")], align=32)
    image = assemble([one, two], BASE + 1, {})
    assert image.symbols["main.b"] == BASE + 32
    assert image.code == b"\xc3" + b"\xcc" * 30 + b"\xc3"
    assert image.symbolize(BASE + 32) == "main.b"
