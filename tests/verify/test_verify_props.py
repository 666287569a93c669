"""Random harmless calls, random pointers and counts: the emulator matches the real CPU + Linux.

The built-in cases check each path once; this lets Hypothesis pick the arguments — buffers
that end part way into unmapped memory, read-only text, the guard page, kernel addresses,
invalid timespecs, any fd — through any stub, and compares every step natively and emulated.
Writes stay within PIPE_BUF so a native pipe never blocks.
"""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emu.cpu import layout as L
from emu.verify.compare import run_case

HEAP_END = L.USER_HEAP + L.USER_HEAP_SIZE
_ptr = st.one_of(
    st.integers(L.USER_HEAP, HEAP_END + 0x40),                  # in the heap, or running off its end
    st.integers(L.STACK_LO - 0x40, L.STACK_HI + 0x40),          # the stack and the pages beside it
    st.sampled_from([0, L.TEXT_BASE, L.GUARD_PAGE, 0xFFFF800000000000, 2**63, 2**64 - 1, 0x7FFFFFFFF000]),
    st.integers(0, 2**47),
)
_count = st.one_of(st.integers(0, 128), st.sampled_from([2**31, 2**63, 2**64 - 1]), st.integers(0, 2**64 - 1))
_fd = st.one_of(st.integers(-2, 8), st.integers(-2**63, 2**64 - 1))
# zero, a nanosecond or two, or invalid (tv_sec < 0, tv_nsec outside [0, 1e9)): never a real wait
_timespec = st.sampled_from([(0, 0), (0, 1), (0, 999), (-1, 0), (0, -1), (0, 10**9), (2**63 - 1, 10**9),
                             (-1, -1), (-(2**63), 5), (0, 2**62)])


def _hex(v: int) -> str:
    return hex(v & (2**64 - 1))


def _ts_words(ts) -> str:
    data = b"".join((v & (2**64 - 1)).to_bytes(8, "little") for v in ts)
    return "data:" + "".join(f"\\x{b:02x}" for b in data)


_calls = st.one_of(
    st.tuples(st.sampled_from(["getpid", "gettid"]), st.lists(_count.map(_hex), max_size=3)),
    st.tuples(st.just("read"), st.tuples(st.sampled_from(["0", "3"]), _ptr.map(_hex), _count.map(_hex))),
    st.tuples(st.just("write"), st.tuples(st.just("5"), _ptr.map(_hex), st.integers(0, 4096).map(str))),
    # fds 1/2: the model's terminal drops a faulting 2048-byte chunk, the native pipe a 4096-byte
    # page; up to 2048 bytes both give EFAULT for any fault
    st.tuples(st.just("write"), st.tuples(st.sampled_from(["1", "2"]), _ptr.map(_hex),
                                          st.integers(0, 2048).map(str))),
    st.tuples(st.just("close"), st.tuples(_fd.map(_hex))),
    st.tuples(st.just("nanosleep"), st.tuples(st.one_of(
        _timespec.map(_ts_words),
        st.sampled_from([L.GUARD_PAGE, 0, L.TEXT_BASE + 0x2000 - 8]).map(_hex)), _ptr.map(_hex))),
    st.tuples(st.integers(512, 2**30 - 1).map(str), st.lists(_count.map(_hex), max_size=3)),
)


@settings(max_examples=max(10, settings.default.max_examples // 4),
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(call=_calls, stub=st.sampled_from(["Syscall", "Syscall6", "RawSyscall", "RawSyscall6"]))
def test_random_harmless_calls_match_the_real_cpu(native, call, stub):
    name, args = call
    r = run_case([name, *args], stub)
    assert r.refused is None, r.refused
    assert r.identical, (r.call, r.diff)
