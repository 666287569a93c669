"""`--asm FILE.s`: a learner's own stub, assembled, run and stepped like the built-in ones."""
import subprocess
import sys

import pytest

from asm.userstub import UserStubError, load_user_stub, parse_user_stub
from emu.cli.main import main
from tests.repl.conftest import answers, run_script

GOOD = """\
TEXT ·MySyscall(SB),NOSPLIT,$0-56
    call runtime·entersyscall        ; CALL runtime·entersyscall(SB)
    mov rdi, qword ptr [rsp+0x10]    ; MOVQ a1+8(FP), DI
    mov rsi, qword ptr [rsp+0x18]
    mov rdx, qword ptr [rsp+0x20]
    mov rax, qword ptr [rsp+0x8]     # MOVQ trap+0(FP), AX
    syscall
    cmp rax, -0xfff
    jbe ok
    mov qword ptr [rsp+0x28], -1
    neg rax
    mov qword ptr [rsp+0x38], rax
    call runtime·exitsyscall
    ret
ok: mov qword ptr [rsp+0x28], rax
    mov qword ptr [rsp+0x38], 0
    call runtime·exitsyscall
    ret
"""


@pytest.fixture
def stubfile(tmp_path):
    def write(text, name="mystub.s"):
        p = tmp_path / name
        p.write_text(text)
        return str(p)
    return write


def test_parse_names_lines_labels_and_the_frame():
    stub = parse_user_stub(GOOD, "mystub.s")
    assert stub.name == "main.MySyscall" and stub.frame == "$0-56"
    assert stub.args == ("trap", "a1", "a2", "a3") and stub.results == ("r1", "r2", "err")
    assert stub.lines[0].loc == "mystub.s:2" and stub.lines[0].go == "CALL runtime·entersyscall(SB)"
    label = next(ln for ln in stub.lines if ln.label)
    assert (label.label, label.loc) == ("ok", "mystub.s:15")
    assert stub.calls_runtime


def test_defaults_without_a_text_line_and_the_syscall6_frame():
    assert parse_user_stub("syscall\nret\n", "a.s").name == "main.userstub"
    six = parse_user_stub("TEXT ·Six(SB),NOSPLIT,$0-80\nsyscall\nret\n", "b.s")
    assert six.args[-1] == "a6" and six.fp_offset("r1") == 56


@pytest.mark.parametrize("text, message", [
    ("mov rax, 1\nmovq rax\nret\n", "mystub.s:2: cannot assemble 'movq rax'"),
    ("; only a comment\n", "mystub.s: no instructions"),
    ("TEXT ·X(SB),NOSPLIT,$0-24\nret\n", "mystub.s:1: frame $…-24"),
    ("nop\njmp nowhere\n", "mystub.s:2: "),
])
def test_errors_point_at_the_file_and_line(stubfile, text, message):
    path = stubfile(text)
    with pytest.raises(UserStubError) as e:
        load_user_stub(path)
    assert str(e.value).startswith(path[:-len("mystub.s")] + message)    # the path as given
    assert "\n" not in str(e.value)


def test_the_cli_reports_one_line(stubfile, capsys):
    path = stubfile("mov rax, 1\nmovq rax\n")
    assert main(["run", "--asm", path]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gosyscall: {path}:2: cannot assemble 'movq rax'") and err.count("\n") == 1
    assert main(["run", "--asm", "/nonexistent/dir/x.s"]) == 2
    assert capsys.readouterr().err == "gosyscall: /nonexistent/dir/x.s: cannot read it: No such file or directory\n"


def test_run_and_step_a_user_stub(stubfile, capsys):
    path = stubfile(GOOD)
    assert main(["run", "--no-color", "--asm", path]) == 0
    assert "result: r1 = 32, r2 = 0, err = 0" in capsys.readouterr().out   # this stub stores no r2
    out = answers(run_script("b main.MySyscall.ok\nc\np $rax\ninfo frame\nquit\n", "--asm", path))
    assert "Breakpoint 1, " in out["c"] and "(mystub.s:15)" in out["c"]
    assert out["p $rax"].strip() == "$1 = 32"
    assert "a1+8(FP)" in out["info frame"]


# -- sizes are checked before anything is assembled ---------------------------------------------
def _gosyscall(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "emu", *args], capture_output=True, text=True,
                          timeout=60, cwd=cwd)


def test_a_huge_stub_file_is_refused_before_it_is_read_whole(tmp_path):
    """50 MB of source (here: a sparse file) — once minutes and gigabytes of Keystone."""
    big = tmp_path / "big.s"
    with open(big, "wb") as f:
        f.truncate(50 * 1024 * 1024)
    p = _gosyscall("run", "--asm", "big.s", "getpid", cwd=tmp_path)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr == ("gosyscall: big.s: more than 262144 bytes; a stub file is at most 262144 "
                        "(the text pages hold 8192 bytes of code)\n")


def test_more_instructions_than_the_text_pages_hold_is_refused_by_count(tmp_path):
    many = tmp_path / "many.s"
    many.write_text("nop\n" * 9000 + "ret\n")
    p = _gosyscall("run", "--asm", "many.s", "getpid", cwd=tmp_path)
    assert p.returncode == 2
    assert p.stderr == ("gosyscall: many.s: 9001 instructions; a stub has at most 8192 "
                        "(the text pages hold 8192 bytes of code)\n")
