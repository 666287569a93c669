"""emu/gdbserver/worldtarget.py — the thread world as a multi-threaded process for gdb.

Each M is a gdb thread, its id the M's Linux tid (m0 is 1000, the next Ms 1001, ...);
``qThreadExtraInfo`` names the M, its role and what it does (``m1, sysmon: runtime:
pselect6 ...``). A thread's registers are those of the goroutine it runs (the world keeps
them per goroutine, emu/world/cpu.py); an M in runtime code — sysmon, an M parked in
``stopm`` — runs no guest code, so its general registers and RIP are ``<unavailable>``.
x87/SSE state and the segment selectors are the one CPU's (goroutine code does not use them).

Resuming, in gdb's all-stop terms: ``continue`` runs the world's event loop (every thread,
in virtual-time order) until a breakpoint, a caught syscall, the end of the call or Ctrl-C;
``stepi`` on thread T runs the world until T has made one step — one guest instruction,
or, for a T in runtime code, its runtime step up to where it goes on with guest code —
while the others run on in virtual time. A T blocked in a guest SYSCALL steps to the
instruction after it, once the kernel model lets the call return.

``catch syscall`` on guest SYSCALLs: a code hook at each SYSCALL stops the thread before
the kernel model runs (the world's "defer" stop: the thread is queued again at the same PC),
and a hook at the instruction after it stops the thread once the call has returned — the
same two stops Linux's ptrace gives. The runtime's own calls (futex, pselect6, clone made by
the runtime model) run no guest instruction and are not caught; their trace lines show them.
"""
from __future__ import annotations

import time

from unicorn import UC_HOOK_CODE

from emu.gdbserver.target import EngineTarget, StopEvent, TargetError, SIGINT, cpu_registers
from emu.gdbserver import tdesc
from emu.cpu.regs import REG_IDS, TRACE_REGS
from emu.repl.debugger import Stop
from emu.world.thread import BLOCKED, EXITED

RIP = TRACE_REGS.index("rip")
WORLD_STEPS = 1_000_000           # world steps one stepi may take waiting for its thread
SYSCALL_LEN = 2                   # 0f 05


