"""emu/world/arena.py — fixed-size slots of guest memory, mapped in chunks as they are needed.

The thread world needs one g struct and one 2 KiB stack per goroutine and one block per M;
with up to 20 000 of each, mapping everything up front would waste the guest memory cap
(emu/cpu/memory.py), so an arena maps 64 KiB at a time. Freed slots are reused last-freed first,
which keeps runs deterministic.
"""
from __future__ import annotations

from emu.cpu.memory import R, W

CHUNK = 0x10000


class Arena:
    """Slots of ``stride`` bytes in ``[base, base + size)``; ``alloc()`` maps on demand."""

    def __init__(self, mem, base: int, size: int, stride: int, name: str):
        self.mem, self.base, self.size, self.stride, self.name = mem, base, size, stride, name
        self.next = base            # first never-used slot
        self.mapped = base          # end of the mapped chunks
        self.free_slots: list[int] = []
        self.live = 0

    def alloc(self) -> int:
        """A zeroed slot's address; MemoryError (one line) when the arena is full."""
        self.live += 1
        if self.free_slots:
            addr = self.free_slots.pop()
            self.mem.poke(addr, bytes(self.stride))
            return addr
        addr = self.next
        if addr + self.stride > self.base + self.size:
            self.live -= 1
            raise MemoryError(f"the {self.name} arena is full ({self.size // self.stride} slots)")
        while self.mapped < addr + self.stride:
            n = min(CHUNK, self.base + self.size - self.mapped)
            self.mem.map(self.mapped, n, R | W, self.name)
            self.mapped += n
        self.next = addr + self.stride
        return addr

    def free(self, addr: int) -> None:
        self.live -= 1
        self.free_slots.append(addr)

    def owns(self, addr: int) -> bool:
        return self.base <= addr < self.next
