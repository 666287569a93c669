"""Helpers for the REPL tests: a scripted session through the real CLI entry points."""
import io

import pytest

from emu.cli import repl as cmd_repl
from emu.cli.main import build_parser


def run_script(commands: str, *argv: str) -> str:
    """Run ``gosyscall repl ARGV`` with ``commands`` on stdin; return everything printed."""
    ns = build_parser().parse_args(["repl", "--no-color", *argv])
    out = io.StringIO()
    assert cmd_repl.run(ns, stdin=io.StringIO(commands), stdout=out) == 0
    return out.getvalue()


def answers(transcript: str) -> dict[str, str]:
    """The output of each command, keyed by the command line (last one wins)."""
    out, cmd = {}, None
    for line in transcript.splitlines():
        if line.startswith("(gosyscall) "):
            cmd = line[len("(gosyscall) "):]
            out[cmd] = ""
        elif cmd is not None:
            out[cmd] += line + "\n"
    return out


@pytest.fixture
def repl():
    return run_script
