"""Random schedules on the simulated world keep every go1.27 scheduler invariant.

The same driver steps as go1.10's property test (test_rt_random_schedules.step): goroutines
enter and leave syscalls (plain and blocking), create goroutines, park, ready each other,
yield and exit; virtual time jumps so sysmon retakes Ps at random moments; woken threads run
in random order — which now includes sysmon paused while it holds a goroutine's scan bit
(OS.parallel) and a returning thread spinning in exitsyscall for it. checkinvariants() runs
after every step.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import runtime_py.go1_27
from rt_simworld import World
from runtime_py.go1_27 import traceBlockChanRecv, waitReasonChanReceive
from test_rt_random_schedules import OPS, step


class World27(World):
    """The simulated world running the go1.27 model."""

    def __init__(self, gomaxprocs: int):
        super().__init__(gomaxprocs, prof=runtime_py.go1_27)

    def cmd_park(self, gp) -> None:
        self.parked.append(gp)
        self.rt.gopark(None, None, waitReasonChanReceive, traceBlockChanRecv, 1)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(gomaxprocs=st.integers(1, 4),
       ops=st.lists(st.tuples(st.sampled_from(OPS), st.integers(0, 10_000)),
                    min_size=10, max_size=60))
def test_random_schedules_keep_invariants(gomaxprocs: int, ops: list) -> None:
    w = World27(gomaxprocs)
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
