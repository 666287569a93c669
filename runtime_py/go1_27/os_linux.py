"""runtime_py/go1_27/os_linux.py: the OS below the go1.27 runtime, as a protocol the platform
implements.

The same seam as go1.27.3's os_linux.go / sys_linux_amd64.s / asm_amd64.s: time, sleeping,
futexes, thread creation, the TLS slot that holds g, the two context switches (gogo, mcall),
and the two ways a thread waits for another without sleeping (procyield, osyield).

Threads: every M is an OS thread. The model is plain sequential code; a method that blocks
(usleep, futexsleep, and the M that gogo/mcall leave) blocks *the calling thread*: the
platform runs another thread meanwhile (the emulator: on its virtual clock). Only the one
running thread touches model state. procyield, osyield and parallel do not block, but the
platform may run other threads there too (see each).

Differences from go1.10's protocol: usleep is nanosleep (nr 35, since go1.11); futexes use
FUTEX_WAIT_PRIVATE / FUTEX_WAKE_PRIVATE (128|0, 128|1, since go1.11); procyield and parallel
are new.
"""

from __future__ import annotations

from typing import Any, Callable, Protocol

from runtime_py.go1_27.runtime2 import g, gobuf, m


class OS(Protocol):
    """What the platform (the emulator, or a test double) provides to the go1.27 model."""

    def nanotime(self) -> int:
        """Monotonic time in nanoseconds (vDSO clock_gettime(CLOCK_MONOTONIC))."""
        ...

    def usleep(self, usec: int) -> None:
        """Block the calling thread for usec microseconds: sys_linux_amd64.s:120 runtime·usleep
        is nanosleep(&ts, nil) (nr 35) with ts = {usec/1e6, usec%1e6*1000} on its frame."""
        ...

    def osyield(self) -> None:
        """sys_linux_amd64.s:671 runtime·osyield: sched_yield (nr 24). The thread stays
        runnable; the model calls it where go1.27 waits for another thread (casgstatus while
        a _Gscan bit is held, after its 5 us of procyield), so the platform must let other
        threads run and (virtual) time pass before returning."""
        ...

    def procyield(self, cycles: int) -> None:
        """stubs.go:286 procyield -> asm_amd64.s runtime·procyieldAsm: `cycles` PAUSE
        instructions, no syscall: the thread keeps its CPU and spins. The model calls it only
        while waiting for another thread to change a word (casgstatus spinning on a _Gscan
        bit), so the platform must let virtual time pass (a PAUSE costs tens of ns) and let
        threads on other CPUs run before returning."""
        ...

    def parallel(self, site: str) -> None:
        """Not in Go: on hardware the other threads run in parallel with this one, while the
        sequential model lets them run only where it calls the OS. The model calls
        parallel(site) where go1.27's protocol is built for another thread to act between two
        statements of this one: in setBlockOnExitSyscall, once this thread owns a syscalling
        goroutine's _Gscan bit (site "setBlockOnExitSyscall"), so the goroutine's thread can
        return from its syscall and wait in exitsyscall while the bit is held. The platform
        may run other threads here (this thread stays on its CPU) or return at once."""
        ...

    def futexsleep(self, addr: Any, val: int, ns: int) -> None:
        """os_linux.go:66 futexsleep: futex(addr, FUTEX_WAIT_PRIVATE, val, ns<0 ? nil : &ts).
        If addr.key != val return at once; else block the calling thread until
        futexwakeup(addr) or, if ns >= 0, ns nanoseconds pass. Spurious returns are allowed
        (callers re-check). addr is the note object (lock_futex.go keys on &n.key)."""
        ...

    def futexwakeup(self, addr: Any, cnt: int) -> None:
        """os_linux.go:85 futexwakeup: futex(addr, FUTEX_WAKE_PRIVATE, cnt)."""
        ...

    def newosproc(self, mp: m) -> None:
        """os_linux.go newosproc: clone(cloneFlags, mp.g0.stack.hi, mp, mp.g0, mstart) (nr
        56; cloneFlags 0x50f00). The new thread runs with getg() == mp.g0 and calls the
        model's mstart(). The model's g0s have no stack (malg(-1)): the platform sets
        mp.g0.stack to the thread's stack before the clone, or mstart0 derives it."""
        ...

    def getg(self) -> g:
        """The current g of the calling thread: R14 in Go code, TLS FS:-8 (m.tls[0])."""
        ...

    def setg(self, gp: g) -> None:
        """Store gp in the calling thread's TLS slot (FS:-8)."""
        ...

    def gogo(self, buf: gobuf) -> None:
        """Restore goroutine context buf (buf.g, sp, pc, bp, ...) on this thread's CPU,
        setting the TLS g to buf.g. Never returns in Go; if the platform's does return, every
        model function returns straight away (nothing more runs on that path)."""
        ...

    def mcall(self, fn: Callable[[g], None], gp: g) -> None:
        """Switch from gp to this thread's g0, save gp's context in gp.sched (pc, sp, bp),
        and call fn(gp) on g0. fn never returns in Go (it ends in schedule/execute/gogo).
        mcall returns only when some M later gogo's gp: the goroutine resumes after its
        mcall, possibly on another M (so callers re-read gp.m after it)."""
        ...
