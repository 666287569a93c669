"""emu/binary/call.py — ``--binary PROG`` (and ``--entry SYMBOL``) on the command line.

``gosyscall run --binary PROG read fd:/hello.txt buf:64 64`` makes the call ``run`` makes,
through PROG's own code: ``syscall.Syscall`` (or ``--stub``) of the binary, called by a
driver with trap, a1, a2, a3 in Go's registers. ``--entry SYMBOL`` calls another function
of the binary instead, every word an argument register in Go's order (AX, BX, CX, DI, SI,
R8, R9, R10, R11; a slice is three words: pointer, length, capacity), its results read
back from AX, BX, CX:

    gosyscall run --binary probe --entry syscall.write 1 'data:hi\\n' 3 3

It works for the functions on the path to ``Syscall`` whose code needs nothing of the
runtime beyond g, m and p (a stack check on g.stackguard0 included): ``syscall.write``,
``syscall.Syscall``, the probe's ``main.callSyscall`` …; one that allocates, takes locks or
needs an ``os.File`` faults at the first thing the run lacks, and says where.
"""
from __future__ import annotations

import re

from emu.binary.load import load
from emu.binary.session import BinarySession, entry_stub
from emu.bridge.argspec import parse_arg
from emu.errors import GosyscallError
from emu.kernel.sysnum import lookup
from emu.profile import DEFAULT

_PLAIN = re.compile(r"[A-Za-z_][\w]*(?:[./·][A-Za-z_][\w]*)*")


def open_binary(ns) -> BinarySession:
    """The session of ``--binary``: the binary loaded, its profile checked against ``--profile``."""
    if getattr(ns, "asm", None):
        raise GosyscallError("--asm and --binary are two sources of code: give one")
    forced = ns.profile if getattr(ns, "profile", DEFAULT) != DEFAULT else None
    loaded = load(ns.binary, forced)
    entry = None
    if getattr(ns, "entry", None):
        if not _PLAIN.fullmatch(ns.entry):
            raise GosyscallError(f"--entry {ns.entry}: only a plain function name (pkg.Func) can be called")
        loaded.function(ns.entry)
        entry = entry_stub(ns.entry.replace("·", "."), len(_words(ns)))
    return BinarySession(loaded, fs=ns.fs, strict=ns.strict, time_budget_ns=getattr(ns, "time_budget", None),
                         entry=entry)


def _words(ns) -> list[str]:
    return ([ns.syscall] if ns.syscall is not None else []) + list(ns.args)


def build(ns, words: list[str]):
    """(session, stub, trap, args) for ``--binary``, as ``emu.bridge.call.build`` gives them;
    ``words``: the call's words (the default call's when the user gave none)."""
    session = open_binary(ns)
    if getattr(ns, "entry", None):
        if ns.stub:
            raise GosyscallError("--entry names the function to call; --stub has no meaning with it")
        stub = session.resolve_stub(ns.entry.replace("·", "."))
        args = [parse_arg(w, session) for w in _words(ns)]
        return session, stub.name, args[0].value, args[1:]
    trap = lookup(words[0])
    args = [parse_arg(a, session) for a in words[1:]]
    stub = ns.stub or ("Syscall6" if len(args) > 3 else "Syscall")
    session.resolve_stub(stub)
    return session, stub, trap, args
