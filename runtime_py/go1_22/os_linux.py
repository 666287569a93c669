"""runtime_py/go1_22/os_linux.py: the OS below the go1.22 runtime, as a protocol the emulator implements.

The same seam as go1.22.10's os_linux.go / sys_linux_amd64.s / asm_amd64.s: time, sleeping,
futexes, thread creation, the TLS slot that holds g, and the two context switches (gogo,
mcall). The methods are the go1.10 profile's, so a platform serves both; what a platform
passes to the kernel differs and is below (the constants are go1.22.10's):

- usleep is nanosleep(&ts, nil) (sys_linux_amd64.s:120, since go1.11), not go1.10's pselect6;
  ts = {usec / 1e6, usec % 1e6 * 1000} on the g0 stack at 0(SP).
- futexsleep/futexwakeup use FUTEX_WAIT_PRIVATE / FUTEX_WAKE_PRIVATE (os_linux.go:50-51).
- newosproc: clone(cloneFlags, mp.g0.stack.hi, mp, mp.g0, mstart) (os_linux.go:180), with the
  signal mask blocked around it (sigprocmask, not modeled).

Threads: every M is an OS thread. The model is plain sequential code; a method that blocks
(usleep, futexsleep, and the M that gogo/mcall leave) blocks *the calling thread*: the platform
runs another thread meanwhile (the emulator: on its virtual clock). Only the one running thread
touches model state.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from runtime_py.go1_22.runtime2 import g, gobuf, m

# System calls the go1.22.10 runtime itself makes on linux/amd64 (sys_linux_amd64.s:25-39).
SYS_sched_yield = 24
SYS_nanosleep = 35
SYS_clone = 56
SYS_futex = 202
_FUTEX_PRIVATE_FLAG = 128  # os_linux.go:49
_FUTEX_WAIT_PRIVATE = 0 | _FUTEX_PRIVATE_FLAG
_FUTEX_WAKE_PRIVATE = 1 | _FUTEX_PRIVATE_FLAG
# os_linux.go:152 CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_SYSVSEM | CLONE_THREAD
cloneFlags = 0x100 | 0x200 | 0x400 | 0x800 | 0x40000 | 0x10000


class OS(Protocol):
    """What the platform (the emulator, or a test double) provides to the go1.22 model."""

    def nanotime(self) -> int:
        """Monotonic time in nanoseconds (vDSO clock_gettime(CLOCK_MONOTONIC))."""
        ...

    def usleep(self, usec: int) -> None:
        """Block the calling thread for usec microseconds: nanosleep (SYS_nanosleep, 35)."""
        ...

    def osyield(self) -> None:
        """Give up the CPU to another thread (sched_yield, 24)."""
        ...

    def futexsleep(self, addr: Any, val: int, ns: int) -> None:
        """futex(addr, FUTEX_WAIT_PRIVATE, val, ns < 0 ? nil : &ts): if addr.key != val
        return at once; else block the calling thread until futexwakeup(addr) or, if
        ns >= 0, ns nanoseconds pass. Spurious returns are allowed (callers re-check). addr
        is the note object (lock_futex.go keys on &n.key)."""
        ...

    def futexwakeup(self, addr: Any, cnt: int) -> None:
        """futex(addr, FUTEX_WAKE_PRIVATE, cnt): wake up to cnt threads sleeping on addr."""
        ...

    def newosproc(self, mp: m) -> None:
        """Create an OS thread (clone) for mp. The new thread runs with getg() == mp.g0 and
        calls the model's mstart(). The platform sets mp.g0.stack to the thread's stack
        (go1.22 allocm gives g0 a 16 KiB Go stack; the model allocates none)."""
        ...

    def getg(self) -> g:
        """The current g of the calling thread: TLS slot FS:-8 (m.tls[0]); R14 in
        ABIInternal code."""
        ...

    def setg(self, gp: g) -> None:
        """Store gp in the calling thread's TLS slot (FS:-8)."""
        ...

    def gogo(self, buf: gobuf) -> None:
        """Restore goroutine context buf (buf.g, sp, pc, ...) on this thread's CPU, setting
        the TLS g to buf.g. Never returns in Go: the platform implements it by unwinding or
        by switching coroutines. The model does not rely on it returning; if it does return,
        every model function returns straight away (nothing more runs on that path)."""
        ...

    def mcall(self, fn: Callable[[g], None], gp: g) -> None:
        """Switch from gp to this thread's g0 (setg(gp.m.g0)), save gp's context in gp.sched,
        and call fn(gp) on g0. fn never returns in Go (it ends in schedule/execute/gogo).
        mcall returns only when some M later gogo's gp: the goroutine resumes after its
        mcall, possibly on another M (so callers re-read gp.m after it)."""
        ...
