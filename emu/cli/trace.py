"""emu/cli/trace.py — ``gosyscall trace``: record a run as a file (text, jsonl, strace, tenet, chrome)."""
from __future__ import annotations

from emu.trace.formats import FORMATS, format_for_path, write_trace
from emu.trace.recorder import record


def add_parser(sub, h) -> None:
    p = sub.add_parser("trace", help="record one syscall's run as a trace file: text, jsonl, strace, "
                                     "tenet or chrome (Perfetto)")
    h.call_args(p)
    h.common(p)
    p.add_argument("-o", "--output", default="-", metavar="FILE",
                   help="where to write it (default: standard output)")
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="default: from FILE's extension (.trace .jsonl .strace .tenet .json), else text")


def run(ns) -> int:
    fmt = ns.format or format_for_path(ns.output)
    rec = record(ns)
    write_trace(rec.events, rec.header, fmt, ns.output)
    if ns.output != "-":
        print(f"wrote {ns.output}: {fmt}, {rec.steps} steps, {len(rec.events)} events")
    if rec.error is not None:          # the trace up to the fault is written; now say what stopped it
        raise rec.error
    return 0
