"""emu/cpu/memory.py — guest memory: regions with permissions, backed by host buffers.

Data regions are mapped with ``mem_map_ptr`` onto ctypes buffers, so Python reads the
frame and writes the ``g`` struct without a round trip through the binding. Code is
mapped the ordinary way (a host write would not invalidate translated blocks).
``GuestMemory.read/write`` implement the kernel model's memory protocol: any byte
outside a region with the needed permission raises :class:`Fault`, which the kernel
turns into ``-EFAULT`` just as Linux's ``copy_to_user`` does (Unicorn's own
``mem_write`` would ignore page permissions).
"""
from __future__ import annotations

import bisect
import ctypes
import struct
from dataclasses import dataclass

from unicorn import UC_PROT_EXEC, UC_PROT_READ, UC_PROT_WRITE, UcError

from emu.kernel.memory import Fault

R, W, X = UC_PROT_READ, UC_PROT_WRITE, UC_PROT_EXEC
_U64 = struct.Struct("<Q")
MAX_GUEST_MEMORY = 64 << 20       # cap on everything mapped into one guest (bounds a run)


@dataclass
class Region:
    base: int
    size: int
    perms: int
    name: str
    buf: object = None            # ctypes buffer for host-backed regions, else None

    @property
    def end(self) -> int:
        return self.base + self.size


class GuestMemory:
    """The guest's address space as the kernel model and the tracer see it."""

    def __init__(self, uc):
        self.uc = uc
        self.regions: list[Region] = []
        self._bases: list[int] = []
        self.mapped = 0
        self.watch: list | None = None   # a list here collects (addr, bytes) of every write()

    # -- mapping ---------------------------------------------------------------
    def map(self, base: int, size: int, perms: int, name: str, host: bool = True) -> Region:
        """Map ``[base, base+size)``; ``host`` regions are backed by a Python-owned buffer."""
        if self.mapped + size > MAX_GUEST_MEMORY:
            raise MemoryError(f"guest memory cap of {MAX_GUEST_MEMORY >> 10} KiB reached mapping {name} "
                              f"({size >> 10} KiB more, {self.mapped >> 10} KiB mapped)")
        reg = Region(base, size, perms, name)
        if host:
            reg.buf = (ctypes.c_char * size)()
            self.uc.mem_map_ptr(base, size, perms, ctypes.addressof(reg.buf))
        else:
            self.uc.mem_map(base, size, perms)
        i = bisect.bisect(self._bases, base)
        self._bases.insert(i, base)
        self.regions.insert(i, reg)
        self.mapped += size
        return reg

    def region(self, addr: int) -> Region | None:
        i = bisect.bisect(self._bases, addr) - 1
        if i >= 0 and addr < self.regions[i].end:
            return self.regions[i]
        return None

    def _check(self, addr: int, size: int, perm: int, write: bool) -> None:
        a, end = addr, addr + size
        if addr < 0 or end > 1 << 64:
            raise Fault(addr, size, write)
        while a < end:
            reg = self.region(a)
            if reg is None or not reg.perms & perm:
                raise Fault(a, size, write)
            a = reg.end

    # -- the kernel's protocol -----------------------------------------------------
    def read(self, addr: int, size: int) -> bytes:
        """Bytes the guest could read; :class:`Fault` on the first unreadable byte."""
        if size <= 0:
            return b""
        self._check(addr, size, R, False)
        reg = self.region(addr)
        if reg.buf is not None and addr + size <= reg.end:
            off = addr - reg.base
            return ctypes.string_at(ctypes.addressof(reg.buf) + off, size)
        return bytes(self.uc.mem_read(addr, size))

    def write(self, addr: int, data: bytes) -> None:
        """Store bytes where the guest may write; :class:`Fault` on the first bad byte."""
        if not data:
            return
        self._check(addr, len(data), W, True)
        self.poke(addr, data)
        if self.watch is not None:       # a lesson listing what the kernel wrote
            self.watch.append((addr, bytes(data)))

    # -- the emulator's own access (no permission check: loading code, mirroring g) ----
    def poke(self, addr: int, data: bytes) -> None:
        reg = self.region(addr)
        if reg is not None and reg.buf is not None and addr + len(data) <= reg.end:
            ctypes.memmove(ctypes.addressof(reg.buf) + addr - reg.base, data, len(data))
            return
        try:
            self.uc.mem_write(addr, bytes(data))
        except UcError:
            raise Fault(addr, len(data), True) from None

    def view(self, addr: int, size: int) -> memoryview:
        """A writable view of host-backed guest memory: the emulator's own fast access
        (``struct.pack_into``/``unpack_from``); ValueError if the range is not host-backed."""
        reg = self.region(addr)
        if reg is None or reg.buf is None or addr + size > reg.end:
            raise ValueError(f"{addr:#x}+{size} is not in one host-backed region")
        off = addr - reg.base
        return memoryview(reg.buf).cast("B")[off:off + size]

    def u64(self, addr: int) -> int:
        """The guest's u64 at ``addr`` (Fault if unreadable); host-backed memory directly."""
        reg = self.region(addr)
        if reg is not None and reg.buf is not None and reg.perms & R and addr + 8 <= reg.end:
            return _U64.unpack_from(reg.buf, addr - reg.base)[0]
        return struct.unpack("<Q", self.read(addr, 8))[0]

    def put_u64(self, addr: int, value: int) -> None:
        self.poke(addr, struct.pack("<Q", value & 0xFFFFFFFFFFFFFFFF))
