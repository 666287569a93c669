"""go1.27 schedule/execute as the syscall path needs them: execute gives the goroutine its M
before its _Grunnable -> _Grunning CAS; Gosched goes through the global queue."""

from __future__ import annotations

import pytest

from rt27_helpers import Gogo, boot, go, writelog
from runtime_py.go1_27 import _Grunnable, _Grunning


def test_execute_sets_curg_before_the_status_change(monkeypatch):
    wl = writelog(monkeypatch)
    rt, fos, g1 = boot(observer=wl)
    g2 = go(rt)
    rt.allp[0].schedtick = 1  # (at 0, the every-61st-schedtick fairness rule takes g1 back)
    wl.on = True
    with pytest.raises(Gogo) as ei:
        rt.Gosched()  # g1 -> global runq; g2 (runnext) runs, inheriting the time slice
    wl.on = False
    assert ei.value.buf.g is g2
    log = wl.log
    i_curg = log.index(("m0", "curg", g2))
    i_m = log.index(("g2", "m", rt.m0))
    i_cas = log.index(("gstatus", "g2", _Grunnable, _Grunning))
    assert i_curg < i_m < i_cas
    assert log[i_cas + 1:] == [("g2", "waitsince", 0), ("g2", "preempt", False),
                               ("g2", "stackguard0", g2.stack.lo + 928),
                               ("traceev", "GoStart")]
    assert rt.sched.runq.head is g1 and g1.atomicstatus == _Grunnable
    rt.checkinvariants()


def test_every_61st_schedtick_takes_the_global_queue_first():
    rt, fos, g1 = boot()
    go(rt)
    assert rt.allp[0].schedtick == 0
    with pytest.raises(Gogo) as ei:
        rt.Gosched()
    assert ei.value.buf.g is g1  # back from the global queue before runnext's g2
