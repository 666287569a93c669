"""go1.22 sysmon (proc.go:5946): the sleep back-off, the deep sleep, who wakes it, and what
a wake-up (unlike a timeout) resets."""

from __future__ import annotations

import pytest

from rt22 import PC, boot, roundtrip, sp_of
from rt_fakeos import Blocked, StopLoop
from runtime_py import Recorder

BACKOFF = [20] * 51 + [40, 80, 160, 320, 640, 1280, 2560, 5120]  # then 10000 (10 ms)


def _usleeps(fos) -> list[int]:
    return [c[1] for c in fos.of("usleep")]


def test_backoff_20us_then_doubling_after_50_idle_rounds_capped_at_10ms():
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)  # g1 keeps p0 busy: no deep sleep
    smon = rt.start_sysmon()
    fos.setg(smon.g0)
    fos.usleep_limit = 70
    rec.events.clear()
    with pytest.raises(StopLoop):
        rt.sysmon()
    assert _usleeps(fos) == BACKOFF + [10000] * 12
    assert rt.sched.nmsys == 1
    # Each round's retake runs under sched.sysmonlock.
    locks = [e[2]["l"] for e in rec.events if e[:2] == ("call", "lock")]
    assert locks[:4] == ["sched.lock", "sched.sysmonlock", "allpLock", "sched.sysmonlock"]
    calls = rec.calls()
    i = calls.index("retake")
    assert calls[i - 1] == "lock" and rt.sched.sysmonlock.key == 0 and smon.locks == 0
    # p0's schedtick was 0 = sysmon's zero sysmontick: seen "long ago", g1 is preempted.
    assert g1.preempt


def _all_ps_idle():
    """GOMAXPROCS=2, g1 in a long syscall; nobody polls the network, so once sysmon
    retakes p0 both Ps are idle."""
    rt, fos, g1 = boot(gomaxprocs=2)
    roundtrip(rt, fos, g1)
    rt.sched.lastpoll = 0
    smon = rt.start_sysmon()
    fos.setg(g1)
    rt.entersyscall(PC, sp_of(g1))
    return rt, fos, g1, smon


def test_deep_sleep_when_all_ps_are_idle_and_exitsyscall_wakes_it():
    rt, fos, g1, smon = _all_ps_idle()

    def sleep(note, val, ns):
        raise Blocked(note, ns)

    fos.on_futexsleep = sleep
    fos.setg(smon.g0)
    with pytest.raises(Blocked) as bi:
        rt.sysmon()
    assert bi.value.note is rt.sched.sysmonnote
    assert bi.value.ns == 60 * 1000 * 1000 * 1000  # forcegcperiod/2 (no timers)
    assert rt.sched.sysmonwait is True
    assert rt.allp[0].status == 0 and rt.sched.npidle == 2  # _Pidle, both idle
    # The syscall returns: exitsyscallfast_pidle takes an idle P and wakes sysmon.
    fos.setg(g1)
    rt.exitsyscall(sp_of(g1))
    assert rt.sched.sysmonwait is False and rt.sched.sysmonnote.key == 1
    assert ("futexwakeup", rt.sched.sysmonnote, 1) in fos.calls
    rt.checkinvariants()


def _deep_sleep_after_backoff(woken: bool) -> list[int]:
    """Sysmon backs off to 10ms while g1 runs; then a stop-the-world is pending (gcwaiting),
    so it sleeps deeply; the sleep ends by a wake-up or by its timeout. Returns the usleep
    delays."""
    rt, fos, g1 = boot()
    smon = rt.start_sysmon()
    fos.setg(smon.g0)
    fos.usleep_limit = 64
    usleep = fos.usleep

    def counting_usleep(usec):
        usleep(usec)
        if len(fos.of("usleep")) == 60:
            rt.sched.gcwaiting = True

    def deep(note, val, ns):
        rt.sched.gcwaiting = False
        if woken:
            note.key = 1  # notewakeup by another thread
        else:
            fos.now += ns  # nobody came: the sleep times out

    fos.usleep = counting_usleep
    fos.on_futexsleep = deep
    with pytest.raises(StopLoop):
        rt.sysmon()
    assert rt.sched.sysmonwait is False and rt.sched.sysmonnote.key == 0
    return _usleeps(fos)


def test_a_wakeup_from_the_deep_sleep_restarts_the_backoff():
    delays = _deep_sleep_after_backoff(woken=True)
    assert delays[:60] == BACKOFF + [10000]  # the 60th sleep is followed by the deep one
    assert delays[60:] == [20] * 5


def test_a_timed_out_deep_sleep_keeps_the_backoff():
    """Since go1.16 (syscallWake := notetsleep(...)) only a wake-up resets idle and delay;
    go1.10 reset them after every deep sleep."""
    delays = _deep_sleep_after_backoff(woken=False)
    assert delays[:60] == BACKOFF + [10000]
    assert delays[60:] == [10000] * 5
