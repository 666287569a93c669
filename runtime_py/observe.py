"""runtime_py/observe.py: how a caller watches the model (shared by every profile).

The model calls these methods; they do nothing here. The emulator subclasses Observer to trace.
An observer only watches: it must not change runtime state or call back into the model.

Execution-tracer events: the model runs like a normal program, with trace.enabled = false, so
every `if trace.enabled { ... }` branch of proc.go is *not* taken — in particular the osyield
spin in exitsyscall's slow path, and the extra save() calls that only exist inside those
branches. Instead, at exactly the places where go1.10 would emit an event when tracing, the
model reports it to traceev() as a side channel; control flow is the untraced program's.
"""

from __future__ import annotations

from typing import Any

# Mirrored functions that run very often and do little on their own (lock helpers, queue
# probes). They announce themselves through call() like every other mirrored function; a
# renderer may fold them.
LEAF_CALLS = frozenset({
    "lock", "unlock", "noteclear", "runqempty", "readgstatus", "casgstatus", "save",
    "mput", "mget", "pidleput", "pidleget", "globrunqput", "runqput", "runqget",
    "systemstack", "acquirem", "releasem", "mcount", "checkmcount",
})


class Observer:
    """No-op base class. Every method is a notification; return values are ignored."""

    def call(self, fn: str, /, **args: Any) -> None:
        """A mirrored Go function was entered: fn is Go's name, args its Go arguments by name."""

    def gstatus(self, gp: Any, old: int, new: int) -> None:
        """gp.atomicstatus changed from old to new (casgstatus or a direct store)."""

    def pstatus(self, pp: Any, old: int, new: int) -> None:
        """pp.status was stored or CAS'd from old to new (old may equal new for a plain store)."""

    def traceev(self, name: str, /, **args: Any) -> None:
        """Go's execution tracer would emit event `name` here (GoSysCall, GoSysBlock, ...)."""

    def note(self, msg: str) -> None:
        """Anything else worth one trace line (e.g. retake's first sighting of a syscall)."""


class Recorder(Observer):
    """An Observer that appends every notification to `events` as a tuple, for tests and REPLs.

    ("call", fn, args) | ("gstatus", gp, old, new) | ("pstatus", pp, old, new)
    | ("traceev", name, args) | ("note", msg)
    """

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def call(self, fn: str, /, **args: Any) -> None:
        self.events.append(("call", fn, args))

    def gstatus(self, gp: Any, old: int, new: int) -> None:
        self.events.append(("gstatus", gp, old, new))

    def pstatus(self, pp: Any, old: int, new: int) -> None:
        self.events.append(("pstatus", pp, old, new))

    def traceev(self, name: str, /, **args: Any) -> None:
        self.events.append(("traceev", name, args))

    def note(self, msg: str) -> None:
        self.events.append(("note", msg))

    def calls(self) -> list[str]:
        """Names of the functions entered, in order."""
        return [e[1] for e in self.events if e[0] == "call"]

    def traceevs(self) -> list[str]:
        """Names of the tracer events, in order."""
        return [e[1] for e in self.events if e[0] == "traceev"]
