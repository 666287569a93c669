"""The REPL on a real binary: breakpoints by symbol and by the binary's FILE:LINE, x/i with its
symbols and Go's syntax, stepping through the ABI shuffle to SYSCALL with the binary's own
source lines, going back, finish, and a terminal session (tmux)."""
import io
import shutil
import subprocess
import sys
import time
import uuid

import pytest

from emu.cli import repl as cmd_repl
from emu.cli.main import build_parser

LINES = {"1.22.10": {"Syscall": 68, "call": 82, "ret": 84, "asm": "runtime/internal/syscall/asm_linux_amd64.s"},
         "1.27.3": {"Syscall": 73, "call": 87, "ret": 89, "asm": "internal/runtime/syscall/linux/asm_linux_amd64.s"}}


def run_script(commands: str, *argv: str) -> str:
    ns = build_parser().parse_args(["repl", "--no-color", *argv])
    out = io.StringIO()
    assert cmd_repl.run(ns, stdin=io.StringIO(commands), stdout=out) == 0
    return out.getvalue()


def answers(transcript: str) -> list[tuple[str, str]]:
    out = []
    for line in transcript.splitlines():
        if line.startswith("(gosyscall) "):
            out.append((line[len("(gosyscall) "):], ""))
        elif out:
            out[-1] = (out[-1][0], out[-1][1] + line + "\n")
    return out


@pytest.mark.parametrize("version", LINES)
def test_break_continue_and_step_to_the_syscall(go, version):
    probe, n = go.probe(version), LINES[version]
    b = go.binary(version)
    syscall = b.symbols["syscall.Syscall"].addr
    text = run_script("ctx off\nb syscall.Syscall\nc\nb syscall_linux.go:%d\nc\nsi 16\nx/3i $pc\n"
                      "rsi 2\ninfo registers rip\nsi 2\nfinish\n" % n["call"],
                      "--binary", probe, "getpid")
    got = answers(text)
    assert got[1] == ("b syscall.Syscall", f"Breakpoint 1 at {syscall:#x} in syscall.Syscall "
                                           f"(syscall_linux.go:{n['Syscall']})\n")
    assert got[2][1].endswith(f"Breakpoint 1, {syscall:#x} in syscall.Syscall (syscall_linux.go:{n['Syscall']})\n")
    line_bp = got[3][1]
    assert f"in syscall.Syscall+0x25 (syscall_linux.go:{n['call']})" in line_bp      # after entersyscall
    assert "g1 _Grunning → _Gsyscall" in got[4][1]                                  # entersyscall ran on the way
    steps = got[5][1]                              # reload AX..DI, zero SI R8 R9, CALL RawSyscall6, its frame,
    assert steps.splitlines()[0].split()[3] == f"syscall_linux.go:{n['call']}"        # each step: its line
    assert "XORL SI, SI" in steps and "CALL syscall.RawSyscall6(SB)" in steps
    assert "MOVQ SI, R10" in steps and "MOVQ BX, DI" in steps                      # Go regs → kernel regs
    assert steps.rstrip().endswith(f"({n['asm'].rsplit('/', 1)[1]}:35)")            # stopped at the SYSCALL
    x = got[6][1].splitlines()
    assert x[0].startswith("=> 0x") and "Syscall6+0xc>:\tsyscall" in x[0] and x[0].endswith(" SYSCALL")
    assert "CMPQ AX, $-0xfff" in x[1] and "JBE 0x" in x[2]
    assert got[8][1].startswith("rip ") and "Syscall6+0x6>" in got[8][1]            # two back
    fin = got[10][1]
    assert "Run till exit from" in fin and "Value returned (in AX, BX, CX): r1 = 1000, r2 = 0, err = 0" in fin


def test_x_i_anywhere_in_the_binary_uses_its_symbols(go):
    probe = go.probe("1.22.10")
    b = go.binary("1.22.10")
    enter = b.symbols["runtime.entersyscall"].addr
    got = answers(run_script("x/3i runtime.entersyscall\nb proc.go:4390\nx/2i main.callSyscall\n",
                             "--binary", probe, "getpid"))
    lines = got[0][1].splitlines()
    assert lines[0] == f"   {enter:#x} <runtime.entersyscall>:\t{'push rbp':<34}  PUSHQ BP"   # columns apart
    assert "MOVQ SP, BP" in lines[1] and "SUBQ $0x10, SP" in lines[2]
    assert got[1][1] == f"Breakpoint 1 at {enter + 8:#x} in runtime.entersyscall+0x8 (proc.go:4390)\n"
    assert "<main.callSyscall>:\tcmp rsp, qword ptr [r14 + 0x10]" in got[2][1]      # the program's own main
    assert "CMPQ SP, 0x10(R14)" in got[2][1]


TMUX = shutil.which("tmux")


@pytest.mark.skipif(TMUX is None, reason="tmux is not installed: no terminal to drive")
def test_in_a_terminal(go, tmp_path):
    probe = go.probe("1.27.3")
    name = f"gosyscall-bin-{uuid.uuid4().hex[:8]}"
    tmux = [TMUX, "-L", name]
    cmd = f"NO_COLOR=1 '{sys.executable}' -c 'from emu.cli.main import entry; entry()' repl --binary '{probe}' getpid"
    subprocess.run([*tmux, "new-session", "-d", "-s", name, "-x", "220", "-y", "60", "-c", str(tmp_path), cmd],
                   check=True)

    def screen():
        return subprocess.run([*tmux, "capture-pane", "-p", "-S", "-3000", "-t", name],
                              capture_output=True, text=True).stdout

    def wait(needle, count=1, timeout=120.0):
        end = time.monotonic() + timeout
        while screen().count(needle) < count:
            if time.monotonic() > end:
                raise AssertionError(f"{needle!r} never appeared; the pane shows:\n{screen()}")
            time.sleep(0.1)

    def prompt(n):
        end = time.monotonic() + 120
        while True:
            lines = [ln for ln in screen().splitlines() if ln.strip()]
            if lines and lines[-1] == "(gosyscall)" and sum(ln.startswith("(gosyscall)") for ln in lines) >= n:
                return
            if time.monotonic() > end:
                raise AssertionError(f"prompt {n} never came; the pane shows:\n{screen()}")
            time.sleep(0.1)
    try:
        prompt(1)
        assert "── code: gosyscall.callSyscall (driver)" in screen()
        for i, keys in enumerate(("b syscall.Syscall", "c"), 2):
            subprocess.run([*tmux, "send-keys", "-t", name, keys, "Enter"], check=True)
            prompt(i)
        assert "Breakpoint 1, 0x" in screen() and "in syscall.Syscall (syscall_linux.go:73)" in screen()
        assert "── code: syscall.Syscall (syscall_linux.go)" in screen()
        n = 4
        for _ in range(40):                                          # si through the ABI shuffle (26)
            subprocess.run([*tmux, "send-keys", "-t", name, "si", "Enter"], check=True)
            prompt(n)
            n += 1
            if "── syscall getpid (nr 39 in rax)" in screen():
                break
        shown = " ".join(screen().split())
        assert "── code: internal/runtime/syscall/linux.Syscall6 (asm_linux_amd64.s) ─" in shown
        assert "asm_linux_amd64.s:33 MOVQ BX, DI" in shown          # each step with the binary's line
        assert "syscall_linux.go:87 XORL SI, SI" in shown and "MOVQ SI, R10" in shown
        subprocess.run([*tmux, "send-keys", "-t", name, "C-d"], check=True)
        wait("quit")
        assert "Traceback" not in screen()
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
