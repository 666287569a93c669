"""go1.10 handoffp, startm, stopm, newm, acquirep/releasep, checkdead."""

from __future__ import annotations

import pytest

from rt_fakeos import Blocked
from rt_helpers import PC, boot, go, run_new_m, sp_of
from runtime_py import Recorder, Throw
from runtime_py.go1_10 import _Pidle, _Prunning


def _handoff(gomaxprocs: int, work: bool, lastpoll: bool = True):
    """g1 enters a blocking syscall: handoffp(releasep()) decides p0's fate."""
    rec = Recorder()
    rt, fos, g1 = boot(gomaxprocs, observer=rec)
    if work:
        go(rt, fos)
    if not lastpoll:
        rt.sched.lastpoll = 0
    rec.events.clear()
    rt.entersyscallblock(PC, sp_of(g1))
    return rt, fos, g1, rec


def test_handoffp_with_local_work_starts_an_m():
    rt, fos, g1, rec = _handoff(2, work=True)
    p0, p1 = rt.allp
    # newproc already woke a spinning M for idle p1 (wakep); handoffp starts one for p0.
    (m1, m2) = [c[1] for c in fos.of("newosproc")]
    assert m1.nextp is p1 and m1.mstartfn == rt.mspinning
    assert m2.nextp is p0 and m2.mstartfn is None
    assert rec.calls()[rec.calls().index("handoffp"):][:4] == ["handoffp", "runqempty",
                                                               "startm", "lock"]
    rt.checkinvariants()


def test_handoffp_without_work_and_no_idle_p_starts_a_spinning_m():
    rt, fos, g1, rec = _handoff(1, work=False)
    (mp,) = [c[1] for c in fos.of("newosproc")]
    assert mp.mstartfn == rt.mspinning and rt.sched.nmspinning == 1
    rt.checkinvariants()


def test_handoffp_without_work_idles_the_p():
    rt, fos, g1, rec = _handoff(2, work=False, lastpoll=False)
    assert fos.of("newosproc") == []
    assert rt.sched.pidle is rt.allp[0] and rt.sched.npidle == 2
    rt.checkinvariants()


def test_handoffp_keeps_one_m_for_the_network_poller():
    """Last running P and nobody blocked in netpoll (lastpoll != 0): start an M."""
    rt, fos, g1, rec = _handoff(2, work=False, lastpoll=True)
    (mp,) = [c[1] for c in fos.of("newosproc")]
    assert mp.nextp is rt.allp[0] and rt.sched.npidle == 1


def _parked_spinning_m():
    """GOMAXPROCS=1: g1 blocks, handoffp starts a spinning M2, which finds nothing, gives
    p0 back and parks in stopm."""
    rt, fos, g1, rec = _handoff(1, work=False)
    (m2,) = [c[1] for c in fos.of("newosproc")]
    stop = run_new_m(rt, fos, m2)
    assert isinstance(stop, Blocked) and stop.note is m2.park
    return rt, fos, g1, m2, rec


def test_new_spinning_m_finds_nothing_and_parks():
    rt, fos, g1, m2, rec = _parked_spinning_m()
    p0 = rt.allp[0]
    assert rt.sched.midle is m2 and rt.sched.nmidle == 1
    assert not m2.spinning and rt.sched.nmspinning == 0
    assert rt.sched.pidle is p0 and p0.status == _Pidle
    rt.checkinvariants()


def test_startm_uses_an_idle_m():
    rt, fos, g1, m2, rec = _parked_spinning_m()
    p0 = rt.allp[0]
    fos.calls.clear()
    fos.setg(rt.m0.g0)
    rt.startm(None, False)
    assert fos.of("newosproc") == []
    assert ("futexwakeup", m2.park, 1) in fos.calls and m2.park.key == 1
    assert m2.nextp is p0 and rt.sched.midle is None and rt.sched.nmidle == 0
    assert rt.sched.pidle is None
    rt.checkinvariants()


