"""emu/repl/debugger.py — the debugger engine: run, step, stop, go back. It prints nothing.

Forward execution has two speeds. Stepping (``si``, ``ni``, ``finish``) runs one
instruction per ``Machine.step`` with the tracer attached, saving a snapshot before each
one. ``continue`` runs without any per-instruction hook: breakpoints, the end of the call
and (with a catchpoint) every SYSCALL are Unicorn exits, and the CPU runs in chunks of
``CHUNK`` instructions so that Ctrl-C (``interrupt``) and the budget are checked between
them.

Going back uses the snapshots (``snapshot.py``), at most ``HISTORY`` entries. A continue
saves one snapshot at its start and the state it stopped in; the first ``rsi`` after it
replays that stretch one step at a time from the snapshot — the machine is deterministic,
so the replay passes through the same states — until it reaches the recorded stop, then
steps back from there. I/O is undone with everything else: the kernel model's files,
pipes and console are part of the snapshot. Text the REPL already printed stays printed.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from emu.cpu.hooks import add_block_hook
from emu.cpu.machine import DEFAULT_BUDGET
from emu.cpu.regs import REG_IDS
from emu.errors import GosyscallError
from emu.repl.snapshot import Snapshot, Snapshotter
from emu.trace.tracer import Tracer
from runtime_py.throw import Throw

HISTORY = 2000           # reverse-execution entries kept (a continue counts as one)
CHUNK = 1_000_000        # instructions per emu_start while continuing (Ctrl-C latency ~10 ms)
STEP_LIMIT = 100_000     # instructions one ni/finish may single-step (~15 s); Ctrl-C stops it sooner
# Instructions a continue numbers exactly, as `run` numbers them: one Python call per translated
# block counts them (~1 µs each), so past this the count stops and the stop says so.
COUNT_LIMIT = 200_000


class DebugError(GosyscallError):
    """A command that cannot be done now; the message is one line for the user."""


@dataclass
class Breakpoint:
    num: int
    kind: str                                 # "breakpoint" or "catchpoint"
    addr: int | None = None
    temp: bool = False
    syscalls: frozenset | None = None         # catchpoint: syscall numbers, None = every one
    hits: int = 0
    enabled: bool = True

    def catches(self, nr: int) -> bool:
        return self.kind == "catchpoint" and self.enabled and (self.syscalls is None or nr in self.syscalls)


@dataclass
class Stop:
    """Why execution stopped: ``kind`` for code, ``text`` for the user (may be empty)."""

    kind: str      # step, breakpoint, catch-call, catch-return, end, exit, fault, interrupt, budget, history
    text: str = ""
    error: BaseException | None = None     # a fault's exception (GuestFault, BudgetExceeded, Throw, ...)


@dataclass
class _Continued:
    """History entry for a continue: where it started, what it stopped at."""

    start: Snapshot
    end: Snapshot
    stops: frozenset
    fingerprint: tuple
    stop: "Stop | None" = None     # why it ended (a "returned from syscall" catch is found again)


@dataclass
class _Stepped:
    snap: Snapshot


@dataclass
class Checkpoint:
    num: int
    snap: Snapshot
    where: str


class Breakpoints:
    """The breakpoint table both debuggers keep (``breakpoints``, ``_next_bp``)."""

    def add_breakpoint(self, addr: int, temp: bool = False) -> Breakpoint:
        bp = Breakpoint(self._next_bp, "breakpoint", addr=addr, temp=temp)
        return self._add(bp)

    def add_catchpoint(self, syscalls: frozenset | None) -> Breakpoint:
        return self._add(Breakpoint(self._next_bp, "catchpoint", syscalls=syscalls))

    def _add(self, bp: Breakpoint) -> Breakpoint:
        self.breakpoints[bp.num] = bp
        self._next_bp += 1
        return bp

    def delete(self, nums: list[int]) -> None:
        for n in nums:
            if n not in self.breakpoints:
                raise DebugError(f"No breakpoint number {n}.")
        for n in nums or list(self.breakpoints):
            del self.breakpoints[n]


class Debugger(Breakpoints):
    """One call of one stub, under the user's control."""

    def __init__(self, session, stub: str, trap: int, args: list[int], budget: int = DEFAULT_BUDGET,
                 budget_note: str = ""):
        self.session = session
        self.machine = m = session.machine
        session.log.record = True         # a step's events: what it printed, lessons, previews
        self.stub = session.resolve_stub(stub)
        self.image = session.image
        self.entry = session.prepare(self.stub, trap, args)
        self.done = session.driver_symbol(self.stub, label="done")
        self.budget = budget
        self.budget_note = budget_note    # why the budget is what it is, said when it ends a run
        self.tracer = Tracer(m)
        m.attach_tracer(self.tracer)
        self.snaps = Snapshotter(session)
        self.state = "stopped"            # stopped, ended (the call returned), exited, faulted
        self.history: deque = deque(maxlen=HISTORY)
        self.breakpoints: dict[int, Breakpoint] = {}
        self.checkpoints: dict[int, Checkpoint] = {}
        self._next_bp = self._next_cp = 1
        self.quiet = False                # replaying: listeners should print nothing
        self.interrupted = False
        self.syscall_sites = {a for a, i in self.image.insns.items() if i.intel.strip() == "syscall"}
        self._counted: int | None = None    # instructions this continue ran, while counted
        self._count_hook: int | None = None
        self.m.uc.reg_write(REG_IDS["rip"], self.entry)
        self.start = self._take()

    @property
    def m(self):
        return self.machine

    # -- state ------------------------------------------------------------------------------
    @property
    def pc(self) -> int:
        return self.m.uc.reg_read(REG_IDS["rip"])

    def regs(self) -> dict[str, int]:
        return self.m.regs()

    def _take(self) -> Snapshot:
        return self.snaps.take(state=self.state)

    def _restore(self, snap: Snapshot) -> None:
        self.snaps.restore(snap)
        self.state = snap.extra["state"]

    def fingerprint(self) -> tuple:
        return tuple(self.m.regs().values()) + (self.session.log.count,)

    def require_running(self) -> None:
        if self.state == "ended":
            raise DebugError("The call has returned; `run` or `restart` starts it again, `rsi` goes back.")
        if self.state == "exited":
            raise DebugError("The guest process has exited; `run` or `restart` starts it again.")
        if self.state == "faulted":
            raise DebugError("The guest faulted; `rsi` goes back before the fault, `run` starts again.")

    # -- one instruction ----------------------------------------------------------------------
    def _exec_one(self) -> Stop | None:
        """Run the instruction at PC with the tracer; a Stop if that ended something."""
        pc = self.pc
        nr = self.m.uc.reg_read(REG_IDS["rax"]) if pc in self.syscall_sites else None
        self.session.log.trim()             # kept: this step's events only (since(count))
        if self.m.tracer is not None:
            self.tracer.start()
        try:
            self.m.step(pc, 1)
        except (GosyscallError, Throw) as e:    # a guest fault, an error raised in a hook, or
            self.state = "faulted"              # the runtime model's throw (Go would crash)
            return Stop("fault", str(e), e)
        if self.m.tracer is None:               # untraced (continue): count it as run does
            self.session.log.step += 1
        after = self._after()
        if after is not None:
            return after
        if nr is not None:
            return self._catch(nr, returned=True, count=not self.quiet)
        return None

    def _catch(self, nr: int, returned: bool, suffix: str = "", count: bool = True) -> Stop | None:
        """The Stop of the first catchpoint on syscall ``nr`` (gdb's wording), or None."""
        for bp in self.breakpoints.values():
            if bp.catches(nr):
                bp.hits += 1 if count else 0
                what = "returned from" if returned else "call to"
                return Stop("catch-return" if returned else "catch-call",
                            f"Catchpoint {bp.num} ({what} syscall {self.session.kernel.name_of(nr)}){suffix}")
        return None

    def _after(self) -> Stop | None:
        if self.m.exit_status is not None:
            self.state = "exited"
            return Stop("exit", f"[process exited with code {self.m.exit_status}]")   # as gdb says it
        if self.pc == self.done:
            self.state = "ended"
            return Stop("end", self._result_text())
        return None

    def _result_text(self) -> str:
        self.session.emit_result(self.stub, self.session.read_result(self.stub))
        return f"[{self.stub.name} returned to its caller]"

    def _bp_stop(self, pc: int) -> Stop | None:
        """The breakpoint at ``pc``, if any: count the hit, drop a temporary one."""
        for bp in list(self.breakpoints.values()):
            if bp.kind == "breakpoint" and bp.enabled and bp.addr == pc:
                bp.hits += 1
                if bp.temp:
                    del self.breakpoints[bp.num]
                    return Stop("breakpoint", f"Temporary breakpoint {bp.num}, {self.where(pc)}")
                return Stop("breakpoint", f"Breakpoint {bp.num}, {self.where(pc)}")
        return None

    def where(self, pc: int) -> str:
        insn = self.image.at(pc)
        sym = self.symbolize(pc)
        text = f"{pc:#x} in {sym}" if sym else f"{pc:#x}"
        if insn is not None:
            text += f" ({insn.loc})"
        return text

    def symbolize(self, addr: int) -> str | None:
        for name, a in self.m.trampolines.items():
            if a == addr:
                return name
        return self.image.symbolize(addr)

    # -- stepping -----------------------------------------------------------------------------
    def stepi(self, n: int = 1) -> Stop:
        self.require_running()
        self.interrupted = False
        for _ in range(n):
            if self.interrupted:
                return Stop("interrupt", f"Program stopped (interrupted) at {self.where(self.pc)}")
            self.history.append(_Stepped(self._take()))
            stop = self._exec_one()
            if stop is not None:
                return stop
        return Stop("step")

    def _step_until(self, done) -> Stop:
        """Step (with history) until ``done(prev_pc, pc)``, a breakpoint, Ctrl-C or STEP_LIMIT."""
        self.interrupted = False
        for _ in range(STEP_LIMIT):
            if self.interrupted:
                return Stop("interrupt", f"Program stopped (interrupted) at {self.where(self.pc)}")
            prev = self.pc
            self.history.append(_Stepped(self._take()))
            stop = self._exec_one()
            if stop is not None:
                return stop
            if done(prev, self.pc):
                return Stop("step")
            hit = self._bp_stop(self.pc)
            if hit is not None:
                return hit
        return Stop("budget", f"stopped after single-stepping {STEP_LIMIT} instructions at "
                    f"{self.where(self.pc)}; `continue` runs faster")

    def nexti(self, n: int = 1) -> Stop:
        """Like stepi, but a CALL runs until it returns (to the next instruction)."""
        self.require_running()
        stop = Stop("step")
        for _ in range(n):
            pc = self.pc
            insn = self.image.at(pc)
            if insn is None or not insn.intel.lstrip().startswith("call"):
                stop = self.stepi(1)
            else:
                ret, sp = pc + insn.size, self.regs()["rsp"]
                stop = self._step_until(lambda _p, now: now == ret and self.regs()["rsp"] >= sp)
            if stop.kind != "step":
                return stop
        return stop

    def finishing(self) -> str:
        """The function ``finish`` would run out of; DebugError where there is none."""
        self.require_running()
        fn = self.function_of(self.pc)
        if fn is None or fn.startswith(f"{self.session.driver_ns}.call"):
            raise DebugError('"finish" not meaningful in the outermost frame.')
        return fn

    def finish(self) -> tuple[str, Stop]:
        """Run until the current function returns; (what it was, why it stopped)."""
        fn = self.finishing()

        def returned(prev: int, _now: int) -> bool:
            insn = None if prev in self.m.trampolines.values() else self.image.at(prev)
            text = insn.intel if insn is not None else "ret"     # a trampoline returns as one RET
            return self.function_of(prev) == fn and text.strip().startswith("ret")
        return fn, self._step_until(returned)

    def function_of(self, pc: int) -> str | None:
        sym = self.symbolize(pc)
        return sym.split("+")[0] if sym else None

    # -- continuing ---------------------------------------------------------------------------------
    def stop_addrs(self) -> frozenset:
        addrs = {self.done} | {b.addr for b in self.breakpoints.values()
                               if b.kind == "breakpoint" and b.enabled}
        if any(b.kind == "catchpoint" and b.enabled for b in self.breakpoints.values()):
            addrs |= self.syscall_sites
        return frozenset(addrs)

    def cont(self) -> Stop:
        """Run without the tracer until a breakpoint, a catchpoint, the end or Ctrl-C."""
        self.require_running()
        start, stops = self._take(), self.stop_addrs()
        self.interrupted = False
        self.m.detach_tracer()
        try:
            stop = self._exec_one()         # leave a breakpoint / finish a caught SYSCALL first
            if stop is None:
                stop = self._bp_stop(self.pc) or self._run_fast(stops)
        finally:
            self.m.attach_tracer(self.tracer)
        self.history.append(_Continued(start, self._take(), stops, self.fingerprint(), stop))
        return stop

    def _run_fast(self, stops: frozenset) -> Stop:
        # Unicorn decides when it translates a block whether an address in it is an exit, and
        # caches blocks by address alone: a block translated while stepping would run straight
        # past a breakpoint or the end of the call. Drop them.
        for a in stops:
            self.m.forget_code(a)
        self._counted = 0
        self._count_hook = add_block_hook(self.m.uc, self._count_block, self.m.fail)
        self.m.uc.ctl_flush_tb()       # blocks translated earlier would not call the new hook
        used = 0
        try:
            while True:
                if self.interrupted:
                    return self._uncounted(Stop("interrupt", f"Program stopped (interrupted) at {self.where(self.pc)}"))
                if used >= self.budget:
                    note = f" ({self.budget_note})" if self.budget_note else ""
                    return self._uncounted(Stop("budget", f"instruction budget of {self.budget} used up at "
                                                f"{self.where(self.pc)}{note}"))
                pc, k, before = self.pc, min(CHUNK, self.budget - used), self._counted
                try:
                    self.m.step(pc, k, stops)
                except (GosyscallError, Throw) as e:
                    self.state = "faulted"
                    return self._uncounted(Stop("fault", str(e), e))
                stop = self._after() or self._at_stop(self.pc, stops)
                if stop is None and self._counted is not None and not self.interrupted:
                    # the chunk ran out its count: exactly k instructions (the block hook also
                    # saw the block the count stopped in front of)
                    self.session.log.step += before + k - self._counted
                    self._counted = before + k
                used = self._counted if self._counted is not None else used + CHUNK   # else: a bound
                if self._counted is None:
                    self._drop_count_hook()      # outside the run: never from inside its callback
                if stop is not None:
                    return self._uncounted(stop)
        finally:
            self._drop_count_hook()

    def _count_block(self, addr: int, size: int) -> None:
        """Step numbers go on counting while a continue runs untraced: each translated block
        adds its instructions (a block stops short only at a fault, which ends the call). Past
        COUNT_LIMIT the run stops before the block and the hook is dropped: a long continue
        goes on at full speed."""
        if self._counted is None:
            return
        n = self.m.block_insns(addr, size)
        if self._counted + n > COUNT_LIMIT:
            self._counted = None
            self.m.uc.emu_stop()        # before this block: the loop drops the hook and goes on
            return
        self._counted += n
        self.session.log.step += n

    def _drop_count_hook(self) -> None:
        if self._count_hook is not None:
            self.m.uc.hook_del(self._count_hook)
            self._count_hook = None

    def _uncounted(self, stop: Stop) -> Stop:
        """``stop``, saying so when the continue ran too long to be numbered."""
        if self._counted is None and stop.text:
            stop.text += (f" (this continue ran past {COUNT_LIMIT:,} instructions unnumbered: step "
                          "numbers from here on are lower than run's)")
        return stop

    def _at_stop(self, pc: int, stops: frozenset) -> Stop | None:
        if pc not in stops:
            return None
        hit = self._bp_stop(pc)
        if hit is not None:
            return hit
        if pc in self.syscall_sites:
            return self._catch(self.m.uc.reg_read(REG_IDS["rax"]), returned=False, suffix=f", {self.where(pc)}")
        return None

    def interrupt(self) -> None:
        """Ctrl-C while running: stop at the next instruction boundary."""
        self.interrupted = True
        try:
            self.m.interrupt()
        except Exception:          # not running: the flag is enough
            pass

    # -- going back -------------------------------------------------------------------------------------
    def _expand(self, entry: _Continued) -> None:
        """Replay a continue one step at a time from its start, recording each step. The
        tracer stays off, as it was during the continue, so the event log grows the same."""
        self._restore(entry.start)
        steps = []
        self.quiet = True
        self.m.detach_tracer()
        try:
            for _ in range(self.budget):
                if self.fingerprint() == entry.fingerprint:
                    self.history.extend(steps)
                    return
                steps.append(_Stepped(self._take()))
                self._exec_one()
                if self.state != "stopped" and self.fingerprint() != entry.fingerprint:
                    break
        finally:
            self.quiet = False
            self.m.attach_tracer(self.tracer)
        self._restore(entry.end)
        raise DebugError("cannot replay that continue step by step (it did not reach the same state)")

    def _pop(self) -> bool:
        """Go back one instruction; False when there is no history."""
        while self.history:
            entry = self.history.pop()
            if isinstance(entry, _Stepped):
                self._restore(entry.snap)
                return True
            self._expand(entry)
        return False

    def reverse_stepi(self, n: int = 1) -> Stop:
        for i in range(n):
            if not self._pop():
                return Stop("history", "No more reverse-execution history.")
        return Stop("step")

    def reverse_continue(self) -> Stop:
        while self.history:
            entry = self.history[-1]
            if isinstance(entry, _Continued) and self.stop_addrs() <= entry.stops:
                self.history.pop()          # no breakpoint lies inside it: jump to its start
                self._restore(entry.start)
            elif not self._pop():
                break
            pc = self.pc
            hit = (self._bp_stop(pc) or (self._at_stop(pc, self.stop_addrs()) if pc in self.syscall_sites else None)
                   or self._returned_here())
            if hit is not None:
                return hit
        return Stop("history", "No more reverse-execution history.")

    def _returned_here(self) -> Stop | None:
        """The "returned from syscall" catch of this state, if the instruction that led here was
        a caught SYSCALL (the one history entry before it says which)."""
        top = self.history[-1] if self.history else None
        if isinstance(top, _Continued):
            s = top.stop
            return s if s is not None and s.kind == "catch-return" and top.fingerprint == self.fingerprint() else None
        if isinstance(top, _Stepped) and top.snap.pc in self.syscall_sites:
            return self._catch(top.snap.ctx.reg_read(REG_IDS["rax"]), returned=True)
        return None

    # -- from the start, checkpoints ------------------------------------------------------------------
    def restart(self) -> None:
        self._restore(self.start)
        self.history.clear()

    def checkpoint(self) -> Checkpoint:
        cp = Checkpoint(self._next_cp, self._take(), self.where(self.pc))
        self.checkpoints[cp.num] = cp
        self._next_cp += 1
        return cp

    def restart_checkpoint(self, num: int) -> Checkpoint:
        cp = self.checkpoints.get(num)
        if cp is None:
            raise DebugError(f"No checkpoint number {num}.")
        self._restore(cp.snap)
        self.history.clear()
        return cp

    # -- what the next instruction would do ---------------------------------------------------------
    def preview(self) -> tuple[dict, dict, list]:
        """Run the next instruction and undo it: (registers before, after, events it caused)."""
        self.require_running()
        before, snap = self.regs(), self._take()
        self.quiet = True
        try:
            n = self.session.log.count
            self._exec_one()
            after, events = self.regs(), list(self.session.log.since(n))
        finally:
            self._restore(snap)
            self.quiet = False
        return before, after, events


