"""runtime_py/go1_22/runtime.py: the go1.22 scheduler model, assembled into one Runtime class.

Go's package-level variables (sched, allp, allpLock, idlepMask, allm, allgs, allglock,
gomaxprocs, m0, g0, mainStarted) are attributes; Go's functions are methods, split by topic
over the mixins of proc_*.py, lock_futex.py and trace2runtime.py (and the shared
runtime_py/runtime1.py and notes.py), each with Go's name,
arguments and statement order (go1.22.10: the line numbers in each docstring).

Conventions:
- `gp := getg()` is `gp = self.os.getg()`: the g in this thread's TLS.
- Locks and atomics are sequential in the model: one thread at a time touches runtime state
  (os_linux.py). An atomic CAS is a compare-and-store (`_cas`, `_pcas`) that may still fail.
- The execution tracer is off; the events of go1.22's new tracer go to the observer as a side
  channel at the places go1.22 emits them (trace2runtime.py).
- A function that never returns in Go (execute, schedule, gogo, mcall's fn) is followed by
  `return`, so a platform whose gogo does return unwinds without running anything more.

The interface the emulator drives is the go1.10 profile's: Runtime(os, observer, gomaxprocs),
bootstrap_main, start_sysmon, entersyscall(callerpc, callersp), exitsyscall(callersp) (Go's
has no argument: callersp is its getcallersp()), entersyscallblock, newproc, gopark,
goparkunlock, goexit1, mstart, lock/unlock, checkinvariants.
"""

from __future__ import annotations

from typing import Optional

from runtime_py.go1_22.invariants import Invariants
from runtime_py.go1_22.lock_futex import LockFutex
from runtime_py.go1_22.os_linux import OS
from runtime_py.go1_22.proc_g import ProcG
from runtime_py.go1_22.proc_m import ProcM
from runtime_py.go1_22.proc_p import ProcP
from runtime_py.go1_22.proc_runq import ProcRunq
from runtime_py.go1_22.proc_sched import ProcSched
from runtime_py.go1_22.proc_syscall import ProcSyscall
from runtime_py.go1_22.proc_sysmon import ProcSysmon
from runtime_py.go1_22.runtime2 import (
    _Pgcstop, _Pidle, g, m, mcache, mutex, p, pMask, schedt, stack,
)
from runtime_py.go1_22.trace2runtime import Trace2Runtime
from runtime_py.observe import Observer
from runtime_py.plumbing import Plumbing
from runtime_py.runtime1 import Runtime1
from runtime_py.throw import throw


class _Rt0OS:
    """The OS as m0's first mstart sees it in bootstrap_main: gogo(&g1.sched) is where the
    platform takes the thread over (it starts the guest at g1's context), so it only sets
    the TLS g and returns, and every function on that path returns straight away."""

    def __init__(self, os: OS):
        self._os = os

    def __getattr__(self, name: str):
        return getattr(self._os, name)

    def gogo(self, buf) -> None:
        self._os.setg(buf.g)


