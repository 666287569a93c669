"""emu/cli.py — the ``gosyscall`` command: argument parsing and one-line errors.

Every error a user can cause ends as ``gosyscall: <one line>`` on stderr and a non-zero
exit status; a traceback is a bug.
"""
from __future__ import annotations

import argparse
import sys

from emu.errors import GosyscallError


class _Parser(argparse.ArgumentParser):
    def error(self, message):                       # argparse prints usage + error; we print one line
        raise GosyscallError(f"{message} (see: {self.prog} --help)")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", default="go1.10", help="Go release whose path runs (default go1.10)")
    p.add_argument("--fs", metavar="DIR", help="mount a host directory read-only at /mnt in the guest")
    p.add_argument("--strict", action="store_true", help="an unknown syscall is an error, not -ENOSYS")
    p.add_argument("--no-color", action="store_true", help="no colour (NO_COLOR in the environment too)")
    p.add_argument("--budget", type=int, default=None, metavar="N", help="instruction budget for the run")


def _call_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("syscall", nargs="?", help="syscall name or number (default: the file.Read example)")
    p.add_argument("args", nargs="*", help="arguments: 3  0x40  -1  buf:N  str:TEXT  data:TEXT  fd:PATH")
    p.add_argument("--stub", default=None, help="Syscall, Syscall6, RawSyscall or RawSyscall6")
    p.add_argument("--asm", metavar="FILE.s", help="assemble and run your own stub instead")


# Each command lives in its own module with ``add_parser(sub, common)`` and ``run(ns)``.
COMMANDS = ("run", "repl", "trace", "diff", "review", "explain", "scenario", "verify")


def _module(name: str):
    import importlib
    try:
        return importlib.import_module(f"emu.cmd_{name}")
    except ModuleNotFoundError as e:
        if e.name == f"emu.cmd_{name}":
            return None          # a command not built yet
        raise


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="gosyscall", description="Go's syscall path, instruction by instruction, "
                 "on an emulated x86-64 CPU with a model of Linux and of Go's scheduler.")
    sub = ap.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    for name in COMMANDS:
        mod = _module(name)
        if mod is not None:
            mod.add_parser(sub, Helpers)
    return ap


class Helpers:
    """Argument groups that several commands share."""
    common = staticmethod(_common)
    call_args = staticmethod(_call_args)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        ns = build_parser().parse_args(argv)
        if ns.command is None:
            build_parser().print_help()
            return 0
        return _module(ns.command).run(ns) or 0
    except GosyscallError as e:
        print(f"gosyscall: {e}", file=sys.stderr)
        return e.exit_code
    except BrokenPipeError:               # `gosyscall run | head`: the reader left; so do we
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, OSError, MemoryError) as e:
        print(f"gosyscall: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gosyscall: interrupted", file=sys.stderr)
        return 130


def entry() -> None:
    sys.exit(main())
