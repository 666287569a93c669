"""emu/trace/golden.py — golden traces: compare a run with its checked-in text trace.

A golden is a text trace (``<name>.trace``, emu.trace.formats.text). ``check`` compares a run's
text with it byte for byte:

- the same: pass (and a stale pending file from an earlier failure is removed);
- no golden, or a different one: the run is written beside it as ``<name>.trace.new``
  (a *pending* file, as insta does) and a :class:`GoldenFailure` says where the two first
  differ — step and register, not a wall of diff. The golden itself is never written;
- ``update=True`` (pytest ``--gosyscall-update``): the golden is written and nothing fails.

``gosyscall review`` then accepts (pending → golden) or rejects (pending deleted) each
pending file. Every file is written with ``emu.atomic.write_atomic``.

Why not a snapshot library (checked: syrupy 7.0.1, pytest-regressions 2.11.0):
pytest-regressions writes a missing golden on the first run without any flag; syrupy's
single-file extension writes with a plain ``open`` (not atomic), fails the session or,
with ``--snapshot-update``, deletes snapshots it did not see used (this directory is
shared with goldens other tests own), and neither keeps pending files for a review. What
is left to reuse is a file read and a compare, so the ~60 lines live here.
"""
from __future__ import annotations

import os
import re
import stat
from itertools import zip_longest
from pathlib import Path

from emu.atomic import write_atomic
from emu.trace.diff import compare
from emu.trace.formats.base import TraceError
from emu.trace.formats.text import parse_text

SUFFIX = ".trace"
PENDING = ".new"
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")
_SKIP_DIRS = {"node_modules", "__pycache__"}


class GoldenFailure(Exception):
    """A run that does not match its golden; the message is the report to show."""


def golden_path(directory: Path, name: str) -> Path:
    if not _NAME.fullmatch(name) or name.endswith(SUFFIX):
        raise ValueError(f"golden name {name!r}: use letters, digits, '_', '-' and '.', "
                         f"without a directory or the {SUFFIX} suffix")
    return Path(directory) / f"{name}{SUFFIX}"


def pending_path(golden: Path) -> Path:
    return golden.with_name(golden.name + PENDING)


def check(golden: Path, text: str, update: bool = False, show=str) -> str:
    """Compare ``text`` (a rendered text trace) with ``golden``; return what happened:
    ``"same"`` or ``"written"``. Raise GoldenFailure on a mismatch or a missing golden.
    ``show`` turns a path into what messages print (relative to the project, say)."""
    pending = pending_path(golden)
    try:
        new, old = text.encode(), _read(golden)
    except NotRegular as e:
        raise GoldenFailure(f"the golden {show(golden)} is {e}: make it a regular file") from None
    if old == new:
        _remove(pending)
        return "same"
    golden.parent.mkdir(parents=True, exist_ok=True)
    if update:
        write_atomic(golden, new)
        _remove(pending)
        return "written"
    write_atomic(pending, new)
    review = (f"pending: {show(pending)} — accept or reject it with `gosyscall review "
              f"{show(golden.parent)}`, or rerun with --gosyscall-update")
    if old is None:
        raise GoldenFailure(f"no golden trace {show(golden)} yet\n{review}")
    try:
        report = report_against(golden, old, new, show)
    except TraceError as e:                    # a damaged golden: its file and line
        raise GoldenFailure(f"{e}\nthe golden cannot be read; {review}") from None
    raise GoldenFailure(f"{report}\n{review}")


def report_against(golden: Path, old: bytes, new: bytes, show=str, lb: str = "this run") -> str:
    """The divergence report of ``new`` (called ``lb``) against the golden's bytes ``old``."""
    c = compare(parse_text(old, show(golden)), parse_text(new, lb), "the golden", lb)
    if not c.same:
        return c.report(f"{show(golden)} differs from {lb} —")
    if old == new:
        return f"{show(golden)} and {lb} are the same"
    # the steps agree; the files differ elsewhere (the first line, the end line, line ends)
    pairs = enumerate(zip_longest(old.split(b"\n"), new.split(b"\n")), 1)
    i, (x, y) = next((i, p) for i, p in pairs if p[0] != p[1])
    x, y = ("nothing" if v is None else repr(v.decode(errors="replace")) for v in (x, y))
    return f"{show(golden)} differs from {lb} — line {i}: the golden {x}; {lb} {y}"


class NotRegular(Exception):
    """A golden or pending path that is not a regular file; the message says what it is."""


def read_regular(path: Path) -> bytes:
    """The bytes of the regular file ``path`` (a symlink to one is followed). Anything else
    raises NotRegular at once — a FIFO is opened without waiting for a writer and never read,
    so nothing here can block; a dangling link is named as one."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except FileNotFoundError:
        if os.path.islink(path):
            raise NotRegular("a dangling symbolic link") from None
        raise
    except OSError as e:
        raise NotRegular(f"cannot be read ({e.strerror})") from None
    with os.fdopen(fd, "rb") as f:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegular(f"not a regular file ({_KINDS.get(stat.S_IFMT(mode), 'a special file')})")
        return f.read()


_KINDS = {stat.S_IFIFO: "a FIFO", stat.S_IFDIR: "a directory", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket"}


def _read(path: Path) -> bytes | None:
    try:
        return read_regular(path)
    except FileNotFoundError:
        return None


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


# -- review ----------------------------------------------------------------------------
def find_pending(root: Path) -> list[Path]:
    """Every pending golden below ``root``, in path order (hidden directories skipped)."""
    found = []
    for d, dirs, files in os.walk(root):
        dirs[:] = sorted(x for x in dirs if not x.startswith(".") and x not in _SKIP_DIRS)
        found += [Path(d) / f for f in files if f.endswith(SUFFIX + PENDING)]
    return sorted(found)


def golden_of(pending: Path) -> Path:
    return pending.with_name(pending.name[:-len(PENDING)])


def describe(pending: Path, show=str) -> str:
    """What accepting ``pending`` would change: a new golden, or the divergence report.
    A damaged pending file raises TraceError naming its line."""
    new = read_regular(pending)
    trace = parse_text(new, show(pending))
    golden = golden_of(pending)
    try:
        old = _read(golden)
    except NotRegular as e:
        raise NotRegular(f"its golden {show(golden)} is {e}") from None
    if old is None:
        title = trace.steps[0].after_text()[:1]
        return f"new golden {show(golden)}: {len(trace.steps) - 1} steps" + (f" — {title[0]}" if title else "")
    try:
        return report_against(golden, old, new, show, "the pending file")
    except TraceError as e:
        return f"{show(golden)} cannot be read ({e}); accepting replaces it"


def accept(pending: Path) -> Path:
    golden = golden_of(pending)
    write_atomic(golden, read_regular(pending))
    pending.unlink()
    return golden


def reject(pending: Path) -> None:
    pending.unlink()
