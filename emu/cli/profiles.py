"""emu/cli/profiles.py — ``gosyscall profiles``: the Go releases, one paragraph each on what differs."""
from __future__ import annotations

import textwrap

from emu.profile import DEFAULT, load, names


def add_parser(sub, h) -> None:
    sub.add_parser("profiles", help="list the Go releases gosyscall runs, and what each does differently")


def describe(name: str, width: int = 100) -> list[str]:
    """The lines for one profile: its name and release, its code, its scheduler."""
    prof = load(name)
    head = f"{name}{' (default)' if name == DEFAULT else ''} — the code of {prof.code.RELEASE}"
    out = [head]
    for label, text in (("code", prof.code.ABOUT), ("runtime", prof.model.ABOUT)):
        out += textwrap.wrap(text, width, initial_indent=f"  {label + ':':<9}", subsequent_indent=" " * 11)
    return out


def run(ns) -> int:
    lines = []
    for name in names():
        lines += describe(name) + [""]
    print("\n".join(lines[:-1]))
    return 0
