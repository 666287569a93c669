"""emu/cli/review.py — ``gosyscall review [DIR]``: accept or reject pending golden traces.

Each ``*.trace.new`` below DIR (left by a failing golden test) is shown — the first
divergence from its golden, or "new golden" — and answered with ``a`` (accept: it
becomes the golden), ``r`` (reject: it is deleted) or ``s`` (skip: left for later).
Answers are read line by line from standard input, so a script can pipe them in;
``--accept-all`` / ``--reject-all`` answer everything. At the end of input the rest is
skipped. A damaged pending file is named with its line and left alone, and a pending path
that is not a regular file (a FIFO, a dangling link, ...) is named and skipped without
being opened for long: review never blocks, and goes on with the rest (exit status 2).
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

from emu.errors import GosyscallError
from emu.trace import golden
from emu.trace.formats.base import TraceError, printable

_ANSWERS = {"a": "accept", "accept": "accept", "r": "reject", "reject": "reject",
            "s": "skip", "skip": "skip", "": "skip"}


def add_parser(sub, h) -> None:
    p = sub.add_parser("review", help="accept or reject pending golden traces (*.trace.new) one by one")
    p.add_argument("dir", nargs="?", default=".", metavar="DIR", help="where to look (default: here)")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--accept-all", action="store_true", help="accept every pending golden")
    g.add_argument("--reject-all", action="store_true", help="reject every pending golden")


def _show(path: Path) -> str:
    rel = os.path.relpath(path)
    return printable(str(path) if rel.startswith("..") else rel)


def run(ns) -> int:
    root = Path(ns.dir)
    if not root.is_dir():
        raise GosyscallError(f"{printable(ns.dir)}: no such directory")
    pending = golden.find_pending(root)
    if not pending:
        print(f"no pending golden traces below {_show(root)}")
        return 0
    fixed = "accept" if ns.accept_all else "reject" if ns.reject_all else None
    done = {"accept": 0, "reject": 0, "skip": 0}
    trouble = odd = 0            # damaged pending files; pending paths that are not regular files
    for i, path in enumerate(pending, 1):
        try:
            what = golden.describe(path, _show)
        except TraceError as e:
            print(f"gosyscall: {e} — left alone", file=sys.stderr)
            trouble += 1
            continue
        except (golden.NotRegular, OSError) as e:
            print(f"gosyscall: {_show(path)}: {_why(e)} — skipped", file=sys.stderr)
            odd += 1
            continue
        print(f"[{i}/{len(pending)}] {what}")
        answer = fixed or _ask()
        if answer == "accept":
            try:
                print(f"accepted: {_show(golden.accept(path))}")
            except (golden.NotRegular, OSError) as e:    # changed since it was shown
                print(f"gosyscall: {_show(path)}: {_why(e)} — skipped", file=sys.stderr)
                odd += 1
                continue
        elif answer == "reject":
            golden.reject(path)
            print(f"rejected: {_show(path)} deleted")
        else:
            print(f"skipped: {_show(path)} stays pending")
        done[answer] += 1
    print(f"{done['accept']} accepted, {done['reject']} rejected, {done['skip']} skipped"
          + (f", {trouble} damaged" if trouble else "")
          + (f", {odd} not regular files (left alone)" if odd else ""))
    return 2 if trouble or odd else 0


def _why(e: Exception) -> str:
    """What is wrong with a pending path, in a few words (never an errno dump)."""
    if isinstance(e, OSError):
        return f"cannot be read ({e.strerror or type(e).__name__})"
    return str(e)


def _ask() -> str:
    """One answer from standard input; at its end, skip."""
    while True:
        print("accept (a), reject (r) or skip (s)? ", end="", flush=True)
        line = sys.stdin.readline()
        if not line:
            print("(end of input: skipped)")
            return "skip"
        answer = _ANSWERS.get(line.strip().lower())
        if answer is not None:
            return answer
        print(f"  {line.strip()!r}: answer a, r or s")
