"""`gosyscall review` meets pending paths that are not regular files: a FIFO named
``*.trace.new``, a dangling symlink, a golden that is a FIFO. Each is named in one line and
skipped; review never blocks and goes on with the valid files after it (exit status 2).

Every run is a subprocess with a timeout, so a review that would block fails the test
instead of hanging it.
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys

from tracehelp import recorded

from emu.trace.formats.text import render_text


def _review(d, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "emu", "review", str(d), *args], capture_output=True,
                          text=True, timeout=60, cwd=d)


def _pending(d, name: str, words=("getpid",)) -> str:
    rec = recorded(*words)
    text = render_text(rec.header, rec.events)
    (d / f"{name}.trace.new").write_text(text)
    return text


def test_a_fifo_and_a_dangling_link_are_skipped_and_the_rest_accepted(tmp_path):
    a = _pending(tmp_path, "a")
    os.mkfifo(tmp_path / "b.trace.new")
    (tmp_path / "c.trace.new").symlink_to("gone.trace.new")
    d = _pending(tmp_path, "d", ("close", "-1"))
    p = _review(tmp_path, "--accept-all")
    assert p.returncode == 2, p.stderr
    assert p.stderr.splitlines() == [
        "gosyscall: b.trace.new: not a regular file (a FIFO) — skipped",
        "gosyscall: c.trace.new: a dangling symbolic link — skipped"]
    assert (tmp_path / "a.trace").read_text() == a and (tmp_path / "d.trace").read_text() == d
    assert p.stdout.splitlines()[-1] == "2 accepted, 0 rejected, 0 skipped, 2 not regular files (left alone)"
    assert stat.S_ISFIFO(os.lstat(tmp_path / "b.trace.new").st_mode)
    assert (tmp_path / "c.trace.new").is_symlink()


def test_a_golden_that_is_a_fifo_is_named_and_its_pending_file_left(tmp_path):
    _pending(tmp_path, "g")
    os.mkfifo(tmp_path / "g.trace")
    p = _review(tmp_path, "--accept-all")
    assert p.returncode == 2
    assert p.stderr == ("gosyscall: g.trace.new: its golden g.trace is not a regular file (a FIFO) "
                        "— skipped\n")
    assert stat.S_ISFIFO(os.lstat(tmp_path / "g.trace").st_mode) and (tmp_path / "g.trace.new").exists()


def test_a_golden_check_against_a_fifo_fails_at_once(tmp_path):
    """What the pytest plugin does with a golden: compare. A FIFO golden is a failure, not a hang."""
    os.mkfifo(tmp_path / "g.trace")
    code = ("import sys; from pathlib import Path; from emu.trace import golden\n"
            "try:\n    golden.check(Path(sys.argv[1]), 'text')\n"
            "except golden.GoldenFailure as e:\n    print(e)\n")
    p = subprocess.run([sys.executable, "-c", code, str(tmp_path / "g.trace")], capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(f"the golden {tmp_path / 'g.trace'} is not a regular file (a FIFO)")
