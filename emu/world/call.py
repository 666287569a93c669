"""emu/world/call.py — one call in the thread world (``run``/``repl`` with ``fd:pipe@T``,
``--runnable N``, ``--gomaxprocs P``).

The call is the same as in the single-thread run: the session's driver ``main.call<Stub>``
calls the stub from g1 on m0, with the same frame and registers. Around it, the world runs
what a real process has: sysmon on its own thread, ``--runnable`` goroutines made runnable
before the call (main's ``go compute()`` statements: newproc on g1, done host-side), timers
that write the timed pipes, and as many Ms as the runtime asks for. The trace is the same
text view, each line starting with the M that made it; the run ends when g1 reaches the
driver's ``done`` label, or when the guest instructions of every thread together reach
``--budget`` (default 1,000,000, as ``run``).
"""
from __future__ import annotations

from emu.bridge.argspec import parse_arg
from emu.bridge.call import default_stub, header, user_stubs, words_of
from emu.bridge.session import CallResult, check_count
from emu.cpu.machine import DEFAULT_BUDGET, DEFAULT_TIME_BUDGET_NS
from emu.cpu.regs import TRACE_REGS
from emu.errors import GosyscallError
from emu.kernel.sysnum import lookup
from emu.trace.events import EventLog
from emu.world.programs import put_global
from emu.world.setup import timespec
from emu.world.world import World

RIP = TRACE_REGS.index("rip")


def open_world(ns) -> tuple[World, object, int, list]:
    """The world of ``run``'s options and its call: (world, stub, trap, parsed args).
    ``run`` and ``repl`` share it."""
    if not 0 <= ns.runnable <= 1000:
        raise ValueError(f"--runnable {ns.runnable}: 0 to 1000 goroutines")
    if ns.compute < 1:
        raise ValueError("--compute: at least one turn")
    extra = user_stubs(ns)
    budget = getattr(ns, "time_budget", None) or DEFAULT_TIME_BUDGET_NS
    w = World(ns.profile, 1 if ns.gomaxprocs is None else ns.gomaxprocs, fs=ns.fs, strict=ns.strict, extra_stubs=extra,
              log=EventLog(record=False), time_budget_ns=budget, insn_budget=ns.budget or DEFAULT_BUDGET)
    try:
        words = words_of(ns)
        trap = lookup(words[0])
        args = [parse_arg(a, w) for a in words[1:]]
        stub = w.session.resolve_stub(default_stub(ns, extra, len(args)))
        check_count(stub, args)
    except BaseException:
        w.close()
        raise
    return w, stub, trap, args


def world_header(w: World, stub, trap: int, args, runnable: int) -> list[str]:
    """``run``'s header in world mode: the call, its pipes, the world, the column titles."""
    lines = header(w.session, stub.name, trap, args)
    lines[-1:-1] = w.pipes + [f"thread world: GOMAXPROCS={w.rt.gomaxprocs}, sysmon on its own M, "
                              f"{runnable} runnable goroutine(s); each line starts with its M"]
    lines[-1] = f"{'M':<5}{lines[-1]}"
    return lines


def _prepared(w: World, stub, trap: int, args: list[int]) -> tuple[int, tuple]:
    """The driver's entry and g1's registers for one call (Session.prepare's frame)."""
    s = w.session
    begin = s.prepare(stub, trap, args)
    regs = list(w.regs.read())
    regs[RIP] = begin
    w.add_stop_pc(s.image.symbols[f"main.call{stub.name.split('.')[-1]}.done"])
    return begin, tuple(regs)


def start_call(w: World, stub, trap: int, args: list[int], runnable: int = 0, turns: int = 1,
               warm: bool = False) -> None:
    """Everything before the call runs: the world booted (after a 1 µs nanosleep of g1 if
    ``warm``), g1 about to call ``stub``, ``runnable`` goroutines made runnable."""
    s = w.session
    if warm:
        sleep = s.resolve_stub("Syscall")
        begin, regs = _prepared(w, sleep, 35, [timespec(w, 1000), 0, 0])
        w.boot(begin, regs)
        if w.run()[0] != "end":
            raise GosyscallError("the warm-up sleep did not return")
        begin, regs = _prepared(w, stub, trap, args)
        w.continue_main(regs)
    else:
        begin, regs = _prepared(w, stub, trap, args)
        w.boot(begin, regs)
    put_global(w, "main.iters", turns)
    for _ in range(runnable):
        w.new_goroutine(w.image.symbols["main.compute"])


def call_result(w: World, stub, why: tuple):
    """The CallResult once the world's run stopped for ``why`` (a "result" event if it returned)."""
    if why[0] == "exit":
        return CallResult(0, 0, 0, why[1])
    if why[0] != "end":
        raise GosyscallError(f"the call never returned: {why[0]} (every thread waits forever)")
    res = w.session.read_result(stub)
    w.session.emit_result(stub, res, tid=1000)
    return res


def call(w: World, stub, trap: int, args: list[int], runnable: int = 0, turns: int = 1,
         warm: bool = False):
    """One call of ``stub`` from g1, in the world (after a 1 µs nanosleep if ``warm``);
    its CallResult."""
    start_call(w, stub, trap, args, runnable, turns, warm)
    return call_result(w, stub, w.run())
