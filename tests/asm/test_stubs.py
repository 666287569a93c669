"""The go1.10 stubs: Go's instructions, Go's frame offsets, bytes Capstone agrees with."""
import importlib

import capstone
import pytest

from asm.assembler import AsmError, assemble
from asm.go1_10 import STUBS
from asm.stub import go_listing

EXTERNS = {"runtime.entersyscall": 0x42C000, "runtime.exitsyscall": 0x42C020}
BASE = 0x401000


@pytest.fixture(scope="module")
def image():
    return assemble(list(STUBS.values()), BASE, EXTERNS)


def insns_of(image, stub):
    return [i for i in image.insns.values() if i.stub == stub]


@pytest.mark.parametrize("release", ["go1_10", "go1_22", "go1_27"])
def test_every_instruction_disassembles_to_what_was_written(release):
    stubs = importlib.import_module(f"asm.{release}").STUBS
    image = assemble(list(stubs.values()), BASE, EXTERNS)
    cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    for insn in image.insns.values():
        got = list(cs.disasm(insn.data, insn.addr))
        assert len(got) == 1 and got[0].size == insn.size, insn
        assert got[0].mnemonic == insn.intel.split()[0], (insn, got[0].mnemonic)


# go1.10 Syscall, asm_linux_amd64.s lines 18–40: (Go mnemonic, Intel text) in order.
SYSCALL_TABLE = [
    ("CALL", "call runtime.entersyscall"), ("MOVQ", "mov rdi, qword ptr [rsp+0x10]"),
    ("MOVQ", "mov rsi, qword ptr [rsp+0x18]"), ("MOVQ", "mov rdx, qword ptr [rsp+0x20]"),
    ("MOVQ", "mov r10, 0"), ("MOVQ", "mov r8, 0"), ("MOVQ", "mov r9, 0"),
    ("MOVQ", "mov rax, qword ptr [rsp+0x8]"), ("SYSCALL", "syscall"),
    ("CMPQ", "cmp rax, -0xfff"), ("JLS", "jbe ok"),
    ("MOVQ", "mov qword ptr [rsp+0x28], -1"), ("MOVQ", "mov qword ptr [rsp+0x30], 0"),
    ("NEGQ", "neg rax"), ("MOVQ", "mov qword ptr [rsp+0x38], rax"),
    ("CALL", "call runtime.exitsyscall"), ("RET", "ret"),
    ("MOVQ", "mov qword ptr [rsp+0x28], rax"), ("MOVQ", "mov qword ptr [rsp+0x30], rdx"),
    ("MOVQ", "mov qword ptr [rsp+0x38], 0"), ("CALL", "call runtime.exitsyscall"), ("RET", "ret"),
]


def test_syscall_is_the_go1_10_instruction_table(image):
    got = [(i.go.split()[0], i.intel) for i in insns_of(image, "syscall.Syscall")]
    assert got == SYSCALL_TABLE
    locs = [i.loc for i in insns_of(image, "syscall.Syscall")]
    assert locs[0] == "asm_linux_amd64.s:18" and locs[-1] == "asm_linux_amd64.s:40"


# Bytes of go1.18's Syscall as `go tool objdump` shows them; go1.10 has the same encodings for these.
GO118_BYTES = {
    "MOVQ\ta1+8(FP), DI": "488b7c2410", "MOVQ\ta2+16(FP), SI": "488b742418",
    "MOVQ\ta3+24(FP), DX": "488b542420", "SYSCALL": "0f05",
    "CMPQ\tAX, $0xfffffffffffff001": "483d01f0ffff", "MOVQ\t$-1, r1+32(FP)": "48c7442428ffffffff",
    "MOVQ\t$0, r2+40(FP)": "48c744243000000000", "NEGQ\tAX": "48f7d8",
    "MOVQ\tAX, err+48(FP)": "4889442438", "RET": "c3", "MOVQ\tAX, r1+32(FP)": "4889442428",
    "MOVQ\tDX, r2+40(FP)": "4889542430", "MOVQ\t$0, err+48(FP)": "48c744243800000000",
}


def test_bytes_match_go1_18_objdump_where_the_instructions_agree(image):
    seen = set()
    for i in insns_of(image, "syscall.Syscall"):
        go = i.go.split("\t//")[0]
        if go in GO118_BYTES:
            assert i.data.hex() == GO118_BYTES[go], go
            seen.add(go)
        if go.startswith("MOVQ\ttrap"):
            assert i.data.hex() == "488b442408"
        if go.startswith("CALL"):
            target = EXTERNS["runtime." + go.split("·")[1].split("(")[0]]
            assert i.data[0] == 0xE8 and i.addr + 5 + int.from_bytes(i.data[1:], "little", signed=True) == target
    assert seen == set(GO118_BYTES)


def test_jls_lands_on_ok(image):
    jls = next(i for i in insns_of(image, "syscall.Syscall") if i.go.startswith("JLS"))
    assert jls.data[0] == 0x76                    # JBE rel8
    assert jls.addr + 2 + jls.data[1] == image.symbols["syscall.Syscall.ok"]


@pytest.mark.parametrize("name,r1", [("syscall.Syscall6", 0x40), ("syscall.RawSyscall6", 0x40),
                                     ("syscall.RawSyscall", 0x28)])
def test_frame_offsets(image, name, r1):
    text = [i.intel for i in insns_of(image, name)]
    assert f"mov qword ptr [rsp+{r1:#x}], rax" in text
    assert STUBS[name].fp_offset("r1") + 8 == r1


def test_syscall6_loads_r10_r8_r9_from_the_frame(image):
    text = [i.intel for i in insns_of(image, "syscall.Syscall6")]
    assert text[4:7] == ["mov r10, qword ptr [rsp+0x28]", "mov r8, qword ptr [rsp+0x30]",
                         "mov r9, qword ptr [rsp+0x38]"]


def test_raw_stubs_never_call_the_runtime(image):
    targets = {(image.at(a).stub, t) for a, t in image.callsites}
    assert ("syscall.Syscall", "runtime.entersyscall") in targets
    assert ("syscall.Syscall6", "runtime.exitsyscall") in targets
    assert not {s for s, _ in targets if "Raw" in s}


def test_image_knows_every_address(image):
    i = image.at(image.symbols["syscall.Syscall"] + 0x2E)
    assert i.intel == "syscall" and i.where == "syscall.Syscall+0x2e" and i.loc == "asm_linux_amd64.s:26"
    assert image.symbolize(image.symbols["syscall.Syscall"] + 0x30) == "syscall.Syscall+0x30"


def test_assembly_errors_name_the_stub_and_line():
    bad = go_listing("main.bad", "$0-0", (), (), 10, "bad.s", [("MOVQ\tAX, BX", "mov rbx, rax"),
                                                                  ("BOGUS", "movq rax, [[rsp")])
    with pytest.raises(AsmError, match=r"main.bad \(bad.s:12: BOGUS\)"):
        assemble([bad], BASE, {})


def test_one_instruction_per_line():
    two = go_listing("main.two", "$0-0", (), (), 1, "t.s", [("X", "mov rax, 1; mov rbx, 2")])
    with pytest.raises(AsmError, match="one per line"):
        assemble([two], BASE, {})
