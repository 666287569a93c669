"""go1.22 handoffp (proc.go:2905): each condition alone; startm, stopm, wakep, newm, mstart.

g1 enters a blocking syscall: entersyscallblock -> handoffp(releasep()) decides p0's fate.
"""

from __future__ import annotations

import pytest

from rt22 import P, PC, boot, go, new_ms, run_new_m, sp_of
from rt_fakeos import Blocked
from runtime_py import Recorder, Throw


def _handoff(gomaxprocs: int, prepare=None, lastpoll: bool = True):
    """boot; prepare(rt, fos); g1 enters a blocking syscall. Returns rt, fos, g1, rec."""
    rec = Recorder()
    rt, fos, g1 = boot(gomaxprocs, observer=rec)
    if prepare is not None:
        prepare(rt, fos)
    if not lastpoll:
        rt.sched.lastpoll = 0
    fos.calls.clear()
    rec.events.clear()
    fos.setg(g1)
    rt.entersyscallblock(PC, sp_of(g1))
    return rt, fos, g1, rec


def _after_handoffp(rec: Recorder) -> list[str]:
    calls = rec.calls()
    return calls[calls.index("handoffp"):]


def _global_work(rt, fos):
    """A runnable g2 on the global queue (not on p0's local queue)."""
    g2 = go(rt, fos)
    rt.allp[0].runnext = None
    rt.lock(rt.sched.lock)
    rt.globrunqput(g2)
    rt.unlock(rt.sched.lock)


def test_local_work_starts_an_m_for_the_p():
    rt, fos, g1, rec = _handoff(1, lambda rt, fos: go(rt, fos))
    (mp,) = new_ms(fos)
    assert mp.nextp is rt.allp[0] and mp.mstartfn is None
    assert _after_handoffp(rec)[:3] == ["handoffp", "runqempty", "startm"]
    rt.checkinvariants()


def test_global_work_starts_an_m_for_the_p():
    rt, fos, g1, rec = _handoff(1, _global_work)
    (mp,) = new_ms(fos)
    assert mp.nextp is rt.allp[0] and mp.mstartfn is None  # not spinning
    assert rt.sched.nmspinning == 0
    assert _after_handoffp(rec).index("startm") < _after_handoffp(rec).index("lock")
    rt.checkinvariants()


def test_no_work_no_idle_p_no_spinning_m_starts_a_spinning_m():
    def prepare(rt, fos):
        rt.sched.needspinning = 1
    rt, fos, g1, rec = _handoff(1, prepare)
    (mp,) = new_ms(fos)
    assert mp.mstartfn == rt.mspinning and rt.sched.nmspinning == 1
    assert rt.sched.needspinning == 0  # handoffp clears it when it starts a spinner
    rt.checkinvariants()


def test_a_spinning_m_elsewhere_means_no_new_spinner():
    def prepare(rt, fos):
        rt.sched.nmspinning = 1
    rt, fos, g1, rec = _handoff(1, prepare)
    # GOMAXPROCS=1 and lastpoll != 0: the last-P rule starts a plain M instead.
    (mp,) = new_ms(fos)
    assert mp.mstartfn is None and rt.sched.nmspinning == 1


def test_a_waiting_stop_the_world_gets_the_p():
    def prepare(rt, fos):
        rt.sched.gcwaiting = True
        rt.sched.stopwait = 1
    rt, fos, g1, rec = _handoff(2, prepare)
    p0 = rt.allp[0]
    assert p0.status == P._Pgcstop and ("pstatus", p0, P._Pidle, P._Pgcstop) in rec.events
    assert rt.sched.stopwait == 0 and rt.sched.stopnote.key == 1
    assert new_ms(fos) == [] and rt.sched.pidle is rt.allp[1]


def test_a_pending_safe_point_function_runs_for_the_p():
    seen = []

    def prepare(rt, fos):
        rt.sched.safePointFn = lambda pp: seen.append((pp, pp.status))
        rt.sched.safePointWait = 1
        rt.allp[0].runSafePointFn = 1
    rt, fos, g1, rec = _handoff(2, prepare, lastpoll=False)
    p0 = rt.allp[0]
    assert seen == [(p0, P._Pidle)] and p0.runSafePointFn == 0
    assert rt.sched.safePointWait == 0 and rt.sched.safePointNote.key == 1
    assert rt.sched.pidle is p0  # then idled
    rt.checkinvariants()


def test_work_queued_by_the_safe_point_function_starts_an_m():
    """The second runqsize check (under sched.lock, after safePointFn) on its own."""
    def prepare(rt, fos):
        g2 = go(rt, fos)
        rt.allp[0].runnext = None

        def fn(pp):
            rt.globrunqput(g2)  # sched.lock is held here
        rt.sched.safePointFn = fn
        rt.sched.safePointWait = 1
        rt.allp[0].runSafePointFn = 1
    rt, fos, g1, rec = _handoff(2, prepare, lastpoll=False)
    (mp,) = new_ms(fos)
    assert mp.nextp is rt.allp[0] and rt.sched.runqsize == 1
    rt.checkinvariants()


def test_the_last_running_p_keeps_an_m_for_the_network_poller():
    """npidle == gomaxprocs-1 and nobody blocked in netpoll (lastpoll != 0): start an M."""
    rt, fos, g1, rec = _handoff(2, lastpoll=True)
    (mp,) = new_ms(fos)
    assert mp.nextp is rt.allp[0] and rt.sched.npidle == 1 and mp.mstartfn is None


