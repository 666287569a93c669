"""Keystone's bytes checked against what each line says (asm/operands.py).

Keystone 0.9.2 assembles ``mov rbx, qword ptr [0]`` as ``mov rbx, qword ptr [rip]``: the
trace showed the line as written while another instruction ran. Every line is now
disassembled again and compared operand by operand; an absolute address made RIP-relative
is re-encoded (and the repaired bytes mean what the line says), anything else is an error
naming the file and line. The Intel column is the disassembly of the bytes that run.
"""
import capstone
import pytest

from asm.assembler import AsmError, assemble
from asm.go1_10 import STUBS
from asm.go1_10.programs import programs
from asm.operands import Mem, check, display, parse_operand
from asm.userstub import UserStubError, load_user_stub, parse_user_stub
from emu.cli.main import main

BASE = 0x401000
EXTERNS = {"runtime.entersyscall": 0x42C000, "runtime.exitsyscall": 0x42C020}


def one(text: str, addr: int = BASE) -> bytes:
    """The bytes of the single line ``text`` as the assembler gives them."""
    stub = parse_user_stub(text + "\nret\n", "t.s")
    img = assemble([stub], addr, EXTERNS)
    return img.insns[addr].data


def meaning(data: bytes, addr: int = BASE):
    cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    cs.detail = True
    insn = next(cs.disasm(data, addr))
    return insn, [(op.type, op) for op in insn.operands]


@pytest.mark.parametrize("line, address, reg", [
    ("mov rbx, qword ptr [0]", 0, "rbx"),
    ("mov rbx, qword ptr [0x5a2000]", 0x5A2000, "rbx"),
    ("mov rcx, [0x1000]", 0x1000, "rcx"),
])
def test_an_absolute_load_is_absolute_not_rip_relative(line, address, reg):
    data = one(line)
    insn, ops = meaning(data)
    mem = insn.operands[1].mem
    assert insn.reg_name(insn.operands[0].reg) == reg
    assert mem.base == 0 and mem.index == 0, f"{line!r} became {insn.op_str}"
    assert mem.disp == address
    assert data[-5:] == b"\x25" + address.to_bytes(4, "little")     # SIB: no base, no index


def test_an_absolute_store_and_lea_are_re_encoded_too():
    for line, addr in (("mov qword ptr [0x5a2000], rbx", 0x5A2000), ("lea rax, [0x401000]", 0x401000),
                       ("inc byte ptr [0x10]", 0x10)):
        insn, _ = meaning(one(line))
        mem = next(op.mem for op in insn.operands if op.type == capstone.x86.X86_OP_MEM)
        assert (mem.base, mem.index, mem.disp) == (0, 0, addr), (line, insn.op_str)


def test_the_repaired_load_faults_at_the_address_written(tmp_path, capsys):
    """`mov rbx, [0]` must read address 0 (a fault), not the stub's own next bytes."""
    p = tmp_path / "zero.s"
    p.write_text("mov rbx, qword ptr [0]\nret\n")
    assert main(["run", "getpid", "--asm", str(p), "--no-color"]) != 0
    err = capsys.readouterr().err
    assert "read of unmapped memory at 0x0" in err and "mov rbx, qword ptr [0x0]" in err, err


@pytest.mark.parametrize("text, needle", [
    ("mov eax, 0x123456789", "does not fit in the instruction's 32-bit immediate"),
    ("mov rbx, qword ptr [0xc000040000]", "load the address first"),
    ("mov al, 0x1ff", "does not fit"),
])
def test_a_line_keystone_gets_wrong_is_an_error_naming_its_line(tmp_path, text, needle):
    p = tmp_path / "bad.s"
    p.write_text(f"nop\n{text}\nret\n")
    with pytest.raises(UserStubError) as e:
        load_user_stub(str(p))
    msg = str(e.value)
    assert msg.startswith(f"{p}:2: ") and needle in msg and "\n" not in msg, msg


