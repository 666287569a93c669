"""runtime_py/go1_10/os_linux.py: the OS below the runtime, as a protocol the emulator implements.

The same seam as Go's os_linux.go / sys_linux_amd64.s / asm_amd64.s: time, sleeping, futexes,
thread creation, the TLS slot that holds g, and the two context switches (gogo, mcall).

Threads: every M is an OS thread. The model is plain sequential code; a method that blocks
(usleep, futexsleep, and the M that gogo/mcall leave) blocks *the calling thread*: the platform
runs another thread meanwhile (the emulator: on its virtual clock). Only the one running thread
touches model state.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from runtime_py.go1_10.runtime2 import g, gobuf, m


class OS(Protocol):
    """What the platform (the emulator, or a test double) provides to the model."""

    def nanotime(self) -> int:
        """Monotonic time in nanoseconds (go1.10: vDSO clock_gettime(CLOCK_MONOTONIC))."""
        ...

    def usleep(self, usec: int) -> None:
        """Block the calling thread for usec microseconds (go1.10 linux: pselect6, nr 270)."""
        ...

    def osyield(self) -> None:
        """Give up the CPU to another thread (sched_yield, nr 24)."""
        ...

    def cputicks(self) -> int:
        """go1.10 asm_amd64.s:901 runtime·cputicks — the CPU's time-stamp counter (RDTSC). mcommoninit
        seeds each M's fastrand with it, so it decides the random steal order."""
        ...

    def parallel(self, site: str) -> None:
        """Not in Go: on hardware the other threads run in parallel with this one, while the
        sequential model lets them run only where it calls the OS. go1.10 loops on a CPU at
        one site until another thread acts: findrunnable's final re-check finds work that
        the Ms spinning elsewhere will take (site "findrunnable"); the model calls this once
        per turn, and the platform runs the threads due before this one continues, letting
        this thread's time pass meanwhile. No syscall, no Go statement."""
        ...

    def futexsleep(self, addr: Any, val: int, ns: int) -> None:
        """futex(FUTEX_WAIT): if addr.key != val return at once; else block the calling thread
        until futexwakeup(addr) or, if ns >= 0, ns nanoseconds pass. Spurious returns are
        allowed (callers re-check). addr is the note object (lock_futex.go keys on &n.key).
        """
        ...

    def futexwakeup(self, addr: Any, cnt: int) -> None:
        """futex(FUTEX_WAKE): wake up to cnt threads sleeping on addr."""
        ...

    def newosproc(self, mp: m) -> None:
        """Create an OS thread (clone) for mp. The new thread runs with getg() == mp.g0 and
        calls the model's mstart(). The platform may set mp.g0.stack to the thread's stack
        bounds first (go1.10 mstart derives them from the OS stack when stack.lo == 0).
        """
        ...

    def getg(self) -> g:
        """The current g of the calling thread: TLS slot FS:-8 (m.tls[0])."""
        ...

    def setg(self, gp: g) -> None:
        """Store gp in the calling thread's TLS slot (FS:-8)."""
        ...

    def gogo(self, buf: gobuf) -> None:
        """Restore goroutine context buf (buf.g, sp, pc, ...) on this thread's CPU, setting
        the TLS g to buf.g. Never returns in Go: the platform implements it by unwinding or
        by switching coroutines. The model does not rely on it returning; if it does return,
        every model function returns straight away (nothing more runs on that path).
        """
        ...

    def mcall(self, fn: Callable[[g], None], gp: g) -> None:
        """Switch from gp to this thread's g0 (setg(gp.m.g0)), save gp's context in gp.sched,
        and call fn(gp) on g0. fn never returns in Go (it ends in schedule/execute/gogo).
        mcall returns only when some M later gogo's gp: the goroutine resumes after its mcall,
        possibly on another M (so callers re-read gp.m after it).
        """
        ...
