"""tests/kernel/conftest.py — a kernel with flat memory and helpers to place data and make calls."""
from __future__ import annotations

import struct

import pytest

from emu.kernel import VFS, Kernel
from emu.kernel.memory import FlatMemory
from emu.kernel.sysnum import SYS

SCRATCH = 0x10000          # 64 KiB for strings and structs (bump-allocated)
BUF = 0x100000             # 2 MiB data buffer
RO = 0x400000              # 4 KiB mapped read-only
WILD = 0xDEAD0000          # never mapped
KERNEL_ADDR = 0xFFFF800000000000   # above user space: access_ok fails


class Guest:
    """A kernel and its guest memory, with helpers that keep tests short."""

    SCRATCH, BUF, RO, WILD, KERNEL_ADDR = SCRATCH, BUF, RO, WILD, KERNEL_ADDR

    def __init__(self, kernel: Kernel):
        self.k = kernel
        self.mem = FlatMemory()
        self.mem.map(SCRATCH, 0x10000)
        self.mem.map(BUF, 2 << 20)
        self.mem.map(RO, 0x1000, writable=False)
        self._next = SCRATCH

    def alloc(self, data: bytes) -> int:
        """Copy ``data`` into scratch memory and return its address (8-byte aligned)."""
        addr = self._next
        self.mem.write(addr, data)
        self._next += (len(data) + 7) & ~7 or 8
        return addr

    def path(self, p: bytes | str) -> int:
        """A NUL-terminated path in guest memory."""
        return self.alloc((p.encode() if isinstance(p, str) else p) + b"\0")

    def timespec(self, sec: int, nsec: int) -> int:
        """A struct timespec in guest memory."""
        return self.alloc(struct.pack("<qq", sec, nsec))

    def call(self, name: str, *args: int, tid: int | None = None):
        """Make syscall ``name`` and return its Result."""
        return self.k.syscall(self.mem, SYS[name], list(args), tid=tid)

    def ret(self, name: str, *args: int, tid: int | None = None) -> int:
        """Make syscall ``name`` and return its signed result; fail if it blocked."""
        r = self.call(name, *args, tid=tid)
        assert r.block is None, f"{name} blocked: {r.block.describe()}"
        return r.ret

    def open(self, p: bytes | str, flags: int = 0) -> int:
        """open(p, flags) → result."""
        return self.ret("open", self.path(p), flags, 0)

    def read(self, fd: int, n: int = 4096) -> bytes:
        """read(fd, BUF, n) and the bytes it returned; fail on error."""
        got = self.ret("read", fd, BUF, n)
        assert got >= 0, f"read failed: {got}"
        return self.mem.read(BUF, got)

    def write(self, fd: int, data: bytes):
        """write(fd, data) → Result."""
        return self.call("write", fd, self.alloc(data) if data else BUF, len(data))

    def pipe(self, flags: int = 0) -> tuple[int, int]:
        """pipe2 → (read fd, write fd)."""
        addr = self.alloc(bytes(8))
        assert self.ret("pipe2", addr, flags) == 0
        return struct.unpack("<ii", self.mem.read(addr, 8))

    def u64s(self, addr: int, n: int) -> tuple[int, ...]:
        return struct.unpack(f"<{n}q", self.mem.read(addr, 8 * n))


@pytest.fixture
def g():
    k = Kernel()
    yield Guest(k)
    k.close_all()


@pytest.fixture
def mounted(tmp_path):
    """A Guest whose /mnt is ``tmp_path / 'mnt'`` (created empty); tests fill it."""
    made = []

    def make(root=None):
        root = root or tmp_path / "mnt"
        root.mkdir(exist_ok=True)
        k = Kernel(fs=VFS(root))
        made.append(k)
        return Guest(k)

    yield make
    for k in made:
        k.close_all()
