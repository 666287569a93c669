"""The REPL in a real terminal (tmux): context view, history, completion, Ctrl-C, Ctrl-D."""
import shutil
import subprocess
import sys
import time
import uuid

import pytest

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed: no terminal to drive")

SPIN = """\
TEXT ·Spin(SB),NOSPLIT,$0-56
    mov rcx, 1000000000000
spin:
    dec rcx
    jnz spin
    ret
"""


class Pane:
    def __init__(self, argv, cwd):
        self.name = f"gosyscall-test-{uuid.uuid4().hex[:8]}"
        self.tmux = [TMUX, "-L", self.name]       # a server of its own: no race with other tests
        cmd = " ".join(f"'{a}'" for a in argv)
        subprocess.run([*self.tmux, "new-session", "-d", "-s", self.name, "-x", "200", "-y", "50",
                        "-c", str(cwd), f"NO_COLOR=1 {cmd}"], check=True)
        subprocess.run([*self.tmux, "set-option", "-t", self.name, "remain-on-exit", "on"], check=True)

    def keys(self, *keys):
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *keys], check=True)

    def text(self) -> str:
        return subprocess.run([*self.tmux, "capture-pane", "-p", "-S", "-2000", "-t", self.name],
                              check=True, capture_output=True, text=True).stdout

    def wait(self, needle: str, timeout: float = 20.0, count: int = 1) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            t = self.text()
            if t.count(needle) >= count:
                return t
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} never appeared; the pane shows:\n{self.text()}")

    def dead(self) -> bool:
        out = subprocess.run([*self.tmux, "display-message", "-p", "-t", self.name, "#{pane_dead}"],
                             capture_output=True, text=True).stdout.strip()
        return out == "1"

    def close(self):
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)


@pytest.fixture
def pane(tmp_path):
    (tmp_path / "spin.s").write_text(SPIN)
    panes = []

    def start(*args):
        p = Pane([sys.executable, "-c", "from emu.cli import entry; entry()", "repl", *args], tmp_path)
        panes.append(p)
        return p
    yield start
    for p in panes:
        p.close()


def test_context_history_completion_and_ctrl_d(pane):
    p = pane()
    t = p.wait("(gosyscall)")
    assert "── registers" in t and "→ 0x40119a" in t             # the context view at the start
    p.keys("b *0x40102e", "Enter")
    p.wait("Breakpoint 1 at 0x40102e")
    p.keys("c", "Enter")
    p.wait("Breakpoint 1, 0x40102e")
    p.wait("── syscall read (nr 0 in rax)")                       # the context view at the stop
    p.keys("Up", "Up", "Enter")                                    # history: `b *0x40102e` again
    p.wait("Breakpoint 2 at 0x40102e")
    p.keys("sysc", "Tab", "Enter")                                 # completion: syscall-args
    p.wait("(gosyscall) syscall-args")
    p.wait("Parameter  Register", count=2)     # once in the context view, once here
    p.keys("si", "Enter")
    p.wait("⇐ read(3, ")
    p.keys("Enter")                                                # an empty line repeats `si`
    p.wait("cmp rax, -0xfff", count=3)
    p.keys("C-d")
    end = time.monotonic() + 10
    while not p.dead() and time.monotonic() < end:
        time.sleep(0.1)
    assert p.dead(), p.text()
    assert "Traceback" not in p.text()


def test_ctrl_c_stops_continue_and_keeps_the_session(pane):
    p = pane("getpid", "--asm", "spin.s", "--budget", str(10**12))
    p.wait("(gosyscall)")
    p.keys("c", "Enter")
    p.wait("(gosyscall) c")
    time.sleep(0.5)                    # well inside the ~2 s the loop runs before its budget ends
    p.keys("C-c")
    p.wait("Program stopped (interrupted) at ")
    p.keys("p $rcx > 0", "Enter")
    p.wait("$1 = 1")
    p.keys("C-c")                                                  # at the prompt: harmless
    p.wait("Quit")
    p.keys("quit", "Enter")
    end = time.monotonic() + 10
    while not p.dead() and time.monotonic() < end:
        time.sleep(0.1)
    assert p.dead() and "Traceback" not in p.text()
