"""emu/world/osl.py — the runtime's OS layer on the thread world (runtime_py/go1_10/os_linux.py).

Every M is a world Thread; the runtime model runs in greenlets (Python coroutines), one
per piece of runtime code that may block or switch: a goroutine's runtime call (its
"stack" while in the runtime), a g0 activation of an M (mstart, mcall's fn). Exactly one
runs at a time, on the world's current thread.

- usleep, futexsleep, futexwakeup, newosproc and osyield are syscalls of the kernel model,
  with the arguments go1.10's sys_linux_amd64.s passes (usleep = pselect6 with a timespec on
  g0's stack; futex without FUTEX_PRIVATE_FLAG; clone with go1.10's cloneFlags and mp, g0
  in R8/R9 as runtime·clone does). A call that blocks parks the thread: its greenlet
  switches to the world loop, which continues it when the kernel's Block ends.
- gogo(buf) ends the g0 activation that called it (it raises _Gogo, caught at the greenlet's
  top): the world loop then continues buf.g — a goroutine suspended in mcall resumes its
  greenlet, any other starts or continues on the CPU at buf.pc / buf.sp.
- mcall(fn, gp) saves gp's context in gp.sched (pc: the trampoline gp entered the runtime
  through, sp: its RSP there), suspends gp's greenlet and runs fn(gp) in a fresh g0 greenlet.
"""
from __future__ import annotations

import struct
from typing import Any, Callable

from greenlet import getcurrent, greenlet

from emu.cpu import layout as L
from emu.errors import GosyscallError

# go1.10 os_linux.go / sys_linux_amd64.s
FUTEX_WAIT, FUTEX_WAKE = 0, 1       # no FUTEX_PRIVATE_FLAG before go1.11
CLONE_FLAGS = 0x100 | 0x200 | 0x400 | 0x800 | 0x40000 | 0x10000
# = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_SYSVSEM | CLONE_THREAD (0x50f00)

# The parts of an M's block in guest memory (see World.new_block).
SCRATCH = 0x140     # g0 stack scratch: the timespec usleep/futexsleep build
PARK_WORD = 0x150   # the futex word of m.park
BLOCK_SIZE = 0x180


class _Gogo(BaseException):
    """Raised by gogo: unwinds the g0 activation; its greenlet returns ("gogo", gp)."""

    def __init__(self, gp: Any):
        self.gp = gp


def glet_body(fn: Callable[[], Any], g0: bool) -> Callable[[], tuple]:
    """A greenlet's top: run fn; report how it ended to the world loop (its parent)."""
    def body() -> tuple:
        try:
            fn()
        except _Gogo as e:
            return ("gogo", e.gp)
        if g0:
            from runtime_py.throw import throw
            throw("runtime: mcall function returned")
        return ("done",)
    return body


class WorldOS:
    """The OS protocol (runtime_py/go1_10/os_linux.py) on the world's threads and kernel."""

    def __init__(self, world):
        self.w = world

    # -- time and sleeping -------------------------------------------------------------------
    def nanotime(self) -> int:
        return self.w.clock.now_ns

    def usleep(self, usec: int) -> None:
        """go1.10 runtime·usleep: pselect6(0, 0, 0, 0, &ts, 0) with ts on g0's stack."""
        ts = self._scratch_timespec(usec * 1000)
        self.w.runtime_syscall(270, 0, 0, 0, 0, ts, 0)

    def osyield(self) -> None:
        """sched_yield, then let every thread that is earlier run first."""
        self.w.runtime_syscall(24)
        self.w.park(("yield",))

    def cputicks(self) -> int:
        """RDTSC as a 1 GHz counter on the virtual clock: the same in every run, so the
        runtime's fastrand (seeded from it) and its steal order are reproducible."""
        return self.w.clock.now_ns

    def parallel(self, site: str) -> None:
        """Other threads act here while this one stays on its CPU (the model's protocol, not
        Go's): every thread due first runs before this one goes on; no syscall is made. At
        go1.10's findrunnable spin (site "findrunnable") the M burns CPU until another thread
        takes the work it sees, so its time moves on to the next pending event."""
        w = self.w
        if site == "findrunnable":
            w.horizon()
            if not w.queue:                 # nothing else will ever run
                raise GosyscallError("the runtime spins waiting for another thread, and no other "
                                     "thread or timer will ever run (a livelock in the model)")
            w.clock.advance(max(0, w.horizon() - w.clock.now_ns - w.clock.debt))
        w.park(("yield",))

    # -- futexes (notes) ---------------------------------------------------------------------
    def futexsleep(self, addr: Any, val: int, ns: int) -> None:
        """futex(&n.key, FUTEX_WAIT, val, ns < 0 ? nil : &ts). The note's key is mirrored into
        its futex word first: that is the value the kernel compares."""
        word = self.w.note_word(addr)
        self.w.mem.poke(word, struct.pack("<I", addr.key & 0xFFFFFFFF))
        ts = self._scratch_timespec(ns) if ns >= 0 else 0
        self.w.runtime_syscall(202, word, FUTEX_WAIT, val, ts, 0, 0)

    def futexwakeup(self, addr: Any, cnt: int) -> None:
        """futex(&n.key, FUTEX_WAKE, cnt): the kernel names the threads it woke."""
        word = self.w.note_word(addr)
        self.w.mem.poke(word, struct.pack("<I", addr.key & 0xFFFFFFFF))
        self.w.runtime_syscall(202, word, FUTEX_WAKE, cnt, 0, 0, 0)

    # -- threads -----------------------------------------------------------------------------
    def newosproc(self, mp: Any) -> None:
        """go1.10 newosproc: clone(cloneFlags, stk, mp, g0, mstart); the kernel's clone entry
        (World.sys_clone) makes the thread, which starts in mstart on its g0."""
        w = self.w
        if len(w.threads) >= w.max_threads:
            raise GosyscallError(f"the world's thread limit of {w.max_threads} is reached "
                                 "(see emu/world/costs.py MAX_THREADS)")
        block = w.new_block(mp)
        mp.g0.stack.lo, mp.g0.stack.hi = block + SCRATCH, block + BLOCK_SIZE
        w.runtime_syscall(56, CLONE_FLAGS, mp.g0.stack.hi, 0, 0, block, w.addr_of(mp.g0))

    def getg(self) -> Any:
        return self.w.cur.g

    def setg(self, gp: Any) -> None:
        self.w.cur.g = gp

    # -- context switches --------------------------------------------------------------------
    def gogo(self, buf: Any) -> None:
        self.w.cur.g = buf.g
        raise _Gogo(buf.g)

    def mcall(self, fn: Callable[[Any], None], gp: Any) -> None:
        w = self.w
        th = w.cur
        name, sp = w.entered[gp]            # the trampoline gp entered the runtime through
        gp.sched.pc, gp.sched.sp, gp.sched.g = L.TRAMPOLINES[name], sp, gp
        w.suspended[gp] = (getcurrent(), gp.sched.pc)
        th.g = gp.m.g0
        g0 = greenlet(glet_body(lambda: fn(gp), True), parent=w.main_glet)
        th.glet = g0
        g0.switch()
        # Some M gogo'd gp: the world switched back into this greenlet, on that M.

    # -- helpers -----------------------------------------------------------------------------
    def _scratch_timespec(self, ns: int) -> int:
        """Write a timespec for ns on the current M's g0 scratch; its guest address."""
        addr = self.w.cur.block_addr + SCRATCH
        self.w.mem.poke(addr, struct.pack("<qq", *divmod(max(ns, 0), 1_000_000_000)))
        return addr
