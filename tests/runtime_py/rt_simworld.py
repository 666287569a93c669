"""tests/runtime_py/rt_simworld.py: World, a deterministic simulation of OS threads under the model.

World implements the OS protocol the way a real platform must: every M is an OS thread, every
goroutine and every g0 activation is a coroutine, exactly one coroutine runs at a time, and time
is virtual. A coroutine here is a Python thread that runs only while it holds the baton (its
Event is set); switching hands the baton over, so the run is deterministic.

- gogo(buf) ends the calling g0 activation (it unwinds with _Abandon) and continues buf.g: a
  goroutine suspended in mcall resumes after its mcall, a new one starts its command loop.
- mcall(fn, gp) suspends gp's coroutine and runs fn(gp) in a fresh g0 coroutine of this M.
- usleep and futexsleep block the M: control goes back to the driver, which later resumes the
  M when its deadline has passed or its note was woken.

A goroutine's "user code" is a loop taking commands from the driver (enter a syscall, go,
park, ready another goroutine, Gosched, exit). The driver (the test) decides what happens next.
"""

from __future__ import annotations

import threading
from types import ModuleType
from typing import Any, Callable, Optional

import runtime_py.go1_10

TIMEOUT = 20.0  # seconds a coroutine waits for the baton before the test fails
RESUME_PC = 0x7000  # what mcall stores in g.sched.pc: "resume after mcall"
ENTRY_PC = 0x6000  # entry PC of every goroutine the driver creates
SYSCALL_PC = 0x5005  # return address into the Syscall stub


class _Kill(BaseException):
    """Unwinds a coroutine that will never run again (teardown, or a dead g reused)."""


class _Abandon(BaseException):
    """Raised by gogo: unwind the g0 activation that called it, then run target."""

    def __init__(self, target: "Coro"):
        self.target = target


class Coro:
    """A coroutine on its own thread; runs only while it holds the baton."""

    def __init__(self, world: "World", fn: Optional[Callable[[], None]], name: str):
        self.world = world
        self.fn = fn
        self.name = name
        self._ev = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.killed = False
        self.done = False

    def wake(self) -> None:
        if self._thread is None and self.fn is not None:
            self._thread = threading.Thread(target=self._main, name=self.name, daemon=True)
            self._thread.start()
        self._ev.set()

    def wait(self) -> None:
        if not self._ev.wait(TIMEOUT):
            raise RuntimeError(f"coroutine {self.name} starved (simulation stuck)")
        self._ev.clear()
        if self.killed:
            raise _Kill()

    def _main(self) -> None:
        nxt = self.world.main
        try:
            self.wait()
            self.fn()
            self.world.fail(RuntimeError(f"{self.name} returned"))
        except _Abandon as a:
            nxt = a.target
        except _Kill:
            self.done = True
            return
        except BaseException as e:  # hand any model error to the driver
            self.world.fail(e)
        self.done = True
        self.world.cur = nxt
        nxt.wake()

    def kill(self) -> None:
        if self._thread is not None and not self.done:
            self.killed = True
            self._ev.set()
            self._thread.join(TIMEOUT)


class Thread:
    """What the simulation knows about one M's OS thread."""

    def __init__(self, coro: Coro, state: tuple):
        self.coro = coro  # the coroutine this thread runs now
        self.state = state  # ("new",) ("user", g) ("syscall", g) ("futex", note, deadline)
        #                     ("usleep", deadline) ("running",)


