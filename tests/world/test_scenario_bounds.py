"""Scenario runs are bounded: in virtual time (``--time-budget``, a plan past it is refused
before it starts), in guest instructions (``--budget``: the computing a plan asks for is known
in advance), and in world steps (``--max-steps``: host work no instruction count shows).

Absurd values are refused in one line at once (each case is a subprocess with a timeout: such
runs once took minutes, or never ended).
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from emu.errors import GosyscallError
from emu.world import scenarios as S


def _scenario(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "emu", "scenario", *args], capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize("args, message", [
    (("block", "--block", "1e9s"), "block --block 1e9s --runnable 0: a run is planned to last up to "
                                   "3,000,000,000.1 s of virtual time, more than the time budget of 10 s"),
    (("block", "--block", "100000h"), "block --block 100000h --runnable 0: a run is planned to last up to "
                                      "1,080,000,000.1 s of virtual time"),
    (("block", "--block", "10s"), "block --block 10s --runnable 0: a run is planned to last up to 30.1 s"),
    (("retake", "--max-gap", "1000h"), "retake busy --trials 30 --max-gap 3,600,000 s: a run is planned to last"),
    (("threads", "--duration", "100000h"), "threads: a run is planned to last up to 360,000,000.02 s"),
    (("block", "--block", "2s", "--time-budget", "1m"),
     "block --block 2s --runnable 1: its goroutines would compute 4000000000 guest instructions, more "
     "than 9/10 of the budget of 1000000000 (--budget)"),
])
def test_a_run_planned_past_a_bound_is_refused_before_it_starts(args, message):
    p = _scenario(*args)
    assert p.returncode == 2 and p.stdout == "" and p.stderr.count("\n") == 1
    assert p.stderr.startswith("gosyscall: " + message), p.stderr


def test_a_run_that_reaches_the_step_bound_stops_says_so_and_the_table_is_printed():
    p = _scenario("threads", "--variant", "sleep", "--n", "100", "--gomaxprocs", "1", "--max-steps", "3000")
    assert p.returncode == 4, p.stderr
    assert "stopped: work budget of 3000 world steps used up at t=" in p.stdout      # the outcome column
    assert p.stderr.startswith("gosyscall: 1 of 1 runs did not finish: work budget of 3000 world steps")
    assert p.stderr.count("\n") == 1


def test_the_bounds_apply_to_the_scenario_functions_too():
    res = S.threads("sleep", 50, 1, duration_ns=200 * S.MS, limits=S.Limits(steps=500))
    assert res["outcome"].startswith("stopped: work budget of 500 world steps used up at t=")
    with pytest.raises(GosyscallError, match=r"^block: its goroutines would compute 10000000 guest "
                                              r"instructions, more than 9/10 of the budget of 5000000 \(--budget\)$"):
        S.block(5 * S.MS, 1, 1, limits=S.Limits(insns=5_000_000))       # 10 ms of computing at 1 ns


def test_a_plan_within_nine_tenths_of_the_budget_runs_to_its_end():
    res = S.block(5 * S.MS, 1, 1, limits=S.Limits(insns=12_000_000))   # 10⁷ of 1.2·10⁷
    assert res["outcome"] == "main exited (0)" and res["exit_path"] is not None