def test_startm_without_idle_m_creates_one():
    rt, fos, g1 = boot(gomaxprocs=2)
    fos.setg(rt.m0.g0)
    rt.startm(None, False)
    (mp,) = [c[1] for c in fos.of("newosproc")]
    assert mp.nextp is rt.allp[1] and mp.g0.m is mp and mp.park.name == "m1.park"
    assert rt.allm is mp and mp.alllink is rt.m0 and rt.sched.mnext == 2


def test_startm_without_idle_p_undoes_the_spinning_count():
    rt, fos, g1 = boot(gomaxprocs=1)
    rt.sched.nmspinning = 1  # the caller's increment
    rt.startm(None, True)
    assert rt.sched.nmspinning == 0 and fos.of("newosproc") == []


def test_stopm_returns_with_the_p_it_was_given():
    rt, fos, g1, rec = _handoff(1, work=False)
    (m2,) = [c[1] for c in fos.of("newosproc")]

    def another_thread_starts_us(note, val, ns):
        rt.startm(None, False)  # another M hands us an idle P

    fos.on_futexsleep = another_thread_starts_us
    fos.setg(m2.g0)
    m2.nextp = None  # as if m2 had run and given p0 back (pidleput below)
    rt.sched.nmspinning = 0
    rt.lock(rt.sched.lock)
    rt.pidleput(rt.allp[0])
    rt.unlock(rt.sched.lock)
    rt.stopm()
    assert m2.p is rt.allp[0] and rt.allp[0].status == _Prunning and m2.nextp is None
    assert m2.park.key == 0  # noteclear


@pytest.mark.parametrize("what,msg", [("locks", "stopm holding locks"),
                                      ("p", "stopm holding p"),
                                      ("spinning", "stopm spinning")])
def test_stopm_preconditions(what, msg):
    rt, fos, g1 = boot()
    fos.setg(rt.m0.g0)
    m0 = rt.m0
    if what == "locks":
        m0.locks = 1
    elif what == "spinning":
        m0.p = None
        m0.spinning = True
    with pytest.raises(Throw, match=msg):
        rt.stopm()


def test_acquirep_and_releasep_check_their_state():
    rt, fos, g1 = boot(gomaxprocs=2)
    with pytest.raises(Throw, match="acquirep: already in go"):
        rt.acquirep(rt.allp[1])
    rt.allp[1].status = _Prunning
    fos.setg(rt.start_sysmon().g0)  # an M without a P
    with pytest.raises(Throw) as ei:
        rt.acquirep(rt.allp[1])
    assert ei.value.msg == "acquirep: invalid p state" and "p->status=1" in ei.value.detail
    with pytest.raises(Throw, match="releasep: invalid arg"):
        rt.releasep()


def test_lock_is_not_reentrant():
    rt, fos, g1 = boot()
    rt.lock(rt.sched.lock)
    with pytest.raises(Throw, match="lock already held"):
        rt.lock(rt.sched.lock)


def test_unlock_of_unlocked_lock():
    rt, fos, g1 = boot()
    with pytest.raises(Throw, match="unlock of unlocked lock"):
        rt.unlock(rt.sched.lock)


def test_checkdead_all_ms_idle_with_a_waiting_goroutine():
    rt, fos, g1 = boot()
    fos.setg(rt.m0.g0)
    g1.atomicstatus = 4  # _Gwaiting (parked on a channel nobody will send on)
    rt.m0.curg = None
    g1.m = None
    rt.lock(rt.sched.lock)
    rt.sched.nmidle = 1  # m0 about to sleep: every M is idle
    with pytest.raises(Throw, match="all goroutines are asleep - deadlock!"):
        rt.checkdead()


def test_checkdead_finds_a_runnable_goroutine():
    rt, fos, g1 = boot()
    fos.setg(rt.m0.g0)
    rt.lock(rt.sched.lock)
    rt.sched.nmidle = 1
    with pytest.raises(Throw) as ei:
        rt.checkdead()
    assert ei.value.msg == "checkdead: runnable g" and "find g 1 in status 2" in ei.value.detail


def test_thread_exhaustion():
    rt, fos, g1 = boot()
    rt.sched.maxmcount = 1
    with pytest.raises(Throw) as ei:
        rt.newm(None, None)
    assert ei.value.msg == "thread exhaustion"
    assert "program exceeds 1-thread limit" in ei.value.detail
