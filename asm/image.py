"""asm/image.py — an assembled image: bytes, symbols, call sites and per-address facts."""
from __future__ import annotations

from dataclasses import dataclass, field

from .stub import Stub


@dataclass(frozen=True)
class Insn:
    """One assembled instruction and everything a reader wants to know about it."""

    addr: int
    data: bytes
    intel: str          # the Intel text it was assembled from
    go: str             # the Go Plan 9 line it stands for
    loc: str            # file:line of that Go line
    stub: str           # symbol of the function it belongs to
    offset: int         # offset from that symbol

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def where(self) -> str:
        return f"{self.stub}+{self.offset:#x}" if self.offset else self.stub


@dataclass
class Image:
    """Code laid out from ``base``: its bytes, its symbols and an index by address."""

    base: int
    code: bytes
    symbols: dict[str, int]                     # every function and label, Go dot names
    insns: dict[int, Insn]
    stubs: dict[str, Stub]
    callsites: list[tuple[int, str]] = field(default_factory=list)   # (addr of CALL, target)
    labels: dict[int, str] = field(default_factory=dict)

    def at(self, addr: int) -> Insn | None:
        return self.insns.get(addr)

    def symbolize(self, addr: int) -> str | None:
        """``syscall.Syscall+0x19`` for an address inside one of the image's functions."""
        if not self.base <= addr < self.end():
            return None
        name = max((n for n in self.stubs if self.symbols[n] <= addr), key=self.symbols.get)
        off = addr - self.symbols[name]
        return f"{name}+{off:#x}" if off else name

    def line_address(self, loc: str) -> int | None:
        """The first instruction of source line ``loc`` (``file:line`` as its ``loc``), or None."""
        return next((a for a, i in self.insns.items() if i.loc == loc), None)

    def end(self) -> int:
        return self.base + len(self.code)
