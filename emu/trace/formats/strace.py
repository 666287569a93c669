"""emu/trace/formats/strace.py — strace-style lines: one per finished syscall.

``read(3, "Hello from the emulated kernel!\\n", 64) = 32`` — the kernel model's own
rendering (``emu.kernel.strace.describe_result``), which each ``sysret`` event carries as
``text``. With more than one thread, each line starts with ``[pid TID]`` as in
``strace -f``; an exit_group ends with ``+++ exited with N +++``.
"""
from __future__ import annotations

from emu.trace.events import Event


def render_strace(header: dict, events: list[Event]) -> str:
    many = len({ev.tid for ev in events if ev.kind == "sysret"}) > 1
    out = []
    for ev in events:
        if ev.kind == "sysret":
            out.append((f"[pid {ev.tid}] " if many else "") + ev.data["text"])
        elif ev.kind == "exit":
            out.append(f"+++ exited with {ev.data['status']} +++")
    return "".join(line + "\n" for line in out)
