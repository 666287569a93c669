"""emu/kernel/strace.py — one syscall as strace would print it.

``read(3, "Hello from the emulated kernel!\\n", 64) = 32``, ``close(-1) = -1 EBADF (Bad file
descriptor)``. Strings and buffers show at most ``STRSIZE`` bytes (strace's default ``-s 32``)
followed by ``...`` when longer; a pointer the renderer cannot read is shown as its address,
as strace does. Rendering reads guest memory but never fails.
"""
from __future__ import annotations

import struct
from typing import Callable, Sequence

from emu.kernel.args import fetch_bytes, fetch_str
from emu.kernel.clock import CLOCK_NAMES
from emu.kernel.errno import SysError, errno_name, strerror
from emu.kernel.memory import Fault, GuestMemory
from emu.kernel.sysnum import ARGNAMES, name_of
from emu.kernel.table import TABLE, Entry, decode
from emu.kernel.vfs import O_ACCMODE, O_CREAT, O_TMPFILE, OPEN_FLAG_NAMES

STRSIZE = 32
PATH_SHOWN = 4096
_SEEK = ("SEEK_SET", "SEEK_CUR", "SEEK_END", "SEEK_DATA", "SEEK_HOLE")
_ACC = ("O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE")
_FUTEX_CMDS = {0: "FUTEX_WAIT", 1: "FUTEX_WAKE"}
_ESCAPES = {0x22: '\\"', 0x5C: "\\\\", 0x0C: "\\f", 0x0A: "\\n", 0x0D: "\\r", 0x09: "\\t", 0x0B: "\\v"}


def quote(data: bytes, more: bool = False) -> str:
    """``data`` as a C string literal the way strace prints it; ``...`` after it if ``more``."""
    out = []
    for i, b in enumerate(data):
        if b in _ESCAPES:
            out.append(_ESCAPES[b])
        elif 0x20 <= b < 0x7F:
            out.append(chr(b))
        else:                       # octal, 3 digits only when an octal digit follows
            nxt = data[i + 1:i + 2]
            out.append(f"\\{b:03o}" if nxt and 0x30 <= nxt[0] <= 0x37 else f"\\{b:o}")
    return '"' + "".join(out) + '"' + ("..." if more else "")


def _ptr(v: int) -> str:
    return "NULL" if v == 0 else f"{v:#x}"


def _flags(v: int, names: Sequence[tuple[str, int]]) -> list[str]:
    """Names of the flag bits set in ``v``, then any unknown rest in hex."""
    out = []
    for name, bit in names:
        if v & bit == bit:
            out.append(name)
            v &= ~bit
    return out + ([f"{v:#x}"] if v else [])


def _open_flags(v: int) -> str:
    return "|".join([_ACC[v & O_ACCMODE]] + _flags(v & ~O_ACCMODE, OPEN_FLAG_NAMES))


def _futex_op(v: int) -> str:
    cmd = v & 127
    name = _FUTEX_CMDS.get(cmd, str(cmd)) + ("_PRIVATE" if v & 128 else "")
    return name + ("|FUTEX_CLOCK_REALTIME" if v & 256 else "") + (f"|{v & ~511:#x}" if v & ~511 else "")


# Structs the kernel writes, by argument kind (table.KINDS): their size in bytes on x86-64.
OUT_STRUCTS = {"timespec_out": 16, "timeval_out": 16, "fdpair_out": 8, "utsname_out": 6 * 65}
_UTS_FIELDS = ("sysname", "nodename", "release", "version", "machine", "domainname")


def decode_struct(kind: str, data: bytes, verbose: bool = False) -> str:
    """``data``, the bytes of a struct of ``kind`` (OUT_STRUCTS, or timespec_in), as strace
    shows it; ``verbose``: every utsname field (strace -v), not the first two and ``...``."""
    if kind in ("timespec_in", "timespec_out", "timeval_out"):
        sec, frac = struct.unpack("<qq", data[:16])
        return f"{{tv_sec={sec}, {'tv_usec' if kind == 'timeval_out' else 'tv_nsec'}={frac}}}"
    if kind == "fdpair_out":
        return "[{}, {}]".format(*struct.unpack("<ii", data[:8]))
    if kind == "utsname_out":
        fields = [data[i * 65:(i + 1) * 65].split(b"\0")[0] for i in range(6)]
        shown = [f"{n}={quote(v)}" for n, v in zip(_UTS_FIELDS, fields)]
        return "{" + ", ".join(shown if verbose else shown[:2] + ["..."]) + "}"
    raise ValueError(f"no struct for argument kind {kind!r}")


