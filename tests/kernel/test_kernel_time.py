"""tests/kernel/test_kernel_time.py — the virtual clock, sleeps and futexes."""
from __future__ import annotations

import struct

import pytest

from emu.kernel import Clock, Deadlock, Kernel
from emu.kernel.clock import PLAYGROUND_EPOCH_NS
from emu.kernel.errno import EAGAIN, EFAULT, EINVAL, ENOSYS, ETIMEDOUT
from emu.kernel.memory import FlatMemory

FUTEX_WAIT_PRIVATE, FUTEX_WAKE_PRIVATE = 128, 129


def _ts(g, addr):
    sec, nsec = struct.unpack("<qq", g.mem.read(addr, 16))
    return sec * 1_000_000_000 + nsec


def test_monotonic_clock_reads_virtual_time(g):
    g.k.clock.advance(5_000_000_123)
    assert g.ret("clock_gettime", 1, g.BUF) == 0
    assert _ts(g, g.BUF) == g.k.clock.now_ns == 5_000_000_123 + 100


def test_realtime_clock_starts_at_the_playground_epoch(g):
    assert g.ret("clock_gettime", 0, g.BUF) == 0
    assert _ts(g, g.BUF) == 1_257_894_000 * 10**9 + g.k.clock.now_ns
    assert PLAYGROUND_EPOCH_NS == 1_257_894_000 * 10**9


def test_cpu_time_clocks_follow_virtual_time(g):
    g.ret("clock_gettime", 2, g.BUF)
    g.ret("clock_gettime", 3, g.BUF + 16)
    assert _ts(g, g.BUF) + 100 == _ts(g, g.BUF + 16) == g.k.clock.now_ns


def test_unknown_clock_is_einval(g):
    assert g.ret("clock_gettime", 10, g.BUF) == -EINVAL
    assert g.ret("clock_gettime", -1, g.BUF) == -EINVAL


def test_clock_gettime_to_wild_pointer_is_efault(g):
    assert g.ret("clock_gettime", 1, g.WILD) == -EFAULT


def test_same_calls_give_same_times():
    def run():
        k, m = Kernel(), FlatMemory()
        m.map(0x1000, 0x1000)
        for _ in range(3):
            k.syscall(m, 228, [0, 0x1000])
        return m.read(0x1000, 16)
    assert run() == run()


def test_gettimeofday_gives_microseconds(g):
    assert g.ret("gettimeofday", g.BUF, 0) == 0
    sec, usec = struct.unpack("<qq", g.mem.read(g.BUF, 16))
    assert (sec, usec) == (1_257_894_000, 0)


def test_nanosleep_blocks_until_request_plus_timer_slack(g):
    res = g.call("nanosleep", g.timespec(1, 500), 0)
    assert res.block.kind == "sleep"
    assert res.block.until_ns == g.k.clock.now_ns + 1_000_000_500 + 50_000


def test_timer_slack_is_configurable(g):
    k = Kernel(timer_slack_ns=0, clock=Clock(now_ns=7))
    res = k.syscall(g.mem, 35, [g.timespec(0, 10), 0])
    assert res.block.until_ns == 7 + 100 + 10


def test_sleeping_alone_advances_clock_and_returns_zero(g):
    res = g.call("nanosleep", g.timespec(2, 0), 0)
    until = res.block.until_ns
    done = g.k.run_blocked_alone(g.mem, res)
    assert (done.ret, done.block, g.k.clock.now_ns) == (0, None, until)


def test_sleep_retried_early_is_still_asleep(g):
    res = g.call("nanosleep", g.timespec(1, 0), 0)
    assert res.block.retry().block is not None


@pytest.mark.parametrize("sec,nsec", [(-1, 0), (0, 1_000_000_000), (0, -1)])
def test_nanosleep_with_invalid_time_is_einval(g, sec, nsec):
    assert g.ret("nanosleep", g.timespec(sec, nsec), 0) == -EINVAL


def test_nanosleep_with_wild_pointer_is_efault(g):
    assert g.ret("nanosleep", g.WILD, 0) == -EFAULT


def test_pselect6_without_fds_is_a_sleep_that_zeroes_the_timeout(g):
    ts = g.timespec(0, 20_000)
    res = g.call("pselect6", 0, 0, 0, 0, ts, 0)
    assert res.block.until_ns == g.k.clock.now_ns + 20_000 + 50_000
    assert g.k.run_blocked_alone(g.mem, res).ret == 0
    assert g.mem.read(ts, 16) == bytes(16)


