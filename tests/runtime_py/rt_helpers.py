"""tests/runtime_py/rt_helpers.py: shared set-ups for the runtime_py unit tests.

Every helper works on any profile: `prof` is the profile module (runtime_py.go1_10 unless
said otherwise), whose Runtime, g, m, p and gobuf it uses.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import runtime_py.go1_10
from rt_fakeos import FakeOS, Gogo
from runtime_py.observe import Observer

STACK_LO = 0xC000000000
STACK_HI = 0xC000008000
PC = 0x401005  # return address into Syscall, right after its CALL runtime·entersyscall


def sp_of(gp: Any) -> int:
    """The SP Syscall would have on gp's stack."""
    return gp.stack.hi - 0x100


def boot(gomaxprocs: int = 1, observer: Observer | None = None,
         prof: ModuleType = runtime_py.go1_10) -> tuple[Any, FakeOS, Any]:
    """A runtime of profile prof right after bootstrap_main: g1 running on m0 with p0."""
    fos = FakeOS()
    rt = prof.Runtime(fos, observer, gomaxprocs)
    g1 = rt.bootstrap_main(STACK_LO, STACK_HI)
    return rt, fos, g1


_next_stack = [0xC100000000]


def go(rt: Any, fos: FakeOS) -> Any:
    """newproc from the current goroutine, with a fresh stack."""
    lo = _next_stack[0]
    _next_stack[0] += 0x10000
    return rt.newproc(0x450000, lo, lo + 0x8000)


def roundtrip(rt: Any, fos: FakeOS, gp: Any) -> None:
    """One syscall that returns at once (fast path): p.syscalltick goes up by one."""
    fos.setg(gp)
    rt.entersyscall(PC, sp_of(gp))
    rt.exitsyscall(sp_of(gp))


def sysmon_m(rt: Any, fos: FakeOS) -> Any:
    """Create sysmon's M (runtime.main does it); its thread is not run."""
    return rt.start_sysmon()


def retake_on(rt: Any, fos: FakeOS, mp: Any, now: int) -> int:
    """Call retake(now) on M mp's g0 (as sysmon does), then restore the TLS g."""
    old = fos.g
    fos.setg(mp.g0)
    try:
        return rt.retake(now)
    finally:
        fos.setg(old)


def run_new_m(rt: Any, fos: FakeOS, mp: Any) -> Any:
    """Run a new M's thread (mstart) until it gogo's a goroutine or blocks; returns the
    exception that stopped it (Gogo or Blocked)."""
    fos.setg(mp.g0)
    try:
        rt.mstart()
    except Exception as e:  # Gogo / Blocked end the path
        return e
    raise AssertionError("mstart returned")


class WriteLog(Observer):
    """Records, in one list, every attribute write to the profile's g, m, p and gobuf objects
    (via a monkeypatched __setattr__) and every observer notification."""

    def __init__(self, monkeypatch: Any, prof: ModuleType = runtime_py.go1_10):
        self.log: list[tuple] = []
        self.on = False
        self.prof = prof
        for cls in (prof.g, prof.m, prof.p, prof.gobuf):
            monkeypatch.setattr(cls, "__setattr__", self._tracer())

    def _tracer(self):
        def tracer(obj: Any, name: str, value: Any) -> None:
            if self.on:
                self.log.append((self.label(obj), name, value))
            object.__setattr__(obj, name, value)
        return tracer

    def label(self, obj: Any) -> str:
        prof = self.prof
        if isinstance(obj, prof.g):
            return f"g{obj.goid}"
        if isinstance(obj, prof.m):
            return f"m{obj.id}"
        if isinstance(obj, prof.p):
            return f"p{obj.id}"
        if isinstance(obj, prof.gobuf):
            return f"g{obj.g.goid}.sched" if obj.g is not None else "sched"
        return type(obj).__name__

    def gstatus(self, gp: Any, old: int, new: int) -> None:
        if self.on:
            self.log.append(("gstatus", self.label(gp), old, new))

    def pstatus(self, pp: Any, old: int, new: int) -> None:
        if self.on:
            self.log.append(("pstatus", self.label(pp), old, new))

    def traceev(self, name: str, /, **args: Any) -> None:
        if self.on:
            self.log.append(("traceev", name))


__all__ = ["FakeOS", "Gogo", "boot", "go", "roundtrip", "sysmon_m", "retake_on", "run_new_m",
           "sp_of", "PC", "STACK_LO", "STACK_HI", "WriteLog"]
