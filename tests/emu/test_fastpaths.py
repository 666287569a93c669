"""The fast paths into unicorn 2.1.4's private C entry points are taken, and their public
fallbacks give the same results (registers, hooks, a whole traced run)."""
import pytest

import emu.cpu.hooks as fasthooks
import emu.cpu.regs as regs
from emu.bridge.session import Session
from emu.trace.tracer import Tracer


def test_the_pinned_binding_takes_the_fast_paths():
    s = Session()
    assert fasthooks.fast_available(s.machine.uc)
    batch = regs.RegBatch(s.machine.uc, regs.TRACE_REGS)
    batch.read()
    assert batch.fast                                     # the C batch call did not refuse


def test_register_batches_agree_with_the_public_api():
    s = Session()
    s.call("Syscall", 39, [7, 8, 9])
    fast = regs.RegBatch(s.machine.uc, regs.TRACE_REGS)
    slow = regs.RegBatch(s.machine.uc, regs.TRACE_REGS)
    slow.fast = False
    assert fast.read() == slow.read() == tuple(s.machine.uc.reg_read(regs.REG_IDS[r]) for r in regs.TRACE_REGS)
    slow.write(range(1, 19))
    assert fast.read()[:16] == tuple(range(1, 17))


def _traced_events(monkeypatch, fast: bool):
    if not fast:
        monkeypatch.setattr(fasthooks, "fast_available", lambda uc: False)
        monkeypatch.setattr(regs, "_uclib", None)
    s = Session()
    s.machine.attach_tracer(Tracer(s.machine))
    fd = s.open_for_setup("/hello.txt")
    s.call("Syscall", 0, [fd, s.alloc(64), 64])
    return [e.to_json() for e in s.log.events]


def test_a_traced_run_is_the_same_through_the_public_fallbacks(monkeypatch):
    fast = _traced_events(monkeypatch, True)
    with pytest.MonkeyPatch.context() as mp:
        slow = _traced_events(mp, False)
    assert slow == fast and len(fast) > 20
