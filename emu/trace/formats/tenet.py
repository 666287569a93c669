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

REGS = ("rax", "rbx", "rcx", "rdx", "rbp", "rsp", "rsi", "rdi",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip")


def render_tenet(header: dict, events: list[Event]) -> str:
    insns = [ev for ev in events if ev.kind == "insn"]
    if not insns:
        return ""
    tid = insns[0].tid
    insns = [ev for ev in insns if ev.tid == tid]
    start = dict(header.get("regs") or {})
    start["rip"] = insns[0].data["pc"]
    lines = [",".join(f"{r}={start.get(r, 0):#x}" for r in REGS)]
    final = (header.get("final_regs") or {}).get("rip")
    for i, ev in enumerate(insns):
        d = ev.data
        nxt = insns[i + 1].data["pc"] if i + 1 < len(insns) else final
        if nxt is None:                    # no record of where the last one went
            nxt = d["pc"] + len(d["bytes"]) // 2
        parts = [f"{r}={new:#x}" for r, _old, new in d["regs"] if r in REGS]
        parts.append(f"rip={nxt:#x}")
        parts += [f"mw={addr:#x}:{hexbytes}" for addr, hexbytes in d["mem"]]
        lines.append(",".join(parts))
    return "\n".join(lines) + "\n"
