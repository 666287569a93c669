"""The instruction budget bounds memory: traces stream to their output as the run makes them,
and what must be held (a lesson's steps, a recording kept for a golden) is capped with a
one-line error.

Each long run is a subprocess under an address-space limit (``RLIMIT_AS``): the limit is what
a short run of the same command needed plus a margin far below what holding a million
instructions' events takes (about 1.1 KB each). The run must end with the budget's message —
not MemoryError, not a kill. Output goes through a pipe the test drains (no disk, no device).
"""
from __future__ import annotations

import subprocess
import sys
import threading

import pytest

from emu.errors import GosyscallError
from emu.trace.recorder import record

MARGIN = 300 * 1024 * 1024

# Runs gosyscall's main under RLIMIT_AS = argv[1] bytes (0: no limit), then prints VmPeak on stderr.
WRAPPER = """\
import resource, sys
limit = int(sys.argv[1])
if limit:
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
from emu.cli.main import main
code = main(sys.argv[2:])
status = open("/proc/self/status").read()
peak = int(status.split("VmPeak:")[1].split()[0]) * 1024
print(f"vmpeak {peak}", file=sys.stderr)
sys.exit(code)
"""


def _run(tmp_path, limit: int, *argv: str) -> tuple[int, int, bytes, str]:
    """(exit status, bytes of stdout, its last bytes, stderr) of the wrapped command."""
    p = subprocess.Popen([sys.executable, "-c", WRAPPER, str(limit), *argv], cwd=tmp_path,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    watchdog = threading.Timer(300, p.kill)
    watchdog.start()
    total, tail = 0, b""
    try:
        while chunk := p.stdout.read(1 << 20):
            total += len(chunk)
            tail = (tail + chunk)[-400:]
        err = p.stderr.read().decode(errors="replace")
        code = p.wait()
    finally:
        watchdog.cancel()
    return code, total, tail, err


def _peak(err: str) -> int:
    return int(err.rsplit("vmpeak ", 1)[1].split()[0])


@pytest.fixture
def loop(tmp_path):
    (tmp_path / "loop.s").write_text("again:\n    jmp again\n")
    return "loop.s"


def _limit(tmp_path, *argv: str) -> int:
    code, _n, _tail, err = _run(tmp_path, 0, *argv, "--budget", "20000")
    assert code == 4, err
    return _peak(err) + MARGIN


def test_a_jsonl_trace_of_a_million_instructions_streams_in_bounded_memory(tmp_path, loop):
    argv = ("trace", "--asm", loop, "getpid", "--format", "jsonl", "-o", "-")
    limit = _limit(tmp_path, *argv)
    code, n, tail, err = _run(tmp_path, limit, *argv)
    assert code == 4, err[-500:]
    assert err.splitlines()[0] == ("gosyscall: instruction budget of 1000000 exhausted at 0x40119a "
                                   "main.userstub (jmp again)")
    assert n > 100_000_000 and tail.rstrip().endswith(b"}}}")        # every event, then the end line
    assert b'{"end":{"events":1000000,' in tail                       # one event a step
    assert _peak(err) <= limit


def test_run_without_quiet_prints_a_long_trace_in_bounded_memory(tmp_path, loop):
    argv = ("run", "--asm", loop, "getpid", "--no-color")
    limit = _limit(tmp_path, *argv)
    code, n, tail, err = _run(tmp_path, limit, *argv)
    assert code == 4, err[-500:]
    assert err.splitlines()[0].startswith("gosyscall: instruction budget of 1000000 exhausted")
    assert b"\n1000000  0x0040119a  main.userstub" in tail


def test_a_lesson_is_capped_with_one_line(tmp_path, loop):
    argv = ("explain", "--asm", loop, "getpid", "--format", "html", "-o", "l.html")
    code, _n, _tail, err = _run(tmp_path, 0, *argv)
    assert code == 2 and err.splitlines()[0] == (
        "gosyscall: a lesson holds at most 10000 steps and this call runs longer (at 0x40119a in "
        "main.userstub (loop.s:2)); `gosyscall trace` records long runs")
    assert not (tmp_path / "l.html").exists()


def test_explain_honours_the_budget(tmp_path, loop):
    code, _n, _tail, err = _run(tmp_path, 0, "explain", "--asm", loop, "getpid", "--budget", "50")
    assert code == 4 and err.startswith("gosyscall: instruction budget of 50 exhausted at 0x40119a")


def test_a_held_recording_is_capped_with_one_line(tmp_path, loop):
    from emu.cli.main import build_parser
    rec = record(build_parser().parse_args(["run", "--asm", str(tmp_path / loop), "getpid",
                                            "--budget", "5000"]), limit=1000)
    assert isinstance(rec.error, GosyscallError)
    assert str(rec.error) == ("a recording held in memory keeps at most 1000 events and this run makes "
                              "more; `gosyscall trace -o FILE` streams a long run to a file")
    assert len(rec.events) == 1000
