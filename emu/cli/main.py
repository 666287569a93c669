"""emu/cli/main.py — the ``gosyscall`` command: argument parsing and one-line errors.

Every error a user can cause ends as ``gosyscall: <one line>`` on stderr and a non-zero
exit status; a traceback is a bug.
"""
from __future__ import annotations

import argparse
import sys

from emu.bridge.argspec import parse_duration
from emu.errors import GosyscallError
from emu.profile import DEFAULT, names


class _Parser(argparse.ArgumentParser):
    def error(self, message):                       # argparse prints usage + error; we print one line
        raise GosyscallError(f"{message} (see: {self.prog} --help)")


def _budget(text: str) -> int:
    """``--budget N``: a whole number of instructions, at least 1."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number of instructions: {text[:40]!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"an instruction budget is at least 1, not {n}")
    return n


def _profile(p: argparse.ArgumentParser) -> None:
    p.add_argument("--profile", default=DEFAULT, metavar="RELEASE",
                   help=f"Go release whose path runs: {', '.join(names())} (default {DEFAULT})")


def _common(p: argparse.ArgumentParser) -> None:
    _profile(p)
    p.add_argument("--fs", metavar="DIR", help="mount a host directory read-only at /mnt in the guest")
    p.add_argument("--strict", action="store_true", help="an unknown syscall is an error, not -ENOSYS")
    p.add_argument("--no-color", action="store_true", help="no colour (NO_COLOR in the environment too)")
    p.add_argument("--budget", type=_budget, default=None, metavar="N", help="instruction budget for the run")
    p.add_argument("--time-budget", type=parse_duration, default=None, metavar="T",
                   help="virtual-time budget per call, e.g. 10s, 250ms, 2m, 1h (default 10s)")


def _call_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("syscall", nargs="?", help="syscall name or number (default: the file.Read example)")
    p.add_argument("args", nargs="*", help="arguments: 3  0x40  -1  buf:N  str:TEXT  data:TEXT  fd:PATH")
    p.add_argument("--stub", default=None, help="Syscall, Syscall6, RawSyscall or RawSyscall6")
    p.add_argument("--asm", metavar="FILE.s", help="assemble and run your own stub instead")
    p.add_argument("--binary", metavar="PROG", help="run the compiled syscall path of a static "
                   "linux/amd64 Go program (its release picks the profile)")
    p.add_argument("--entry", metavar="SYMBOL", help="with --binary: call this function of the program "
                   "instead (every argument a register word: AX, BX, CX, DI, ...)")


# Each command lives in its own module with ``add_parser(sub, common)`` and ``run(ns)``.
COMMANDS = ("run", "repl", "trace", "diff", "review", "explain", "scenario", "verify", "profiles",
            "gdbserver", "build-probe", "toolchain", "syscalls")


def _module(name: str):
    import importlib
    try:
        return importlib.import_module(f"emu.cli.{name.replace('-', '_')}")
    except ModuleNotFoundError as e:
        if e.name == f"emu.cli.{name.replace('-', '_')}":
            return None          # a command not built yet
        raise


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given ``argv`` naming a command, only that command's module is imported
    (start-up time: ``gosyscall run`` need not import the REPL, the verifier, ...)."""
    ap = _Parser(prog="gosyscall", description="Go's syscall path, instruction by instruction, "
                 "on an emulated x86-64 CPU with a model of Linux and of Go's scheduler.")
    sub = ap.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")
    chosen = [argv[0]] if argv and argv[0] in COMMANDS else COMMANDS
    for name in chosen:
        mod = _module(name)
        if mod is not None:
            mod.add_parser(sub, Helpers)
    return ap


class Helpers:
    """Argument groups that several commands share."""
    common = staticmethod(_common)
    profile = staticmethod(_profile)
    call_args = staticmethod(_call_args)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        ns = build_parser(argv).parse_args(argv)
        if ns.command is None:
            build_parser().print_help()
            return 0
        return _module(ns.command).run(ns) or 0
    except GosyscallError as e:
        print(f"gosyscall: {one_line(e)}", file=sys.stderr)
        return e.exit_code
    except BrokenPipeError:               # `gosyscall run | head`: the reader left; so do we
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (ValueError, OSError, MemoryError) as e:
        print(f"gosyscall: {one_line(e)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gosyscall: interrupted", file=sys.stderr)
        return 130


def one_line(err: BaseException) -> str:
    """The error's message on one line: a newline the user typed into an argument is shown as \\n."""
    return str(err).replace("\r", "\\r").replace("\n", "\\n")


def entry() -> None:
    sys.exit(main())
