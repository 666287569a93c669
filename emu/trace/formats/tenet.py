"""emu/trace/formats/tenet.py — a Tenet trace (the IDA Pro trace explorer's text format).

The first line is the full register state before the first instruction; every other line
is what one instruction did: the registers it changed (``rsp=0x…``), the new ``rip``
(present on every line), and the memory it wrote (``mw=ADDR:HEXBYTES``, bytes in memory
order). So line k+1 is the state after step k, as Tenet expects.

Tenet's AMD64 register set has no RFLAGS, so flags are left out. Memory reads (``mr=``)
are not recorded by the tracer and so not written. A trace holds one thread: the one
that ran the first instruction (Tenet has no notion of threads).
"""
from __future__ import annotations

from emu.trace.events import Event
from emu.trace.formats.base import TraceWriter

REGS = ("rax", "rbx", "rcx", "rdx", "rbp", "rsp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip")


class TenetWriter(TraceWriter):
    """Each instruction's line needs the next one's PC (its ``rip=``), so one instruction
    waits for the next; the last one takes the final registers' RIP."""

    def begin(self, header: dict) -> None:
        super().begin(header)
        self.start = dict(header.get("regs") or {})
        self.tid: int | None = None
        self.pending: dict | None = None

    def event(self, ev: Event) -> None:
        if ev.kind != "insn":
            return
        d = ev.data
        if self.tid is None:
            self.tid = ev.tid
            self.start["rip"] = d["pc"]
            self.out.write(",".join(f"{r}={self.start.get(r, 0):#x}" for r in REGS) + "\n")
        elif ev.tid != self.tid:
            return
        if self.pending is not None:
            self._line(self.pending, d["pc"])
        self.pending = d

    def end(self, final_regs: dict | None = None) -> None:
        if self.pending is not None:
            nxt = (self.final(final_regs) or {}).get("rip")
            if nxt is None:                    # no record of where the last one went
                nxt = self.pending["pc"] + len(self.pending["bytes"]) // 2
            self._line(self.pending, nxt)

    def _line(self, d: dict, nxt: int) -> None:
        parts = [f"{r}={new:#x}" for r, _old, new in d["regs"] if r in REGS]
        parts.append(f"rip={nxt:#x}")
        parts += [f"mw={addr:#x}:{hexbytes}" for addr, hexbytes in d["mem"]]
        self.out.write(",".join(parts) + "\n")
