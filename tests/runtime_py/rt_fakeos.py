"""tests/runtime_py/rt_fakeos.py: FakeOS, a recording single-threaded stand-in for the OS protocol.

It keeps one TLS slot (the current g), a nanosecond counter as the clock, and a list of every
call. Paths that would block or switch context stop by raising:
- gogo(buf) raises Gogo(buf) (after setting the TLS g to buf.g, as asm gogo does);
- futexsleep on an unwoken note with ns < 0 raises Blocked (ns >= 0: the clock jumps by ns and
  the sleep times out), unless on_futexsleep is set, which then decides;
- usleep advances the clock and raises StopLoop once usleep_limit calls were made.
mcall(fn, gp) switches the TLS g to gp.m.g0 and calls fn(gp).
"""

from __future__ import annotations

from typing import Any, Callable, Optional


class Gogo(Exception):
    """Raised by FakeOS.gogo: the model switched this thread to buf.g."""

    def __init__(self, buf: Any):
        super().__init__(f"gogo {buf.g}")
        self.buf = buf


class Blocked(Exception):
    """Raised by FakeOS.futexsleep: this thread would block on `note` (ns < 0: forever)."""

    def __init__(self, note: Any, ns: int):
        super().__init__(f"futexsleep {note.name or note} ns={ns}")
        self.note = note
        self.ns = ns


class StopLoop(Exception):
    """Raised by FakeOS.usleep after usleep_limit calls (ends sysmon's infinite loop)."""


class FakeOS:
    def __init__(self, now: int = 1_000_000_000):
        self.now = now
        self.calls: list[tuple] = []
        self.g: Any = None
        self.usleep_limit: Optional[int] = None
        self.on_futexsleep: Optional[Callable[[Any, int, int], None]] = None
        self.on_newosproc: Optional[Callable[[Any], None]] = None

    def names(self) -> list[str]:
        return [c[0] for c in self.calls]

    def of(self, name: str) -> list[tuple]:
        return [c for c in self.calls if c[0] == name]

    # --- the OS protocol ---------------------------------------------------------------

    def nanotime(self) -> int:
        return self.now

    def usleep(self, usec: int) -> None:
        self.calls.append(("usleep", usec))
        self.now += usec * 1000
        if self.usleep_limit is not None and len(self.of("usleep")) > self.usleep_limit:
            raise StopLoop()

    def osyield(self) -> None:
        self.calls.append(("osyield",))

    def cputicks(self) -> int:
        return self.now

    def parallel(self, site: str) -> None:
        self.calls.append(("parallel", site))

    def futexsleep(self, addr: Any, val: int, ns: int) -> None:
        self.calls.append(("futexsleep", addr, val, ns))
        if addr.key != val:
            return
        if self.on_futexsleep is not None:
            self.on_futexsleep(addr, val, ns)
            return
        if ns < 0:
            raise Blocked(addr, ns)
        self.now += ns

    def futexwakeup(self, addr: Any, cnt: int) -> None:
        self.calls.append(("futexwakeup", addr, cnt))

    def newosproc(self, mp: Any) -> None:
        self.calls.append(("newosproc", mp))
        if self.on_newosproc is not None:
            self.on_newosproc(mp)

    def getg(self) -> Any:
        return self.g

    def setg(self, gp: Any) -> None:
        self.calls.append(("setg", gp))
        self.g = gp

    def gogo(self, buf: Any) -> None:
        self.calls.append(("gogo", buf.g))
        self.g = buf.g
        raise Gogo(buf)

    def mcall(self, fn: Callable[[Any], None], gp: Any) -> None:
        self.calls.append(("mcall", getattr(fn, "__name__", fn), gp))
        self.g = gp.m.g0
        fn(gp)
