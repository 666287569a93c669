"""emu/world/programs.py — the goroutine programs in the guest: code, package variables, funcvals.

The profile's ``programs`` (asm/<release>/programs.py) hold them as Stubs; here they are
assembled at PROGRAM_TEXT
against the session's image (so they CALL its ``syscall·Syscall``) and the runtime
trampolines, written into the text page the machine already maps, and the data page of
their package variables is mapped with one static funcval per goroutine function.
"""
from __future__ import annotations

from asm.assembler import assemble
from emu.cpu import layout as L
from emu.cpu.memory import R, W
from emu.world.image import JoinedImage


def load_programs(session, P, mem) -> JoinedImage:
    """Assemble, load and map the programs of ``P`` (the profile's programs module); the
    machine's new image (session's + programs)."""
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


def global_addr(w, name: str) -> int:
    """Guest address of the programs' package variable ``name`` in world ``w``."""
    return L.WORLD_DATA + w.profile.programs.GLOBALS[name]


def put_global(w, name: str, value: int, index: int = 0) -> None:
    """Set package variable ``name`` (word ``index`` of it) for the programs of world ``w``."""
    w.mem.put_u64(global_addr(w, name) + 8 * index, value)


def funcval(w, name: str) -> int:
    """Address of the static funcval of goroutine function ``name`` in world ``w``."""
    return w.profile.programs.funcval(L.WORLD_DATA, name)