def test_pselect6_with_zero_timeout_returns_at_once(g):
    assert g.ret("pselect6", 0, 0, 0, 0, g.timespec(0, 0), 0) == 0


def test_pselect6_with_no_timeout_alone_is_a_deadlock(g):
    with pytest.raises(Deadlock, match="pselect6"):
        g.k.run_blocked_alone(g.mem, g.call("pselect6", 0, 0, 0, 0, 0, 0))


def test_pselect6_on_fds_is_not_modelled(g):
    assert g.ret("pselect6", 1, g.BUF, 0, 0, 0, 0) == -ENOSYS


# -- futex ------------------------------------------------------------------------------------
def test_futex_wait_on_changed_value_is_eagain(g):
    addr = g.alloc(struct.pack("<I", 1))
    assert g.ret("futex", addr, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0) == -EAGAIN


def test_futex_wait_on_same_value_blocks_and_queues_the_thread(g):
    addr = g.alloc(struct.pack("<I", 7))
    res = g.call("futex", addr, FUTEX_WAIT_PRIVATE, 7, 0, 0, 0, tid=1001)
    assert (res.block.kind, res.block.key, res.block.until_ns) == ("futex", addr, None)
    assert g.k.futex_waiters == {addr: [1001]}


def test_futex_wake_releases_waiters_oldest_first(g):
    addr = g.alloc(struct.pack("<I", 0))
    blocked = [g.call("futex", addr, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0, tid=t) for t in (1001, 1002, 1003)]
    res = g.call("futex", addr, FUTEX_WAKE_PRIVATE, 2, 0, 0, 0)
    assert (res.ret, res.woken) == (2, [1001, 1002])
    assert blocked[0].block.retry().ret == 0
    assert blocked[2].block.retry().block is not None   # not woken: still waiting


def test_futex_wake_of_zero_still_wakes_one(g):
    addr = g.alloc(struct.pack("<I", 0))
    g.call("futex", addr, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0, tid=1001)
    assert g.ret("futex", addr, FUTEX_WAKE_PRIVATE, 0, 0, 0, 0) == 1


def test_futex_wake_with_no_waiters_is_zero(g):
    assert g.ret("futex", g.alloc(bytes(4)), 1, 1, 0, 0, 0) == 0


def test_futex_wait_with_timeout_alone_times_out(g):
    addr = g.alloc(bytes(4))
    res = g.call("futex", addr, FUTEX_WAIT_PRIVATE, 0, g.timespec(0, 1000), 0, 0)
    until = res.block.until_ns
    assert until == g.k.clock.now_ns + 1000 + 50_000
    done = g.k.run_blocked_alone(g.mem, res)
    assert (done.ret, g.k.clock.now_ns, g.k.futex_waiters) == (-ETIMEDOUT, until, {})


def test_futex_wait_without_timeout_alone_is_a_deadlock(g):
    addr = g.alloc(bytes(4))
    with pytest.raises(Deadlock, match="futex"):
        g.k.run_blocked_alone(g.mem, g.call("futex", addr, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0))


def test_futex_misaligned_address_is_einval(g):
    assert g.ret("futex", g.alloc(bytes(8)) + 2, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0) == -EINVAL


def test_futex_wait_on_wild_address_is_efault(g):
    assert g.ret("futex", g.WILD, FUTEX_WAIT_PRIVATE, 0, 0, 0, 0) == -EFAULT


def test_futex_bad_timeout_is_einval(g):
    addr = g.alloc(bytes(4))
    assert g.ret("futex", addr, FUTEX_WAIT_PRIVATE, 0, g.timespec(0, -5), 0, 0) == -EINVAL


def test_unmodelled_futex_ops_are_enosys(g):
    addr = g.alloc(bytes(4))
    assert g.ret("futex", addr, 9 | 128, 0, 0, 0, 0) == -ENOSYS        # FUTEX_WAIT_BITSET_PRIVATE
    assert g.ret("futex", addr, 0 | 256, 0, 0, 0, 0) == -ENOSYS        # WAIT with CLOCK_REALTIME


def test_describe_futex_wake(g):
    addr = g.alloc(bytes(4))
    assert g.k.describe(g.mem, g.call("futex", addr, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0)) == \
        f"futex({addr:#x}, FUTEX_WAKE_PRIVATE, 1) = 0"
