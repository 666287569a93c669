"""emu/repl/worlddbg.py — the debugger engine for a thread-world call (``fd:pipe@T``,
``--runnable``, ``--gomaxprocs``, ``--warm``). It prints nothing.

The Shell calls the same methods as on ``Debugger``; here they drive the ``World``:
``stepi`` is ``World.step_insn`` (one instruction of the thread that runs next, or that
thread's whole step when it is not about to run guest code), ``next_event`` repeats
``World.step_event`` until steps that made a visible event (a syscall entered or returned,
a runtime call, a G/P status change, a thread made, a timer), ``cont`` repeats it until a
breakpoint, a catchpoint, the end of the call or Ctrl-C.

The *current thread* is the one that ran last (``World.cur``); registers, ``pc`` and the
context view are its goroutine's. A thread in runtime code or sysmon has no guest
registers: then the current thread is m0 (g1's).

Breakpoints are code hooks on their addresses: a hit stops the thread before the
instruction (the "defer" stop of cpu.py: the thread is queued again at the same PC) and the
run stops after that step; the next ``continue`` lets that thread past it once. There is
no going back: a world's threads are greenlets suspended inside runtime code, which
cannot be copied, so there are no snapshots (``NO_REVERSE``).
"""
from __future__ import annotations

from unicorn import UC_HOOK_CODE

from emu.cpu.regs import TRACE_REGS
from emu.errors import GosyscallError
from emu.repl.debugger import Breakpoint, Breakpoints, DebugError, Debugger, Stop
from emu.trace.tracer import Tracer
from emu.world import call as wcall
from emu.world.world import INF
from runtime_py.throw import Throw

NO_REVERSE = ("not available in world mode: the world's threads are greenlets suspended inside "
              "runtime code, which cannot be snapshotted cheaply (no reverse steps, checkpoints "
              "or restart); quit and start the repl again")
QUIET = ("insn", "result", "output")      # event kinds that do not count as a scheduler/kernel event
EVENT_STEPS = 100_000                     # world steps one `ne` may take looking for an event


