"""tests/runtime_py/go1_27/rt27_helpers.py: set-ups for the go1.27 runtime_py unit tests.

FakeOS27 is the recording single-threaded FakeOS (rt_fakeos.py) plus what go1.27's OS
protocol adds: procyield (advances the clock 20 ns a PAUSE; after `spin_limit` calls it raises
Spinning, since nothing else can run to release what the spinner waits for) and parallel
(recorded; `on_parallel` may act as the other thread would there).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from rt_fakeos import Blocked, FakeOS, Gogo
import runtime_py.go1_27
from rt_helpers import WriteLog, retake_on, run_new_m
from runtime_py.go1_27 import Runtime, g, m
from runtime_py.observe import Observer

STACK_LO = 0xC000000000
STACK_HI = 0xC000008000
PC = 0x47A2C5  # return address into syscall.Syscall, right after its CALL runtime.entersyscall
MS = 1_000_000


class Spinning(Exception):
    """Raised by FakeOS27.procyield after spin_limit calls: the spinner would never stop."""


class FakeOS27(FakeOS):
    def __init__(self, now: int = 1_000_000_000):
        super().__init__(now)
        self.spin_limit = 1000
        self.on_parallel: Optional[Callable[[str], None]] = None

    def procyield(self, cycles: int) -> None:
        self.calls.append(("procyield", cycles))
        self.now += 20 * cycles
        if len(self.of("procyield")) > self.spin_limit:
            raise Spinning()

    def parallel(self, site: str) -> None:
        self.calls.append(("parallel", site))
        if self.on_parallel is not None:
            self.on_parallel(site)


def sp_of(gp: g) -> int:
    """The SP syscall.Syscall would have on gp's stack."""
    return gp.stack.hi - 0x100


def bp_of(gp: g) -> int:
    """syscall.Syscall's frame pointer on gp's stack (its PUSHQ BP slot, above its SP)."""
    return gp.stack.hi - 0x100 + 0x50


def boot(gomaxprocs: int = 1, observer: Observer | None = None
         ) -> tuple[Runtime, FakeOS27, g]:
    """A runtime right after bootstrap_main: g1 running on m0 with p0."""
    fos = FakeOS27()
    rt = Runtime(fos, observer, gomaxprocs)
    rt.goexitpc = 0x401000
    g1 = rt.bootstrap_main(STACK_LO, STACK_HI)
    return rt, fos, g1


_next_stack = [0xC100000000]


def go(rt: Runtime) -> g:
    """newproc from the current goroutine, with a fresh stack."""
    lo = _next_stack[0]
    _next_stack[0] += 0x10000
    return rt.newproc(0x450000, lo, lo + 0x8000)


def enter(rt: Runtime, fos: FakeOS27, gp: g) -> None:
    """gp (running) calls syscall.Syscall, which calls runtime.entersyscall."""
    fos.setg(gp)
    rt.entersyscall(PC, sp_of(gp), bp_of(gp))


def leave(rt: Runtime, fos: FakeOS27, gp: g) -> None:
    """gp's syscall returns: syscall.Syscall calls runtime.exitsyscall on gp's thread."""
    fos.setg(gp)
    rt.exitsyscall(sp_of(gp))


def roundtrip(rt: Runtime, fos: FakeOS27, gp: g) -> None:
    """One syscall that returns at once: p.syscalltick goes up by one."""
    enter(rt, fos, gp)
    leave(rt, fos, gp)


def warm(rt: Runtime, fos: FakeOS27, gp: g) -> None:
    """Make gp's next syscall an ordinary one for sysmon: one syscall done (p.syscalltick 1,
    not the 0 sysmon's copy starts with) and one schedule done since bootstrap
    (p.schedtick 1: bootstrap ran g1 from runnext, inheriting schedtick 0, which sysmon's
    zero copy would call unchanged since time 0 and so force a retake)."""
    roundtrip(rt, fos, gp)
    gp.m.p.schedtick += 1


def new_ms(fos: FakeOS27) -> list[m]:
    """The Ms newosproc was asked to start, in order."""
    return [c[1] for c in fos.of("newosproc")]


def writelog(monkeypatch: Any) -> WriteLog:
    """A WriteLog on go1.27's structs."""
    return WriteLog(monkeypatch, prof=runtime_py.go1_27)


__all__ = ["Blocked", "FakeOS27", "Gogo", "Spinning", "boot", "go", "enter", "leave",
           "roundtrip", "warm", "retake_on", "run_new_m", "new_ms", "sp_of", "bp_of", "writelog",
           "PC", "MS", "STACK_LO", "STACK_HI"]
