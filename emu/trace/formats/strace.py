"""emu/trace/formats/strace.py — strace-style lines: one per finished syscall.

``read(3, "Hello from the emulated kernel!\\n", 64) = 32`` — the kernel model's own
rendering (``emu.kernel.strace.describe_result``), which each ``sysret`` event carries as
``text``. Once a second thread has appeared, each line starts with ``[pid TID]``, as
``strace -f`` does once it traces more than one task; an exit_group ends with
``+++ exited with N +++``.
"""
from __future__ import annotations

from emu.trace.events import Event
from emu.trace.formats.base import TraceWriter


class StraceWriter(TraceWriter):
    def begin(self, header: dict) -> None:
        super().begin(header)
        self.first_tid: int | None = None
        self.many = False

    def event(self, ev: Event) -> None:
        if self.first_tid is None:
            self.first_tid = ev.tid
        elif ev.tid != self.first_tid and ev.tid != 0:      # 0: the host (timers), not a task
            self.many = True
        if ev.kind == "sysret":
            self.out.write((f"[pid {ev.tid}] " if self.many else "") + ev.data["text"] + "\n")
        elif ev.kind == "exit":
            self.out.write(f"+++ exited with {ev.data['status']} +++\n")
