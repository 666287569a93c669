"""The native side's filter answers what it cannot run safely, and the native side stops on
time, every time; the report says how each run ended.

- numbers from 512 up (the x32 bit included) are answered -ENOSYS by the seccomp filter,
  never run, and compared with the model's -ENOSYS;
- 335/336 (uretprobe, uprobe) pass every seccomp filter on Linux 6.11+: never run, and the
  case is "not comparable", not a difference;
- a stub that loops forever is stopped at the runner's timeout (a test repeated, since a
  timeout that is only *usually* seen is the bug), and the emulated side then runs only as
  far as the native side got — not its whole budget.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from asm.userstub import load_user_stub
from emu.cpu import layout as L
from emu.verify.compare import run_case
from emu.verify.native import Plan, run_native
from emu.verify.report import result_text, verdict_line
from tests.verify.conftest import jmp_loop_plan

ENOSYS = 38


@pytest.mark.parametrize("nr", [512, 520, 545, 548, 0x40000000 | 39, 0x40000000 | 520, 0x7fffffff])
def test_numbers_from_512_up_are_answered_enosys_by_the_filter(native, nr):
    r = run_case([str(nr)], "RawSyscall")
    assert r.refused is None and r.identical, (r.refused, r.diff)
    assert r.frame[0] == r.frame[1] == (2**64 - 1, 0, ENOSYS)        # r1 = -1, err = ENOSYS


@pytest.mark.parametrize("nr, name", [(335, "uretprobe"), (336, "uprobe")])
def test_numbers_that_bypass_seccomp_are_not_run_and_not_comparable(native, nr, name):
    r = run_case([str(nr)], "RawSyscall")
    assert r.incomparable is not None and r.diff is None and r.refused is None and not r.identical
    assert r.incomparable.startswith(f"not comparable: syscall {nr} ({name}) at syscall.RawSyscall+")
    line = verdict_line(r)
    assert " not comparable " in line and "DIFFERS" not in line


def _loop(tmp_path):
    src = tmp_path / "loop.s"
    src.write_text("again:\n    jmp again\n")
    return src


def test_a_native_loop_stops_at_the_timeout_every_time(native):
    for _ in range(3):
        run = run_native(jmp_loop_plan(max_steps=10**12, timeout_s=1))
        assert run.end == "timeout" and run.steps


def test_verify_of_a_loop_with_a_huge_budget_ends_at_the_native_timeout(native, tmp_path):
    p = subprocess.run([sys.executable, "-m", "emu", "verify", "--asm", str(_loop(tmp_path)), "getpid",
                        "--budget", "100000000"], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    line = next(ln for ln in p.stdout.splitlines() if ln.startswith("userstub"))
    assert " identical " in line
    assert line.split("  ")[-1].startswith("both stopped: native timed out after 3 s (stopped by the "
                                           "runner's watchdog); emulated stopped after the same ")


def test_a_native_sigill_is_named(native, tmp_path):
    src = tmp_path / "ud.s"
    src.write_text("mov rax, 1\nud2\nret\n")
    stub = load_user_stub(str(src))
    r = run_case(["getpid"], stub.name, extra_stubs=[stub])
    assert r.native_end.startswith("signal 4 ") and r.identical
    ud2 = next(a for a, i in r_image(stub).insns.items() if i.intel == "ud2")
    assert result_text(r).startswith(f"both stopped: native SIGILL (signal 4) at {ud2:#x}; emulated guest fault")


def r_image(stub):
    from emu.bridge.session import Session
    return Session(extra_stubs=[stub]).image


def test_the_emulated_side_runs_at_most_one_step_past_the_native_side(native, tmp_path, monkeypatch):
    """Whatever the budget, the emulated run (whose every step is held for the comparison)
    stops one step after the native run ended: there the difference is already found."""
    from emu.verify import compare
    from emu.verify.native import NativeRun
    real = compare.run_native

    def three_steps_then_sigsegv(plan):
        run = real(Plan(plan.regions, plan.regs, plan.stop, plan.file, plan.dumps, max_steps=3))
        return NativeRun(run.pid, run.init, run.steps, f"signal 11 {run.steps[-1][16]:x}", run.dumps, run.out)
    monkeypatch.setattr(compare, "run_native", three_steps_then_sigsegv)
    stub = load_user_stub(str(_loop(tmp_path)))
    r = run_case(["getpid"], stub.name, extra_stubs=[stub], budget=200_000)
    assert len(r.native) == 4 and len(r.emulated) == 5 and r.diff.what == "steps"
    assert r.emulated_end == "instruction budget of 4 exhausted at 0x40119a main.userstub (jmp again)"
