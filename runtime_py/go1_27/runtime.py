"""runtime_py/go1_27/runtime.py: the go1.27.3 scheduler model, assembled into one Runtime class.

Go's package-level variables (sched, allp, allpLock, allm, allgs, gomaxprocs, m0, idlepMask,
mainStarted, deadlock) are attributes; Go's functions are methods, split by topic over the
mixins of proc_*.py, lock_spinbit.py and runtime_py/notes.py, each with Go's name, arguments
and statement order (line numbers of go1.27.3's files in each docstring).

Conventions (as in the go1.10 profile):
- `gp := getg()` is `gp = self.os.getg()`: the g in this thread's TLS.
- Locks and atomics are sequential: one thread at a time touches runtime state
  (os_linux.py). An atomic CAS is a compare-and-store (`_cas`, `_pcas`, `_gcas`) that may
  still fail — for `_gcas` on a goroutine status, because another thread holds its _Gscan
  bit while parked in OS.parallel, procyield or osyield.
- The execution tracer is off (trace.ok() is false); its events go to the observer as a side
  channel at the places go1.27 emits them, with the wire names of internal/trace/tracev2
  (GoSyscallBegin, GoSyscallEnd, GoSyscallEndBlocked, ProcSteal, ProcStart, ProcStop, ...).
- A function that never returns in Go (execute, schedule, gogo, mcall's fn) is followed by
  `return`, so a platform whose gogo does return unwinds without running anything more.
- `scanheld` is not Go: the goroutines whose _Gscan bit setBlockOnExitSyscall won, and the M
  that holds each, for checkinvariants.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from runtime_py.go1_27.chan import Chan
from runtime_py.go1_27.invariants import Invariants
from runtime_py.go1_27.lock_spinbit import LockSpinbit, mutexMLocksDelta
from runtime_py.go1_27.os_linux import OS
from runtime_py.go1_27.proc_g import ProcG
from runtime_py.go1_27.proc_m import ProcM
from runtime_py.go1_27.proc_runq import ProcRunq
from runtime_py.go1_27.proc_sched import ProcSched
from runtime_py.go1_27.proc_syscall import ProcSyscall
from runtime_py.go1_27.proc_sysmon import ProcSysmon
from runtime_py.go1_27.runtime2 import (
    _Grunnable, _Grunning, _Pgcstop, _Pidle, g, m, mutex, p, schedt, stack, stackGuard,
    stackPreempt,
)
from runtime_py.notes import FutexNotes
from runtime_py.observe import Observer
from runtime_py.plumbing import Plumbing
from runtime_py.throw import throw


class Runtime(Plumbing, LockSpinbit, FutexNotes, ProcSyscall, ProcM, ProcSched, ProcRunq,
              ProcG, ProcSysmon, Chan, Invariants):
    """The go1.27.3 Go runtime scheduler, driven by a platform that implements OS."""

    def __init__(self, os: OS, observer: Optional[Observer] = None, gomaxprocs: int = 1):
        if gomaxprocs < 1:
            raise ValueError(f"gomaxprocs must be >= 1, not {gomaxprocs}")
        self.os = os
        self.observer = observer if observer is not None else Observer()
        self.gomaxprocs = gomaxprocs
        self.sched = schedt()
        self.allp: list[p] = []
        self.allpLock = mutex(name="allpLock")
        self.deadlock = mutex(name="deadlock")
        self.idlepMask: set[int] = set()  # pMask: ids of the Ps on sched.pidle
        self.allm: Optional[m] = None  # head of the list linked by m.alllink
        self.allgs: list[g] = []  # every g made by newproc1 (not the g0s)
        self.m0: Optional[m] = None
        self.g0: Optional[g] = None  # m0's g0
        self.mainStarted = False  # runtime.main has started: newproc may start Ms
        self.goexitpc = 0  # guest address of runtime·goexit (newproc1 pushes goexitpc+1)
        self.scanheld: dict[g, m] = {}  # not Go: see the module docstring

    # --- what is not Go: the goroutine-status CAS that reports ---------------------------

    def _gcas(self, gp: g, old: int, new: int) -> bool:
        """gp.atomicstatus.CompareAndSwap(old, new); a success is reported to the observer."""
        if gp.atomicstatus != old:
            return False
        self._gstore(gp, new)
        return True

    # --- small runtime helpers ------------------------------------------------------------

    def systemstack(self, fn: Callable[[], Any]) -> None:
        """go1.27.3 stubs.go systemstack (asm_amd64.s) — run fn on this M's g0 stack: the TLS
        g is g0 while fn runs, then the calling g again. Called on g0, it just calls fn."""
        self._call("systemstack", fn=getattr(fn, "__name__", "func"))
        gp = self.os.getg()
        mp = gp.m
        if gp is mp.g0:
            fn()
            return
        self.os.setg(mp.g0)
        fn()
        self.os.setg(gp)

    def acquirem(self) -> m:
        """go1.27.3 runtime1.go acquirem — disable preemption; return the current m."""
        self._call("acquirem")
        gp = self.os.getg()
        gp.m.locks += 1
        return gp.m

    def releasem(self, mp: m) -> None:
        """go1.27.3 runtime1.go releasem."""
        self._call("releasem")
        gp = self.os.getg()
        mp.locks -= 1
        if mp.locks == 0 and gp.preempt:
            # restore the preemption request in case we've cleared it in newstack
            gp.stackguard0 = stackPreempt

    def acquireLockRankAndM(self) -> None:
        """go1.27.3 lockrank_off.go:30 acquireLockRankAndM — taking a _Gscan bit counts as
        a runtime lock on this M: acquirem, then m.locks += mutexMLocksDelta."""
        mp = self.acquirem()
        mp.locks += mutexMLocksDelta  # not safe to profile right now

    def releaseLockRankAndM(self) -> None:
        """go1.27.3 lockrank_off.go:42 releaseLockRankAndM."""
        mp = self.os.getg().m
        mp.locks -= mutexMLocksDelta
        self.releasem(mp)

    # --- bootstrap -------------------------------------------------------------------------

    def bootstrap_main(self, stack_lo: int, stack_hi: int, *, mainpc: int = 0x1,
                       g0_lo: int = 0, g0_hi: int = 0) -> g:
        """Not a Go function: the state in which runtime.main starts running on m0; returns
        the main goroutine.

        Stands for rt0_go (m0, its g0 on [g0_lo, g0_hi), TLS g = g0), schedinit (proc.go:844:
        mcommoninit(m0, -1); under sched.lock, sched.lastpoll and procresize(gomaxprocs): p0
        acquired by m0, the others _Pidle on sched.pidle), newproc(runtime.main) (g1 on
        [stack_lo, stack_hi), goid 1, entry mainpc, in p0's runnext), mstart -> schedule ->
        execute(g1) without the final gogo (the caller starts the guest with g1's context;
        TLS g = g1), and runtime.main's mainStarted = true (proc.go:175). Sysmon is not
        started here: call start_sysmon().
        """
        if self.m0 is not None:
            raise RuntimeError("bootstrap_main: already bootstrapped")
        self._call("bootstrap_main", stack_lo=stack_lo, stack_hi=stack_hi)
        # rt0_go: g0 and m0, linked; TLS holds g0.
        m0, g0 = m(), g()
        g0.stack = stack(g0_lo, g0_hi)
        g0.stackguard0 = g0_lo + stackGuard if g0_lo else 0
        g0.stackguard1 = g0.stackguard0
        m0.g0, g0.m = g0, m0
        m0.park.name = "m0.park"
        self.m0, self.g0 = m0, g0
        self.os.setg(g0)
        # schedinit
        self.sched.maxmcount = 10000
        self.mcommoninit(m0, -1)
        self.lock(self.sched.lock)
        self.sched.lastpoll = self.os.nanotime()
        if self.procresize(self.gomaxprocs) is not None:
            throw("unknown runnable goroutine during bootstrap")
        self.unlock(self.sched.lock)
        # newproc(runtime.main) on g0 (mainStarted is false: no wakep yet).
        pp0 = m0.p
        gp = self.newproc(mainpc, stack_lo, stack_hi)
        # mstart -> schedule -> findRunnable -> runqget; execute(gp, inheritTime) w/o gogo.
        gp1, inheritTime = self.runqget(pp0)
        if gp1 is not gp:
            throw("bootstrap_main: main goroutine not in runnext")
        m0.curg = gp
        gp.m = m0
        self.casgstatus(gp, _Grunnable, _Grunning)
        gp.waitsince = 0
        gp.preempt = False
        gp.stackguard0 = gp.stack.lo + stackGuard
        if not inheritTime:
            pp0.schedtick += 1
        self._traceev("GoStart", g=gp, p=pp0)
        self.os.setg(gp)
        # runtime.main: allow newproc to start new Ms.
        self.mainStarted = True
        return gp

    def procresize(self, nprocs: int) -> Optional[p]:
        """go1.27.3 proc.go:6081 procresize — only the bootstrap case (old gomaxprocs 0):
        create nprocs Ps ((*p).init: _Pgcstop, proc.go:5957), acquire allp[0] for the current
        M, and put the rest on the idle list: they are collected from allp[n-1] down to
        allp[1] into a list headed by allp[1], then pidleput in that order, so sched.pidle
        ends up headed by allp[n-1]. sched.lock must be held.
        skips: growing or shrinking an existing allp (the model's GOMAXPROCS is fixed), and
        the statistics, timerpMask, GC-worker and stealOrder bookkeeping.
        """
        self._call("procresize", nprocs=nprocs)
        old = 0 if not self.allp else len(self.allp)
        if old != 0 or nprocs <= 0:
            throw("procresize: invalid arg")
        self._traceev("ProcsChange", procs=nprocs)
        # Grow allp if necessary.
        self.lock(self.allpLock)
        self.allp = [None] * nprocs  # type: ignore[list-item]
        self.unlock(self.allpLock)
        # initialize new P's
        for i in range(old, nprocs):
            pp = p()
            pp.id = i  # pp.init(i)
            self._pstore(pp, _Pgcstop)
            self.idlepMask.discard(i)
            self.allp[i] = pp
        gp = self.os.getg()
        # release the current P and acquire allp[0].
        gp.m.p = None
        pp = self.allp[0]
        pp.m = None
        self._pstore(pp, _Pidle)
        self.acquirep(pp)
        # Assign Ms to Ps with runnable goroutines (none at bootstrap).
        idlePs: Optional[p] = None
        for i in range(nprocs - 1, -1, -1):
            pp = self.allp[i]
            if gp.m.p is pp:
                continue
            self._pstore(pp, _Pidle)
            if self.runqempty(pp):
                pp.link = idlePs
                idlePs = pp
                continue
            throw("procresize: a new P has work")
        # Finally, any remaining Ps are truly idle.
        while idlePs is not None:
            pp = idlePs
            idlePs = pp.link
            self.pidleput(pp, 0)
        self.gomaxprocs = nprocs
        return None

    def start_sysmon(self) -> m:
        """Not a Go function: go1.27.3 proc.go:176 runtime.main's first act after
        mainStarted, systemstack(func() { newm(sysmon, nil, -1) }). Returns the new M, whose
        thread the platform's newosproc was asked to start (mstart -> mstart0 -> mstart1 ->
        sysmon)."""
        self._call("start_sysmon")
        self.systemstack(lambda: self.newm(self.sysmon, None, -1))
        return self.allm

