"""tests/verify — native runs need x86-64 Linux, a C compiler, ptrace and seccomp.

The ``native`` fixture probes once (a getpid through RawSyscall) and skips every test that
uses it, with the reason, where any of those is missing.
"""
import functools

import pytest

from emu.verify.native import NativeUnavailable, unavailable_reason


@functools.lru_cache(maxsize=1)
def _probe() -> str | None:
    reason = unavailable_reason()
    if reason:
        return reason
    from emu.verify.compare import run_case
    try:
        run_case(["getpid"], "RawSyscall")
    except NativeUnavailable as e:
        return str(e)
    return None


@pytest.fixture
def native():
    reason = _probe()
    if reason:
        pytest.skip(f"no native runs here: {reason}")


def jmp_loop_plan(**kw):
    """A native plan of ``jmp $`` (a loop of one instruction) with a stack; ``kw`` goes to Plan."""
    from emu.cpu import layout as L
    from emu.verify.native import Plan
    text = (L.TEXT_BASE, 0x1000, 5, b"\xeb\xfe".ljust(0x1000, b"\xcc"))
    stack = (L.STACK_LO, L.STACK_HI - L.STACK_LO, 3, bytes(L.STACK_HI - L.STACK_LO))
    regs = [0] * 16 + [L.TEXT_BASE, 0x202]
    regs[7] = L.STACK_HI - 0x100
    return Plan([text, stack], tuple(regs), L.TEXT_BASE + 2, b"", [], **kw)
