"""Helpers for the trace tests: record a run in-process, run pytest or gosyscall in a subprocess."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from emu.cli.main import build_parser
from emu.trace.recorder import Recording, record

ROOT = Path(__file__).resolve().parent.parent.parent


def recorded(*words: str) -> Recording:
    """Record ``gosyscall run WORDS`` in this process."""
    return record(build_parser().parse_args(["run", *words]))


def run_cmd(args: list[str], cwd: Path, stdin: str = "", env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m ARGS`` in a fresh process (no terminal: stdin is a pipe)."""
    full = dict(os.environ, **(env or {}))
    full.pop("PYTEST_ADDOPTS", None)
    return subprocess.run([sys.executable, *args], cwd=cwd, input=stdin, capture_output=True,
                          text=True, env=full, timeout=300)


def pytest_in(project: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """pytest in ``project`` as a user runs it (the gosyscall plugin loads by its entry point);
    Hypothesis's plugin, slow to import and unused there, is left out."""
    return run_cmd(["-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:hypothesispytest", *args],
                   project, env=env)


def gosyscall_in(cwd: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return run_cmd(["-c", "from emu.cli.main import entry; entry()", *args], cwd, stdin=stdin)