class WorldTarget(EngineTarget):
    def __init__(self, dbg, exec_file: str | None = None):
        from emu.repl.worldshell import WorldShell
        self.world = w = dbg.world
        self.thread_names = w.names
        super().__init__(dbg, WorldShell, exec_file)
        self.uc = dbg.machine.uc
        self.catching: frozenset | None | bool = False
        self.armed = False
        self.interrupted = False
        self.hit: tuple | None = None          # (thread, kind, nr, addr) a syscall hook stopped
        self.passing: set[tuple[int, int]] = set()    # (tid, addr) to let past once
        self.returns: dict[int, tuple[int, int, str]] = {}  # tid → (nr, return address, why)
        self._hooks = False

    # -- threads -----------------------------------------------------------------------------
    def threads(self) -> list[int]:
        if self.exited:
            return []
        return sorted(t for t, th in self.world.threads.items() if th.state != EXITED)

    def extra_info(self, tid: int) -> str:
        st = self.world.state()
        for th, m in zip(st["threads"], st["ms"]):
            if th["tid"] == tid:
                return f"m{th['m']}{', sysmon' if m['sysmon'] else ''}: {th['doing']}"
        return ""

    def _thread(self, tid: int):
        th = self.world.threads.get(tid)
        if th is None:
            raise TargetError(f"no thread {tid}", 3)
        return th

    def trace_registers(self, tid: int) -> dict[str, int] | None:
        """The 18 registers of the goroutine the thread runs; None in runtime code."""
        regs = self.world.gregs.get(self._thread(tid).g)
        return None if regs is None else dict(zip(TRACE_REGS, regs))

    def registers(self, tid: int) -> list[int | None]:
        th = self._thread(tid)
        regs = self.world.gregs.get(th.g)
        out = cpu_registers(self.uc, dict(zip(TRACE_REGS, regs or (0,) * len(TRACE_REGS))),
                            th.fs_base, self.orig_rax.get(tid, -1))
        if regs is None:                       # runtime code only: no guest registers
            out[:tdesc.INDEX["eflags"] + 1] = [None] * (tdesc.INDEX["eflags"] + 1)
        return out

    def set_register(self, tid: int, index: int, value: int) -> None:
        th = self._thread(tid)
        name = tdesc.REGS[index].name
        regs = self.world.gregs.get(th.g)
        name = "rflags" if name == "eflags" else name
        if name in TRACE_REGS and regs is not None:
            new = list(regs)
            new[TRACE_REGS.index(name)] = value & 0xFFFFFFFFFFFFFFFF
            self.world.gregs[th.g] = tuple(new)
        elif name == "fs_base":
            th.fs_base = value
        elif name == "orig_rax":
            self.orig_rax[tid] = value
        elif value != self.registers(tid)[index]:
            raise TargetError(f"register {name} of thread {tid} cannot be written here")

    # -- syscall stops ---------------------------------------------------------------------------
    def catch_syscalls(self, nrs) -> None:
        self.catching = nrs
        if nrs is not False:
            self._install()

    def _caught(self, nr: int) -> bool:
        return self.catching is None or (self.catching is not False and nr in self.catching)

    def _install(self) -> None:
        if self._hooks:
            return
        self._hooks = True
        m = self.dbg.machine
        for addr in sorted(self.dbg.syscall_sites):
            self.uc.hook_add(UC_HOOK_CODE, self._on_syscall_insn, None, addr, addr)
            self.uc.hook_add(UC_HOOK_CODE, self._on_return, None, addr + SYSCALL_LEN, addr + SYSCALL_LEN)
            m.forget_code(addr)                 # a cached block would not call the new hooks
            m.forget_code(addr + SYSCALL_LEN)

    def _defer(self, th, kind: str, nr: int, addr: int) -> None:
        """Stop ``th`` before the instruction at ``addr`` (cpu.py's "defer" stop)."""
        w = self.world
        self.hit = (th, kind, nr, addr)
        w.stop = ("defer", addr)
        w._unretire()

    def _on_syscall_insn(self, uc, addr, size, _user) -> None:
        th = self.world.cur
        if not self.armed or th is None:
            return
        nr = uc.reg_read(REG_IDS["rax"])
        if not self._caught(nr):
            return
        if (th.tid, addr) in self.passing:      # stopped here already: into the kernel now
            self.returns[th.tid] = (nr, addr + SYSCALL_LEN, "catch")
            return
        self._defer(th, "catch-call", nr, addr)

    def _on_return(self, uc, addr, size, _user) -> None:
        th = self.world.cur
        ret = self.returns.get(th.tid) if th is not None else None
        if not self.armed or ret is None or ret[1] != addr or (th.tid, addr) in self.passing:
            return
        if ret[2] == "catch" and not self._caught(ret[0]):
            return
        del self.returns[th.tid]
        self._defer(th, "catch-return" if ret[2] == "catch" else "step", ret[0], addr)

    def _moved_on(self) -> None:
        """Forget a pass once its thread is no longer at that address."""
        for tid, addr in list(self.passing):
            th = self.world.threads.get(tid)
            regs = self.world.gregs.get(th.g) if th is not None else None
            if regs is None or regs[RIP] != addr:
                self.passing.discard((tid, addr))

    # -- running ---------------------------------------------------------------------------------
    def interrupt(self) -> None:
        self.interrupted = True
        self.dbg.interrupt()

    @staticmethod
    def may_run_long(step: bool) -> bool:
        return True                  # a step may wait for other threads (a blocked SYSCALL)

    def resume(self, step: bool, tid: int | None, signal: int = 0) -> StopEvent:
        dead = self.after_fault(signal)
        if dead is not None:
            return dead
        self.interrupted = False
        self.returns = {t: r for t, r in self.returns.items() if r[2] == "catch"}   # old steps'
        if self.world.done == ("idle",):
            return self._hang()
        self.armed = True
        self.dbg._arm(True)
        try:
            stop, th = self._step(self._thread(tid)) if step else self._cont()
        finally:
            self.armed = False
            self.dbg._arm(False)
        if stop.kind == "exit" and self.world.done == ("idle",):
            self.console.append(stop.text)
            return self._hang()
        if stop.kind in ("catch-call", "catch-return", "step") and self.hit is not None:
            th, kind, nr, addr = self.hit
            self.hit = None
            self.passing.add((th.tid, addr))
            self.world.cur = th
            return self._stop(Stop(kind), th.tid, nr)
        return self._stop(stop, th.tid if th is not None else self.dbg.thread().tid, None)

    def _hang(self) -> StopEvent:
        """Every thread waits forever: a real process would hang until Ctrl-C; so does this."""
        self.console.append("every thread waits forever (virtual time stands still); Ctrl-C stops it")
        while not self.interrupted and not self.detached:
            time.sleep(0.05)
        return StopEvent("signal", SIGINT, 1000)

    def _world_step(self, fn) -> Stop | None:
        _events, stop = self.dbg._one(fn)
        self._moved_on()
        if stop is None and self.hit is not None:
            stop = Stop(self.hit[1])
        return stop

    def _cont(self):
        while True:
            if self.interrupted:
                return Stop("interrupt"), self.dbg.thread()
            stop = self._world_step(self.world.step_event)
            if stop is not None:
                return stop, self.world.cur

    def _step(self, th):
        """Run the world until ``th`` made one step (see the module docstring)."""
        w = self.world
        if th.state == BLOCKED and th.wait is not None and th.wait.guest:
            self.returns.setdefault(th.tid, (th.wait.nr, th.wait.rip + SYSCALL_LEN, "step"))
            self._install()
        elif th.pending is not None and th.pending[0] == "sysret":
            self.returns.setdefault(th.tid, (th.pending[1].nr, th.pending[2] + SYSCALL_LEN, "step"))
            self._install()
        for _ in range(WORLD_STEPS):
            if self.interrupted:
                return Stop("interrupt"), th
            w._clean()
            mine = bool(w.queue) and w.queue[0][2] == 0 and w.queue[0][3] is th and th.tid not in self.returns
            stop = self._world_step(w.step_insn if mine else w.step_event)
            if stop is not None:
                return stop, (self.hit[0] if self.hit is not None else w.cur)
            if mine:
                return Stop("step"), th
        return Stop("budget", f"{th.name} made no step in {WORLD_STEPS} world steps"), th

    def _exit_status(self, stop) -> int:
        w = self.world
        if w.done and w.done[0] == "exit":
            return w.done[1]
        return w.session.read_result(self.dbg.stub).r1
