"""`lint` flags the classic SYSCALL mistakes in the current function; `abi` reads the stub."""
import re

from tests.repl.conftest import answers, run_script

HEAD = "TEXT ·Mine(SB),NOSPLIT,$0-56\n"
TAIL = "mov qword ptr [rsp+0x28], rax\nret\n"


def lint(tmp_path, body: str) -> str:
    p = tmp_path / "mine.s"
    p.write_text(HEAD + body + TAIL)
    return answers(run_script("si\nlint\nquit\n", "getpid", "--asm", str(p)))["lint"]


def test_the_go_stub_is_clean():
    assert answers(run_script("si 5\nlint\nquit\n"))["lint"].startswith("lint: no problems")


def test_int80_registers_with_syscall(tmp_path):
    out = lint(tmp_path, "mov ebx, 1\nmov ecx, 2\nmov eax, 39\nsyscall\n")
    assert "mine.s:2: RBX set before the SYSCALL at mine.s:5 but RDI/RSI are not" in out
    assert "32-bit `int 0x80` convention" in out


def test_rcx_as_fourth_argument(tmp_path):
    out = lint(tmp_path, "mov rdi, 1\nmov rsi, 2\nmov rdx, 3\nmov rcx, 4\nmov eax, 39\nsyscall\n")
    assert "mine.s:5: RCX set as if it were the 4th argument, R10 is not" in out


def test_reading_rcx_after_syscall(tmp_path):
    out = lint(tmp_path, "mov rdi, 1\nmov eax, 39\nsyscall\nmov rdx, rcx\n")
    assert "mine.s:5: reads RCX after the SYSCALL at mine.s:4, which clobbered it" in out


def test_int_0x80_itself(tmp_path):
    out = lint(tmp_path, "mov eax, 20\nint 0x80\nmov eax, 39\nsyscall\n")
    assert "mine.s:3: `int 0x80` is the 32-bit syscall gate" in out


def test_abi_maps_slots_to_registers_with_values():
    out = answers(run_script("si 8\nabi\nquit\n"))["abi"]
    assert re.search(r"arg 3\s+r10\s+0x0\s+not rcx", out)
    assert re.search(r"clobbered rcx", out) and re.search(r"clobbered r11", out)
    assert re.search(r"a1\+8\(FP\)\s+16\(RSP\)\s+rdi\s+0x3\s+0x3\s+asm_linux_amd64.s:19", out)
    assert re.search(r"trap\+0\(FP\)\s+8\(RSP\)\s+rax\s+0x0", out)
    assert re.search(r"\(zeroed\)\s+r10", out)


def test_explain_says_what_will_change_and_changes_nothing():
    out = answers(run_script("b *0x40102e\nc\nexplain\np $rax\nquit\n"))
    assert "Enter the kernel." in out["explain"]
    assert "Will change: rax 0x0 → 0x20, rcx 0x0 → 0x401030, r11 0x0 → 0x202" in out["explain"]
    assert out["p $rax"].strip() == "$1 = 0"


def test_reading_rcx_on_the_branch_target_path(tmp_path):
    """Both successors of a branch are followed: the read after `ok:` (JLS taken) is found,
    and so is the one on the fall-through path."""
    out = lint(tmp_path, "mov rdi, 1\nmov eax, 39\nsyscall\ncmp rax, -0xfff\njbe ok\n"
                         "mov rsi, r11\nret\nok:\nmov rdx, rcx\n")
    assert "mine.s:10: reads RCX after the SYSCALL at mine.s:4" in out, out
    assert "mine.s:7: reads R11 after the SYSCALL at mine.s:4" in out, out


def test_a_write_on_one_path_does_not_hide_the_read_on_the_other(tmp_path):
    out = lint(tmp_path, "mov eax, 39\nsyscall\ntest rax, rax\njz ok\nmov ecx, 0\nok:\nmov rdx, rcx\n")
    assert "mine.s:8: reads RCX after the SYSCALL at mine.s:3" in out, out
    clean = lint(tmp_path, "mov eax, 39\nsyscall\njmp ok\nmov rdx, rcx\nok:\nmov rdx, 0\n")
    assert "reads RCX" not in clean, clean                     # unreachable read: nothing to say
