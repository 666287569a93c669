"""The engine under the REPL: fast continue, replayed reverse steps, interrupt, budget."""
import argparse
import threading

import pytest

from emu.bridge.call import build
from emu.repl.debugger import Debugger

SPIN = """\
TEXT ·Spin(SB),NOSPLIT,$0-56
    mov rcx, {count}
spin:
    dec rcx
    jnz spin
    mov rax, qword ptr [rsp+0x8]
    syscall
    mov qword ptr [rsp+0x28], rax
    ret
"""


def debugger(*words, asm=None, budget=1_000_000):
    ns = argparse.Namespace(profile="go1.10", fs=None, strict=False, syscall=words[0] if words else None,
                            args=list(words[1:]), stub=None, asm=asm, budget=None)
    session, stub, trap, args = build(ns)
    return Debugger(session, stub, trap, [a.value for a in args], budget=budget)


def spin(tmp_path, count):
    p = tmp_path / "spin.s"
    p.write_text(SPIN.format(count=count))
    return debugger("getpid", asm=str(p), budget=10**12)


def test_continue_runs_without_the_tracer():
    d = debugger()
    d.add_breakpoint(d.image.symbols["syscall.Syscall"] + 0x2e)
    d.cont()
    assert d.pc == 0x40102e
    assert not [e for e in d.session.log.events if e.kind == "insn"]    # no per-instruction hook ran
    assert d.m.tracer is d.tracer                                          # stepping traces again


def test_reverse_step_across_a_continue_replays_exactly():
    stepped = debugger()
    while stepped.state == "stopped":
        stepped.stepi(1)
    stepped.reverse_stepi(2)
    want = stepped.regs()

    d = debugger()
    d.cont()
    assert d.state == "ended"
    d.reverse_stepi(2)                   # replays the continue from its start, then goes back
    assert d.regs() == want and d.state == "stopped"
    assert d.session.runtime.rt.allgs[0].atomicstatus == 3      # back inside: g1 is _Gsyscall


def test_reverse_restores_the_runtime_and_kernel_models():
    d = debugger()
    d.stepi(3)                                                   # through entersyscall
    rt = d.session.runtime.rt
    assert rt.allgs[0].atomicstatus == 3 and rt.allp[0].status == 2
    d.reverse_stepi(1)
    rt = d.session.runtime.rt
    assert rt.allgs[0].atomicstatus == 2 and rt.allp[0].status == 1
    gstruct = d.session.runtime.addr_of(d.session.runtime.os.getg())
    assert gstruct == 0xC000000180                               # the bridge still finds g1


def test_interrupt_stops_a_long_continue(tmp_path):
    d = spin(tmp_path, 10**12)
    timer = threading.Timer(0.3, d.interrupt)
    timer.start()
    stop = d.cont()
    timer.join()
    assert stop.kind == "interrupt" and stop.text.startswith("Program stopped (interrupted) at ")
    assert d.state == "stopped" and 0x401000 < d.pc < 0x402000
    assert d.stepi(1).kind == "step"                           # and the session goes on


def test_a_far_breakpoint_costs_no_hook(tmp_path):
    d = spin(tmp_path, 2_000_000)
    sc = max(d.syscall_sites)
    d.add_breakpoint(sc)
    stop = d.cont()
    assert stop.kind == "breakpoint" and d.pc == sc
    assert d.regs()["rcx"] == 0


def test_the_budget_stops_a_runaway_loop(tmp_path):
    d = spin(tmp_path, 10**12)
    d.budget = 3_000_000
    stop = d.cont()
    assert stop.kind == "budget" and "instruction budget of 3000000 used up" in stop.text


@pytest.mark.parametrize("n", [1, 5])
def test_nexti_steps_over_calls(n):
    d = debugger()
    d.stepi(1)                              # into Syscall, at CALL runtime.entersyscall
    d.nexti(1)
    assert d.pc == 0x401005
    d.nexti(n)
    assert d.pc == 0x401005 + [0, 5, 10, 15, 22, 29][n]


def test_stepping_keeps_only_the_last_steps_events_and_going_back_still_works(tmp_path):
    """The event log does not grow with the session: each step keeps its own events only."""
    d = spin(tmp_path, 5000)
    d.stepi(3000)
    log = d.session.log
    assert log.count >= 3000 and len(log.events) <= 5
    pc = d.pc
    d.stepi(1)
    d.reverse_stepi(1)
    assert d.pc == pc and log.count >= 3000
