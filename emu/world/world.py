"""emu/world/world.py — Ms as threads of a deterministic discrete-event simulation.

One Unicorn CPU (the session's machine), one kernel model, one go1.10 runtime model whose OS
layer is WorldOS, and many threads. The loop takes the earliest entry of a queue ordered by
(virtual time, sequence number) — a thread that may run, or a host-side timer — and lets that
thread run until it blocks in the kernel, parks in the runtime, yields, or must give way to
an earlier entry (cpu.py). Nothing reads the host clock: a run is reproducible byte for byte.

Each thread has its own clock (threads run in parallel: there are as many cores as threads);
actions — runtime calls, syscalls, wake-ups — happen in global time order. A step's syscalls
cost ``SYSCALL_COST_NS`` each, charged when the step ends, so all events of one step carry
its start time.

The REPL drives ``step_event()`` / ``step_insn()`` and reads ``state()``; scenarios call
``run()``. With ``check=True`` the model's ``checkinvariants()`` runs after every runtime step.
"""
from __future__ import annotations

import heapq
from typing import Any, Callable

from greenlet import GreenletExit, getcurrent, greenlet

from emu.bridge.runtime import EventObserver
from emu.bridge.session import Session
from emu.cpu import layout as L
from emu.errors import BudgetExceeded, GosyscallError
from emu.kernel.clock import Clock
from emu.kernel.sysnum import SYS
from emu.profile import DEFAULT
from emu.trace.events import EventLog
from emu.world.arena import Arena
from emu.world.chan import hchan
from emu.world.costs import MAX_GOROUTINES, MAX_THREADS, Costs
from emu.world.cpu import GuestCPU
from emu.world.osl import BLOCK_SIZE, PARK_WORD, WorldOS, glet_body
from emu.world.programs import load_programs
from emu.world.setup import WorldFiles
from emu.world.state import render_state, world_state
from emu.world.thread import BLOCKED, RUNNABLE, Thread, Wait
from emu.world.watch import WorldObserver
from runtime_py.observe import Observer

NOTES = 0x1e00          # note words for notes that are not an M's park (sched.sysmonnote, ...)
CHANS = 0x1f00          # guest addresses standing for channels (hchan)
INF = 1 << 62


class WorldClock(Clock):
    """The running thread's clock. ``advance`` (the kernel's per-syscall charge) accrues as
    debt that the thread pays when its step ends."""

    def __init__(self) -> None:
        super().__init__(0)
        self.debt = 0

    def advance(self, ns: int) -> None:
        if ns < 0:
            raise ValueError(f"time cannot go backwards ({ns} ns)")
        self.debt += ns