class World:
    """The OS protocol plus a driver API: see the module docstring. prof is the profile
    module whose Runtime runs (runtime_py.go1_10 unless said otherwise)."""

    def __init__(self, gomaxprocs: int = 1, observer: Any = None, now: int = 10**9,
                 prof: ModuleType = runtime_py.go1_10):
        self.now = now
        self.main = Coro(self, None, "driver")
        self.cur: Coro = self.main
        self.cur_m: Any = None
        self.tls: dict[Any, Any] = {}
        self.threads: dict[Any, Thread] = {}
        self.suspended: dict[Any, Coro] = {}  # g -> its coroutine, suspended in mcall
        self.cmds: dict[Any, Callable[[], None]] = {}
        self.parked: list[Any] = []
        self.coros: list[Coro] = []
        self.error: Optional[BaseException] = None
        self._next_stack = 0xC000000000
        self.prof = prof
        self.rt = prof.Runtime(self, observer, gomaxprocs)
        self.g1 = self.rt.bootstrap_main(*self.stackalloc())
        self.threads[self.rt.m0] = Thread(self._gcoro(self.g1), ("user", self.g1))
        self.sysmon_m = self.rt.start_sysmon()

    # --- helpers -------------------------------------------------------------------------

    def stackalloc(self) -> tuple[int, int]:
        lo = self._next_stack
        self._next_stack += 0x10000
        return lo, lo + 0x8000

    def fail(self, e: BaseException) -> None:
        if self.error is None:
            self.error = e

    def _coro(self, fn: Callable[[], None], name: str) -> Coro:
        c = Coro(self, fn, name)
        self.coros.append(c)
        return c

    def _gcoro(self, gp: Any) -> Coro:
        def body() -> None:
            while True:
                cmd = self.cmds.pop(gp, None)
                if cmd is None:
                    self._block(("user", gp))
                    continue
                cmd()
        return self._coro(body, f"g{gp.goid}")

    def _switch(self, to: Coro) -> None:
        me = self.cur
        self.cur = to
        to.wake()
        me.wait()

    def _block(self, state: tuple) -> None:
        self.threads[self.cur_m].state = state
        self._switch(self.main)

    # --- the OS protocol -----------------------------------------------------------------

    def nanotime(self) -> int:
        return self.now

    def usleep(self, usec: int) -> None:
        self._block(("usleep", self.now + usec * 1000))

    def osyield(self) -> None:
        self._block(("usleep", self.now + 1000))  # a yielding M runs again 1us later

    def procyield(self, cycles: int) -> None:  # go1.27's spin: PAUSEs of 20 ns each
        self._block(("usleep", self.now + 20 * cycles))

    def parallel(self, site: str) -> None:  # other threads may run here (go1.10's spin: 1 µs)
        self._block(("usleep", self.now + (1000 if site == "findrunnable" else 0)))

    def cputicks(self) -> int:
        return self.now

    def futexsleep(self, addr: Any, val: int, ns: int) -> None:
        if addr.key != val:
            return
        self._block(("futex", addr, self.now + ns if ns >= 0 else None))

    def futexwakeup(self, addr: Any, cnt: int) -> None:
        pass  # the driver sees addr.key != 0 and treats the sleeper as runnable

    def newosproc(self, mp: Any) -> None:
        self.tls[mp] = mp.g0
        self.threads[mp] = Thread(self._coro(self.rt.mstart, f"m{mp.id}"), ("new",))

    def getg(self) -> Any:
        return self.tls[self.cur_m]

    def setg(self, gp: Any) -> None:
        if self.cur_m is None:  # bootstrap names the first thread
            self.cur_m = gp.m
        self.tls[self.cur_m] = gp

    def gogo(self, buf: Any) -> None:
        gp = buf.g
        self.tls[self.cur_m] = gp
        old = self.suspended.pop(gp, None)
        if old is not None and buf.pc == RESUME_PC:
            target = old
        else:
            if old is not None:  # a dead g reused by newproc: its old coroutine is gone
                old.kill()
            target = self._gcoro(gp)
        self.threads[self.cur_m].coro = target
        raise _Abandon(target)

    def mcall(self, fn: Callable[[Any], None], gp: Any) -> None:
        gp.sched.pc = RESUME_PC
        gp.sched.sp = gp.stack.hi - 0x100
        self.suspended[gp] = self.cur
        self.tls[self.cur_m] = gp.m.g0
        g0c = self._coro(lambda: fn(gp), f"m{gp.m.id}.g0:{fn.__name__}")
        self.threads[self.cur_m].coro = g0c
        self._switch(g0c)  # returns when some M gogo's gp again

    # --- the driver --------------------------------------------------------------------

    def run(self, mp: Any) -> None:
        """Let thread mp run until every thread is blocked again."""
        th = self.threads[mp]
        th.state = ("running",)
        self.cur_m = mp
        self._switch(th.coro)
        if self.error is not None:
            raise self.error

    def runnable(self) -> list[Any]:
        out = []
        for mp, th in self.threads.items():
            st = th.state
            if (st[0] == "new" or (st[0] == "usleep" and st[1] <= self.now)
                    or (st[0] == "futex" and (st[1].key != 0
                                              or (st[2] is not None and st[2] <= self.now)))):
                out.append(mp)
        return out

    def in_state(self, kind: str) -> list[Any]:
        return [mp for mp, th in self.threads.items() if th.state[0] == kind]

    def command(self, mp: Any, cmd: Callable[[Any], None]) -> None:
        """Make the goroutine running on mp (in user code) execute cmd(gp)."""
        th = self.threads[mp]
        if th.state[0] != "user":
            raise ValueError(f"{mp} is not running user code: {th.state}")
        gp = th.state[1]
        if gp.atomicstatus != self.prof._Grunning or gp.m is not mp:
            raise RuntimeError(f"{gp} is not running on {mp}")
        self.cmds[gp] = lambda: cmd(gp)
        self.run(mp)

    def settle(self, limit: int = 500) -> None:
        """Run runnable threads (lowest M id first) until none is left."""
        for _ in range(limit):
            r = self.runnable()
            if not r:
                return
            self.run(min(r, key=lambda mp: mp.id))
        raise RuntimeError("settle: threads keep running")

    def teardown(self) -> None:
        for c in self.coros:
            c.kill()

    # --- goroutine commands (run on the goroutine's own coroutine) ------------------------

    def cmd_syscall(self, gp: Any, block: bool = False) -> None:
        sp = gp.stack.hi - 0x200
        if block:
            self.rt.entersyscallblock(SYSCALL_PC, sp)
        else:
            self.rt.entersyscall(SYSCALL_PC, sp)
        self._block(("syscall", gp))  # in the kernel until the driver returns it
        self.rt.exitsyscall(sp)

    def cmd_go(self, gp: Any) -> None:
        self.rt.newproc(ENTRY_PC, *self.stackalloc())

    def cmd_park(self, gp: Any) -> None:
        self.parked.append(gp)
        self.rt.gopark(None, None, "chan receive", "GoBlockRecv", 1)

    def cmd_ready(self, target: Any) -> Callable[[Any], None]:
        def ready(gp: Any) -> None:
            self.parked.remove(target)
            self.rt.goready(target, 1)
        return ready
