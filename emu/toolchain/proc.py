"""emu/toolchain/proc.py — run pip or the go command, bounded in time, output captured."""
from __future__ import annotations

import os
import signal
import subprocess


class TimedOut(Exception):
    """The command ran longer than it was allowed; it and its children were killed."""


def run_bounded(cmd: list[str], timeout: float, cwd: str | None = None,
                env: dict[str, str] | None = None) -> tuple[int, str]:
    """(exit status, stdout and stderr together) of ``cmd``, or TimedOut after ``timeout`` s.

    The command runs in its own session, so a timeout or Ctrl-C kills everything it
    started (the go command runs the compiler and linker as children). OSError if it
    cannot be started.
    """
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        raise TimedOut(cmd[0]) from None
    except BaseException:
        kill_group(proc)
        raise
    return proc.returncode, out.decode("utf-8", "replace")


def kill_group(proc: subprocess.Popen) -> None:
    """SIGKILL the process group ``proc`` leads (it was started with start_new_session) and reap it."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()
