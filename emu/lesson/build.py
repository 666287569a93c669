"""emu/lesson/build.py — a lesson: the whole path of one call, step by step, as data.

The call is stepped one instruction at a time by the REPL's engine (the same code the
debugger uses, so a lesson and a debugging session agree), and each step records the
instruction with its Go line, the explanation, every register before and after, the
memory it wrote, the kernel and runtime events it caused, and the runtime state after it.
Renderers (``render.py``) turn a :class:`Lesson` into text, Markdown or one HTML page.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from emu.cpu.regs import TRACE_REGS
from emu.errors import BudgetExceeded, GosyscallError
from emu.lesson.notes import normalize, note_for
from emu.repl.debugger import Debugger
from emu.trace.render import TextRenderer


MAX_STEPS = 10_000       # a lesson page of 10 000 steps is already ~8 MB of HTML


@dataclass
class Step:
    n: int
    addr: int
    where: str
    intel: str
    go: str
    loc: str
    note: str
    before: dict
    after: dict
    changed: list
    mem: list                                     # [(addr, hexbytes)] the instruction wrote
    kernel_mem: list = field(default_factory=list)  # [(addr, hexbytes)] the kernel wrote (a SYSCALL)
    events: list = field(default_factory=list)    # rendered lines (kernel, runtime)
    state: str = ""                               # the runtime model after the step


@dataclass
class Lesson:
    title: str
    header: list
    steps: list
    result: str


def runtime_state(session) -> str:
    """``g1 _Gsyscall · p0 _Psyscall (m -) · m0 (p0)``: every G, P and M in one line."""
    rt, prof = session.runtime.rt, session.runtime.prof
    parts = [f"g{gp.goid} {prof.gstatusname(gp.atomicstatus)}" for gp in rt.allgs]
    parts += [f"p{pp.id} {prof.pstatusname(pp.status)} (m{pp.m.id if pp.m else ' -'})" for pp in rt.allp]
    mp = rt.allm
    while mp is not None:
        parts.append(f"m{mp.id} (p{mp.p.id if mp.p else ' -'})")
        mp = mp.alllink
    return " · ".join(parts)


def build_lesson(session, stub: str, trap: int, args: list, header: list[str],
                 budget: int | None = None) -> Lesson:
    """The lesson of one call; every step is kept (a page shows them all), so a call that
    runs longer than ``budget`` instructions (BudgetExceeded) or than MAX_STEPS (a lesson is
    for reading, not a long trace) ends in one line instead."""
    dbg = Debugger(session, stub, trap, args)
    plain = TextRenderer(color=False)
    log = session.log
    steps, result = [], ""
    mem = session.machine.mem
    while dbg.state == "stopped":
        if budget is not None and len(steps) >= budget:
            raise BudgetExceeded(f"instruction budget of {budget} exhausted at {dbg.where(dbg.pc)}")
        if len(steps) >= MAX_STEPS:
            raise GosyscallError(f"a lesson holds at most {MAX_STEPS} steps and this call runs longer "
                                 f"(at {dbg.where(dbg.pc)}); `gosyscall trace` records long runs")
        before, first = dbg.regs(), log.count
        mem.watch = []                  # the kernel model writes guest memory through write()
        try:
            dbg.stepi(1)
        finally:
            wrote, mem.watch = mem.watch, None
        events = log.since(first)
        insn = next((e for e in events if e.kind == "insn"), None)
        if insn is None:            # a fault: nothing retired
            break
        d = insn.data
        after = dbg.regs()
        lines = [plain.line(e) for e in events if e.kind not in ("insn", "result")]
        result = next((plain.line(e) for e in events if e.kind == "result"), result)
        steps.append(Step(n=len(steps) + 1, addr=d["pc"], where=d["where"], intel=d["intel"],
                          go=normalize(d["go"]), loc=d["loc"], note=note_for(d["go"], d["intel"], d["where"]),
                          before=before, after=after,
                          changed=[r for r in TRACE_REGS if before[r] != after[r]],
                          mem=[(a, h) for a, h in d["mem"]],
                          kernel_mem=[(a, b.hex()) for a, b in wrote],
                          events=[ln.strip() for ln in lines if ln], state=runtime_state(session)))
    s = dbg.stub
    title = f"{session.kernel.name_of(trap)} through {s.name} ({session.profile})"
    return Lesson(title=title, header=header, steps=steps, result=result)