class Runtime(Plumbing, Runtime1, LockFutex, Trace2Runtime, ProcSyscall, ProcM, ProcP, ProcSched,
              ProcRunq, ProcG, ProcSysmon, Invariants):
    """The go1.22 Go runtime scheduler, driven by a platform that implements OS."""

    def __init__(self, os: OS, observer: Optional[Observer] = None, gomaxprocs: int = 1):
        if gomaxprocs < 1:
            raise ValueError(f"gomaxprocs must be >= 1, not {gomaxprocs}")
        self.os = os
        self.observer = observer if observer is not None else Observer()
        self.gomaxprocs = gomaxprocs
        self.sched = schedt()
        self.allp: list[p] = []
        self.allpLock = mutex(name="allpLock")
        self.idlepMask = pMask()  # one bit per P on sched.pidle
        self.allm: Optional[m] = None  # head of the list linked by m.alllink
        self.allglock = mutex(name="allglock")
        self.allgs: list[g] = []  # every g made by newproc1 (not the g0s)
        self.m0: Optional[m] = None
        self.g0: Optional[g] = None  # m0's g0
        self.mainStarted = False  # runtime.main has started: newproc may start Ms
        self.goexitpc = 0  # guest address of runtime·goexit (newproc1 pushes goexitpc+1)

    # --- bootstrap -------------------------------------------------------------------------

    def bootstrap_main(self, stack_lo: int, stack_hi: int, *, mainpc: int = 0x1,
                       g0_lo: int = 0, g0_hi: int = 0) -> g:
        """Not a Go function: the state in which runtime.main starts running on m0; returns
        the main goroutine.

        Runs what rt0_go (asm_amd64.s) runs: m0 and its g0 on [g0_lo, g0_hi) (TLS g = g0,
        stackguard0/1 = stack.lo); schedinit (proc.go:750: mcommoninit(m0, -1), then under
        sched.lock: sched.lastpoll = nanotime(), procresize: gomaxprocs Ps, p0 acquired by
        m0, the others _Pidle on sched.pidle); newproc(runtime.main) (g1 on [stack_lo,
        stack_hi), goid 1, entry mainpc, into p0's runnext); mstart -> mstart0 -> mstart1 ->
        schedule -> findRunnable -> execute(g1, true), whose final gogo(&g1.sched) is where
        the caller takes over (it starts the guest with g1's context; TLS g = g1); then
        runtime.main's mainStarted = true (proc.go:168). Sysmon is not started here: call
        start_sysmon().
        """
        if self.m0 is not None:
            raise RuntimeError("bootstrap_main: already bootstrapped")
        self._call("bootstrap_main", stack_lo=stack_lo, stack_hi=stack_hi)
        # rt0_go: g0 and m0, linked; g0's stack from the OS stack; TLS holds g0.
        m0, g0 = m(), g()
        g0.stack = stack(g0_lo, g0_hi)
        g0.stackguard0 = g0.stackguard1 = g0_lo
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
        # newproc(runtime.main) on g0; mstart on m0, up to execute's gogo.
        gp = self.newproc(mainpc, stack_lo, stack_hi)
        os = self.os
        self.os = _Rt0OS(os)
        try:
            self.mstart()
        finally:
            self.os = os
        if os.getg() is not gp:
            throw("bootstrap_main: mstart did not run the main goroutine")
        # runtime.main: allow newproc to start new Ms.
        self.mainStarted = True
        return gp

    def procresize(self, nprocs: int) -> Optional[p]:
        """go1.22.10 proc.go:5591 procresize — only the bootstrap case (old gomaxprocs 0):
        create nprocs Ps, acquire allp[0] for the current M, put the rest on the idle list.
        sched.lock must be held.
        skips: growing or shrinking an existing allp (the model's GOMAXPROCS is fixed).
        skips: timerpMask (no timers), statistics and the GC CPU limiter; the GoStart after
        acquirep (tracing cannot be on during schedinit: m.curg is nil).
        stealOrder.reset: the model's steal order is fixed (proc_sched.stealWork).
        """
        self._call("procresize", nprocs=nprocs)
        old = 0
        if self.allp or nprocs <= 0:
            throw("procresize: invalid arg")
        trace = self.traceAcquire()
        trace.Gomaxprocs(nprocs)
        now = self.os.nanotime()
        self.sched.procresizetime = now
        maskWords = (nprocs + 31) // 32
        # Grow allp if necessary.
        self.lock(self.allpLock)
        self.allp = [None] * nprocs  # type: ignore[list-item]
        self.idlepMask = pMask([0] * maskWords)
        self.unlock(self.allpLock)
        # initialize new P's
        for i in range(old, nprocs):
            pp = p(id=i)  # pp.init(i)
            self._pstore(pp, _Pgcstop)
            pp.mcache = mcache(owner=i)
            self.allp[i] = pp
        gp = self.os.getg()
        # release the current P and acquire allp[0].
        gp.m.p = None
        pp = self.allp[0]
        pp.m = None
        self._pstore(pp, _Pidle)
        self.acquirep(pp)
        runnablePs = None
        for i in range(nprocs - 1, -1, -1):
            pp = self.allp[i]
            if gp.m.p is pp:
                continue
            self._pstore(pp, _Pidle)
            if self.runqempty(pp):
                self.pidleput(pp, now)
        self.gomaxprocs = nprocs
        return runnablePs

    def start_sysmon(self) -> m:
        """Not a Go function: go1.22.10 proc.go:172 main's first act, systemstack(func() {
        newm(sysmon, nil, -1) }). Returns the new M, whose thread the platform's newosproc
        was asked to start (mstart -> mstart0 -> mstart1 -> sysmon)."""
        self._call("start_sysmon")
        self.systemstack(lambda: self.newm(self.sysmon, None, -1))
        return self.allm
