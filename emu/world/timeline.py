"""emu/world/timeline.py — what each M did over virtual time, as Chrome trace-event JSON.

One track per M (thread), a span for each stretch of one activity: running a goroutine's
code (``g7``), blocked in a goroutine's syscall (``g7 read``), parked in the runtime
(``idle``: futex wait in stopm or a note; ``sleep``: sysmon's usleep), being created
(``new``); plus a counter track with the number of Ms. Opens in Perfetto (ui.perfetto.dev)
or chrome://tracing. Times are virtual µs.

emu/trace/formats/chrome.py writes a *trace* (instruction events, function spans) and needs every
event kept in memory; a scenario with thousands of threads keeps no events, so its timeline
is built here from state changes the world reports as they happen.
"""
from __future__ import annotations

import json


def _us(t: int):
    return t / 1000 if t % 1000 else t // 1000


class Timeline:
    """Spans per thread, recorded as the world changes what a thread does."""

    def __init__(self) -> None:
        self.open: dict[int, tuple[int, str, str]] = {}     # tid -> (since, label, category)
        self.spans: list[tuple[int, int, int, str, str]] = []   # (tid, t0, t1, label, category)
        self.names: dict[int, str] = {}                          # tid -> "m3"

    def set(self, tid: int, t: int, label: str, cat: str) -> None:
        cur = self.open.get(tid)
        if cur is not None:
            if cur[1] == label:
                return
            if t > cur[0]:
                self.spans.append((tid, cur[0], t, cur[1], cur[2]))
        self.open[tid] = (t, label, cat)

    def close(self, t_end: int) -> None:
        for tid, (t0, label, cat) in self.open.items():
            if t_end > t0:
                self.spans.append((tid, t0, t_end, label, cat))
        self.open.clear()

    def chrome(self, mseries: list, title: str) -> str:
        """The Chrome trace-event JSON text (spans sorted by thread, then time)."""
        names = self.names
        ev = [{"name": "process_name", "ph": "M", "pid": 1, "tid": 0, "args": {"name": title}}]
        ev += [{"name": "thread_name", "ph": "M", "pid": 1, "tid": tid,
                "args": {"name": f"{names.get(tid, tid)} (thread {tid})"}} for tid in sorted(names)]
        ev += [{"name": "thread_sort_index", "ph": "M", "pid": 1, "tid": tid, "args": {"sort_index": tid}}
               for tid in sorted(names)]
        for tid, t0, t1, label, cat in sorted(self.spans):
            ev.append({"name": label, "cat": cat, "ph": "X", "ts": _us(t0), "dur": _us(t1 - t0),
                       "pid": 1, "tid": tid})
        ev += [{"name": "Ms", "ph": "C", "ts": _us(t), "pid": 1, "tid": 0, "args": {"Ms": n}}
               for t, n in mseries]
        rows = ",\n".join(json.dumps(e, ensure_ascii=False) for e in ev)
        return f'{{"traceEvents":[\n{rows}\n],\n"displayTimeUnit":"ns"}}\n'
