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
