"""What every profile does alike: the checks and throws that no release since go1.10 changed.

Each test runs once per profile in runtime_py.PROFILES (the go1.10 copies in test_rt_mp.py and
test_rt_sched.py predate this file).
"""

from __future__ import annotations

import pytest

import runtime_py
from rt_helpers import boot, go
from runtime_py import Throw, load

PROFILES = sorted(runtime_py.PROFILES)


@pytest.fixture(params=PROFILES)
def prof(request):
    return load(request.param)


def test_lock_is_not_reentrant(prof):
    rt, fos, g1 = boot(prof=prof)
    rt.lock(rt.sched.lock)
    with pytest.raises(Throw, match="lock already held"):
        rt.lock(rt.sched.lock)


def test_unlock_of_unlocked_lock(prof):
    rt, fos, g1 = boot(prof=prof)
    with pytest.raises(Throw, match="unlock of unlocked lock"):
        rt.unlock(rt.sched.lock)


def test_notes(prof):
    rt, fos, g1 = boot(prof=prof)
    n = prof.note(name="n")
    with pytest.raises(Throw, match="notesleep not on g0"):
        rt.notesleep(n)  # g1 is not g0
    rt.notewakeup(n)
    with pytest.raises(Throw, match="notewakeup - double wakeup"):
        rt.notewakeup(n)
    fos.setg(rt.m0.g0)
    rt.notesleep(n)  # already woken: returns at once
    rt.noteclear(n)
    assert n.key == 0 and fos.of("futexsleep") == []


@pytest.mark.parametrize("what,msg", [("locks", "stopm holding locks"),
                                      ("p", "stopm holding p"),
                                      ("spinning", "stopm spinning")])
def test_stopm_preconditions(prof, what, msg):
    rt, fos, g1 = boot(prof=prof)
    fos.setg(rt.m0.g0)
    m0 = rt.m0
    if what == "locks":
        m0.locks = 1
    elif what == "spinning":
        m0.p = None
        m0.spinning = True
    with pytest.raises(Throw, match=msg):
        rt.stopm()


def test_checkdead_finds_a_runnable_goroutine(prof):
    rt, fos, g1 = boot(prof=prof)
    fos.setg(rt.m0.g0)
    rt.lock(rt.sched.lock)
    rt.sched.nmidle = 1
    with pytest.raises(Throw) as ei:
        rt.checkdead()
    assert ei.value.msg == "checkdead: runnable g" and "find g 1 in status 2" in ei.value.detail


def test_thread_exhaustion(prof):
    rt, fos, g1 = boot(prof=prof)
    rt.sched.maxmcount = 1
    with pytest.raises(Throw) as ei:
        rt.newm(None, None, *(() if prof.GO_VERSION == "go1.10" else (-1,)))   # go1.16+: newm(fn, pp, id)
    assert ei.value.msg == "thread exhaustion"
    assert "program exceeds 1-thread limit" in ei.value.detail


def test_casgstatus_rejects_bad_transitions(prof):
    rt, fos, g1 = boot(prof=prof)
    with pytest.raises(Throw, match="casgstatus: bad incoming values"):
        rt.casgstatus(g1, prof._Grunning, prof._Grunning)
    with pytest.raises(Throw, match="casgstatus: bad incoming values"):
        rt.casgstatus(g1, prof._Grunning | prof._Gscan, prof._Grunnable)
    with pytest.raises(Throw) as ei:
        rt.casgstatus(g1, prof._Grunnable, prof._Gwaiting)
    assert ei.value.msg == "casgstatus: bad old status"
    g2 = go(rt, fos)
    with pytest.raises(Throw, match="casgstatus: waiting for Gwaiting but is Grunnable"):
        rt.casgstatus(g2, prof._Gwaiting, prof._Grunning)


def test_save_rejects_a_nonzero_ctxt(prof):
    rt, fos, g1 = boot(prof=prof)
    g1.sched.ctxt = 0x1234
    with pytest.raises(Throw, match="ctxt != 0"):
        rt.save(0x1, 0x2, *((0x3,) if prof.GO_VERSION >= "go1.23" else ()))   # go1.23+: save(pc, sp, bp)


def test_ready_requires_a_waiting_g(prof):
    rt, fos, g1 = boot(prof=prof)
    g2 = go(rt, fos)
    with pytest.raises(Throw) as ei:
        rt.goready(g2, 1)
    assert ei.value.msg == "bad g->status in ready" and "goid=2" in ei.value.detail


def test_newproc_of_nil_func_throws(prof):
    rt, fos, g1 = boot(prof=prof)
    with pytest.raises(Throw, match="go of nil func value"):
        rt.newproc(0, 0x1000, 0x2000)
