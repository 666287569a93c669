"""The REPL in a real terminal (tmux): context view, history, completion, Ctrl-C, Ctrl-D.

Keys go to the REPL only once it reads again: :meth:`Pane.prompt` waits for the next prompt.
Readline puts the terminal in raw mode before it shows the prompt; while a command runs the
terminal is back in cooked mode, and there a Ctrl-D typed ahead becomes an end-of-line mark
that readline later reads as a NUL byte, not as end of input — the REPL never sees it (on a
loaded machine the REPL may be descheduled mid-output long enough for that to happen). Every
wait polls the screen until what it waits for is there, with a deadline meant never to be
reached: it is only how long to wait before calling the REPL stuck.
"""
import shutil
import subprocess
import sys
import time
import uuid

import pytest

TMUX = shutil.which("tmux")
PROMPT = "(gosyscall)"            # as capture-pane shows it: without the trailing space
DEADLINE = 120.0                  # seconds: generous, a pass never waits for it
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
        self.prompts = 0                          # prompts waited for so far
        cmd = " ".join(f"'{a}'" for a in argv)
        subprocess.run([*self.tmux, "new-session", "-d", "-s", self.name, "-x", "200", "-y", "50",
                        "-c", str(cwd), f"NO_COLOR=1 {cmd}"], check=True)
        subprocess.run([*self.tmux, "set-option", "-t", self.name, "remain-on-exit", "on"], check=True)

    def keys(self, *keys):
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *keys], check=True)

    def text(self) -> str:
        return subprocess.run([*self.tmux, "capture-pane", "-p", "-S", "-2000", "-t", self.name],
                              check=True, capture_output=True, text=True).stdout

    def until(self, ready, what: str, timeout: float = DEADLINE) -> str:
        """Poll the screen until ``ready(text)``; return that text."""
        end = time.monotonic() + timeout
        while True:
            t = self.text()
            if ready(t):
                return t
            if time.monotonic() > end:
                raise AssertionError(f"{what} never appeared in {timeout:.0f} s; the pane shows:\n{t}")
            time.sleep(0.1)

    def wait(self, needle: str, timeout: float = DEADLINE, count: int = 1) -> str:
        return self.until(lambda t: t.count(needle) >= count, f"{needle!r} ×{count}", timeout)

    def prompt(self, timeout: float = DEADLINE) -> str:
        """Wait until the REPL reads its next command: one more prompt than before on the
        screen, and the last line a bare prompt (readline has the terminal in raw mode)."""
        self.prompts += 1
        n = self.prompts

        def reading(t: str) -> bool:
            lines = [line for line in t.splitlines() if line.strip()]
            return bool(lines) and lines[-1] == PROMPT and sum(x.startswith(PROMPT) for x in lines) >= n
        return self.until(reading, f"prompt {n}", timeout)

    def dead(self) -> bool:
        out = subprocess.run([*self.tmux, "display-message", "-p", "-t", self.name, "#{pane_dead}"],
                             capture_output=True, text=True).stdout.strip()
        return out == "1"

    def wait_dead(self, timeout: float = DEADLINE) -> None:
        end = time.monotonic() + timeout
        while not self.dead() and time.monotonic() < end:
            time.sleep(0.1)
        assert self.dead(), f"the REPL still runs {timeout:.0f} s on; the pane shows:\n{self.text()}"

    def close(self):
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)


@pytest.fixture
def pane(tmp_path):
    (tmp_path / "spin.s").write_text(SPIN)
    panes = []

    def start(*args):
        p = Pane([sys.executable, "-c", "from emu.cli.main import entry; entry()", "repl", *args], tmp_path)
        panes.append(p)
        return p
    yield start
    for p in panes:
        p.close()


def test_context_history_completion_and_ctrl_d(pane):
    p = pane()
    t = p.prompt()
    assert "── registers" in t and "→ 0x40119a" in t             # the context view at the start
    p.keys("b *0x40102e", "Enter")
    p.wait("Breakpoint 1 at 0x40102e")
    p.prompt()
    p.keys("c", "Enter")
    p.wait("Breakpoint 1, 0x40102e")
    p.wait("── syscall read (nr 0 in rax)")                       # the context view at the stop
    p.prompt()
    p.keys("Up", "Up", "Enter")                                    # history: `b *0x40102e` again
    p.wait("Breakpoint 2 at 0x40102e")
    p.prompt()
    p.keys("sysc", "Tab", "Enter")                                 # completion: syscall-args
    p.wait("(gosyscall) syscall-args")
    p.wait("Parameter  Register", count=2)     # once in the context view, once here
    p.prompt()
    p.keys("si", "Enter")
    p.wait("⇐ read(3, ")
    p.prompt()
    p.keys("Enter")                                                # an empty line repeats `si`
    p.wait("cmp rax, -0xfff", count=3)         # context views at the two stops, then its trace line
    p.prompt()
    p.keys("C-d")
    p.wait_dead()
    assert f"{PROMPT} quit" in p.text() and "Traceback" not in p.text()


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
    p.wait_dead()
    assert "Traceback" not in p.text()
