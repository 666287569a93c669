"""emu/kernel/systime.py — time syscalls: clock_gettime, gettimeofday, nanosleep, pselect6.

All times come from the virtual :class:`~emu.kernel.clock.Clock`. A sleep is a
``Block(kind="sleep")`` that ends at ``until_ns``; nobody else can end it sooner, since
signals (EINTR) are not modelled.

Timer slack: Linux lets a timer fire up to ``timer_slack_ns`` late so wake-ups can be
batched; a normal thread inherits 50 µs from ``init_task`` (``.timer_slack_ns = 50000`` in
init/init_task.c; see prctl(2) PR_SET_TIMERSLACK). Real-time threads get none. The model
charges the full slack, i.e. it wakes a sleeper at the latest moment Linux allows.
"""
from __future__ import annotations

from typing import Callable

from emu.kernel.args import fetch_timespec, put_bytes, put_timespec, put_timeval
from emu.kernel.block import Block
from emu.kernel.call import Call
from emu.kernel.clock import CLOCK_REALTIME, KTIME_MAX, NSEC_PER_SEC
from emu.kernel.errno import EINVAL, ENOSYS, SysError
from emu.kernel.memory import Fault

MAX_SELECT_SLACK_NS = 100_000_000       # fs/select.c: MAX_SLACK, 100 ms


def sys_clock_gettime(c: Call) -> int:
    """clock_gettime(clockid, tp): store the clock's time at ``tp``; EINVAL for an unknown clock."""
    ns = c.kernel.clock.gettime(c.argint(0))
    if ns is None:
        raise SysError(EINVAL)
    put_timespec(c.mem, c.argptr(1), ns)
    return 0


def sys_gettimeofday(c: Call) -> int:
    """gettimeofday(tv, tz): wall-clock time at ``tv`` (if not NULL); a zero timezone at ``tz``."""
    tv, tz = c.argptr(0), c.argptr(1)
    if tv:
        put_timeval(c.mem, tv, c.kernel.clock.gettime(CLOCK_REALTIME))
    if tz:
        put_bytes(c.mem, tz, bytes(8))       # struct timezone {minuteswest, dsttime} = {0, 0}
    return 0


def read_timeout(c: Call, addr: int) -> int:
    """The ``struct timespec`` at ``addr`` in ns (saturating at KTIME_MAX); EINVAL unless
    tv_sec ≥ 0 and 0 ≤ tv_nsec ≤ 999999999 (``timespec64_valid``)."""
    sec, nsec = fetch_timespec(c.mem, addr)
    if sec < 0 or not 0 <= nsec < NSEC_PER_SEC:
        raise SysError(EINVAL)
    return min(sec * NSEC_PER_SEC + nsec, KTIME_MAX)


def sleep(c: Call, until: int | None, what: str, done: Callable[[Call], int]) -> Block:
    """A Block that ends when the clock reaches ``until`` (never, if None); then ``done`` gives the result."""
    def resume(c2: Call) -> int | Block:
        """At or after the deadline: the call's result. Before it: still asleep."""
        if until is not None and c2.kernel.clock.now_ns >= until:
            return done(c2)
        return block
    block = Block("sleep", until, None, what, resume)
    return block


def sys_nanosleep(c: Call) -> Block:
    """nanosleep(req, rem): sleep req + timer slack, then 0. ``rem`` is written only on EINTR,
    which never happens here."""
    k = c.kernel
    ns = read_timeout(c, c.argptr(0))
    until = min(k.clock.now_ns + ns + k.timer_slack_ns, KTIME_MAX)
    return sleep(c, until, f"nanosleep of {ns} ns (+{k.timer_slack_ns} ns timer slack) until t={until} ns",
                 lambda c2: 0)


def sys_pselect6(c: Call) -> int | Block:
    """pselect6(nfds, readfds, writefds, exceptfds, timeout, sigmask) with no fd sets: a sleep.

    That is how go1.10 and earlier implement ``usleep``. Waiting on fds is not modelled
    (ENOSYS); the signal mask is ignored, since signals are not modelled.
    """
    k = c.kernel
    nfds, tsp = c.argint(0), c.argptr(4)
    if nfds < 0:
        raise SysError(EINVAL)
    timeout = read_timeout(c, tsp) if tsp else None
    if nfds > 0 and any(c.argptr(i) for i in (1, 2, 3)):
        raise SysError(ENOSYS)
    if timeout == 0:
        return 0                         # a zero timeout polls and returns at once, no slack
    until, slack = None, 0
    if timeout is not None:
        # fs/select.c select_estimate_accuracy: 0.1% of the timeout (at most 100 ms),
        # but never less than the thread's timer slack.
        slack = max(k.timer_slack_ns, min(timeout // 1000, MAX_SELECT_SLACK_NS))
        until = min(k.clock.now_ns + timeout + slack, KTIME_MAX)

    def done(c2: Call) -> int:
        """Timed out with nothing ready: 0, and the remaining time (zero) is written back;
        a fault there is ignored, as Linux's poll_select_finish does."""
        try:
            put_timespec(c2.mem, tsp, 0)
        except Fault:
            pass
        return 0

    what = (f"pselect6 sleep of {timeout} ns (+{slack} ns slack) until t={until} ns" if until is not None
            else "pselect6 with no fds and no timeout: sleeps forever")
    return sleep(c, until, what, done)
