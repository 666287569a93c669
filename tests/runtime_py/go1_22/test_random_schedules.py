"""go1.22: random schedules on the simulated world keep every scheduler invariant.

The same driver as the go1.10 property test (tests/runtime_py/test_rt_random_schedules.py):
goroutines enter and leave syscalls (plain and blocking), create goroutines, park, ready each
other, yield and exit; virtual time jumps so sysmon retakes Ps (and the sysretake rule fires)
at random moments; woken threads run; a goroutine that retake asked to stop (gp.preempt)
reaches a stack check and yields (newstack -> gopreempt_m). checkinvariants() — go1.22's
rules: an M in a syscall holds no P, m.oldp only during a syscall, idlepMask == sched.pidle,
dead Gs on exactly one free list — runs after every step.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runtime_py.go1_22 as P
from rt_simworld import World
from test_rt_random_schedules import OPS, step

OPS22 = OPS + ["morestack"]


def step22(w: World, op: str, k: int) -> None:
    """step(), plus "morestack": the first running goroutine with gp.preempt set (retake's
    10 ms preemption) hits its stack check; newstack calls gopreempt_m through mcall."""
    if op != "morestack":
        step(w, op, k)
        return
    for mp in sorted(w.in_state("user"), key=lambda mp: mp.id):
        gp = w.threads[mp].state[1]
        if gp.preempt:
            w.command(mp, lambda gp: w.mcall(w.rt.gopreempt_m, gp))
            return


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(gomaxprocs=st.integers(1, 4),
       ops=st.lists(st.tuples(st.sampled_from(OPS22), st.integers(0, 10_000)),
                    min_size=10, max_size=60))
def test_random_schedules_keep_invariants(gomaxprocs: int, ops: list) -> None:
    w = World(gomaxprocs, prof=P)
    try:
        w.rt.checkinvariants()
        for op, k in ops:
            step22(w, op, k)
            w.rt.checkinvariants()
        # Let everything that can run, run; the world must still be consistent.
        w.now += 50_000_000
        w.settle()
        w.rt.checkinvariants()
    finally:
        w.teardown()
