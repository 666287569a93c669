"""emu/kernel/clock.py — the virtual clock every guest-visible time comes from.

Nothing reads the host clock, so a run is reproducible to the nanosecond. Time moves only
when the emulator says so: each syscall costs a fixed amount (see ``SYSCALL_COST_NS`` in
:mod:`emu.kernel.dispatch`) and sleeping jumps the clock to the wake-up time.
"""
from __future__ import annotations

KTIME_MAX = (1 << 63) - 1          # include/linux/ktime.h: the kernel's time saturates here
NSEC_PER_SEC = 1_000_000_000
# The Go playground's fixed "now": 2009-11-10T23:00:00Z. Wall-clock time starts here.
PLAYGROUND_EPOCH_NS = 1_257_894_000 * NSEC_PER_SEC

# include/uapi/linux/time.h clock ids. CLOCK_REALTIME_ALARM (8) and CLOCK_BOOTTIME_ALARM (9)
# need an RTC device the model does not have (Linux then says EINVAL); 10 is unused.
CLOCK_REALTIME, CLOCK_MONOTONIC = 0, 1
CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID = 2, 3
CLOCK_NAMES: dict[int, str] = {
    0: "CLOCK_REALTIME", 1: "CLOCK_MONOTONIC", 2: "CLOCK_PROCESS_CPUTIME_ID",
    3: "CLOCK_THREAD_CPUTIME_ID", 4: "CLOCK_MONOTONIC_RAW", 5: "CLOCK_REALTIME_COARSE",
    6: "CLOCK_MONOTONIC_COARSE", 7: "CLOCK_BOOTTIME", 8: "CLOCK_REALTIME_ALARM",
    9: "CLOCK_BOOTTIME_ALARM", 11: "CLOCK_TAI",
}
_WALL = {0, 5, 11}                 # realtime flavours (TAI = UTC: the kernel's TAI offset starts at 0)
_SINCE_BOOT = {1, 4, 6, 7}         # monotonic flavours (nothing is suspended, so BOOTTIME = MONOTONIC)
_CPU = {2, 3}                      # CPU time: the model's threads never wait for a CPU, so = MONOTONIC


class Clock:
    """Virtual nanoseconds since boot, starting at ``now_ns``, never going backwards."""

    def __init__(self, now_ns: int = 0, realtime_epoch_ns: int = PLAYGROUND_EPOCH_NS):
        self.now_ns = now_ns
        self.realtime_epoch_ns = realtime_epoch_ns

    def advance(self, ns: int) -> None:
        """Move time forward by ``ns`` ≥ 0 (saturating at KTIME_MAX, like the kernel)."""
        if ns < 0:
            raise ValueError(f"time cannot go backwards ({ns} ns)")
        self.now_ns = min(self.now_ns + ns, KTIME_MAX)

    def advance_to(self, t_ns: int) -> None:
        """Move time forward to ``t_ns`` if that is later than now; never backwards."""
        if t_ns > self.now_ns:
            self.now_ns = min(t_ns, KTIME_MAX)

    def gettime(self, clockid: int) -> int | None:
        """What ``clock_gettime(clockid)`` reads, in ns; None for a clock id Linux would reject (EINVAL)."""
        if clockid in _WALL:
            return self.realtime_epoch_ns + self.now_ns
        if clockid in _SINCE_BOOT or clockid in _CPU:
            return self.now_ns
        return None
