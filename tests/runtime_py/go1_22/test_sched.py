"""go1.22 schedule/findRunnable/execute, newproc, gopark/goready, Gosched, goexit, free lists
(FakeOS: gogo raises Gogo)."""

from __future__ import annotations

import pytest

from rt22 import P, STACK_HI, STACK_LO, WriteLog, boot, go, new_ms, run_new_m
from rt_fakeos import Gogo
from runtime_py import Recorder


def test_bootstrap_main():
    rec = Recorder()
    rt, fos, g1 = boot(gomaxprocs=3, observer=rec)
    m0 = rt.m0
    p0, p1, p2 = rt.allp
    assert (g1.goid, g1.atomicstatus, g1.m, m0.curg) == (1, P._Grunning, m0, g1)
    assert (g1.stack.lo, g1.stack.hi) == (STACK_LO, STACK_HI)
    assert g1.stackguard0 == STACK_LO + P.stackGuard == STACK_LO + 928
    assert g1.parentGoid == 0  # created by g0
    assert m0.p is p0 and p0.m is m0 and p0.status == P._Prunning
    assert p1.status == p2.status == P._Pidle
    assert rt.sched.pidle is p1 and p1.link is p2 and rt.sched.npidle == 2
    assert list(rt.idlepMask) == [0b110]
    assert p0.schedtick == 0  # execute(g1, inheritTime=true): g1 came from runnext
    assert fos.g is g1 and rt.mainStarted and rt.allgs == [g1] and rt.sched.mnext == 1
    assert rec.traceevs() == ["ProcsChange", "ProcStart", "GoCreate", "GoStart"]
    assert repr(g1) == "<g 1 _Grunning m0>"
    assert repr(m0) == "<m 0 p0 curg=g1>" and repr(p1) == "<p 1 _Pidle m->"
    rt.checkinvariants()
    with pytest.raises(RuntimeError):
        rt.bootstrap_main(STACK_LO, STACK_HI)


def test_newproc_puts_the_new_g_in_runnext_and_wakes_a_p():
    rec = Recorder()
    rt, fos, g1 = boot(gomaxprocs=2, observer=rec)
    rec.events.clear()
    g2 = go(rt, fos)
    assert (g2.goid, g2.atomicstatus, g2.parentGoid) == (2, P._Grunnable, 1)
    assert rt.allp[0].runnext is g2 and g2 in rt.allgs
    assert g2.sched.pc == 0x450000 and g2.startpc == 0x450000
    assert g2.sched.sp == g2.stack.hi - 40 and g2.stktopsp == g2.stack.hi - 32
    assert g2.sched.g is g2 and g2.stackguard0 == g2.stack.lo + P.stackGuard
    assert ("gstatus", g2, 0, P._Gdead) in rec.events
    assert ("gstatus", g2, P._Gdead, P._Grunnable) in rec.events
    calls = rec.calls()
    assert calls.index("newproc1") < calls.index("runqput") < calls.index("wakep")
    (mp,) = new_ms(fos)  # wakep: an idle P and no spinning M
    assert mp.nextp is rt.allp[1] and mp.mstartfn == rt.mspinning
    assert rt.sched.nmspinning == 1
    assert fos.g is g1  # newproc1 ran on g0 (systemstack) and came back
    rt.checkinvariants()


def test_execute_wires_the_g_to_the_m_before_it_is_running(monkeypatch):
    """proc.go:3093: since go1.17 mp.curg and gp.m are set before casgstatus."""
    wl = WriteLog(monkeypatch)
    rt, fos, g1 = boot(observer=wl)
    g2 = go(rt, fos)
    fos.setg(rt.m0.g0)
    rt.casgstatus(g1, P._Grunning, P._Gwaiting)
    rt.dropg()
    rt.allp[0].runnext = None
    wl.on = True
    with pytest.raises(Gogo):
        rt.execute(g2, False)
    assert wl.log[:4] == [("m0", "curg", g2), ("g2", "m", rt.m0),
                          ("g2", "atomicstatus", P._Grunning),
                          ("gstatus", "g2", P._Grunnable, P._Grunning)]
    assert wl.log[4:] == [("g2", "waitsince", 0), ("g2", "preempt", False),
                          ("g2", "stackguard0", g2.stack.lo + 928),
                          ("p0", "schedtick", 1), ("traceev", "GoStart")]


