"""emu/world/programs.py — the goroutine programs in the guest: code, package variables, funcvals.

asm/go1_10/programs.py holds the programs as Stubs; here they are assembled at PROGRAM_TEXT
against the session's image (so they CALL its ``syscall·Syscall``) and the runtime
trampolines, written into the text page the machine already maps, and the data page of
their package variables is mapped with one static funcval per goroutine function.
"""
from __future__ import annotations

from asm.assembler import assemble
from asm.go1_10 import programs as P
from emu import layout as L
from emu.memory import R, W
from emu.world.image import JoinedImage


def load_programs(session, mem) -> JoinedImage:
    """Assemble, load and map the programs; the machine's new image (session's + programs)."""
    first = session.image
    if first.end() > L.PROGRAM_TEXT:
        raise ValueError("the stubs leave no room for the thread world's programs "
                         f"(they end at {first.end():#x}, the programs start at {L.PROGRAM_TEXT:#x})")
    externs = {**L.TRAMPOLINES, **first.symbols}
    image = assemble(P.programs(L.WORLD_DATA), L.PROGRAM_TEXT, externs)
    if image.end() > L.TEXT_BASE + L.TEXT_SIZE:
        raise ValueError("the thread world's programs do not fit in the text pages")
    mem.poke(L.PROGRAM_TEXT, image.code)
    mem.map(L.WORLD_DATA, L.WORLD_DATA_SIZE, R | W, "program data")
    for name in P.GOROUTINES:
        mem.put_u64(P.funcval(L.WORLD_DATA, name), image.symbols[name])
    return JoinedImage(first, image)


def put_global(mem, name: str, value: int, index: int = 0) -> None:
    """Set package variable ``name`` (word ``index`` of it) for the programs."""
    mem.put_u64(L.WORLD_DATA + P.GLOBALS[name] + 8 * index, value)


def funcval(name: str) -> int:
    return P.funcval(L.WORLD_DATA, name)
