"""Random ``gosyscall`` command lines, in-process: a result or one line of error, never a
traceback, never a hang.

Each command line runs ``emu.cli.main.main(argv)`` with stdout/stderr captured, stdin empty, the
working directory a scratch directory (so a command that writes files writes there), and a
wall-clock alarm: running out of it fails the example as a hang.
"""
from __future__ import annotations

import contextlib
import io
import os
import signal
import tempfile

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from emu.cli.main import COMMANDS, _module, main

HANG_S = 20

_commands = [c for c in COMMANDS if _module(c) is not None]
_words = st.one_of(
    st.sampled_from(["read", "write", "getpid", "close", "open", "openat", "nanosleep", "exit",
                     "futex", "pipe", "999", "39", "-1", "0x0", "SYS_read", "reed", "clone"]),
    st.sampled_from(["buf:64", "buf:0", "buf:-1", "buf:99999999", "str:/hello.txt", "str:/mnt/..",
                     "data:hi\\n", "data:\\xzz", "fd:/hello.txt", "fd:/nope", "fd:", "str:", "buf:"]),
    st.integers(-2**64, 2**64).map(str),
    st.sampled_from(["0xc000040000", "0xc000030000", "0xffffffffffffffff", "1e3", "--", "-", ""]),
    st.text(max_size=12),
)
_options = st.one_of(
    st.tuples(st.sampled_from(["--stub"]), st.sampled_from(["Syscall", "RawSyscall6", "Nope", ""])),
    st.tuples(st.sampled_from(["--budget"]), st.sampled_from(["1", "5", "0", "-3", "x", "100000"])),
    st.tuples(st.sampled_from(["--time-budget"]), st.sampled_from(["1ms", "10s", "0", "x", "1e400"])),
    st.tuples(st.sampled_from(["--profile"]), st.sampled_from(["go1.10", "go1.99", ""])),
    st.tuples(st.sampled_from(["--fs"]), st.sampled_from([".", "/nonexistent", "somefile"])),
    st.tuples(st.sampled_from(["--asm"]), st.sampled_from(["/nonexistent.s", "somefile", "."])),
    st.tuples(st.sampled_from(["--strict", "--quiet", "--no-color", "--steps", "--bogus", "-h"])),
)


@st.composite
def command_lines(draw):
    argv = [draw(st.sampled_from(_commands + ["nope", "--help", ""]))]
    for _ in range(draw(st.integers(0, 5))):
        argv += list(draw(_options)) if draw(st.booleans()) else [draw(_words)]
    if argv[0] == "gdbserver":       # a server waits for its client: bound the wait, any free port
        argv[1:1] = ["--wait", "0.2s", "--listen", "127.0.0.1:0"]
    return argv


class Hang(BaseException):
    """Raised by the alarm; a BaseException so no ``except Exception`` in the code swallows it."""


def _alarm(signum, frame):
    raise Hang()


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_S)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as e:                # argparse's --help exits 0 after printing
                code = e.code or 0
    except Hang:
        pytest.fail(f"gosyscall {' '.join(argv)!r} ran for more than {HANG_S} s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def scratch():
    with tempfile.TemporaryDirectory() as d:
        with open(os.path.join(d, "somefile"), "w") as f:
            f.write("not assembly\n")
        yield d


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(argv=command_lines())
def test_random_command_lines_end_in_a_result_or_one_line(scratch, monkeypatch, argv):
    monkeypatch.chdir(scratch)
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    code, out, err = run_cli(argv)
    assert "Traceback" not in out + err
    assert isinstance(code, int) and code >= 0
    if err:                                    # an error: exactly one line, and a failing status
        assert err.count("\n") == 1 and err.startswith("gosyscall: ") and code > 0, (argv, err)
        event(f"error, exit {code}")
    else:                                      # a result (verify and diff exit 1 for "differs")
        assert code in (0, 1) and (out or code == 0), (argv, code)
        event(f"result, exit {code}")
