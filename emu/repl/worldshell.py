"""emu/repl/worldshell.py — the Shell over a thread-world call (emu/repl/worlddbg.py).

Everything the Shell does on one thread works on the current thread here (``si``, ``b``,
``c``, ``x``, ``p $reg``, ``info registers``, ``context``); what the world adds: ``ne``
(one scheduler/kernel event), ``info threads`` (every M), and ``sched``/``g``/``m``/``p``
read from the world's state listing (emu/world/state.py) instead of the single-thread
runtime. Trace lines start with their M, as in ``gosyscall run``'s world mode.
"""
from __future__ import annotations

from emu.repl.shell import Shell
from emu.repl.worlddbg import WorldDebugger
from emu.trace.render import TextRenderer

SECTIONS = ("Ps:", "Ms:", "Gs:")


class WorldShell(Shell):
    def __init__(self, dbg: WorldDebugger, stdin, stdout, color: bool = False, interactive: bool = False):
        super().__init__(dbg, stdin, stdout, color=color, interactive=interactive)
        self.paint = TextRenderer(color=color, threads=dbg.world.names)

    def show_context(self) -> None:
        self.message(f"── current thread: {self.dbg.label()}, its clock t = {self.dbg.thread().t} ns")
        super().show_context()

    def help_footer(self) -> str:
        return ("World mode: si steps the thread that runs next, ne runs to the next scheduler/kernel "
                "event; there is no reverse execution.")

    # -- running -----------------------------------------------------------------------------
    def do_next_event(self, arg):
        """ne [N] — N turns of the thread due next: each runs until it enters the kernel, blocks or ends, and shows every scheduler/kernel event it made (si steps one instruction)."""
        stop = self._executing(self.dbg.next_event, self._count(arg))
        self.message(stop.text)
        if stop.kind not in ("step", "interrupt"):
            self.report(None)
        self.show_displays()
    do_ne = do_next_event

    # -- the world's state -------------------------------------------------------------------
    def _state(self, section: str | None = None) -> list[str]:
        lines = self.dbg.world.state_text().splitlines()
        if section is None:
            return lines
        start = lines.index(section)
        end = next((i for i in range(start + 1, len(lines)) if lines[i] in SECTIONS), len(lines))
        return lines[:1] + lines[start:end]

    def do_sched(self, arg):
        """sched — the whole world: time, runtime.sched, sysmon's next wake, every P, M and G."""
        self.say(self._state())

    def do_goroutine(self, arg):
        """g(oroutine) — every G of the world with its status and M."""
        self.say(self._state("Gs:"))
    do_g = do_goroutines = do_goroutine

    def do_m(self, arg):
        """m — every M (OS thread) of the world: state, curg, P, what it does."""
        self.say(self._state("Ms:"))

    def do_processors(self, arg):
        """processors — every P with its status, M and run queue (also `p` with no expression)."""
        self.say(self._state("Ps:"))

    def do_info(self, arg):
        """i(nfo) threads | registers [REG ...] | breakpoints | display | frame"""
        words = arg.split()
        if words and "threads".startswith(words[0]) and len(words[0]) >= 2:
            return self._info_threads()
        return super().do_info(arg)
    do_i = do_info

    def _info_threads(self) -> None:
        st = self.dbg.world.state()
        cur = self.dbg.thread().tid
        self.message(f"  {'M':<5}{'Thread':<8}{'State':<10}{'Clock':>12}  What (* = current; the queue's next run)")
        for th, m in zip(st["threads"], st["ms"]):
            role = " (sysmon)" if m["sysmon"] else ""
            nxt = "" if th["next_run"] is None else f"; next run at {th['next_run']} ns"
            waits = th["waits_for"]
            why = f"; waits for {waits}" if waits and waits not in th["doing"] else ""   # said once
            self.message(f"{'*' if th['tid'] == cur else ' '} m{th['m']:<4}{th['tid']:<8}{th['state']:<10}"
                         f"{th['clock']:>9} ns  {th['doing']}{role}{why}{nxt}")


def start(ns, stdin, stdout, color: bool, interactive: bool, budget: int | None = None):
    """The world, its debugger and shell for ``repl``'s options: (shell, header lines, world).
    ``budget``: the guest instructions each si / ne / c may run."""
    from emu.world import call as wcall
    w, stub, trap, args = wcall.open_world(ns)
    try:
        dbg = WorldDebugger(w, stub, trap, [a.value for a in args], ns.runnable, ns.compute, ns.warm,
                            budget=budget)
        shell = WorldShell(dbg, stdin, stdout, color=color, interactive=interactive)
    except BaseException:
        w.close()
        raise
    lines = wcall.world_header(w, stub, trap, args, ns.runnable)[:-1]
    if ns.warm:
        lines.append(f"--warm: g1 already slept 1 µs through syscall.Syscall (not shown); t = {w.clock.now_ns} ns")
    return shell, lines, w