def test_otherwise_the_p_goes_idle():
    rt, fos, g1, rec = _handoff(2, lastpoll=False)
    assert new_ms(fos) == []
    assert rt.sched.pidle is rt.allp[0] and rt.sched.npidle == 2
    assert rt.idlepMask.read(0)
    after = _after_handoffp(rec)
    assert after[after.index("pidleput") - 1:after.index("pidleput") + 3] == [
        "lock", "pidleput", "runqempty", "unlock"]
    rt.checkinvariants()


# --- startm / stopm / mstart ---------------------------------------------------------------

def _parked_spinning_m():
    """GOMAXPROCS=1: g1 blocks, handoffp starts a spinning M2, which finds nothing, gives
    p0 back and parks in stopm."""
    rt, fos, g1, rec = _handoff(1)
    (m2,) = new_ms(fos)
    stop = run_new_m(rt, fos, m2)
    assert isinstance(stop, Blocked) and stop.note is m2.park
    return rt, fos, g1, m2, rec


def test_new_spinning_m_finds_nothing_and_parks():
    rt, fos, g1, m2, rec = _parked_spinning_m()
    p0 = rt.allp[0]
    assert rt.sched.midle is m2 and rt.sched.nmidle == 1
    assert not m2.spinning and rt.sched.nmspinning == 0
    assert rt.sched.pidle is p0 and p0.status == P._Pidle
    calls = rec.calls()
    calls = calls[calls.index("mstart"):]
    assert calls[:4] == ["mstart", "mstart0", "mstart1", "mspinning"]
    assert calls.index("stealWork") < calls.index("releasep") < calls.index("stopm")
    rt.checkinvariants()


def test_startm_wakes_an_idle_m():
    rt, fos, g1, m2, rec = _parked_spinning_m()
    p0 = rt.allp[0]
    fos.calls.clear()
    fos.setg(rt.m0.g0)
    rt.startm(None, False)
    assert new_ms(fos) == []
    assert ("futexwakeup", m2.park, 1) in fos.calls and m2.park.key == 1
    assert m2.nextp is p0 and rt.sched.midle is None and rt.sched.nmidle == 0
    assert rt.sched.pidle is None and not rt.idlepMask.read(0)
    rt.checkinvariants()


def test_startm_without_idle_m_reserves_an_id_and_creates_one():
    rec = Recorder()
    rt, fos, g1 = boot(gomaxprocs=2, observer=rec)
    fos.setg(rt.m0.g0)
    rec.events.clear()
    rt.startm(None, False)
    (mp,) = new_ms(fos)
    assert mp.nextp is rt.allp[1] and mp.g0.m is mp and mp.park.name == "m1.park"
    assert rt.allm is mp and mp.alllink is rt.m0 and rt.sched.mnext == 2 and mp.id == 1
    calls = rec.calls()
    assert calls.index("mReserveID") < calls.index("newm") < calls.index("mcommoninit")
    assert rt.m0.locks == 0


def test_startm_without_idle_p_does_nothing():
    rt, fos, g1 = boot(gomaxprocs=1)
    rt.startm(None, False)
    assert new_ms(fos) == [] and rt.m0.locks == 0


def test_startm_spinning_needs_a_p():
    rt, fos, g1 = boot(gomaxprocs=1)
    with pytest.raises(Throw, match="startm: P required for spinning=true"):
        rt.startm(None, True)


def test_wakep_starts_a_spinning_m_for_an_idle_p():
    rt, fos, g1 = boot(gomaxprocs=2)
    rt.wakep()
    (mp,) = new_ms(fos)
    assert mp.nextp is rt.allp[1] and mp.mstartfn == rt.mspinning
    assert rt.sched.nmspinning == 1
    rt.wakep()  # a spinner exists: nothing more
    assert len(new_ms(fos)) == 1


def test_wakep_without_idle_p_asks_for_a_spinner():
    rt, fos, g1 = boot(gomaxprocs=1)
    rt.wakep()
    assert new_ms(fos) == [] and rt.sched.nmspinning == 0
    assert rt.sched.needspinning == 1  # pidlegetSpinning found no P


def test_acquirep_and_releasep_check_their_state():
    rt, fos, g1 = boot(gomaxprocs=2)
    with pytest.raises(Throw, match="wirep: already in go"):
        rt.acquirep(rt.allp[1])
    rt.allp[1].status = P._Prunning
    fos.setg(rt.start_sysmon().g0)  # an M without a P
    with pytest.raises(Throw) as ei:
        rt.acquirep(rt.allp[1])
    assert ei.value.msg == "wirep: invalid p state" and "p->status=1" in ei.value.detail
    with pytest.raises(Throw, match="releasep: invalid arg"):
        rt.releasep()


def test_checkdead_all_ms_idle_with_a_waiting_goroutine():
    rt, fos, g1 = boot()
    fos.setg(rt.m0.g0)
    g1.atomicstatus = P._Gwaiting  # parked on a channel nobody will send on
    rt.m0.curg = None
    g1.m = None
    rt.lock(rt.sched.lock)
    rt.sched.nmidle = 1  # m0 about to sleep: every M is idle
    with pytest.raises(Throw, match="all goroutines are asleep - deadlock!"):
        rt.checkdead()
    assert rt.sched.lock.key == 0  # go1.22 unlocks sched.lock before dying


def test_checkdead_counts_a_preempted_goroutine_as_blocked():
    rt, fos, g1 = boot()
    fos.setg(rt.m0.g0)
    g1.atomicstatus = P._Gpreempted
    rt.lock(rt.sched.lock)
    rt.sched.nmidle = 1
    with pytest.raises(Throw, match="all goroutines are asleep - deadlock!"):
        rt.checkdead()
