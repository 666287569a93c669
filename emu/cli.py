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
    p.add_argument("--time-budget", type=parse_duration, default=None, metavar="T",
                   help="virtual-time budget per call, e.g. 10s, 250ms, 2m, 1h (default 10s)")


_UNITS = {"ns": 1, "us": 10**3, "µs": 10**3, "ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


def parse_duration(text: str) -> int:
    """``10s``/``250ms``/``2m``/``1h``/``1.5s`` (a bare number is seconds) → nanoseconds, > 0."""
    t = text.strip().lower()
    unit = next((u for u in sorted(_UNITS, key=len, reverse=True) if t.endswith(u)), "")
    try:
        ns = round(float(t[:len(t) - len(unit)]) * _UNITS[unit or "s"])
    except (ValueError, OverflowError):
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (use e.g. 10s, 250ms, 2m)") from None
    if not 0 < ns < 1 << 63:                       # KTIME_MAX: the clock saturates there
        raise argparse.ArgumentTypeError(f"a time budget is more than 0 and less than 2^63 ns, not {text!r}")
    return ns


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
