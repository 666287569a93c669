"""emu/trace/recorder.py — record a run: its header, then every event, into a trace writer.

``Recorder(ns)`` prepares the call that ``gosyscall run`` would run for the same arguments
(bad arguments fail here, before any output is opened); ``run_into(writer)`` runs it with a
tracer attached and hands the writer each event *as the run makes it* — nothing is kept, so
a recording's memory does not grow with its length. The header (profile, the lines `run`
prints first, the registers before the first instruction) goes out with the first event;
the registers when the run stopped go to the writer's ``end``. A guest fault or an
exhausted budget does not lose the trace: what happened up to it is written, and the error
is returned with the counts.

``record(ns)`` keeps everything instead, as a :class:`Recording` (goldens, tests), up to
``HELD_EVENTS``: past that it ends in one line naming the streaming alternative.

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
from emu.trace.formats import TraceWriter, make_header
from emu.trace.render import COLUMNS, columns_for
from emu.trace.tracer import Tracer

HELD_EVENTS = 200_000         # a recording held in memory (a golden's): ~200 MB of events at most


class _StartTracer(Tracer):
    """A Tracer that keeps the registers it found when the first run started."""

    initial: tuple[int, ...] | None = None

    def start(self) -> None:
        super().start()
        if self.initial is None:
            self.initial = self.prev


@dataclass
class Recorded:
    """What a streamed recording leaves besides its file: counts, the result, the error."""
    steps: int = 0
    events: int = 0
    result: CallResult | None = None
    error: GosyscallError | None = None


class Recorder:
    """One call, recorded into a writer (see the module docstring)."""

    def __init__(self, ns):
        self.ns = ns
        self.session, self.stub, self.trap, self.args = build(ns)
        self.session.log.record = False                  # the writer has them; nobody keeps them
        self.tracer = _StartTracer(self.session.machine)
        self.session.machine.attach_tracer(self.tracer)
        self.title = title_lines(self.session, self.stub, self.trap, self.args)
        self.columns = columns_for(self.session.image)   # as the title has them (a binary's image grows as it runs)
        self.writer: TraceWriter | None = None
        self.begun = False
        self.done = Recorded()

    def header(self, first: Event | None) -> dict:
        """The header: ``rip`` is where the run starts (the baseline is read before emu_start
        sets it), i.e. the first instruction's PC."""
        s = self.session
        initial = dict(zip(TRACE_REGS, self.tracer.initial or ()))
        if initial and first is not None and first.kind == "insn":
            initial["rip"] = first.data["pc"]
        wide = {} if self.columns == COLUMNS else {"columns": list(self.columns)}   # go1.10's traces carry none
        return make_header(s.profile, self.title, regs=initial or None,
                           call={"stub": s.resolve_stub(self.stub).name, "trap": self.trap,
                                 "args": [a.text for a in self.args]}, **wide)

    def __call__(self, ev: Event) -> None:
        if not self.begun:
            self.writer.begin(self.header(ev))
            self.begun = True
        self.done.events += 1
        self.done.steps += ev.kind == "insn"
        self.writer.event(ev)

    def run_into(self, writer: TraceWriter) -> Recorded:
        s = self.session
        self.writer = writer
        s.log.listeners.append(self)
        try:
            res = s.call(self.stub, self.trap, [a.value for a in self.args],
                         budget=self.ns.budget or DEFAULT_BUDGET)
            emit_outputs(s, self.args, res)
            self.done.result = res
        except GosyscallError as e:
            self.done.error = e
        finally:
            s.log.listeners.remove(self)
        if not self.begun:
            writer.begin(self.header(None))
            self.begun = True
        writer.end(s.machine.regs())
        return self.done


@dataclass
class Recording:
    header: dict
    events: list[Event]
    result: CallResult | None
    error: GosyscallError | None = None

    @property
    def steps(self) -> int:
        return sum(1 for ev in self.events if ev.kind == "insn")


class _Held(TraceWriter):
    """A writer that keeps the header and the events (at most ``limit``)."""

    def __init__(self, limit: int = HELD_EVENTS):
        super().__init__(None)
        self.limit, self.head, self.events = limit, {}, []

    def begin(self, header: dict) -> None:
        self.head = dict(header)

    def event(self, ev: Event) -> None:
        if len(self.events) >= self.limit:
            raise GosyscallError(f"a recording held in memory keeps at most {self.limit} events and this "
                                 "run makes more; `gosyscall trace -o FILE` streams a long run to a file")
        self.events.append(ev)

    def end(self, final_regs: dict | None = None) -> None:
        if final_regs is not None:
            self.head["final_regs"] = dict(final_regs)


def record(ns, limit: int = HELD_EVENTS) -> Recording:
    """Run the call ``ns`` describes (the arguments of `gosyscall run`) and keep it all."""
    held = _Held(limit)
    done = Recorder(ns).run_into(held)
    return Recording(held.head, held.events, done.result, done.error)
