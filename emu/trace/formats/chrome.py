"""emu/trace/formats/chrome.py — Chrome trace-event JSON, for Perfetto (ui.perfetto.dev) or chrome://tracing.

``{"traceEvents": [...]}`` with one track per guest thread. Timestamps are virtual time in
µs (the only clock a run has: instructions take none, each syscall costs the kernel
model's fixed cost, sleeps jump ahead), so zero-length spans are real: the runtime's work
takes no virtual time.

- spans (``B``/``E``): every Go function entered by a CALL and left by its RET, found in
  the instruction events (``syscall.Syscall``, the ``runtime.entersyscall`` trampoline, …);
  every syscall, from the ``syscall`` event to its ``sysret``;
- the runtime model's calls (``runtime.reentersyscall``, ``casgstatus``, …) as complete
  events (``X``) of no duration, nested inside the trampoline that ran them;
- instant events (``i``) for state transitions (``g1 _Grunning → _Gsyscall``), Go's own
  tracer events (``GoSysCall``, ``GoSysExit``, ``ProcStart``, …), notes, thread events and
  the result and the call's output.
"""
from __future__ import annotations

import json

from emu.trace.events import Event
from emu.trace.formats.base import TraceWriter

PID = 1


def _us(t: int):
    return t / 1000 if t % 1000 else t // 1000


class _Builder:
    def __init__(self, emit):
        self.emit = emit                            # fn(record): each record as it is made
        self.stacks: dict[int, list[str]] = {}      # tid → open function spans
        self.returning: dict[int, bool] = {}        # tid → its last instruction was a RET
        self.calling: dict[int, bool] = {}          # tid → its last instruction was a CALL
        self.last_t = 0

    def ev(self, ph: str, name: str, t: int, tid: int, cat: str, args=None, **extra) -> None:
        e = {"name": name, "cat": cat, "ph": ph, "ts": _us(t), "pid": PID, "tid": tid, **extra}
        if args:
            e["args"] = args
        self.emit(e)

    def insn(self, ev: Event) -> None:
        tid, d = ev.tid, ev.data
        stack = self.stacks.setdefault(tid, [])
        func = d["where"].split("+")[0]
        if self.returning.pop(tid, False) and stack:
            self.ev("E", stack.pop(), ev.t, tid, "function")
        if self.calling.pop(tid, False) or not stack:
            stack.append(func)
            self.ev("B", func, ev.t, tid, "function")
        mnemonic = d["intel"].split(" ", 1)[0]
        self.calling[tid] = mnemonic == "call"
        self.returning[tid] = mnemonic == "ret"

    def add(self, ev: Event) -> None:
        self.last_t = max(self.last_t, ev.t)
        d, tid, t = ev.data, ev.tid, ev.t
        if ev.kind == "insn":
            self.insn(ev)
        elif ev.kind == "syscall":
            self.ev("B", d["name"], t, tid, "syscall", {n: v for n, _r, v in d["args"]})
        elif ev.kind == "sysret":
            self.ev("E", d["name"], t, tid, "syscall",
                    {"ret": d["ret"], "errno": d["errno"], "strace": d["text"]})
        elif ev.kind == "call":
            self.ev("X", f"runtime.{d['fn']}", t, tid, "runtime", d["args"], dur=0)
        elif ev.kind in ("gstatus", "pstatus"):
            who = f"g{d['g']}" if ev.kind == "gstatus" else f"p{d['p']}"
            self.ev("i", f"{who} {d['old']} → {d['new']}", t, tid, "state", s="t")
        elif ev.kind == "go":
            self.ev("i", d["name"], t, tid, "go-trace", d["args"], s="t")
        elif ev.kind in ("note", "thread"):
            self.ev("i", d.get("text", ev.kind), t, tid, ev.kind, s="t")
        elif ev.kind in ("result", "exit", "output"):
            self.ev("i", ev.kind, t, tid, "result", d, s="t")

    def close(self) -> None:
        """End every span still open (the outermost function never returns in a run)."""
        for tid, stack in self.stacks.items():
            while stack:
                self.ev("E", stack.pop(), self.last_t, tid, "function")


class ChromeWriter(TraceWriter):
    """The records are written as they are made, one a line; a thread's name record comes
    just before its first event (Chrome and Perfetto read metadata anywhere in the array)."""

    def begin(self, header: dict) -> None:
        super().begin(header)
        self.other = {k: header[k] for k in ("format", "version", "profile") if k in header}
        self.first = True
        self.tids: set[int] = set()
        self.b = _Builder(self._record)
        self.out.write('{"traceEvents":[\n')
        title = (header.get("title") or ["gosyscall"])[0]
        self._record({"name": "process_name", "ph": "M", "pid": PID, "tid": 0, "args": {"name": title}})

    def _record(self, e: dict) -> None:
        self.out.write(("" if self.first else ",\n") + json.dumps(e, ensure_ascii=False))
        self.first = False

    def event(self, ev: Event) -> None:
        if ev.tid not in self.tids:
            self.tids.add(ev.tid)
            self._record({"name": "thread_name", "ph": "M", "pid": PID, "tid": ev.tid,
                          "args": {"name": f"thread {ev.tid}"}})
        self.b.add(ev)

    def end(self, final_regs: dict | None = None) -> None:
        self.b.close()
        self.out.write(f'\n],\n"displayTimeUnit":"ns",\n"otherData":{json.dumps(self.other, ensure_ascii=False)}}}\n')
