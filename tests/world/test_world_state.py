"""Stepping the world one instruction or one event at a time, and reading its state (the REPL's
view), with the model's invariants checked after every runtime step."""
import json

import pytest
from world_helpers import MS, readers

from runtime_py.go1_10.runtime2 import _Prunning


def test_step_insn_moves_one_instruction_of_the_thread_that_runs_next():
    w = readers(n=1, procs=1)
    g1 = w.threads[1000].g
    before, t0 = w.gregs[g1], w.horizon()         # m0 runs next, at t0
    w.step_insn()
    after = w.gregs[g1]
    assert after != before and w.clock.now_ns == t0 + 1      # one instruction, 1 ns
    assert w.threads[1000].t == t0 + 1 and w.horizon() == t0 + 1
    w.close()


def test_stepping_instructions_and_events_reaches_the_same_state_as_running():
    a = readers(n=3, procs=2)
    b = readers(n=3, procs=2)
    for _ in range(400):
        a.step_insn()
    while b.clock.now_ns < a.clock.now_ns or b.horizon() <= a.clock.now_ns:
        b.step_event()
    assert a.state()["gs"] == b.state()["gs"] and a.state()["ps"] == b.state()["ps"]
    a.close(), b.close()


def test_state_lists_every_g_m_p_and_sysmons_next_wake():
    w = readers(n=3, procs=2, sleep_ns=50 * MS)
    w.run(until_t=3 * MS)
    st = w.state()
    json.dumps(st)                                              # plain data
    assert [g["goid"] for g in st["gs"]] == [1, 2, 3, 4]
    assert {g["status"] for g in st["gs"]} == {"_Gsyscall"}
    assert len(st["ms"]) == len(st["threads"]) == st["sched"]["mcount"]
    sysmon = next(m for m in st["ms"] if m["sysmon"])
    assert st["sysmon"]["m"] == sysmon["id"] and st["sysmon"]["next_wake"] > st["now"]
    assert all(t["waits_for"] for t in st["threads"] if t["state"] == "blocked")
    text = w.state_text()
    assert "sysmon: m1 blocked, next wake at" in text and "g4     _Gsyscall" in text
    w.close()


def test_a_broken_invariant_throws_in_check_mode():
    from runtime_py.throw import Throw
    w = readers(n=1, procs=2)
    w.run(until_t=1 * MS)
    w.rt.allp[1].status = _Prunning                  # a P running with no M: corrupt on purpose
    with pytest.raises(Throw, match="checkinvariants"):
        w.run(until_t=3 * MS)
    w.close()
