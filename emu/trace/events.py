"""emu/trace/events.py — the one event stream every renderer reads.

An event is ``(kind, step, t, tid, data)``: ``step`` counts retired instructions in a
traced run (0 when nothing is traced), ``t`` is virtual time in ns, ``tid`` the guest
thread. ``data`` holds only JSON-able values: no host addresses, no wall-clock time, so
two runs of the same thing give identical events.

Kinds: ``insn`` (pc, bytes, intel, go, loc, where, regs [[name, old, new]], mem
[[addr, hexbytes]]), ``syscall`` (nr, name, args [[name, reg, value]]), ``sysret`` (nr,
name, ret, errno, rcx, r11), ``call`` (runtime function and its Go arguments),
``gstatus``/``pstatus`` (state transitions), ``go`` (Go execution-tracer events:
GoSysCall, GoSysExit, ProcStart, ...), ``note``, ``thread``, ``result`` (r1, r2, err),
``exit``, ``output`` (label, addr?, data: what a buffer or the guest's stdout/stderr
holds after the call).
"""
from __future__ import annotations

from dataclasses import dataclass, field

FORMAT_VERSION = 1


@dataclass
class Event:
    kind: str
    step: int
    t: int
    tid: int
    data: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"kind": self.kind, "step": self.step, "t": self.t, "tid": self.tid, **self.data}

    @classmethod
    def from_json(cls, obj: dict) -> "Event":
        obj = dict(obj)
        return cls(obj.pop("kind"), obj.pop("step"), obj.pop("t"), obj.pop("tid"), obj)


class EventLog:
    """Passes events on in order to its ``listeners`` (a trace writer, live output, the REPL),
    and keeps them in ``events`` only if ``record`` asks for it.

    Nothing here holds a whole run unless a consumer asks: ``gosyscall run`` and ``trace``
    stream (``record`` False, a listener writes each event as it comes); the debugger keeps
    only the events of the step it is looking at (``trim``). Events are numbered from 0 in
    the order they were passed on; ``count`` is how many so far, ``since(n)`` the kept ones
    from number n on, and ``truncate(n)`` goes back to n (a restored snapshot).

    While an instruction is executing under a tracer the log is *held*: events it causes
    wait and are released, stamped with its step, right after its own ``insn`` event.
    """

    def __init__(self, record: bool = True):
        self.events: list[Event] = []
        self.base = 0                     # the number of events[0]: the ones before were let go
        self.listeners: list = []
        self.step = 0
        self.record = record              # False: keep nothing (the untraced fast path)
        self._held: list[Event] | None = None

    @property
    def count(self) -> int:
        """Events passed on so far (kept or not, while recording)."""
        return self.base + len(self.events)

    def since(self, n: int) -> list[Event]:
        """The kept events numbered n and on."""
        return self.events[max(n - self.base, 0):]

    def truncate(self, n: int) -> None:
        """Forget events numbered n and on: the log is as it was after n events."""
        if n >= self.base:
            del self.events[n - self.base:]
        else:
            self.events.clear()
            self.base = n

    def trim(self) -> None:
        """Let go of every kept event (numbering goes on)."""
        self.base = self.count
        self.events = []

    @property
    def active(self) -> bool:
        """Whether anybody wants events; producers skip building them otherwise."""
        return self.record or bool(self.listeners)

    def emit(self, kind: str, t: int, tid: int, **data) -> Event:
        ev = Event(kind, self.step, t, tid, data)
        if self._held is not None and kind != "insn":
            self._held.append(ev)
        else:
            self._append(ev)
        return ev

    def _append(self, ev: Event) -> None:
        if self.record:
            self.events.append(ev)
        for fn in self.listeners:
            fn(ev)

    def hold(self) -> None:
        if self._held is None:
            self._held = []

    def release(self) -> None:
        held, self._held = self._held or [], None
        for ev in held:
            ev.step = self.step
            self._append(ev)
