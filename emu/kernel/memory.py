"""emu/kernel/memory.py — how the kernel model reaches guest memory.

The kernel never touches the CPU emulator. It reads and writes the guest's address space
through the two-method :class:`GuestMemory` protocol; whatever implements it raises
:class:`Fault` for a byte the guest could not access, and the dispatcher turns that into
``-EFAULT`` exactly where Linux's ``copy_from_user``/``copy_to_user`` would fail.
:class:`FlatMemory` is the plain implementation used by tests and by anything that has no CPU.
"""
from __future__ import annotations

import bisect
from typing import Protocol

ADDR_LIMIT = 1 << 64          # addresses are 64-bit; anything at or past this is never mapped


class Fault(Exception):
    """An access touched a byte the guest may not access.

    ``addr`` is the first bad address, ``size`` the size of the whole access,
    ``write`` whether it was a store.
    """

    def __init__(self, addr: int, size: int, write: bool = False):
        super().__init__(f"{'write' if write else 'read'} of {size} bytes faults at {addr:#x}")
        self.addr = addr
        self.size = size
        self.write = write


class GuestMemory(Protocol):
    """The guest's address space as the kernel sees it."""

    def read(self, addr: int, size: int) -> bytes:
        """Return ``size`` bytes at ``addr``; raise :class:`Fault` if any byte is not readable."""
        ...

    def write(self, addr: int, data: bytes) -> None:
        """Store ``data`` at ``addr``; raise :class:`Fault` if any byte is not writable."""
        ...


class FlatMemory:
    """Non-overlapping regions of host bytearrays; every byte outside them faults.

    A write that faults stores nothing (the check comes first), so a test sees either the
    whole store or none of it. Regions that touch end to end behave as one range.
    """

    def __init__(self) -> None:
        self.regions: dict[int, bytearray] = {}
        self._writable: dict[int, bool] = {}
        self._bases: list[int] = []          # sorted keys of regions, for bisect

    def map(self, base: int, size: int, writable: bool = True, fill: int = 0) -> None:
        """Map ``size`` bytes at ``base`` filled with ``fill``; ValueError on overlap or bad range."""
        if size <= 0 or base < 0 or base + size > ADDR_LIMIT:
            raise ValueError(f"bad region {base:#x}+{size:#x}")
        for b, buf in self.regions.items():
            if base < b + len(buf) and b < base + size:
                raise ValueError(f"region {base:#x}+{size:#x} overlaps {b:#x}+{len(buf):#x}")
        self.regions[base] = bytearray([fill]) * size
        self._writable[base] = writable
        bisect.insort(self._bases, base)

    def _region(self, addr: int) -> int | None:
        """The base of the region holding ``addr``, or None."""
        i = bisect.bisect_right(self._bases, addr) - 1
        if i < 0:
            return None
        base = self._bases[i]
        return base if addr < base + len(self.regions[base]) else None

    def _check(self, addr: int, size: int, write: bool) -> None:
        """Raise :class:`Fault` at the first byte of [addr, addr+size) that is not accessible."""
        a, end = addr, addr + size
        if a < 0:
            raise Fault(a, size, write)
        while a < end:
            base = self._region(a)
            if base is None or (write and not self._writable[base]):
                raise Fault(a, size, write)
            a = base + len(self.regions[base])

    def read(self, addr: int, size: int) -> bytes:
        """Return ``size`` bytes at ``addr``; raise :class:`Fault` if any byte is not mapped."""
        if size <= 0:
            return b""
        self._check(addr, size, False)
        out, a, end = bytearray(), addr, addr + size
        while a < end:
            base = self._region(a)
            buf = self.regions[base]
            take = min(end, base + len(buf)) - a
            out += buf[a - base:a - base + take]
            a += take
        return bytes(out)

    def write(self, addr: int, data: bytes) -> None:
        """Store ``data`` at ``addr``; raise :class:`Fault` (storing nothing) if any byte is not writable."""
        if not data:
            return
        self._check(addr, len(data), True)
        a, i = addr, 0
        while i < len(data):
            base = self._region(a)
            buf = self.regions[base]
            take = min(len(data) - i, base + len(buf) - a)
            buf[a - base:a - base + take] = data[i:i + take]
            a += take
            i += take
