"""The go1.10 model against go1.10's proc.go: statements Go has, none it has not.

- allocm borrows the P it is given when its M has none (proc.go:1485-1487) and gives it back
  (1522-1524): sysmon's retake -> handoffp -> startm -> newm shows p0 _Pidle -> _Prunning ->
  _Pidle with ProcStart and ProcStop, as go1.10's execution tracer would.
- findrunnable makes no sched_yield of its own; checkdead asserts nothing Go does not.
- the steal order is go1.10's stealOrder/fastrand, reproducible because cputicks is virtual.
- every mirrored function's docstring cites its release, file and line; every observer note
  inside a mirror is marked "not Go".
"""

from __future__ import annotations

import ast
import pathlib
import re

import pytest
from rt_helpers import PC, boot, go, retake_on, roundtrip, sp_of, sysmon_m

from runtime_py import Recorder
from runtime_py.go1_10 import _Pidle, _Prunning, _Psyscall
from runtime_py.go1_10.proc_sched import gcd, randomOrder

GO110 = pathlib.Path(__file__).resolve().parents[2] / "runtime_py" / "go1_10"


def test_allocm_borrows_the_p_when_sysmon_starts_an_m():
    rec = Recorder()
    rt, fos, g1 = boot(1, observer=rec)
    roundtrip(rt, fos, g1)
    go(rt, fos)                                        # work in p0's runq: retake hands it off
    smon = sysmon_m(rt, fos)
    fos.setg(g1)
    rt.entersyscall(PC, sp_of(g1))
    p0 = rt.allp[0]
    retake_on(rt, fos, smon, fos.now)
    rec.events.clear()
    assert retake_on(rt, fos, smon, fos.now + 20_000) == 1
    ps = [(e[2], e[3]) for e in rec.events if e[0] == "pstatus" and e[1] is p0]
    assert ps == [(_Psyscall, _Pidle), (_Pidle, _Prunning), (_Prunning, _Pidle)]
    calls = rec.calls()
    a = calls.index("allocm")
    assert calls[a:a + 4] == ["allocm", "acquirep", "acquirep1", "mcommoninit"]
    assert calls.index("releasep", a) < calls.index("newm1")
    assert rec.traceevs() == ["GoSysBlock", "ProcStop", "ProcStart", "ProcStop"]
    assert smon.p is None and smon.mcache is None and p0.m is None   # given back
    (mp,) = [c[1] for c in fos.of("newosproc")][-1:]
    assert mp.nextp is p0
    rt.checkinvariants()


def test_allocm_keeps_the_callers_own_p():
    """newm from an M that holds a P (wakep from newproc on m0) borrows nothing."""
    rec = Recorder()
    rt, fos, g1 = boot(2, observer=rec)
    rt.mainStarted = True
    rec.events.clear()
    go(rt, fos)                                        # npidle 1, nmspinning 0: wakep -> startm -> newm
    calls = rec.calls()
    a = calls.index("allocm")
    assert "acquirep" not in calls[a:] and "releasep" not in calls[a:]
    assert rt.m0.p is rt.allp[0]


def test_findrunnable_has_no_osyield_and_checkdead_no_extra_assertion():
    src = (GO110 / "proc_sched.py").read_text()
    body = src[src.index("def findrunnable"):src.index("def resetspinning")]
    assert "osyield" not in body
    src = (GO110 / "proc_m.py").read_text()
    body = src[src.index("def checkdead"):src.index("def mput")]
    assert "not held" not in body and "sched.lock.key" not in body


def test_steal_order_is_go110s_random_order():
    order = randomOrder()
    order.reset(4)
    assert order.coprimes == [1, 3]
    for seed in range(8):
        e, seen = order.start(seed), []
        while not e.done():
            seen.append(e.position())
            e.next()
        assert sorted(seen) == [0, 1, 2, 3]
    e = order.start(5)                                 # pos 5 % 4 = 1, inc coprimes[5 % 2] = 3
    assert (e.pos, e.inc) == (1, 3)
    assert gcd(12, 18) == 6


def test_fastrand_is_go110s_xorshift_seeded_by_mcommoninit():
    rt, fos, g1 = boot(1)
    m0 = rt.m0
    assert m0.fastrand == [0, fos.now & 0xFFFFFFFF]   # 1597334677 * id 0, cputicks()
    m0.fastrand = [1, 2]
    # s1, s0 = 1, 2; s1 ^= s1<<17 -> 0x20001; s1 = s1 ^ s0 ^ s1>>7 ^ s0>>16 = 0x20001^2^0x400 = 0x20403
    assert rt.fastrand() == (2 + 0x20403) and m0.fastrand == [2, 0x20403]


def test_the_world_is_reproducible_with_random_stealing():
    from emu.world.scenarios import to_log
    a = to_log("threads", variant="read", n=3, gomaxprocs=4, duration_ns=1_000_000)
    b = to_log("threads", variant="read", n=3, gomaxprocs=4, duration_ns=1_000_000)
    assert [e.to_json() for e in a.events] == [e.to_json() for e in b.events]
    assert not [e for e in a.events if e.kind == "syscall" and e.data["name"] == "sched_yield"]


def _mirrors():
    for path in sorted(GO110.glob("proc_*.py")) + [GO110 / "lock_futex.py", GO110 / "runtime.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef):
                doc = ast.get_docstring(node) or ""
                if doc.startswith("go1.10 "):
                    yield path.name, node.name, doc


@pytest.mark.parametrize("where, name, doc", list(_mirrors()), ids=lambda x: x if isinstance(x, str) and "\n" not in x and len(x) < 40 else "")
def test_every_mirror_cites_its_go110_line(where, name, doc):
    m = re.match(r"go1\.10 (\w+\.(?:go|s)):(\d+) (\(\*\w+\)\.)?(\w+)\b", doc)
    assert m, f"{where} {name}: {doc.splitlines()[0]!r} does not say go1.10 FILE:LINE NAME"
    assert m.group(4) == name.rstrip("_"), (name, doc.splitlines()[0])


# go1.10 proc.go lines of some functions, read from the go1.10 source.
KNOWN = {"allocm": 1482, "stopm": 1930, "findrunnable": 2198, "checkdead": 4102, "mcommoninit": 541,
         "procresize": 3850}


def test_cited_lines_are_go110s():
    cited = {name: int(re.match(r"go1\.10 proc\.go:(\d+)", doc).group(1))
             for _, name, doc in _mirrors() if doc.startswith("go1.10 proc.go:")}
    assert {n: cited[n] for n in KNOWN} == KNOWN


def test_observer_notes_in_mirrors_are_marked_not_go():
    for path in sorted(GO110.glob("*.py")):
        lines = path.read_text().splitlines()
        for i, line in enumerate(lines):
            if "self._note(" in line:
                near = "\n".join(lines[max(0, i - 2):i + 1])
                assert "not Go" in near, f"{path.name}:{i + 1}: an observer note not marked `# not Go`"