def test_the_cli_says_it_in_one_line(tmp_path, capsys):
    p = tmp_path / "bad.s"
    p.write_text("mov eax, 0x123456789\nret\n")
    assert main(["run", "getpid", "--asm", str(p)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "bad.s:1:" in err[0], err


def test_a_64_bit_absolute_load_into_rax_is_movabs_and_correct():
    insn, _ = meaning(one("mov rax, qword ptr [0xc000040000]"))
    assert insn.mnemonic == "movabs" and insn.operands[1].mem.disp == 0xC000040000


@pytest.mark.parametrize("line", [
    "mov rdi, qword ptr [rsp+0x10]", "mov qword ptr [rsp+0x28], -1", "cmp rax, -0xfff",
    "mov rax, qword ptr [rbx+rcx*8-0x10]", "lea rax, [rip+8]", "mov rcx, qword ptr fs:[-8]",
    "shl rax", "imul rax, 5", "movsb", "push 5", "mov al, -1", "in al, dx",
    "mov rax, 0xffffffffffffffff", "xor eax, eax", "mov byte ptr [rsp], 0xff",
])
def test_lines_keystone_gets_right_pass_unchanged(line):
    stub = parse_user_stub(line + "\n", "t.s")
    img = assemble([stub], BASE, EXTERNS)
    data = img.insns[BASE].data
    assert check(line, data, BASE) == data


def test_a_wrong_encoding_is_caught_by_the_check_itself():
    """The check compares meanings: feed it bytes of another instruction for the same text."""
    from asm.operands import OperandMismatch
    wrong = bytes.fromhex("488b1d00000000")               # mov rbx, [rip+0]: Keystone's bytes
    fixed = check("mov rbx, qword ptr [0]", wrong, BASE)
    assert fixed == bytes.fromhex("488b1c2500000000")
    with pytest.raises(OperandMismatch, match="operand 1"):
        check("mov rcx, qword ptr [0]", bytes.fromhex("488b1c2500000000"), BASE)
    with pytest.raises(OperandMismatch, match="0x10 where the line has 0x20"):
        check("add rax, 0x20", bytes.fromhex("4883c010"), BASE)


@pytest.mark.parametrize("text, want", [
    ("rax", "rax"), ("0x10", 0x10), ("-1", -1), ("10h", 16), ("8*2+1", 17),
    ("qword ptr [rsp+0x10]", Mem(None, "rsp", None, 1, 0x10, 8)),
    ("[rbx + rcx*8 - 0x10]", Mem(None, "rbx", "rcx", 8, -0x10)),
    ("dword ptr fs:[-8]", Mem("fs", None, None, 1, -8, 4)),
    ("[8*rdi]", Mem(None, None, "rdi", 8, 0)),
])
def test_operands_are_read_as_keystone_reads_them(text, want):
    assert parse_operand(text) == want


def test_an_operand_that_cannot_be_checked_is_refused():
    with pytest.raises(ValueError, match="cannot read"):
        parse_operand("[rax+some_label]")


def test_the_intel_column_is_the_disassembly_not_the_source(tmp_path, capsys):
    p = tmp_path / "mine.s"
    p.write_text("mov rax, 231            ; MOVQ $231, AX\nmov rbx, qword ptr [0xc000040000-0xc000040000+0x5a0000]\nret\n")
    assert main(["run", "getpid", "--asm", str(p), "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "mov rax, 0xe7" in out and "mov rax, 231" not in out
    assert "mov rbx, qword ptr [0x5a0000]" in out


def test_built_in_stubs_show_their_own_text_and_it_is_the_disassembly():
    """The go1.10 stubs' Intel lines were written as Capstone prints them: the Intel column
    of their traces (and so every golden) is unchanged."""
    img = assemble(list(STUBS.values()), BASE, EXTERNS)
    for stub in STUBS.values():
        lines = [ln for ln in stub.lines if not ln.label]
        insns = [i for i in img.insns.values() if i.stub == stub.name]
        assert [i.intel for i in insns] == [ln.intel for ln in lines]
    for i in img.insns.values():
        names = {0x42C000: "runtime.entersyscall", 0x42C020: "runtime.exitsyscall",
                 **{a: n for a, n in img.labels.items()}}
        assert display(i.data, i.addr, names) == i.intel


def test_the_thread_worlds_programs_pass_the_check():
    from emu.cpu import layout as L
    stubs = assemble(list(STUBS.values()), L.TEXT_BASE, EXTERNS)
    ext = {**EXTERNS, **{n: stubs.symbols[n] for n in STUBS},
           "runtime.newproc": 0x42C060, "runtime.goexit1": 0x42C080, "runtime.chanrecv1": 0x42C0A0}
    img = assemble(programs(L.WORLD_DATA), L.PROGRAM_TEXT, ext)
    loads = [i for i in img.insns.values() if "[0x5a1" in i.intel]
    assert loads and all(i.intel.startswith("movabs rax, qword ptr [0x5a1") for i in loads)


def test_an_assembler_error_names_the_stub_line_for_built_ins():
    from asm.stub import go_listing
    bad = go_listing("main.bad", "$0-0", (), (), 0, "x.s", [("MOVL $big, AX", "mov eax, 0x1ffffffff")])
    with pytest.raises(AsmError, match=r"x\.s:1.*does not fit"):
        assemble([bad], BASE, EXTERNS)
