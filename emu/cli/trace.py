"""emu/cli/trace.py — ``gosyscall trace``: record a run as a file (text, jsonl, strace, tenet, chrome)."""
from __future__ import annotations

from emu.trace.formats import FORMATS, format_for_path, open_trace
from emu.trace.recorder import Recorder


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
    """The trace streams to its output as the run makes it (bounded memory, whatever the run's
    length); a file takes effect once the run is over, even one that a fault or a budget
    ended — the trace up to it is written, then the error said."""
    fmt = ns.format or format_for_path(ns.output)
    rec = Recorder(ns)                   # bad arguments: before any output is opened
    with open_trace(ns.output, fmt) as w:
        done = rec.run_into(w)
    if ns.output != "-":
        print(f"wrote {ns.output}: {fmt}, {done.steps} steps, {done.events} events")
    if done.error is not None:
        raise done.error
    return 0