def test_gopark_switches_to_the_next_goroutine_and_goready_brings_it_back():
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    m0, p0 = rt.m0, rt.allp[0]
    g2 = go(rt, fos)
    with pytest.raises(Gogo) as gi:
        rt.gopark(None, None, P.waitReasonChanReceive, P.traceBlockChanRecv)
    assert gi.value.buf.g is g2
    assert g1.atomicstatus == P._Gwaiting and g1.m is None
    assert g1.waitreason == P.waitReasonChanReceive == 14 and str(g1.waitreason) == (
        "chan receive")
    assert m0.curg is g2 and g2.atomicstatus == P._Grunning and g2.m is m0
    assert ("traceev", "GoBlock", {"g": g1, "reason": "chan receive", "skip": 1}) in (
        rec.events)
    rt.checkinvariants()
    fos.setg(g2)
    rt.goready(g1)
    assert g1.atomicstatus == P._Grunnable and p0.runnext is g1
    assert fos.g is g2 and "GoUnblock" in rec.traceevs()
    rt.checkinvariants()


def test_gopark_takes_the_go1_10_profile_strings():
    """The emulator's channel code passes go1.10's (reason string, old trace event)."""
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    go(rt, fos)
    with pytest.raises(Gogo):
        rt.gopark(None, None, "chan receive (nil chan)", "GoStop", 2)
    assert g1.waitreason == P.waitReasonChanReceiveNilChan
    assert rt.m0.waitTraceBlockReason == P.traceBlockForever
    assert ("traceev", "GoBlock", {"g": g1, "reason": "forever", "skip": 2}) in rec.events
    with pytest.raises(ValueError, match="no go1.22 waitReason"):
        rt.gopark(None, None, "no such reason", "GoBlock")


def test_goparkunlock_unlocks_once_parked():
    rt, fos, g1 = boot()
    go(rt, fos)
    lk = P.mutex(name="hchan.lock")
    rt.lock(lk)
    with pytest.raises(Gogo):
        rt.goparkunlock(lk, "chan receive", "GoBlockRecv", 3)
    assert lk.key == 0 and rt.m0.locks == 0 and g1.atomicstatus == P._Gwaiting


def test_gopark_with_unlockf_false_resumes_at_once():
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    with pytest.raises(Gogo) as gi:
        rt.gopark(lambda gp, lock: False, None, P.waitReasonSelect)
    assert gi.value.buf.g is g1 and g1.atomicstatus == P._Grunning
    assert rec.traceevs()[-3:] == ["GoBlock", "GoUnblock", "GoStart"]


def test_gosched_puts_g_on_the_global_queue():
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    g2 = go(rt, fos)
    rt.allp[0].schedtick = 1  # at tick 0 (0 % 61 == 0) findRunnable would take g1 back
    with pytest.raises(Gogo) as gi:
        rt.Gosched()
    assert gi.value.buf.g is g2
    assert rt.sched.runq.head is g1 and g1.atomicstatus == P._Grunnable
    assert ("traceev", "GoStop", {"g": g1, "reason": "runtime.Gosched"}) in rec.events
    rt.checkinvariants()


def test_gopreempt_m_yields_with_reason_preempted():
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    rt.allp[0].schedtick = 1
    g1.preempt = True
    with pytest.raises(Gogo) as gi:
        fos.mcall(rt.gopreempt_m, g1)  # newstack saw stackguard0 == stackPreempt
    assert gi.value.buf.g is g1  # nobody else to run: back from the global queue
    assert ("traceev", "GoStop", {"g": g1, "reason": "preempted"}) in rec.events
    assert not g1.preempt and g1.stackguard0 == g1.stack.lo + P.stackGuard