class WorldDebugger(Breakpoints):
    """One call from g1 in the thread world, under the user's control."""

    def __init__(self, world, stub, trap: int, args: list[int], runnable: int, turns: int, warm: bool,
                 budget: int | None = None):
        self.world = w = world
        self.budget = budget              # guest instructions one si / ne / c may run (None: the world's)
        self.session, self.machine, self.image = w.session, w.machine, w.image
        self.stub = stub
        w.log.record = True               # stops read the events each step made
        # The tracer stays attached from the start (as in `run`): Unicorn caches translated
        # blocks with the hooks they had, so a block translated without the tracer would
        # later run untraced and past an instruction count of 1.
        self.tracer = Tracer(self.machine)
        self.machine.attach_tracer(self.tracer)
        wcall.start_call(w, stub, trap, args, runnable, turns, warm)
        self.done = self.image.symbols[f"main.call{stub.name.split('.')[-1]}.done"]
        self.state = "stopped"            # stopped, ended, exited, faulted
        self.breakpoints: dict[int, Breakpoint] = {}
        self.checkpoints: dict = {}
        self._next_bp = 1
        self._hooks: dict[int, int] = {}  # address -> its Unicorn code hook
        self.hit = None                   # (thread, addr) of the breakpoint a step stopped at
        self.passing = None               # (tid, addr): let that thread past that breakpoint once
        self.quiet = self.armed = False
        self.interrupted = False
        self.syscall_sites = {a for a, i in self.image.insns.items() if i.intel.strip() == "syscall"}

    @property
    def m(self):
        return self.machine

    # -- the current thread -------------------------------------------------------------------
    def thread(self):
        """The thread whose registers are shown: the one that ran last, if it runs guest code."""
        w = self.world
        th = w.cur
        if th is None or th.g not in w.gregs:
            th = w.threads[1000]
        return th

    def regs(self) -> dict[str, int]:
        return dict(zip(TRACE_REGS, self.world.gregs[self.thread().g]))

    @property
    def pc(self) -> int:
        return self.regs()["rip"]

    def label(self, th=None) -> str:
        """``m0 (thread 1000) g1`` / ``m1 (thread 1001, sysmon)``."""
        th = th or self.thread()
        st = self.world.state()
        role = next((", sysmon" for m in st["ms"] if m["tid"] == th.tid and m["sysmon"]), "")
        g = "" if th.g is None or th.g is th.m.g0 else f" g{th.g.goid}"
        return f"{th.name} (thread {th.tid}{role}){g}"

    # where / symbolize / function_of read only ``image``: the single-thread debugger's
    where, symbolize, function_of = Debugger.where, Debugger.symbolize, Debugger.function_of

    def require_running(self) -> None:
        if self.state == "ended":
            raise DebugError("The call has returned; quit and start the repl again to run it again.")
        if self.state == "exited":
            raise DebugError("The guest process has exited (or nothing is left to happen).")
        if self.state == "faulted":
            raise DebugError("The guest faulted or the runtime model threw; the world cannot go on.")

    # -- running ---------------------------------------------------------------------------------
    def _one(self, fn) -> tuple[list, Stop | None]:
        """One world step (``fn``): the events it made, and a Stop if it ended something."""
        w, log = self.world, self.world.log
        log.trim()                               # kept: this step's events only
        n = log.count
        try:
            fn()
        except (GosyscallError, Throw) as e:    # a guest fault, a budget, the model's throw
            if getattr(e, "resumable", False):  # the instruction budget: the thread waits where
                return log.since(n), Stop("budget", str(e), e)    # it stopped, and c goes on
            self.state = "faulted"
            return log.since(n), Stop("fault", str(e), e)
        events = log.since(n)
        if w.done is not None:               # a catchpoint the last step passed is said first
            caught, end = self._caught(events), self._finished(w.done)
            return events, end if caught is None else Stop(end.kind, f"{caught.text}\n{end.text}")
        if self.hit is not None:
            th, addr = self.hit
            self.hit, self.passing = None, (th.tid, addr)
            bp = next(b for b in self.breakpoints.values() if b.addr == addr and b.kind == "breakpoint")
            bp.hits += 1
            w.cur = th
            return events, Stop("breakpoint", f"Breakpoint {bp.num}, {self.where(addr)} on {self.label(th)}")
        return events, self._caught(events)

    def _finished(self, why: tuple) -> Stop:
        if why[0] == "end":
            self.state = "ended"
            wcall.call_result(self.world, self.stub, why)
            return Stop("end", f"[{self.stub.name} returned to its caller on {self.label(self.world.threads[1000])}]")
        self.state = "exited"
        if why[0] == "exit":
            return Stop("exit", f"[process exited with code {why[1]}]")   # as gdb says it
        return Stop("exit", "[nothing is left to happen: every thread waits forever]")

    def _caught(self, events) -> Stop | None:
        for ev in events:
            if ev.kind not in ("syscall", "sysret"):
                continue
            for bp in self.breakpoints.values():
                if bp.catches(ev.data["nr"]):
                    bp.hits += 1
                    how = "call to" if ev.kind == "syscall" else "returned from"
                    th = self.world.threads.get(ev.tid)
                    on = f" on {self.label(th)}" if th is not None else ""
                    return Stop("catch-call" if ev.kind == "syscall" else "catch-return",
                                f"Catchpoint {bp.num} ({how} syscall {ev.data['name']}){on}")
        return None

    def stepi(self, n: int = 1) -> Stop:
        self.require_running()
        self._new_budget()
        self.interrupted = False
        w = self.world
        for _ in range(n):
            if self.interrupted:
                return Stop("interrupt", f"Program stopped (interrupted) on {self.label()}")
            timer = w.horizon() < INF and w.queue[0][2] == 1
            events, stop = self._one(w.step_insn)
            if stop is not None:
                return stop
        if timer:
            ran = f"host timer at t = {w.clock.now_ns} ns"
        elif w.cur is self.thread():
            what = "one instruction" if [e.kind for e in events][-1:] == ["insn"] else "a step"
            return Stop("step", f"{self.label()}: {what}; now at {self.where(self.pc)}, t = {w.cur.t} ns")
        else:
            ran = f"{self.label(w.cur)}: a step in runtime code, t = {w.cur.t} ns"
        return Stop("step", f"{ran}; {self.label()} is at {self.where(self.pc)}")

    def next_event(self, n: int = 1) -> Stop:
        """Run world steps until ``n`` of them made a visible event (or something stops it)."""
        self.require_running()
        self._new_budget()
        self.interrupted = False
        self._arm(True)
        try:
            for _ in range(n):
                for _ in range(EVENT_STEPS):
                    if self.interrupted:
                        return Stop("interrupt", f"Program stopped (interrupted) on {self.label()}")
                    events, stop = self._one(self.world.step_event)
                    if stop is not None:
                        return stop
                    if any(ev.kind not in QUIET for ev in events):
                        break
        finally:
            self._arm(False)
        return Stop("step", f"[t = {self.world.clock.now_ns} ns; {self.label(self.world.cur)} made the last step]")

    def cont(self) -> Stop:
        self.require_running()
        self._new_budget()
        self.interrupted = False
        self._arm(True)
        try:
            while True:
                if self.interrupted:
                    return Stop("interrupt", f"Program stopped (interrupted) on {self.label()}")
                _events, stop = self._one(self.world.step_event)
                if stop is not None:
                    return stop
        finally:
            self._arm(False)

    def interrupt(self) -> None:
        self.interrupted = True

    def _new_budget(self) -> None:
        """Each command may run ``budget`` more guest instructions (as each continue does
        in the single-thread debugger)."""
        if self.budget is not None:
            self.world.insn_budget, self.world.insn_base = self.budget, self.world.insns
            self.world.kernel.vfs.meter.start(self.budget)

    def nexti(self, n: int = 1) -> Stop:
        raise DebugError("ni is not available in world mode; si steps one instruction, ne one event.")

    def finishing(self):
        raise DebugError("finish is not available in world mode; b *ADDR and c, or ne, instead.")

    finish = finishing

    # -- no going back ---------------------------------------------------------------------------
    def _no_reverse(self, *_args):
        raise DebugError("Reverse execution, checkpoints and restart are " + NO_REVERSE + ".")
    reverse_stepi = reverse_continue = restart = restart_checkpoint = checkpoint = preview = _no_reverse

    # -- breakpoints -----------------------------------------------------------------------------
    def add_breakpoint(self, addr: int, temp: bool = False) -> Breakpoint:
        if temp:
            raise DebugError("tbreak is not available in world mode; b and delete instead.")
        bp = super().add_breakpoint(addr)
        if addr not in self._hooks:
            uc = self.machine.uc
            self._hooks[addr] = uc.hook_add(UC_HOOK_CODE, self._on_bp, None, addr, addr)
            self.machine.forget_code(addr)           # a cached block would not call the new hook
        return bp

    def delete(self, nums: list[int]) -> None:
        super().delete(nums)
        live = {b.addr for b in self.breakpoints.values() if b.kind == "breakpoint"}
        for addr in [a for a in self._hooks if a not in live]:
            self.machine.uc.hook_del(self._hooks.pop(addr))

    def _arm(self, on: bool) -> None:
        """Breakpoints stop ``continue`` and ``ne``, not ``si``; a thread stopped at one
        that has since stepped past it needs no pass."""
        self.armed = on
        if on and self.passing is not None:
            th = self.world.threads[self.passing[0]]
            if th.g not in self.world.gregs or self.world.gregs[th.g][TRACE_REGS.index("rip")] != self.passing[1]:
                self.passing = None

    def _on_bp(self, uc, addr, size, _user) -> None:
        """Inside emu_start: stop the running thread before ``addr`` (cpu.py's "defer" stop)."""
        w = self.world
        if not self.armed or not any(b.addr == addr and b.enabled for b in self.breakpoints.values()):
            return
        if self.passing == (w.cur.tid, addr):
            self.passing = None
            return
        self.hit = (w.cur, addr)
        w.stop = ("defer", addr)
        w._unretire()
