"""go1.10 schedule/execute, newproc, gopark/goready, Gosched, goexit (FakeOS: gogo raises)."""

from __future__ import annotations

import pytest

from rt_fakeos import Gogo
from rt_helpers import STACK_HI, STACK_LO, boot, go
from runtime_py import Recorder, Throw
from runtime_py.go1_10 import (
    _Gdead, _Grunnable, _Grunning, _Gwaiting, _Pidle, _Prunning, _StackGuard,
)


def test_bootstrap_main():
    rec = Recorder()
    rt, fos, g1 = boot(gomaxprocs=3, observer=rec)
    m0 = rt.m0
    p0, p1, p2 = rt.allp
    assert (g1.goid, g1.atomicstatus, g1.m, m0.curg) == (1, _Grunning, m0, g1)
    assert (g1.stack.lo, g1.stack.hi) == (STACK_LO, STACK_HI)
    assert g1.stackguard0 == STACK_LO + _StackGuard
    assert m0.p is p0 and p0.m is m0 and p0.status == _Prunning and m0.mcache is p0.mcache
    assert p1.status == p2.status == _Pidle
    assert rt.sched.pidle is p1 and p1.link is p2 and rt.sched.npidle == 2
    assert fos.g is g1 and rt.mainStarted and rt.allgs == [g1] and rt.sched.mnext == 1
    assert repr(g1) == "<g 1 _Grunning m0>"
    assert repr(m0) == "<m 0 p0 curg=g1>" and repr(p1) == "<p 1 _Pidle m->"
    rt.checkinvariants()
    with pytest.raises(RuntimeError):
        rt.bootstrap_main(STACK_LO, STACK_HI)


def test_newproc_puts_the_new_g_in_runnext():
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    rec.events.clear()
    g2 = go(rt, fos)
    assert (g2.goid, g2.atomicstatus) == (2, _Grunnable)
    assert rt.allp[0].runnext is g2 and g2 in rt.allgs
    assert g2.sched.pc == 0x450000 and g2.startpc == 0x450000
    assert g2.sched.sp == g2.stack.hi - 40 and g2.stktopsp == g2.stack.hi - 32
    assert g2.sched.g is g2 and g2.stackguard0 == g2.stack.lo + _StackGuard
    assert ("gstatus", g2, 0, _Gdead) in rec.events
    assert ("gstatus", g2, _Gdead, _Grunnable) in rec.events
    assert rec.traceevs() == ["GoCreate"]
    assert fos.g is g1  # newproc1 ran on g0 (systemstack) and came back
    rt.checkinvariants()


def test_newproc_of_nil_func_throws():
    rt, fos, g1 = boot()
    with pytest.raises(Throw, match="go of nil func value"):
        rt.newproc(0, 0x1000, 0x2000)


def test_newproc_wakes_an_idle_p():
    rt, fos, g1 = boot(gomaxprocs=2)
    go(rt, fos)
    (mp,) = [c[1] for c in fos.of("newosproc")]
    assert mp.nextp is rt.allp[1] and mp.mstartfn == rt.mspinning
    assert rt.sched.nmspinning == 1


def test_gopark_switches_to_the_next_goroutine_and_goready_brings_it_back():
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    m0, p0 = rt.m0, rt.allp[0]
    g2 = go(rt, fos)
    with pytest.raises(Gogo) as gi:
        rt.gopark(None, None, "chan receive", "GoBlockRecv")
    assert gi.value.buf.g is g2
    assert g1.atomicstatus == _Gwaiting and g1.waitreason == "chan receive" and g1.m is None
    assert m0.curg is g2 and g2.atomicstatus == _Grunning and g2.m is m0
    assert "GoBlockRecv" in rec.traceevs()
    rt.checkinvariants()
    fos.setg(g2)
    rt.goready(g1)
    assert g1.atomicstatus == _Grunnable and p0.runnext is g1
    assert fos.g is g2
    rt.checkinvariants()


def test_gopark_with_unlockf_false_resumes_at_once():
    rt, fos, g1 = boot()
    with pytest.raises(Gogo) as gi:
        rt.gopark(lambda gp, lock: False, None, "select")
    assert gi.value.buf.g is g1 and g1.atomicstatus == _Grunning


def test_ready_requires_a_waiting_g():
    rt, fos, g1 = boot()
    g2 = go(rt, fos)
    with pytest.raises(Throw) as ei:
        rt.goready(g2)
    assert ei.value.msg == "bad g->status in ready" and "goid=2" in ei.value.detail


def test_gosched_puts_g_on_the_global_queue():
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    g2 = go(rt, fos)
    rt.allp[0].schedtick = 1  # at tick 0 (0 % 61 == 0) schedule would take g1 right back
    with pytest.raises(Gogo) as gi:
        rt.Gosched()
    assert gi.value.buf.g is g2
    assert rt.sched.runqhead is g1 and g1.atomicstatus == _Grunnable
    assert "GoSched" in rec.traceevs()
    rt.checkinvariants()


def test_goexit_frees_the_g_and_newproc_reuses_it():
    rt, fos, g1 = boot()
    p0 = rt.allp[0]
    g2 = go(rt, fos)
    with pytest.raises(Gogo):
        rt.gopark(None, None, "wait")  # g2 runs
    fos.setg(g2)
    rt.goready(g1)
    with pytest.raises(Gogo) as gi:
        rt.goexit1()
    assert gi.value.buf.g is g1  # g1 was in runnext
    assert g2.atomicstatus == _Gdead and g2.m is None and p0.gfree is g2
    assert g2.gcscanvalid
    rt.checkinvariants()
    fos.setg(g1)
    g3 = go(rt, fos)
    assert g3 is g2 and g3.goid == 3 and p0.gfree is None and g3.atomicstatus == _Grunnable
    rt.checkinvariants()


def test_schedule_checks_the_global_queue_every_61_ticks():
    rt, fos, g1 = boot()
    p0 = rt.allp[0]
    g2 = go(rt, fos)  # in runnext
    g3 = go(rt, fos)  # g2 kicked to the ring, g3 in runnext
    fos.setg(rt.m0.g0)  # as Gosched does, on g0
    rt.lock(rt.sched.lock)
    rt.casgstatus(g1, _Grunning, _Grunnable)
    rt.dropg()
    rt.globrunqput(g1)
    rt.unlock(rt.sched.lock)
    p0.schedtick = 61
    with pytest.raises(Gogo) as gi:
        rt.schedule()
    assert gi.value.buf.g is g1  # the global queue first, despite runnext
    assert p0.schedtick == 62


def test_casgstatus_rejects_bad_transitions():
    rt, fos, g1 = boot()
    with pytest.raises(Throw, match="casgstatus: bad incoming values"):
        rt.casgstatus(g1, _Grunning, _Grunning)
    with pytest.raises(Throw, match="casgstatus: bad incoming values"):
        rt.casgstatus(g1, _Grunning | 0x1000, _Grunnable)
    with pytest.raises(Throw) as ei:
        rt.casgstatus(g1, _Grunnable, _Gwaiting)
    assert ei.value.msg == "casgstatus: bad old status"
    with pytest.raises(Throw, match="casgstatus: waiting for Gwaiting but is Grunnable"):
        g2 = go(rt, fos)
        rt.casgstatus(g2, _Gwaiting, _Grunning)


def test_save_rejects_a_nonzero_ctxt():
    rt, fos, g1 = boot()
    g1.sched.ctxt = 0x1234
    with pytest.raises(Throw, match="ctxt != 0"):
        rt.save(0x1, 0x2)
