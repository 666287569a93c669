"""go1.10 sysmon: the sleep back-off, the deep sleep, and who wakes it."""

from __future__ import annotations

import pytest

from rt_fakeos import Blocked, StopLoop
from rt_helpers import PC, boot, roundtrip, sp_of
from runtime_py.go1_10 import _Pidle


def test_backoff_20us_then_doubling_after_50_idle_rounds_capped_at_10ms():
    rt, fos, g1 = boot()  # g1 keeps p0 busy: no deep sleep
    smon = rt.start_sysmon()
    fos.setg(smon.g0)
    fos.usleep_limit = 70
    with pytest.raises(StopLoop):
        rt.sysmon()
    delays = [c[1] for c in fos.of("usleep")]
    assert delays == ([20] * 51 + [40, 80, 160, 320, 640, 1280, 2560, 5120]
                      + [10000] * 12)
    assert rt.sched.nmsys == 1
    # Meanwhile retake saw p0 on one schedtick for 10ms and preempted g1.
    assert g1.preempt


def _all_ps_idle():
    """GOMAXPROCS=2, g1 in a long syscall; nobody polls the network, so once sysmon
    retakes p0 (after 10ms) both Ps are idle."""
    rt, fos, g1 = boot(gomaxprocs=2)
    roundtrip(rt, fos, g1)
    rt.sched.lastpoll = 0
    fos.setg(g1)
    rt.entersyscall(PC, sp_of(g1))
    smon = rt.start_sysmon()
    return rt, fos, g1, smon


def test_deep_sleep_when_all_ps_are_idle():
    rt, fos, g1, smon = _all_ps_idle()

    def sleep(note, val, ns):
        raise Blocked(note, ns)

    fos.on_futexsleep = sleep
    fos.setg(smon.g0)
    with pytest.raises(Blocked) as bi:
        rt.sysmon()
    assert bi.value.note is rt.sched.sysmonnote
    assert bi.value.ns == 60 * 1000 * 1000 * 1000  # forcegcperiod/2
    assert rt.sched.sysmonwait == 1
    assert rt.allp[0].status == _Pidle and rt.sched.npidle == 2
    # The syscall returns: exitsyscallfast_pidle takes an idle P and wakes sysmon.
    fos.setg(g1)
    rt.exitsyscall(sp_of(g1))
    assert rt.sched.sysmonwait == 0 and rt.sched.sysmonnote.key == 1
    assert ("futexwakeup", rt.sched.sysmonnote, 1) in fos.calls
    rt.checkinvariants()


def test_deep_sleep_timeout_restarts_the_backoff():
    rt, fos, g1, smon = _all_ps_idle()
    fos.setg(smon.g0)
    fos.usleep_limit = 100
    with pytest.raises(StopLoop):
        rt.sysmon()  # FakeOS: a futexsleep with a timeout lets the time pass
    seq = [("usleep", c[1]) if c[0] == "usleep" else ("deep", c[3])
           for c in fos.calls
           if c[0] == "usleep" or (c[0] == "futexsleep" and c[1] is rt.sched.sysmonnote)]
    first = seq.index(("deep", 60 * 10**9))
    assert seq[first - 1] == ("usleep", 20)  # retake gave p0 away: idle = 0, delay 20
    # Each deep sleep times out (nobody woke it): delay back to 20us, then, all Ps still
    # idle, sleep deeply again.
    assert seq[first:] == [("deep", 60 * 10**9), ("usleep", 20)] * ((len(seq) - first) // 2)
    assert rt.sched.sysmonwait == 0 and rt.sched.sysmonnote.key == 0
