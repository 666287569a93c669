"""emu/gdbserver/setup.py — the process gdb will see, from ``gosyscall run``'s arguments.

``open_target(ns, directory)`` builds the call exactly as ``gosyscall repl`` does — the
one-thread ``Debugger``, or with the thread world's options the ``WorldDebugger`` — writes
the symbol file for the image into ``directory`` and returns the target, the header lines
to print, and what to close at the end.
"""
from __future__ import annotations

from emu.cpu import layout as L
from emu.gdbserver.symfile import Code, write_symbols


def text_pages(mem) -> list[Code]:
    """The code as the CPU sees it: the text pages (stubs, drivers, the world's programs)
    and the runtime's trampoline page."""
    return [Code(".text", L.TEXT_BASE, mem.read(L.TEXT_BASE, L.TEXT_SIZE)),
            Code(".text.runtime", L.RUNTIME_TEXT, mem.read(L.RUNTIME_TEXT, L.RUNTIME_TEXT_SIZE))]


def open_target(ns, directory: str):
    """(target, header lines, close) for ``gosyscall gdbserver``'s arguments.

    A user's own Go binary (``--binary``) is served as the exec file itself instead of
    writing one (its drivers' page has no symbols there: gdb shows it as ``??``)."""
    from emu.world import options
    if options.wanted(ns):
        return _world(ns, directory)
    from emu.bridge.call import build, header
    from emu.cli.repl import REPL_BUDGET
    from emu.gdbserver.target import SingleTarget
    from emu.repl.debugger import Debugger
    session, stub, trap, args = build(ns)
    dbg = Debugger(session, stub, trap, [a.value for a in args], budget=ns.budget or REPL_BUDGET)
    if getattr(ns, "binary", None):             # the program itself: its symbols, its DWARF
        import os
        path = os.path.abspath(ns.binary)
    else:
        path = write_symbols(directory, session.image, text_pages(session.machine.mem), dict(L.TRAMPOLINES),
                             dbg.entry, prefer=(dbg.stub.name, _driver(dbg.stub.name)))
    return SingleTarget(dbg, path), header(session, stub, trap, args)[:-1], lambda: None


def _world(ns, directory: str):
    from emu.gdbserver.worldtarget import WorldTarget
    from emu.repl.worlddbg import WorldDebugger
    from emu.world.call import open_world, world_header
    w, stub, trap, args = open_world(ns)
    try:
        dbg = WorldDebugger(w, stub, trap, [a.value for a in args], ns.runnable, ns.compute, ns.warm)
        path = write_symbols(directory, w.image, text_pages(w.mem), dict(L.TRAMPOLINES),
                             w.image.symbols[_driver(stub.name)], prefer=(stub.name, _driver(stub.name)))
        lines = world_header(w, stub, trap, args, ns.runnable)[:-1]
        return WorldTarget(dbg, path), lines, w.close
    except BaseException:
        w.close()
        raise


def _driver(stub: str) -> str:
    return f"main.call{stub.rpartition('.')[2]}"
