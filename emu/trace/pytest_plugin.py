"""emu/trace/pytest_plugin.py — golden-trace tests in pytest (registered by the entry point ``gosyscall``).

    def test_read_hello(gosyscall_golden):
        gosyscall_golden.run("read_hello", "read fd:/hello.txt buf:64 64")

records the run that ``gosyscall run read fd:/hello.txt buf:64 64`` shows and compares
its text trace with ``golden/read_hello.trace`` beside the test file (override the
``gosyscall_golden_dir`` fixture to keep goldens elsewhere). A relative ``--binary PROG``,
``--asm FILE.s`` or ``--fs DIR`` in the command is found from the test file's directory, as
the golden is, so the test passes from any working directory. A missing or different golden
fails with the first divergence, and the run is left as a pending ``.trace.new`` for
``gosyscall review``; ``pytest --gosyscall-update`` writes the goldens instead.
``gosyscall_golden.check(name, events, header)`` does the same for any recorded events
(a scenario's EventLog). The heavy modules load only when a test asks for the fixture.
"""
from __future__ import annotations

import os
import shlex
from pathlib import Path

import pytest

_STATS = pytest.StashKey[dict]()
_PATH_OPTIONS = ("--binary", "--asm", "--fs")


def pytest_addoption(parser) -> None:
    group = parser.getgroup("gosyscall", "gosyscall golden traces")
    group.addoption("--gosyscall-update", action="store_true", default=False,
                    help="write the golden traces (*.trace) from this run instead of comparing with them")


def pytest_configure(config) -> None:
    config.stash[_STATS] = {"written": 0, "pending": set()}


class Golden:
    """The ``gosyscall_golden`` fixture: record a run (or take events) and compare with a golden."""

    def __init__(self, directory: Path, update: bool, root: Path, stats: dict, base: Path | None = None):
        self.directory, self.update, self.root, self.stats = Path(directory), update, root, stats
        self.base = Path(base) if base is not None else self.directory.parent   # the test file's directory

    def show(self, path: Path) -> str:
        rel = os.path.relpath(path, self.root)
        return str(path) if rel.startswith("..") else rel

    def run(self, name: str, command: str | list[str] = ""):
        """Record ``gosyscall run COMMAND`` and compare it with the golden ``name``; return the Recording."""
        from emu.cli.main import build_parser
        from emu.errors import GosyscallError
        from emu.trace.recorder import record
        words = self._resolved(shlex.split(command) if isinstance(command, str) else list(command))
        rec, problem = None, None
        try:
            rec = record(build_parser().parse_args(["run", *words]))
        except (GosyscallError, ValueError) as e:
            problem = e                 # failed outside the except: no chained traceback shown
        if problem is not None:
            pytest.fail(f"gosyscall_golden.run({name!r}, {command!r}): {problem}", pytrace=False)
        if rec.error is not None:
            pytest.fail(f"gosyscall_golden.run({name!r}): the run failed: {rec.error}", pytrace=False)
        self.check(name, rec.events, rec.header)
        return rec

    def _resolved(self, words: list[str]) -> list[str]:
        """A relative ``--binary X``, ``--asm X`` or ``--fs X`` (or ``--asm=X``), made
        relative to the test's directory instead of the working directory."""
        out, it = [], iter(words)
        for w in it:
            opt, eq, val = w.partition("=")
            if opt in _PATH_OPTIONS and eq:
                out.append(f"{opt}={self._path(val)}")
            elif w in _PATH_OPTIONS:
                out += [w, self._path(next(it, ""))]
            else:
                out.append(w)
        return out

    def _path(self, p: str) -> str:
        return p if not p or os.path.isabs(p) else os.path.join(self.base, p)

    def check(self, name: str, events, header: dict, threads: dict[int, str] | None = None) -> None:
        """Compare recorded ``events`` under ``header`` with the golden ``name``
        (``threads``: tid → name, to label the lines of a thread-world run)."""
        from emu.trace import golden
        from emu.trace.formats.text import render_text
        path = golden.golden_path(self.directory, name)
        try:
            outcome = golden.check(path, render_text(header, events, threads), self.update, self.show)
        except golden.GoldenFailure as e:
            outcome = e
        if isinstance(outcome, golden.GoldenFailure):
            self.stats["pending"].add(self.show(path.parent))
            pytest.fail(str(outcome), pytrace=False)
        if outcome == "written":
            self.stats["written"] += 1


@pytest.fixture
def gosyscall_golden_dir(request) -> Path:
    """Where goldens live: ``golden/`` beside the test file. Override to move them."""
    return Path(request.path).parent / "golden"


@pytest.fixture
def gosyscall_golden(request, gosyscall_golden_dir) -> Golden:
    config = request.config
    return Golden(gosyscall_golden_dir, config.getoption("gosyscall_update"), config.rootpath,
                  config.stash[_STATS], Path(request.path).parent)


def pytest_terminal_summary(terminalreporter, config) -> None:
    stats = config.stash.get(_STATS, None)
    if not stats:
        return
    if stats["written"]:
        terminalreporter.write_line(f"gosyscall: wrote {stats['written']} golden trace(s)")
    if stats["pending"]:
        dirs = " ".join(sorted(stats["pending"]))
        terminalreporter.write_line(f"gosyscall: pending golden traces (*.trace.new) — review them "
                                    f"with `gosyscall review {dirs}`")
