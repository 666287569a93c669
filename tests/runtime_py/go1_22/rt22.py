"""tests/runtime_py/go1_22/rt22.py: the shared set-ups of rt_helpers.py, on the go1.22 profile."""

from __future__ import annotations

from typing import Any

import runtime_py.go1_22 as P
import rt_helpers
from rt_helpers import PC, STACK_HI, STACK_LO, go, retake_on, roundtrip, run_new_m, sp_of
from runtime_py import Recorder

MS = 1_000_000


def boot(gomaxprocs: int = 1, observer: Any = None):
    """A go1.22 runtime right after bootstrap_main: g1 running on m0 with p0."""
    return rt_helpers.boot(gomaxprocs, observer, prof=P)


def WriteLog(monkeypatch: Any) -> rt_helpers.WriteLog:
    """rt_helpers.WriteLog on go1.22's g, m, p and gobuf."""
    return rt_helpers.WriteLog(monkeypatch, prof=P)


def in_syscall(gomaxprocs: int = 1, work: bool = False, roundtrips: int = 1):
    """g1 in a syscall on p0 after `roundtrips` quick ones (so p0.syscalltick is not the
    zero sysmon has seen); with `work`, a runnable g2 waits in p0's runnext. Sysmon's M
    exists but its thread is not run: tests call retake on it. p0 has run a few scheduling
    rounds (schedtick 7) and sysmon looked at it once while g1 ran (at fos.now, before the
    syscall), so p0's schedtick counts as seen just now: a tick equal to sysmon's zero
    sysmontick would count as seen long ago (retake's sysretake rule)."""
    rec = Recorder()
    rt, fos, g1 = boot(gomaxprocs, observer=rec)
    for _ in range(roundtrips):
        roundtrip(rt, fos, g1)
    g2 = go(rt, fos) if work else None
    smon = rt.start_sysmon()
    rt.allp[0].schedtick = 7
    retake_on(rt, fos, smon, fos.now)
    fos.setg(g1)
    rt.entersyscall(PC, sp_of(g1))
    return rt, fos, g1, g2, smon, rec


def new_ms(fos) -> list:
    """The Ms whose threads newosproc was asked to start, in order."""
    return [c[1] for c in fos.of("newosproc")]


__all__ = ["P", "MS", "PC", "STACK_LO", "STACK_HI", "boot", "WriteLog", "in_syscall",
           "new_ms", "go", "retake_on", "roundtrip", "run_new_m", "sp_of"]