class World(GuestCPU, WorldFiles):
    """Threads in virtual time around one CPU, the kernel model and the runtime model."""

    def __init__(self, profile: str = DEFAULT, gomaxprocs: int = 1, *, fs: str | None = None,
                 strict: bool = False, extra_stubs=None, log: EventLog | None = None,
                 costs: Costs | None = None, check: bool = False, timeline=None,
                 time_budget_ns: int | None = None, max_threads: int = MAX_THREADS,
                 insn_budget: int | None = None, max_steps: int | None = None):
        if not 1 <= gomaxprocs <= 256:
            raise ValueError(f"GOMAXPROCS must be 1 to 256, not {gomaxprocs}")
        self.log = log if log is not None else EventLog(record=False)
        self.session = s = Session(profile, fs=fs, strict=strict, extra_stubs=extra_stubs, log=self.log)
        self.machine, self.kernel, self.mem = s.machine, s.kernel, s.machine.mem
        self.profile = s.prof                          # emu.profile.Profile
        if s.prof.register_abi:
            raise GosyscallError(f"the thread world does not run {profile} yet (its goroutine programs "
                                 "are go1.10's ABI0 code)")
        self.prof = s.prof.model                       # runtime_py/<release>
        self.machine.time_budget_ns = None            # the world keeps its own budget
        self.clock = self.kernel.clock = WorldClock()
        self.costs = costs or Costs()
        self.kernel.timer_slack_ns = self.costs.timer_slack_ns
        self.check, self.timeline = check, timeline
        self.time_budget_ns, self.max_threads = time_budget_ns, max_threads
        self.image = self.machine.image = load_programs(s, s.prof.programs, self.mem)
        self.data = L.WORLD_DATA
        self.garena = Arena(self.mem, L.WORLD_G_ARENA, L.WORLD_G_ARENA_SIZE,
                            L.g_stride(self.prof.layout.SIZEOF_G), "g structs")
        self.marena = Arena(self.mem, L.WORLD_M_ARENA, L.WORLD_M_ARENA_SIZE, BLOCK_SIZE, "M blocks")
        self.sarena = Arena(self.mem, L.WORLD_STACKS, L.WORLD_STACKS_SIZE, self.prof._StackMin,
                            "goroutine stacks")
        self.kernel.table[SYS["clone"]] = self._clone_entry()
        self.threads: dict[int, Thread] = {}
        self.names: dict[int, str] = {}               # tid -> "m3", for the text view
        self.log.thread_names = self.names            # so a recorded log can label its lines
        self.queue: list = []
        self.seq = 0
        self.cur: Thread | None = None
        self.main_glet = getcurrent()
        self.entered: dict = {}          # goroutine -> (trampoline, RSP there) of its runtime call
        self.suspended: dict = {}        # goroutine -> (greenlet, sched.pc) while parked in mcall
        self.addrs: dict[int, int] = {}
        self.m_at: dict[int, Any] = {}   # M block address -> m (what runtime·clone passes)
        self.notes: dict[int, int] = {}  # id(note) -> its futex word
        self.nnotes = 0
        self.dead: list = []             # goroutines that exited since the last reap
        self.chans: dict[int, hchan] = {}
        self.waiters: dict[int, tuple[Any, list[Thread]]] = {}   # id(pipe) -> waiting threads
        self.pipe_hooks: dict[int, Callable] = {}   # id(pipe) -> fn(thread) when a read blocks
        self.pipes: list[str] = []       # what each fd:pipe@T is (run's header)
        self.taps: list[Callable] = []   # fn(name, args) for every tracer event and note
        self.call_taps: dict[str, list[Callable]] = {}   # runtime function -> fn(name, args) taps
        self.stacks: dict = {}           # goroutine -> its stack slot (world-made stacks)
        self.started: set[int] = set()   # goids that have run
        self.done: tuple | None = None
        self.next_tid = 1001
        self._init_cpu()
        self.insn_budget = insn_budget                # guest instructions of every thread (cpu.py)
        self.steps, self.max_steps = 0, max_steps     # world steps (a thread's turn, a timer) so far
        self.kernel.vfs.meter.start(insn_budget)      # path lookups: charged like instructions
        self.os = WorldOS(self)
        inner = EventObserver(self.log, self.clock, lambda: self.machine.tid)
        inner.rt = self.prof
        self.observer = WorldObserver(self, inner)
        self.rt = self.prof.Runtime(self.os, Observer(), gomaxprocs)
        self.rt.goexitpc = self.image.symbols["runtime.goexit"]

    # -- start --------------------------------------------------------------------------------
    def boot(self, mainpc: int, regs: tuple | None = None) -> Any:
        """rt0_go .. runtime.main: m0 runs g1 (at mainpc, or with ``regs``), sysmon starts.
        The bootstrap itself is not observed (as in the single-thread run); sysmon's start is."""
        main = Thread(1000, None, None, L.M0, L.M0 + self.prof.layout.M_TLS + 8)
        self.cur = main
        g1 = self.rt.bootstrap_main(L.STACK_LO, L.STACK_HI, mainpc=mainpc)
        self.rt.observer = self.observer
        main.m = self.rt.m0
        self.addrs.update({id(self.rt.m0): L.M0, id(self.rt.m0.g0): L.G0, id(g1): L.G1})
        self.notes[id(self.rt.m0.park)] = L.M0 + PARK_WORD
        self._add_thread(main)
        if regs is None:
            self.fresh(g1)
        else:
            self.gregs[g1] = tuple(regs)
        self.started.add(g1.goid)
        self.rt.start_sysmon()
        self.push(main, self.settle(main))
        return g1

    def continue_main(self, regs: tuple) -> None:
        """After the run ended at a stop address: m0's goroutine goes on with ``regs``."""
        main = self.threads[1000]
        self.done, self.cur = None, main
        self.gregs[main.g] = tuple(regs)
        self.push(main, self.settle(main))

    def new_goroutine(self, entry: int, callerpc: int = 0) -> Any:
        """newproc(entry) on the current thread's goroutine, with a fresh 2 KiB stack."""
        live = len(self.stacks) + 1
        if live >= MAX_GOROUTINES:
            raise GosyscallError(f"the world's goroutine limit of {MAX_GOROUTINES} is reached "
                                 "(see emu/world/costs.py MAX_GOROUTINES)")
        lo = self.sarena.alloc()
        gp = self.rt.newproc(entry, lo, lo + self.sarena.stride, callerpc)
        self.stacks[gp] = lo
        return gp

    # -- the loop ----------------------------------------------------------------------------
    def run(self, until: Callable[[], bool] | None = None, until_t: int | None = None) -> tuple:
        """Run until the process ends, nothing is left to happen, ``until()`` is true, or the
        next event lies after virtual time ``until_t``. Returns why: ("exit", status) |
        ("end", pc) | ("idle",) | ("until",) | ("time", until_t)."""
        while self.done is None:
            if until is not None and until():
                return ("until",)
            if until_t is not None and self.horizon() > until_t:
                return ("time", until_t)
            self.step_event()
        return self.done

    def step_event(self, guest: bool = True) -> None:
        """Process the earliest queue entry: one thread's step, or one timer. ``guest=False``
        (step_insn): the step ends where the thread would go on with guest code."""
        self.main_glet = getcurrent()
        e = self.pop()
        if e is None:
            self.finish("idle")
            return
        t, _seq, kind, obj, _ver = e
        self.steps += 1
        if self.max_steps is not None and self.steps > self.max_steps:
            heapq.heappush(self.queue, e)     # not taken: the world is as it was
            raise BudgetExceeded(f"work budget of {self.max_steps} world steps used up at t={self.clock.now_ns} ns "
                                 "(a step is one thread's turn or one timer)")
        if self.time_budget_ns is not None and t > self.time_budget_ns:
            main = self.threads.get(1000)
            raise BudgetExceeded(f"virtual-time budget of {self.time_budget_ns / 1e9:g} s reached "
                                 f"(the next event is at t={t} ns; m0: {main.doing if main else '?'}; "
                                 "raise it with --time-budget)")
        self.clock.now_ns, self.clock.debt = t, 0
        if kind == 1:
            obj()
            return
        self._step(obj, guest)

    def step_insn(self) -> None:
        """One guest instruction of the thread that runs next (after the syscall return or
        runtime call it has pending, if any); when that thread is blocked or in runtime code,
        its step up to where it would go on with guest code (step_event(guest=False))."""
        self.main_glet = getcurrent()
        self._clean()
        if not self.queue:
            self.finish("idle")
            return
        t, _seq, kind, th, _ver = self.queue[0]
        if kind != 0 or th.state != RUNNABLE or th.glet is not None:
            self.step_event(guest=False)
            return
        heapq.heappop(self.queue)
        self.clock.now_ns, self.clock.debt = t, 0
        self.cur, self.machine.tid, th.t = th, th.tid, t
        if self._guest(th, count=1) == "runtime":
            self.requeue(th)                  # its runtime call runs at its next step

    def state(self) -> dict:
        """Every G, M (thread), P, the scheduler's queues and sysmon's next wake, as data."""
        return world_state(self)

    def state_text(self) -> str:
        return render_state(world_state(self))

    def _step(self, th: Thread, guest: bool = True) -> None:
        self.cur = th
        self.machine.tid = th.tid
        th.t = self.clock.now_ns
        if th.state == BLOCKED:
            res = th.wait.block.retry(self.mem)
            if res.block is not None:         # woken, but the wait is not over
                w = th.wait
                self.block(th, Wait(res.block, w.guest, w.nr, w.rip, w.rflags, w.since))
                return
            w, th.wait, th.state = th.wait, None, RUNNABLE
            self.after_result(res)
            if w.guest:
                th.pending = ("sysret", res, w.rip, w.rflags)
            else:
                th.resume = res
        while self.done is None:
            if th.glet is not None and not self._runtime(th):
                return
            if not guest:                     # step_insn: its guest code is the next step
                self.requeue(th)
                return
            if self._guest(th) != "runtime":
                return

    def _runtime(self, th: Thread) -> bool:
        """Continue th's runtime code; True when th goes on with guest code."""
        while True:
            glet, val, th.resume = th.glet, th.resume, None
            glet.parent = self.main_glet
            v = glet.switch(val) if glet else glet.switch()
            self._reap()
            if self.check:
                self.rt.checkinvariants()
            if v[0] == "block":
                return False
            if v[0] == "yield":
                self.requeue(th)
                return False
            th.glet = None
            if v[0] == "done":                # the goroutine's runtime call returned
                name, _sp = self.entered.pop(th.g)
                self.skip[th.g] = L.TRAMPOLINES[name]
                return True
            gp = v[1]                         # ("gogo", gp)
            susp = self.suspended.pop(gp, None)
            if susp is not None and gp.sched.pc == susp[1]:
                th.glet = susp[0]             # gp continues after its mcall, on this M
                continue
            if susp is not None:
                kill(susp[0])
            self.fresh(gp)
            self.started.add(gp.goid)
            return True

    # -- the queue ---------------------------------------------------------------------------
    def push(self, th: Thread, t: int) -> None:
        th.ver += 1
        self.seq += 1
        heapq.heappush(self.queue, (t, self.seq, 0, th, th.ver))

    def add_timer(self, t: int, fn: Callable[[], None]) -> None:
        """Run fn at virtual time t (a host-side event, e.g. writing a pipe)."""
        self.seq += 1
        heapq.heappush(self.queue, (t, self.seq, 1, fn, 0))

    def _clean(self) -> None:
        q = self.queue
        while q and q[0][2] == 0 and q[0][4] != q[0][3].ver:
            heapq.heappop(q)

    def pop(self):
        self._clean()
        return heapq.heappop(self.queue) if self.queue else None

    def horizon(self) -> int:
        """Time of the earliest pending entry (another thread or a timer)."""
        self._clean()
        return self.queue[0][0] if self.queue else INF

    def settle(self, th: Thread) -> int:
        """End th's step: the syscall time it owes moves its clock on."""
        th.t = self.clock.now_ns + self.clock.debt
        self.clock.debt = 0
        return th.t

    def requeue(self, th: Thread) -> None:
        th.state = RUNNABLE
        self.push(th, self.settle(th))

    def block(self, th: Thread, wait: Wait) -> None:
        """th waits in the kernel; its Block's deadline (if any) and wake-ups queue it again."""
        t = self.settle(th)
        th.state, th.wait = BLOCKED, wait
        th.ver += 1
        b = wait.block
        if b.until_ns is not None:
            self.push(th, max(b.until_ns, t) + self.costs.switch_ns)
        if b.kind in ("pipe_read", "pipe_write"):
            self.waiters.setdefault(id(b.key), (b.key, []))[1].append(th)

    def wake(self, th: Thread) -> None:
        if th.state == BLOCKED:
            self.push(th, self.clock.now_ns + self.clock.debt + self.costs.switch_ns)

    def after_result(self, res) -> None:
        """What a finished syscall did to others: futex wake-ups, pipes with news."""
        for tid in res.woken:
            self.wake(self.threads[tid])
        for key in res.ready:
            for th in self.waiters.pop(id(key), (None, []))[1]:
                self.wake(th)

    def finish(self, *why) -> None:
        if self.done is None:
            self.done = why

    # -- runtime code's view of the kernel -----------------------------------------------------
    def park(self, why: tuple) -> Any:
        """Leave the current thread's runtime code (a greenlet) for the world loop."""
        self.cur.glet = getcurrent()
        return self.main_glet.switch(why)

    def runtime_syscall(self, nr: int, *args: int):
        """A syscall the runtime makes (futex, pselect6, clone, sched_yield): the kernel model
        runs it for the current thread; a Block parks the thread until it ends."""
        th = self.cur
        res = self.machine.enter_kernel(nr, args + (0,) * (6 - len(args)))
        if res.block is not None:
            self.block(th, Wait(res.block, False, nr, since=self.clock.now_ns))
            th.doing = f"runtime: {res.name}: {res.block.describe()}"
            self.timeline_set(th, "idle" if res.name == "futex" else "sleep", "idle")
            res = self.park(("block",))
        if self.log.active:
            self.log.emit("sysret", self.clock.now_ns, th.tid, nr=res.nr, name=res.name, ret=res.ret,
                          errno=res.errno, text=self.kernel.describe(self.mem, res))
        self.after_result(res)
        return res

    def _clone_entry(self):
        """The kernel's clone, replaced (emu/kernel/table.py says how): a new thread for the M
        whose block address runtime·clone passes in R8, starting in mstart on its g0."""
        import dataclasses

        from emu.kernel.table import TABLE

        def sys_clone(c) -> int:
            mp = self.m_at[c.args[4]]
            tid = self.next_tid
            self.next_tid += 1
            block = c.args[4]
            th = Thread(tid, mp, mp.g0, block, block + self.prof.layout.M_TLS + 8)
            th.glet = self.new_glet(self.rt.mstart)
            th.doing = "new: clone → mstart"
            self._add_thread(th)
            self.push(th, self.clock.now_ns + self.clock.debt + self.costs.clone_ns)
            return tid
        return dataclasses.replace(TABLE[SYS["clone"]], handler=sys_clone, note="the thread world's clone")

    def _add_thread(self, th: Thread) -> None:
        self.threads[th.tid] = th
        self.names[th.tid] = th.name
        self.observer.thread_created(th)
        if self.timeline is not None:
            self.timeline.names[th.tid] = th.name
            self.timeline_set(th, "new", "new")

    def new_glet(self, fn: Callable[[], None]):
        return greenlet(glet_body(fn, True), parent=self.main_glet)

    def on_dead(self, gp) -> None:
        """gp exited (goexit0): its stack goes back to the arena; its greenlet, suspended in
        goexit1's mcall, is unwound by the loop (not from inside another greenlet)."""
        lo = self.stacks.pop(gp, None)
        if lo is not None:
            self.sarena.free(lo)
        self.dead.append(gp)

    def _reap(self) -> None:
        while self.dead:
            gp = self.dead.pop()
            susp = self.suspended.pop(gp, None)
            if susp is not None:
                kill(susp[0])

    # -- guest addresses of runtime objects ----------------------------------------------------
    def new_block(self, mp) -> int:
        """The guest block of a new M: its m struct (with m.tls), g0 scratch, park word."""
        block = self.marena.alloc()
        self.addrs[id(mp)] = block
        self.m_at[block] = mp
        self.notes[id(mp.park)] = block + PARK_WORD
        return block

    def addr_of(self, obj) -> int:
        """Guest address of a runtime object: goroutines get a g struct on first use."""
        if obj is None:
            return 0
        a = self.addrs.get(id(obj))
        if a is None:
            if type(obj).__name__ != "g" or obj.m is not None and obj is obj.m.g0:
                return 0
            a = self.addrs[id(obj)] = self.garena.alloc()
        return a

    def note_word(self, n) -> int:
        """The futex word standing for note n: an M's park word in its block, else one of
        the world's note words (Go keeps notes inside m and schedt; the model has no offsets
        for them, so the world places them)."""
        a = self.notes.get(id(n))
        if a is None:
            if self.nnotes >= (CHANS - NOTES) // 8:
                raise GosyscallError("the world has no more note words")
            a = self.notes[id(n)] = self.data + NOTES + 8 * self.nnotes
            self.nnotes += 1
        return a

    def chan_at(self, addr: int) -> hchan | None:
        return self.chans.get(addr) if addr else None

    def make_chan(self) -> int:
        """A channel nobody sends on; its guest address (what ``main·ch`` holds)."""
        addr = self.data + CHANS + 8 * len(self.chans)
        self.chans[addr] = hchan(lock=self.prof.mutex(name="hchan.lock"))
        return addr

    def timeline_set(self, th: Thread, label: str, cat: str) -> None:
        if self.timeline is not None:
            self.timeline.set(th.tid, self.clock.now_ns, label, cat)

    def close(self) -> None:
        """Unwind every suspended greenlet (runtime code that will never continue)."""
        for th in self.threads.values():
            if th.glet is not None:
                kill(th.glet)
        for glet, _pc in self.suspended.values():
            kill(glet)
        self.suspended.clear()


def kill(glet) -> None:
    if glet:
        try:
            glet.throw(GreenletExit)
        except GreenletExit:
            pass
