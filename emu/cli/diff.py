"""emu/cli/diff.py — ``gosyscall diff A B``: where two traces (jsonl or text) part ways.

Exit status as diff(1): 0 the same, 1 different, 2 trouble (a file missing or damaged).
"""
from __future__ import annotations

from emu.trace.diff import compare
from emu.trace.formats import load_trace


def add_parser(sub, h) -> None:
    p = sub.add_parser("diff", help="compare two traces (jsonl or text): the first differing step, "
                                    "then a summary; exit 0 same, 1 different, 2 trouble")
    p.add_argument("a", metavar="A", help="a trace file (.jsonl or text)")
    p.add_argument("b", metavar="B", help="the trace to compare it with")


def run(ns) -> int:
    c = compare(load_trace(ns.a), load_trace(ns.b))
    print(c.report())
    return 0 if c.same else 1
