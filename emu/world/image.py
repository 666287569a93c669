"""emu/world/image.py — two assembled images seen as one by the machine and the tracer.

The session's image (the profile's stubs and their drivers) starts at TEXT_BASE; the
goroutine programs are assembled separately at PROGRAM_TEXT, against the first image's
symbols. ``JoinedImage`` answers ``at``/``symbolize``/``symbols`` for both.
"""
from __future__ import annotations

from asm.image import Image


class JoinedImage(Image):
    """``first`` and ``second`` as one Image (``code``/``base`` stay the first one's)."""

    def __init__(self, first: Image, second: Image):
        super().__init__(base=first.base, code=first.code,
                         symbols={**first.symbols, **second.symbols},
                         insns={**first.insns, **second.insns},
                         stubs={**first.stubs, **second.stubs},
                         callsites=first.callsites + second.callsites,
                         labels={**first.labels, **second.labels})
        self.parts = (first, second)

    def symbolize(self, addr: int) -> str | None:
        for part in self.parts:
            name = part.symbolize(addr)
            if name is not None:
                return name
        return None

    def end(self) -> int:
        return self.parts[0].end()
