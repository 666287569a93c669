"""emu/bridge/argspec.py — the small notation for syscall arguments on the command line.

    3  0x40  -1        integers (two's complement in the 64-bit register)
    buf:64             a zeroed 64-byte buffer in the user heap; its address is passed
    str:/hello.txt     a NUL-terminated string in the user heap (a path for open)
    data:hi\\n          bytes without a NUL (for write); \\n \\t \\xNN \\\\ escapes
    fd:/hello.txt      the file opened read-only beforehand (as os.Open did); its fd
    fd:pipe@50ms       thread world only: the read end of a pipe that a timer of the world
                       writes at 50 ms virtual time (fd:pipe@1ms,50ms: at each; fd:pipe: never)

Each argument becomes a register value; buffers are remembered so their contents can
be shown after the call.
"""
from __future__ import annotations

import argparse
import re
from dataclasses import dataclass

from emu.kernel.sysnum import parse_number

MAX_BUF = 0x8000

_UNITS = {"ns": 1, "us": 10**3, "µs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


def parse_duration(text: str) -> int:
    """``10s``/``250ms``/``2m``/``1h``/``1.5s`` (a bare number is seconds) → nanoseconds, > 0."""
    t = text.strip().lower()
    unit = next((u for u in sorted(_UNITS, key=len, reverse=True) if t.endswith(u)), "")
    try:
        ns = round(float(t[:len(t) - len(unit)]) * _UNITS[unit or "s"])
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (use e.g. 10s, 250ms, 2m)") from None
    if not 0 < ns < 1 << 63:                       # KTIME_MAX: the clock saturates there
        raise argparse.ArgumentTypeError(f"a duration is more than 0 and less than 2^63 ns, not {text!r}")
    return ns


@dataclass
class Arg:
    text: str
    value: int
    buf: tuple[int, int] | None = None     # (address, size) of a buffer to show afterwards


def parse_int(text: str) -> int:
    """An integer as C and Go write it (decimal, 0x, 0b, 0777 or 0o777 octal, a sign)."""
    try:
        return parse_number(text)
    except ValueError as e:
        if str(e).startswith("not a number"):
            raise ValueError(f"{e} (use 42, 0x2a, 0777, -1, or buf:N / str:S / data:S / fd:PATH)") from None
        raise


_ESC = re.compile(r"\\(x[0-9a-fA-F]{2}|[nrt0\\])")


def _raw(text: str) -> bytes:
    """The bytes the user typed: non-UTF-8 bytes on the command line reach Python as
    surrogate escapes, and go back to the same bytes here."""
    return text.encode("utf-8", "surrogateescape")


def unescape(text: str) -> bytes:
    """The bytes of ``text`` with the escapes \\n \\r \\t \\0 \\\\ and \\xNN decoded."""
    out, pos = bytearray(), 0
    for m in _ESC.finditer(text):
        out += _raw(text[pos:m.start()])
        e = m.group(1)
        out += bytes([int(e[1:], 16)]) if e[0] == "x" else \
            {"n": b"\n", "r": b"\r", "t": b"\t", "0": b"\0", "\\": b"\\"}[e]
        pos = m.end()
    return bytes(out + _raw(text[pos:]))


def printable(text: str) -> str:
    """``text`` as it can be printed: bytes that are not UTF-8 shown as ``\\xNN``."""
    return _raw(text).decode("utf-8", "backslashreplace")


def parse_arg(text: str, session) -> Arg:
    """Turn one command-line argument into a register value, allocating guest memory.
    ``Arg.text`` is the argument as it can be printed (see :func:`printable`)."""
    arg = _parse_arg(text, session)
    arg.text = printable(text)
    return arg


def _parse_arg(text: str, session) -> Arg:
    kind, sep, rest = text.partition(":")
    if not sep or kind not in ("buf", "str", "data", "fd"):
        return Arg(text, parse_int(text))
    if kind == "buf":
        n = parse_int(rest)
        if not 0 <= n <= MAX_BUF:
            raise ValueError(f"buf:{rest}: buffers hold 0 to {MAX_BUF} bytes")
        addr = session.alloc(n)
        return Arg(text, addr, (addr, n))
    if kind == "str":
        data = unescape(rest) + b"\0"
        return Arg(text, session.alloc(len(data), data))
    if kind == "data":
        data = unescape(rest)
        return Arg(text, session.alloc(len(data), data))
    if rest == "pipe" or rest.startswith("pipe@"):
        pipe_at = getattr(session, "pipe_at", None)      # only the thread world (emu.world) has it
        if pipe_at is None:
            raise ValueError(f"fd:{rest}: a pipe written by a timer exists only in the thread world, which "
                             "`gosyscall run` and `repl` enter (trace and explain record single-thread runs)")
        return Arg(text, pipe_at(rest[5:]))
    fd = session.open_for_setup(rest)
    if fd < 0:
        from emu.kernel.errno import errno_name
        raise ValueError(f"fd:{printable(rest)}: cannot open it in the guest's filesystem ({errno_name(-fd)})")
    return Arg(text, fd)
