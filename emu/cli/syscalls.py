"""emu/cli/syscalls.py — ``gosyscall syscalls``: the system calls the kernel model implements.

One line each, from the one syscall table (emu/kernel/table.py): number, name, arguments
(name and how they are read) and whether the call can block. Every other x86-64 number
returns -ENOSYS (an error with ``--strict``).
"""
from __future__ import annotations


def add_parser(sub, h) -> None:
    sub.add_parser("syscalls", help="list the system calls the kernel model implements (the rest: -ENOSYS)")


def run(ns) -> int:
    from emu.kernel.sysnum import NAMES
    from emu.kernel.table import TABLE
    print(f"{'nr':>4}  {'name':<14} {'blocks':<7} arguments")
    for nr in sorted(TABLE):
        e = TABLE[nr]
        args = ", ".join(f"{n}:{k}" for n, k in zip(e.argnames, e.kinds))
        note = f"  ({e.note})" if e.note else ""
        print(f"{nr:>4}  {e.name:<14} {'yes' if e.blocks else '':<7} {args}{note}".rstrip())
    print(f"{len(TABLE)} of the {len(NAMES)} x86-64 system calls are modelled; any other number returns "
          "-ENOSYS (with --strict: an error naming the call)")
    return 0
