"""emu/kernel/args.py — decoding syscall arguments and moving bytes across the user boundary.

The handlers never touch raw registers or guest memory themselves (xv6's ``argint``,
``argptr``, ``argstr``). Registers arrive as unsigned 64-bit values and are read as the C
type Linux declares; memory access goes through :class:`~emu.kernel.memory.GuestMemory`
and raises :class:`~emu.kernel.memory.Fault`, which the dispatcher turns into ``-EFAULT``.
"""
from __future__ import annotations

import struct

from emu.kernel.errno import ENAMETOOLONG, SysError
from emu.kernel.memory import Fault, GuestMemory

MASK64 = (1 << 64) - 1
PATH_MAX = 4096           # include/uapi/linux/limits.h: bytes in a path, NUL included
NAME_MAX = 255            # bytes in one path component
# arch/x86/include/asm/page_64_types.h: the first address above user space (4-level paging).
TASK_SIZE_MAX = (1 << 47) - 4096
# The most one read or write moves (Linux's MAX_RW_COUNT is INT_MAX & PAGE_MASK, ~2 GiB).
# A modelling choice: a larger count gets a short read/write, which POSIX allows and every
# caller must handle, and the model never allocates more than this for one call.
MAX_RW_COUNT = 1 << 20
_PAGE = 4096


# -- registers as C types -------------------------------------------------------------------
def as_int(raw: int) -> int:
    """The low 32 bits of a register as a signed C ``int`` (fds, statuses, flags)."""
    v = raw & 0xFFFFFFFF
    return v - (1 << 32) if v & 0x80000000 else v


def as_uint(raw: int) -> int:
    """The low 32 bits of a register as an unsigned C ``unsigned int``."""
    return raw & 0xFFFFFFFF


def as_long(raw: int) -> int:
    """A register as a signed 64-bit ``long`` / ``off_t``."""
    v = raw & MASK64
    return v - (1 << 64) if v >> 63 else v


def as_size(raw: int) -> int:
    """A register as an unsigned 64-bit ``size_t`` or pointer."""
    return raw & MASK64


def access_ok(addr: int, size: int) -> bool:
    """Whether [addr, addr+size) lies inside user space (Linux ``access_ok``: range only, no mapping check)."""
    return size <= TASK_SIZE_MAX and addr <= TASK_SIZE_MAX - size


# -- reading guest memory -------------------------------------------------------------------
def fetch_bytes(mem: GuestMemory, addr: int, n: int) -> bytes:
    """Exactly ``n`` bytes at ``addr``; Fault if any of them is unreadable."""
    if n <= 0:
        return b""
    if not access_ok(addr, n):
        raise Fault(addr, n, False)
    return mem.read(addr, n)


def fetch_u32(mem: GuestMemory, addr: int) -> int:
    """The little-endian u32 at ``addr``; Fault if unreadable."""
    return struct.unpack("<I", fetch_bytes(mem, addr, 4))[0]


def fetch_i64(mem: GuestMemory, addr: int) -> int:
    """The little-endian signed 64-bit value at ``addr``; Fault if unreadable."""
    return struct.unpack("<q", fetch_bytes(mem, addr, 8))[0]


def fetch_u64(mem: GuestMemory, addr: int) -> int:
    """The little-endian unsigned 64-bit value at ``addr``; Fault if unreadable."""
    return struct.unpack("<Q", fetch_bytes(mem, addr, 8))[0]


def fetch_timespec(mem: GuestMemory, addr: int) -> tuple[int, int]:
    """The ``struct timespec {time_t tv_sec; long tv_nsec;}`` at ``addr`` as signed (sec, nsec)."""
    return struct.unpack("<qq", fetch_bytes(mem, addr, 16))