def test_goexit_frees_the_g_and_newproc_reuses_it():
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    p0 = rt.allp[0]
    g2 = go(rt, fos)
    with pytest.raises(Gogo):
        rt.gopark(None, None, P.waitReasonSleep)  # g2 runs
    fos.setg(g2)
    rt.goready(g1)
    g2.waitreason = P.waitReasonSelect
    with pytest.raises(Gogo) as gi:
        rt.goexit1()
    assert gi.value.buf.g is g1  # g1 was in runnext
    assert g2.atomicstatus == P._Gdead and g2.m is None and p0.gFree.head is g2
    assert p0.gFree.n == 1 and g2.waitreason == P.waitReasonZero
    assert ("traceev", "GoDestroy", {"g": g2}) in rec.events
    rt.checkinvariants()
    fos.setg(g1)
    g3 = go(rt, fos)
    assert g3 is g2 and g3.goid == 3 and p0.gFree.empty() and p0.gFree.n == 0
    assert g3.atomicstatus == P._Grunnable
    rt.checkinvariants()


def test_gfput_moves_a_batch_to_the_global_free_lists_and_gfget_takes_it_back():
    rt, fos, g1 = boot(gomaxprocs=2)
    p0, p1 = rt.allp
    dead = []
    for i in range(64):
        gp = P.g(goid=100 + i, atomicstatus=P._Gdead, stack=P.stack(0x1000 * i, 0x1000 * i + 0x800))
        dead.append(gp)
        rt.gfput(p0, gp)
    # At 64, everything above 31 moves to sched.gFree (33 Gs, all with stacks).
    assert p0.gFree.n == 31 and rt.sched.gFree.n == 33
    assert rt.sched.gFree.noStack.empty() and not rt.sched.gFree.stack.empty()
    assert rt.gfget(p1) is not None  # p1's list is empty: a batch of 32 moves first
    assert p1.gFree.n == 31 and rt.sched.gFree.n == 1
    assert rt.sched.lock.key == rt.sched.gFree.lock.key == 0 and rt.m0.locks == 0


def test_findrunnable_checks_the_global_queue_every_61_ticks():
    rt, fos, g1 = boot()
    p0 = rt.allp[0]
    g2 = go(rt, fos)  # in runnext
    fos.setg(rt.m0.g0)  # as Gosched does, on g0
    rt.casgstatus(g1, P._Grunning, P._Grunnable)
    rt.dropg()
    rt.lock(rt.sched.lock)
    rt.globrunqput(g1)
    rt.unlock(rt.sched.lock)
    p0.schedtick = 61
    with pytest.raises(Gogo) as gi:
        rt.schedule()
    assert gi.value.buf.g is g1  # the global queue first, despite runnext
    assert p0.schedtick == 62 and p0.runnext is g2


def test_a_spinning_m_steals_from_a_running_p_but_not_from_an_idle_one():
    """stealWork skips Ps whose idlepMask bit is set; runnext is stolen on the last pass,
    after a 3us sleep if its P is running."""
    rt, fos, g1 = boot(gomaxprocs=2)
    g2 = go(rt, fos)  # p0's runnext; wakep made a spinning M for p1
    (m1,) = new_ms(fos)
    stop = run_new_m(rt, fos, m1)
    assert isinstance(stop, Gogo) and stop.buf.g is g2 and m1.p is rt.allp[1]
    assert fos.of("usleep") == [("usleep", 3)]  # p0 was _Prunning
    assert not m1.spinning and rt.sched.nmspinning == 0  # resetspinning
    rt.checkinvariants()


