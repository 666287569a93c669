"""Random schedules on the simulated world keep every scheduler invariant.

Each example boots the model with 1-4 Ps and a sysmon thread, then applies a random sequence
of steps: goroutines enter and leave syscalls (plain and blocking), create goroutines, park,
ready each other, yield and exit; virtual time jumps so sysmon retakes Ps at random moments;
woken threads run. checkinvariants() runs after every step. The main goroutine never parks
or exits, so a deadlock throw from checkdead would be a model bug too.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rt_simworld import World

OPS = ["syscall", "syscallblock", "exitsyscall", "go", "park", "ready", "gosched", "exit",
       "tick", "run", "settle"]
TICKS_NS = [1_000, 20_000, 100_000, 1_000_000, 5_000_000, 11_000_000, 30_000_000]


def _pick(items: list, k: int):
    items = sorted(items, key=lambda x: getattr(x, "id", getattr(x, "goid", 0)))
    return items[k % len(items)] if items else None


def step(w: World, op: str, k: int) -> None:
    """Apply one driver step; a step with no eligible thread does nothing."""
    users = w.in_state("user")
    if op in ("syscall", "syscallblock", "go", "park", "ready", "gosched", "exit"):
        mp = _pick(users, k)
        if mp is None:
            return
        gp = w.threads[mp].state[1]
        if op == "syscall":
            w.command(mp, w.cmd_syscall)
        elif op == "syscallblock":
            w.command(mp, lambda gp: w.cmd_syscall(gp, block=True))
        elif op == "go":
            w.command(mp, w.cmd_go)
        elif op == "park" and gp is not w.g1:
            w.command(mp, w.cmd_park)
        elif op == "ready" and w.parked:
            w.command(mp, w.cmd_ready(_pick(w.parked, k)))
        elif op == "gosched":
            w.command(mp, lambda gp: w.rt.Gosched())
        elif op == "exit" and gp is not w.g1:
            w.command(mp, lambda gp: w.rt.goexit1())
    elif op == "exitsyscall":
        mp = _pick(w.in_state("syscall"), k)
        if mp is not None:
            w.run(mp)
    elif op == "tick":
        w.now += TICKS_NS[k % len(TICKS_NS)]
    elif op == "run":
        mp = _pick(w.runnable(), k)
        if mp is not None:
            w.run(mp)
    elif op == "settle":
        w.settle()


# How many schedules: the loaded Hypothesis profile's count (tests/conftest.py): 100 in a
# normal run, thousands with HYPOTHESIS_PROFILE=long.
@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(gomaxprocs=st.integers(1, 4),
       ops=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 10_000)),
                    min_size=10, max_size=60))
def test_random_schedules_keep_invariants(gomaxprocs: int, ops: list) -> None:
    w = World(gomaxprocs)
    try:
        w.rt.checkinvariants()
        for op, k in ops:
            step(w, op, k)
            w.rt.checkinvariants()
        # Let everything that can run, run; the world must still be consistent.
        w.now += 50_000_000
        w.settle()
        w.rt.checkinvariants()
    finally:
        w.teardown()
