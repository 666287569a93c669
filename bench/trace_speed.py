"""bench/trace_speed.py — what a full trace costs: traced instructions per second, and the
ratio of traced to untraced time for the same work, measured in one run.

    .venv/bin/python bench/trace_speed.py [CALLS]

The work is CALLS calls of syscall.Syscall(SYS_GETPID), looped inside the guest
(``Session.call(..., repeat=CALLS)``), so Python's per-call overhead stays out of it. It
runs three ways on fresh sessions: untraced with no events kept (the fast path: only the
SYSCALL and trampoline hooks), untraced keeping the runtime's events, and with a Tracer
attached (every instruction's registers read in one batch and diffed, its fixed fields
cached by address). The best of a few rounds is kept for each. A benchmark, not a test.
"""
from __future__ import annotations

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from emu.bridge.session import Session  # noqa: E402
from emu.kernel.sysnum import lookup  # noqa: E402
from emu.trace.events import EventLog  # noqa: E402
from emu.trace.tracer import Tracer  # noqa: E402

ROUNDS = 5
TRAP = lookup("getpid")


def once(calls: int, traced: bool, record: bool) -> tuple[float, int]:
    """Seconds for ``calls`` looped calls on a fresh session, and the instructions they ran."""
    session = Session(log=EventLog(record=record))
    tracer = Tracer(session.machine) if traced else None
    if tracer:
        session.machine.attach_tracer(tracer)
    session.call("Syscall", TRAP, [], repeat=2)               # warm up: caches, first hooks
    first = session.log.step
    start = time.perf_counter()
    session.call("Syscall", TRAP, [], repeat=calls, budget=100 * calls)
    elapsed = time.perf_counter() - start
    return elapsed, session.log.step - first                  # steps count only when traced


def best(calls: int, traced: bool, record: bool) -> tuple[float, int]:
    return min(once(calls, traced, record) for _ in range(ROUNDS))


def main(argv: list[str]) -> int:
    calls = int(argv[0]) if argv else 2000
    traced, n = best(calls, True, True)
    fast, _ = best(calls, False, False)
    kept, _ = best(calls, False, True)
    print(f"{calls} calls of syscall.Syscall(SYS_GETPID) looped in the guest: {n} instructions; "
          f"best of {ROUNDS} rounds")
    print(f"untraced, no events kept: {n / fast:12,.0f} instructions/s")
    print(f"untraced, events kept:    {n / kept:12,.0f} instructions/s")
    print(f"traced (every register):  {n / traced:12,.0f} instructions/s  "
          f"({traced / n * 1e6:.1f} µs per instruction)")
    print(f"cost of a full trace: traced/untraced = {traced / fast:.1f}× (fast path), "
          f"{traced / kept:.1f}× (events kept)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
