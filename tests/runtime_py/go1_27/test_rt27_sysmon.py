"""go1.27 sysmon: its back-off (20us, doubling after 50 idle rounds, capped at 10ms) and its
deep sleep on sched.sysmonnote when every P is idle, bounded by forcegcperiod/2 (no timers),
which resets the back-off only when something woke it."""

from __future__ import annotations

from rt27_helpers import Blocked, PC, boot, bp_of, new_ms, run_new_m, sp_of
from rt_fakeos import StopLoop
from runtime_py import Recorder
from runtime_py.go1_27 import _Pidle


def _sysmon(rt, fos, rounds, smon=None):
    """Run sysmon's thread for `rounds` sleeps (runtime.main starts it, on m0 with p0)."""
    smon = smon or rt.start_sysmon()
    fos.usleep_limit = rounds
    assert isinstance(run_new_m(rt, fos, smon), StopLoop)
    return smon


def test_backoff_doubles_after_50_idle_rounds_up_to_10ms():
    rt, fos, g1 = boot()
    _sysmon(rt, fos, 62)
    sleeps = [c[1] for c in fos.of("usleep")]
    assert sleeps[:51] == [20] * 51
    assert sleeps[51:60] == [40, 80, 160, 320, 640, 1280, 2560, 5120, 10000]
    assert sleeps[60:] == [10000, 10000, 10000]
    assert rt.sched.nmsys == 1


def _all_ps_idle():
    """g1 blocks in entersyscallblock; the M started for p0 finds nothing and parks, p0 idle."""
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    smon = rt.start_sysmon()
    fos.setg(g1)
    rt.entersyscallblock(PC, sp_of(g1), bp_of(g1))
    m2 = new_ms(fos)[-1]
    assert isinstance(run_new_m(rt, fos, m2), Blocked)
    assert rt.sched.npidle == rt.gomaxprocs and rt.allp[0].status == _Pidle
    return rt, fos, g1, smon


def test_deep_sleep_when_every_p_is_idle_is_bounded_by_forcegcperiod():
    rt, fos, g1, smon = _all_ps_idle()
    waits = []

    def sleep(addr, val, ns):
        waits.append((addr.name, ns, rt.sched.sysmonwait))
        fos.now += ns  # a timeout: nobody wakes sysmon

    fos.on_futexsleep = sleep
    _sysmon(rt, fos, 2, smon)
    assert waits[0] == ("sched.sysmonnote", 60 * 10**9, True)
    assert rt.sched.sysmonwait is False
    assert [c[1] for c in fos.of("usleep")] == [20, 20, 20]  # idle grows: no reset


def test_a_wake_from_the_deep_sleep_resets_the_backoff():
    rt, fos, g1, smon = _all_ps_idle()
    n = [0]

    def sleep(addr, val, ns):
        n[0] += 1
        if n[0] == 60:
            addr.key = 1  # woken (entersyscallWakeSysmon, exitsyscall taking an idle P)
        else:
            fos.now += ns

    fos.on_futexsleep = sleep
    _sysmon(rt, fos, 62, smon)
    sleeps = [c[1] for c in fos.of("usleep")]
    assert sleeps[51:60] == [40, 80, 160, 320, 640, 1280, 2560, 5120, 10000]
    assert sleeps[60:] == [20, 20, 20]  # the 60th deep sleep was a wake-up


def test_entering_a_syscall_wakes_a_deep_sleeping_sysmon():
    rt, fos, g1 = boot()
    rt.sched.sysmonwait = True
    fos.setg(g1)
    rt.entersyscall(PC, sp_of(g1), bp_of(g1))
    assert rt.sched.sysmonwait is False and rt.sched.sysmonnote.key == 1
    assert fos.of("futexwakeup")
