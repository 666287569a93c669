"""emu/trace/recorder.py — record a run as ``(header, events)``, ready for ``write_trace``.

``record(ns)`` runs the call that ``gosyscall run`` would run for the same arguments,
with a tracer attached, and returns a :class:`Recording`: the header (profile, the
lines `run` prints first, the registers before and after) and every event, including
the ``output`` events `run` prints last. A guest fault or an exhausted budget does not
lose the trace: the Recording keeps what happened up to it, and the error.

A scenario records the same way: its EventLog's ``events`` and a header from
``emu.trace.formats.make_header`` go to ``emu.trace.formats.write_trace``.
"""
from __future__ import annotations

from dataclasses import dataclass

from emu.bridge.call import build, emit_outputs
from emu.bridge.call import header as title_lines
from emu.bridge.session import CallResult
from emu.cpu.machine import DEFAULT_BUDGET
from emu.cpu.regs import TRACE_REGS
from emu.errors import GosyscallError
from emu.trace.events import Event
from emu.trace.formats import make_header
from emu.trace.render import COLUMNS, columns_for
from emu.trace.tracer import Tracer


class _StartTracer(Tracer):
    """A Tracer that keeps the registers it found when the first run started."""

    initial: tuple[int, ...] | None = None

    def start(self) -> None:
        super().start()
        if self.initial is None:
            self.initial = self.prev


@dataclass
class Recording:
    header: dict
    events: list[Event]
    result: CallResult | None
    error: GosyscallError | None = None

    @property
    def steps(self) -> int:
        return sum(1 for ev in self.events if ev.kind == "insn")


def record(ns) -> Recording:
    """Run the call ``ns`` describes (the arguments of `gosyscall run`) and record it all."""
    session, stub, trap, args = build(ns)
    tracer = _StartTracer(session.machine)
    session.machine.attach_tracer(tracer)
    title = title_lines(session, stub, trap, args)
    columns = columns_for(session.image)     # as the title has them (a binary's image grows as it runs)
    res, error = None, None
    try:
        res = session.call(stub, trap, [a.value for a in args], budget=ns.budget or DEFAULT_BUDGET)
        emit_outputs(session, args, res)
    except GosyscallError as e:
        error = e
    events = session.log.events
    initial = dict(zip(TRACE_REGS, tracer.initial or ()))
    if initial:        # rip: where the run starts (the baseline is read before emu_start sets it)
        initial["rip"] = next((ev.data["pc"] for ev in events if ev.kind == "insn"), initial["rip"])
    wide = {} if columns == COLUMNS else {"columns": list(columns)}     # go1.10's traces carry none
    head = make_header(session.profile, title, regs=initial or None, final_regs=session.machine.regs(),
                       call={"stub": session.resolve_stub(stub).name, "trap": trap,
                             "args": [a.text for a in args]}, **wide)
    return Recording(head, events, res, error)