def _struct(mem: GuestMemory, kind: str, addr: int) -> str:
    if addr == 0:
        return "NULL"
    size = OUT_STRUCTS.get(kind, 16)
    return decode_struct(kind, fetch_bytes(mem, addr, size))


def _buffer(mem: GuestMemory, addr: int, n: int) -> str:
    shown = min(n, STRSIZE)
    return quote(fetch_bytes(mem, addr, shown), n > shown)


def render_arg(mem: GuestMemory, e: Entry, i: int, args: Sequence[int], ret: int | None) -> str:
    """Argument ``i`` of a call to ``e``; ``ret`` is the result, or None if the call has not returned."""
    kind, raw = e.kinds[i], args[i]
    v = decode(kind, raw)
    ok = ret is not None and ret >= 0
    try:
        if kind == "dirfd" and v == -100:
            return "AT_FDCWD"
        if kind in ("fd", "dirfd", "int", "uint", "long", "size"):
            return str(v)
        if kind == "hex":
            return f"{v:#x}"
        if kind == "str":
            if v == 0:
                return "NULL"
            try:
                return quote(fetch_str(mem, v, PATH_SHOWN))
            except SysError:
                return _buffer(mem, v, PATH_SHOWN)
        if kind == "buf_in":
            n = next((decode("size", args[j]) for j, name in enumerate(e.argnames) if name in ("count", "len")), 0)
            return _buffer(mem, v, n)
        if kind == "buf_out":
            return _buffer(mem, v, ret) if ok else _ptr(v)
        if kind == "flags_open":
            return _open_flags(v)
        if kind == "mode":
            return f"{'0' + format(v, 'o') if v else '0':0>3}"     # C's %#03o
        if kind == "flags_pipe":
            return "|".join(_flags(v, OPEN_FLAG_NAMES)) or "0"
        if kind == "clockid":
            return CLOCK_NAMES.get(v, str(as_signed(v)))
        if kind == "whence":
            return _SEEK[v] if v < len(_SEEK) else str(v)
        if kind == "futex_op":
            return _futex_op(v)
        if kind == "timespec_in":
            return _struct(mem, kind, v)
        if kind in OUT_STRUCTS:
            return _struct(mem, kind, v) if ok and v else _ptr(v)
    except Fault:
        pass
    return _ptr(v)


def as_signed(v: int) -> int:
    """A 32-bit value as signed, for showing bad clock ids the way strace does."""
    return v - (1 << 32) if v & 0x80000000 else v


# How many arguments strace shows, where that depends on the call.
_SHOWN: dict[str, Callable[[Sequence[int]], int]] = {
    "open": lambda a: 3 if a[1] & (O_CREAT | O_TMPFILE) else 2,
    "openat": lambda a: 4 if a[2] & (O_CREAT | O_TMPFILE) else 3,
    "futex": lambda a: {0: 4, 1: 3}.get(a[1] & 127, 6),
}


def describe_call(mem: GuestMemory, nr: int, args: Sequence[int], ret: int | None = None,
                  table: dict[int, Entry] | None = None) -> str:
    """``name(args)`` for syscall ``nr``; buffers the kernel fills are shown only once ``ret`` ≥ 0."""
    args = tuple(a & 0xFFFFFFFFFFFFFFFF for a in args) + (0,) * (6 - len(args))
    e = (TABLE if table is None else table).get(as_signed(nr & 0xFFFFFFFF))
    if e is None:                 # not modelled: as many arguments as the call has, if known
        shown = args[:len(ARGNAMES.get(name_of(nr), args))]
        return f"{name_of(nr)}({', '.join(f'{a:#x}' for a in shown)})"
    n = _SHOWN.get(e.name, lambda a: len(e.argnames))(args)
    return f"{e.name}({', '.join(render_arg(mem, e, i, args, ret) for i in range(n))})"


def describe_result(mem: GuestMemory, r, table: dict[int, Entry] | None = None) -> str:
    """A whole strace line for a dispatched call (a ``Result``)."""
    head = describe_call(mem, r.nr, r.args, None if r.block is not None else r.ret, table)
    if r.block is not None:
        return f"{head} = ? <blocked: {r.block.describe()}>"
    if r.exit_status is not None:
        return f"{head} = ?"
    if r.ret < 0:
        return f"{head} = -1 {errno_name(-r.ret)} ({strerror(-r.ret)})"
    return f"{head} = {r.ret}"