def fetch_str(mem: GuestMemory, addr: int, max: int = PATH_MAX) -> bytes:
    """The NUL-terminated string at ``addr`` without its NUL.

    Raises Fault if a byte before the NUL is unreadable, and SysError(ENAMETOOLONG) if no NUL
    is found in the first ``max`` bytes (Linux ``getname``: a path must fit PATH_MAX with its NUL).
    """
    out = bytearray()
    a = addr
    while len(out) < max:
        # Read up to the next page boundary: a page is readable as a whole or not at all,
        # so the string may end just before an unmapped page without faulting.
        n = min(_PAGE - a % _PAGE, max - len(out))
        try:
            chunk = fetch_bytes(mem, a, n)
        except Fault:
            chunk = _readable_prefix(mem, a, n)
            nul = chunk.find(b"\0")
            if nul >= 0:
                return bytes(out + chunk[:nul])
            raise Fault(a + len(chunk), n, False) from None
        nul = chunk.find(b"\0")
        if nul >= 0:
            return bytes(out + chunk[:nul])
        out += chunk
        a += n
    raise SysError(ENAMETOOLONG)


def _readable_prefix(mem: GuestMemory, addr: int, n: int) -> bytes:
    """The longest readable prefix of [addr, addr+n), read byte by byte (for odd region ends)."""
    out = bytearray()
    for a in range(addr, addr + n):
        try:
            out += fetch_bytes(mem, a, 1)
        except Fault:
            break
    return bytes(out)


def copy_in(mem: GuestMemory, addr: int, n: int) -> bytes:
    """Up to ``n`` bytes at ``addr``: the readable prefix if the range faults part way.

    Raises Fault only if not even the first byte is readable (Linux ``write`` returns a
    short count when ``copy_from_user`` stops part way, ``-EFAULT`` when it copies nothing).
    """
    try:
        return fetch_bytes(mem, addr, n)
    except Fault as f:
        ok = min(max(f.addr - addr, 0), n)
        if ok == 0:
            raise
        return fetch_bytes(mem, addr, ok)


# -- writing guest memory -------------------------------------------------------------------
def put_bytes(mem: GuestMemory, addr: int, data: bytes) -> None:
    """Store all of ``data`` at ``addr``; Fault if any byte is not writable."""
    if not data:
        return
    if not access_ok(addr, len(data)):
        raise Fault(addr, len(data), True)
    mem.write(addr, bytes(data))


def copy_out(mem: GuestMemory, addr: int, data: bytes) -> int:
    """Store as much of ``data`` at ``addr`` as is writable from the start; return the count.

    Raises Fault only if not even the first byte can be written (Linux ``read`` returns a
    short count when ``copy_to_user`` stops part way, ``-EFAULT`` when it copies nothing).
    """
    try:
        put_bytes(mem, addr, data)
        return len(data)
    except Fault as f:
        ok = min(max(f.addr - addr, 0), len(data))
        if ok == 0:
            raise
        put_bytes(mem, addr, data[:ok])
        return ok


def put_u32(mem: GuestMemory, addr: int, v: int) -> None:
    """Store ``v`` as a little-endian u32 (low 32 bits); Fault if not writable."""
    put_bytes(mem, addr, struct.pack("<I", v & 0xFFFFFFFF))


def put_i32(mem: GuestMemory, addr: int, v: int) -> None:
    """Store ``v`` as a little-endian C ``int`` (two's complement of the low 32 bits)."""
    put_u32(mem, addr, v)


def put_u64(mem: GuestMemory, addr: int, v: int) -> None:
    """Store ``v`` as a little-endian u64 (low 64 bits); Fault if not writable."""
    put_bytes(mem, addr, struct.pack("<Q", v & MASK64))


def put_i64(mem: GuestMemory, addr: int, v: int) -> None:
    """Store ``v`` as a little-endian signed 64-bit value (two's complement)."""
    put_u64(mem, addr, v)


def put_timespec(mem: GuestMemory, addr: int, ns: int) -> None:
    """Store ``ns`` nanoseconds as a ``struct timespec`` {tv_sec, tv_nsec}; Fault if not writable."""
    put_bytes(mem, addr, struct.pack("<QQ", (ns // 1_000_000_000) & MASK64, ns % 1_000_000_000))


def put_timeval(mem: GuestMemory, addr: int, ns: int) -> None:
    """Store ``ns`` nanoseconds as a ``struct timeval`` {tv_sec, tv_usec}; Fault if not writable."""
    put_bytes(mem, addr, struct.pack("<QQ", (ns // 1_000_000_000) & MASK64, ns % 1_000_000_000 // 1000))
