"""emu/trace/formats/base.py — what every trace format shares: the header and the one error.

A trace is ``(header, events)``. The header is a small dict of JSON-able values:

    format      "gosyscall-trace"
    version     events.FORMAT_VERSION (the event model's version)
    profile     the Go release the run used ("go1.10")
    title       the lines `gosyscall run` prints before the first step (the call, setup)
    regs        the registers before the first instruction, rip = where it starts
    final_regs  the registers when the run stopped (optional)
    call        what was run: stub, trap and the argument words (optional)

Headers hold no host paths and no wall-clock time, like the events.
"""
from __future__ import annotations

from emu.errors import GosyscallError
from emu.trace.events import FORMAT_VERSION

FORMAT_NAME = "gosyscall-trace"


def printable(name: str) -> str:
    """A file name as messages show it: as is, or quoted if it holds a newline or the like
    (every error stays one line)."""
    return name if name.isprintable() else repr(name)


class TraceError(GosyscallError):
    """A trace or golden file that cannot be read: says which file and which line."""

    def __init__(self, name: str, line: int, msg: str):
        super().__init__(f"{printable(name)}:{line}: {msg}")
        self.name, self.line, self.msg = name, line, msg


class TraceWriter:
    """How every format is written: ``begin(header)`` once, ``event(ev)`` for each event in
    order, ``end(final_regs)`` once, each writing to ``out`` (a text stream) as it goes. A
    writer keeps only what its format needs to look back or ahead on (a pending instruction,
    open spans, counts), never the events themselves: a trace streams to its file while the
    run makes it, whatever its length. ``final_regs`` (the registers when the run stopped)
    may also come in the header, as a recording that was held has them there."""

    def __init__(self, out):
        self.out = out

    def begin(self, header: dict) -> None:
        self.final_regs = header.get("final_regs")

    def event(self, ev) -> None:
        raise NotImplementedError

    def end(self, final_regs: dict | None = None) -> None:
        pass

    def final(self, final_regs: dict | None) -> dict | None:
        return final_regs if final_regs is not None else self.final_regs


def make_header(profile: str, title=(), regs: dict | None = None,
                final_regs: dict | None = None, **extra) -> dict:
    """A trace header; ``extra`` adds JSON-able fields (a scenario's name, the call)."""
    head = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "profile": profile,
            "title": list(title)}
    if regs is not None:
        head["regs"] = dict(regs)
    if final_regs is not None:
        head["final_regs"] = dict(final_regs)
    head.update(extra)
    return head


def check_version(version, name: str, line: int, what: str) -> None:
    """Refuse a trace written by a newer gosyscall rather than misread it."""
    if not isinstance(version, int) or version < 1:
        raise TraceError(name, line, f"{what}: the version {version!r} is not a version number")
    if version > FORMAT_VERSION:
        raise TraceError(name, line, f"{what} version {version} is newer than this gosyscall "
                                     f"reads ({FORMAT_VERSION}): upgrade gosyscall")


def decode_lines(data: bytes, name: str) -> list[str]:
    """The file's lines as text; a byte that is not UTF-8 or a NUL is an error naming its line."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[:e.start].count(b"\n") + 1
        raise TraceError(name, line, "not UTF-8 text: the file is damaged (or not a trace)") from None
    lines = text.replace("\r\n", "\n").split("\n")
    for i, line in enumerate(lines, 1):
        if "\0" in line:
            raise TraceError(name, i, "a NUL byte: the file is damaged (or not a trace)")
    return lines
