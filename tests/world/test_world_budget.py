"""``--budget`` bounds a thread-world run: the guest instructions of every thread together.

The issue's case — a goroutine computing 100 000 turns while main waits on a pipe — once
ran 6.2 M traced steps and a gigabyte of output with the default budget, and ignored
``--budget``. Now the run ends at the budget, before a block that would pass it, in one line;
in the REPL each ``c`` may run the budget again, and the world goes on where it stopped.
"""
from __future__ import annotations

import re

from tests.repl.conftest import answers, run_script

from emu.cli.main import main

LONG = ("read", "fd:pipe@50ms", "buf:8", "8", "--runnable", "1", "--compute", "100000",
        "--gomaxprocs", "1", "--warm")


def test_the_budget_ends_a_quiet_world_run_in_one_line(capsys):
    assert main(["run", *LONG, "--quiet", "--budget", "20000"]) == 4
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1
    assert re.fullmatch(r"gosyscall: instruction budget of 20000 exhausted at 0x[0-9a-f]+ main\.spin\+0x[0-9a-f]+ "
                        r"on m2 \(thread 1002\), after \d+ instructions of every thread \(raise it with --budget\)\n",
                        err), err


def test_a_traced_world_run_never_traces_more_steps_than_the_budget(capsys):
    assert main(["run", *LONG, "--no-color", "--budget", "3000"]) == 4
    out, err = capsys.readouterr()
    steps = [int(m.group(1)) for m in re.finditer(r"^m\d+ +(\d+)  0x", out, re.M)]
    assert steps and max(steps) <= 3000 and max(steps) > 2800
    n = int(re.search(r"after (\d+) instructions", err).group(1))
    assert n == max(steps)                       # every thread's instructions, counted as traced


def test_the_default_budget_applies_to_the_world_too(capsys):
    assert main(["run", *LONG, "--quiet"]) == 4
    assert "instruction budget of 1000000 exhausted" in capsys.readouterr().err


def test_in_the_repl_each_continue_may_run_the_budget_and_the_world_goes_on():
    a = answers(run_script("c\nc\nsched\n", *LONG, "--budget", "20000"))
    assert "instruction budget of 20000 exhausted" in a["c"]
    assert "The guest faulted" not in a["sched"] and "Gs:" in a["sched"]
    out = run_script("c\nc\nc\n", *LONG, "--budget", "20000")
    ran = [int(n) for n in re.findall(r"after (\d+) instructions of every thread", out)]
    assert len(ran) == 3 and all(19900 < n <= 20000 for n in ran)   # each c: its own 20000