def test_a_non_spinning_m_without_work_gives_its_p_back_and_parks():
    rec = Recorder()
    rt, fos, g1 = boot(gomaxprocs=2, observer=rec)
    fos.setg(rt.m0.g0)
    rt.startm(None, False)  # m1 with p1, not spinning
    (m1,) = new_ms(fos)
    rec.events.clear()
    stop = run_new_m(rt, fos, m1)
    assert stop.note is m1.park and m1.p is None and rt.sched.pidle is rt.allp[1]
    calls = rec.calls()
    # 2*nmspinning (0) < gomaxprocs - npidle (1): it may spin, so it steals first.
    assert calls.index("becomeSpinning") < calls.index("stealWork") < calls.index("stopm")
    assert "checkRunqsNoP" in calls and rt.sched.nmspinning == 0
    rt.checkinvariants()


def test_needspinning_makes_a_dropping_m_spin_again():
    """findRunnable (proc.go:3332): a non-spinning M about to drop its P sees
    sched.needspinning (set by a spinner that found work but no P) and spins instead."""
    rec = Recorder()
    rt, fos, g1 = boot(gomaxprocs=4, observer=rec)
    fos.setg(rt.m0.g0)
    rt.startm(None, False)  # m1 gets p1
    (m1,) = new_ms(fos)
    rt.sched.nmspinning = 2  # 2*2 >= 4 - 2: m1 may not start spinning by itself
    rt.sched.needspinning = 1
    rec.events.clear()
    fos.setg(m1.g0)

    def stop_after_spinning(note, val, ns):
        raise RuntimeError("parked")

    fos.on_futexsleep = stop_after_spinning
    with pytest.raises(RuntimeError, match="parked"):
        rt.mstart()
    calls = rec.calls()
    assert calls.index("becomeSpinning") < calls.index("stealWork")
    assert rt.sched.needspinning == 0


def test_ready_wakes_a_parked_m_for_an_idle_p():
    """proc.go:952: ready calls wakep: with p1 idle and nobody spinning, the parked m1 is
    woken to spin on p1."""
    rt, fos, g1 = boot(gomaxprocs=2)
    g2 = go(rt, fos)  # wakep: m1 spins for p1
    (m1,) = new_ms(fos)
    with pytest.raises(Gogo):
        rt.gopark(None, None, P.waitReasonSelect)  # m0 runs g2
    stop = run_new_m(rt, fos, m1)  # m1 finds nothing, gives p1 back, parks
    assert stop.note is m1.park and rt.sched.nmspinning == 0 and rt.sched.pidle is rt.allp[1]
    fos.setg(g2)
    rt.goready(g1)
    assert m1.nextp is rt.allp[1] and m1.spinning and m1.park.key == 1
    assert rt.sched.nmspinning == 1 and rt.sched.midle is None
    rt.checkinvariants()


def test_stealwork_skips_idle_ps():
    """A spinning M does not try to steal from a P whose idlepMask bit is set."""
    rec = Recorder()
    rt, fos, g1 = boot(gomaxprocs=3, observer=rec)
    p0, p1, p2 = rt.allp
    go(rt, fos)  # g2 in p0's runnext; wakep: m1 spins for p1 (p2 stays idle)
    (m1,) = new_ms(fos)
    rec.events.clear()
    run_new_m(rt, fos, m1)
    victims = [e[2]["p2"] for e in rec.events if e[:2] == ("call", "runqsteal")]
    assert victims and all(v is p0 for v in victims)  # never p1 (itself) or idle p2


def test_an_m_looking_for_work_stops_for_a_pending_stop_the_world():
    """findRunnable's top (proc.go:3148): sched.gcwaiting -> gcstopm: the P goes
    _Pgcstop, stopwait counts down (waking the stopper at 0), the M parks."""
    rt, fos, g1 = boot(gomaxprocs=2)
    fos.setg(rt.m0.g0)
    rt.startm(None, False)  # m1 gets p1
    (m1,) = new_ms(fos)
    rt.sched.gcwaiting = True
    rt.sched.stopwait = 1
    stop = run_new_m(rt, fos, m1)
    assert stop.note is m1.park and m1.p is None
    assert rt.allp[1].status == P._Pgcstop and rt.sched.stopwait == 0
    assert rt.sched.stopnote.key == 1
