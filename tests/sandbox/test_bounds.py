"""Every run is bounded: instructions, virtual time, guest memory — and ends in one line.

(Limits on threads and goroutines belong to scenarios, tested with them.)
"""
from __future__ import annotations

import struct
import time

import pytest

from emu.bridge.session import Session
from emu.cli.main import main
from emu.cpu import memory
from emu.cpu.machine import DEFAULT_TIME_BUDGET_NS
from emu.cpu.memory import MAX_GUEST_MEMORY, R, W
from emu.errors import BudgetExceeded


def _timespec_arg(sec: int, nsec: int = 0) -> str:
    return "data:" + "".join(f"\\x{b:02x}" for b in struct.pack("<qq", sec, nsec))


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["run", "--no-color", "--quiet", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- instructions ------------------------------------------------------------------------------
def test_instruction_budget_is_one_line_naming_where(capsys):
    code, out, err = _run(capsys, "getpid", "--budget", "5")
    assert code == 4 and err.count("\n") == 1
    assert err.startswith("gosyscall: instruction budget of 5 exhausted at 0x") and "syscall.Syscall" in err


def test_a_stub_that_never_returns_stops_at_the_default_budget(capsys, tmp_path):
    src = tmp_path / "loop.s"
    src.write_text("again:\n    jmp again\n")
    t0 = time.monotonic()
    code, _, err = _run(capsys, "getpid", "--asm", str(src))
    assert code == 4 and "instruction budget of 1000000 exhausted" in err and err.count("\n") == 1
    assert time.monotonic() - t0 < 30


# -- virtual time ------------------------------------------------------------------------------
def test_a_nanosleep_of_1e9_seconds_ends_in_one_line_naming_it(capsys):
    t0 = time.monotonic()
    code, out, err = _run(capsys, "nanosleep", _timespec_arg(10**9), "0")
    assert time.monotonic() - t0 < 10                      # no simulation of 1e9 s, no hang
    assert code == 4 and out == "" and err.count("\n") == 1
    assert err.startswith("gosyscall: virtual-time budget of 10 s exceeded: "
                          "nanosleep({tv_sec=1000000000, tv_nsec=0}, NULL) at 0x")
    assert "SYSCALL" in err and "--time-budget" in err


@pytest.mark.parametrize("budget, ok", [("2s", True), ("1500ms", True), ("999ms", False), ("1s", False)])
def test_time_budget_option_moves_the_limit(capsys, budget, ok):
    """A 1 s sleep takes 1 s + 50 µs of timer slack + the syscall's own 100 ns."""
    code, out, err = _run(capsys, "nanosleep", _timespec_arg(1), "0", "--time-budget", budget)
    assert (code, "err = 0" in out) == ((0, True) if ok else (4, False)), err
    if not ok:
        assert "nanosleep(" in err and err.count("\n") == 1


def test_pselect6_sleeps_are_bounded_too():
    s = Session(time_budget_ns=10**9)
    ts = s.alloc(16, struct.pack("<qq", 3600, 0))
    with pytest.raises(BudgetExceeded, match=r"^virtual-time budget of 1 s exceeded: pselect6\("):
        s.call("Syscall6", 270, [0, 0, 0, 0, ts, 0])


def test_the_budget_is_per_call():
    s = Session(time_budget_ns=2 * 10**9)
    ts = s.alloc(16, struct.pack("<qq", 1, 0))
    for _ in range(5):                                      # 5 s in total, each call under 2 s
        assert s.call("Syscall", 35, [ts, 0]).err == 0
    assert s.kernel.clock.now_ns > 5 * 10**9
    assert DEFAULT_TIME_BUDGET_NS == 10 * 10**9


# -- guest memory --------------------------------------------------------------------------------
def test_a_session_maps_far_less_than_the_cap():
    assert Session().machine.mem.mapped <= MAX_GUEST_MEMORY // 64


def test_mapping_past_the_cap_is_refused():
    mem = Session().machine.mem
    room = MAX_GUEST_MEMORY - mem.mapped
    with pytest.raises(MemoryError, match=r"^guest memory cap of 65536 KiB reached mapping big "):
        mem.map(0x7000_0000_0000, (room + 0x1000) & ~0xFFF, R | W, "big")
    mem.map(0x7000_0000_0000, room & ~0xFFF, R | W, "fits")         # up to the cap is fine
    assert mem.mapped <= MAX_GUEST_MEMORY


def test_the_cap_reached_from_the_command_line_is_one_line(capsys, monkeypatch):
    monkeypatch.setattr(memory, "MAX_GUEST_MEMORY", 64 << 10)
    code, out, err = _run(capsys, "getpid")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("gosyscall: guest memory cap of 64 KiB reached mapping ")
