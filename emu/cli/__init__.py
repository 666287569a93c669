"""emu/cli — the `gosyscall` command line: the entry point and parser (main.py), one module per
subcommand (run.py, repl.py, trace.py, diff.py, review.py, explain.py, scenario.py, verify.py)."""
from emu.cli.main import entry, main

__all__ = ["entry", "main"]
