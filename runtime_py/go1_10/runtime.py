"""runtime_py/go1_10/runtime.py: the go1.10 scheduler model, assembled into one Runtime class.

Go's package-level variables (sched, allp, allm, allgs, gomaxprocs, m0, g0, mainStarted) are
attributes; Go's functions are methods, split by topic over the mixins of proc_*.py and
lock_futex.py, each with Go's name, arguments and statement order.

Conventions:
- Each mirror's docstring names the go1.10 file, line and function (`go1.10 proc.go:2836
  entersyscall`) and what it skips; its first statement, `self._call(...)`, tells the observer
  the function was entered and is not Go. Any other statement that is not Go carries a
  `# not Go` comment (the observer notes that explain a decision, the names of notes).
- `_g_ = self.os.getg()` is Go's `_g_ := getg()`: the g in this thread's TLS.
- Locks and atomics are sequential in the model: one thread at a time touches runtime state
  (os_linux.py). An atomic.Cas is a compare-and-store (`_cas`, `_pcas`) that may still fail.
- The execution tracer is off (trace.enabled == false); its events go to the observer as a
  side channel at the places go1.10 emits them (observe.py).
- A function that never returns in Go (execute, schedule, gogo, mcall's fn) is followed by
  `return`, so a platform whose gogo does return unwinds without running anything more.
"""

from __future__ import annotations

from typing import Optional

from runtime_py.go1_10.invariants import Invariants
from runtime_py.go1_10.lock_futex import LockFutex
from runtime_py.go1_10.os_linux import OS
from runtime_py.go1_10.proc_g import ProcG
from runtime_py.go1_10.proc_m import ProcM
from runtime_py.go1_10.proc_runq import ProcRunq
from runtime_py.go1_10.proc_sched import ProcSched, randomOrder
from runtime_py.go1_10.proc_syscall import ProcSyscall
from runtime_py.go1_10.proc_sysmon import ProcSysmon
from runtime_py.go1_10.runtime2 import (
    _Grunnable, _Grunning, _Pgcstop, _Pidle, _StackGuard, g, m, mcache, mutex, p, schedt,
    stack,
)
from runtime_py.observe import Observer
from runtime_py.plumbing import Plumbing
from runtime_py.runtime1 import Runtime1
from runtime_py.throw import throw


class Runtime(Plumbing, Runtime1, LockFutex, ProcSyscall, ProcM, ProcSched, ProcRunq, ProcG, ProcSysmon,
              Invariants):
    """The go1.10 Go runtime scheduler, driven by a platform that implements OS."""

    def __init__(self, os: OS, observer: Optional[Observer] = None, gomaxprocs: int = 1):
        if gomaxprocs < 1:
            raise ValueError(f"gomaxprocs must be >= 1, not {gomaxprocs}")
        self.os = os
        self.observer = observer if observer is not None else Observer()
        self.gomaxprocs = gomaxprocs
        self.sched = schedt()
        self.allp: list[p] = []
        self.allpLock = mutex(name="allpLock")
        self.allm: Optional[m] = None  # head of the list linked by m.alllink
        self.allgs: list[g] = []  # every g made by newproc1 (not the g0s)
        self.m0: Optional[m] = None
        self.g0: Optional[g] = None  # m0's g0
        self.mainStarted = False  # runtime.main has started: newproc may start Ms
        self.goexitpc = 0  # guest address of runtime·goexit (newproc1 pushes goexitpc+1)
        self.stealOrder = randomOrder()  # findrunnable's order of Ps to steal from

    def fastrand(self) -> int:
        """go1.10 stubs.go:94 fastrand — xorshift64+ on this M's two 32-bit words (seeded
        by mcommoninit)."""
        mp = self.os.getg().m
        # Implement xorshift64+: 2 32-bit xorshift sequences added together.
        s1, s0 = mp.fastrand[0], mp.fastrand[1]
        s1 ^= (s1 << 17) & 0xFFFFFFFF
        s1 = s1 ^ s0 ^ s1 >> 7 ^ s0 >> 16
        mp.fastrand[0], mp.fastrand[1] = s0, s1
        return (s0 + s1) & 0xFFFFFFFF

    # --- bootstrap -------------------------------------------------------------------------

    def bootstrap_main(self, stack_lo: int, stack_hi: int, *, mainpc: int = 0x1,
                       g0_lo: int = 0, g0_hi: int = 0) -> g:
        """Not a Go function: the state in which runtime.main starts running on m0; returns
        the main goroutine.

        Stands for rt0_go (m0, its g0 on [g0_lo, g0_hi), TLS g = g0), schedinit (mcommoninit,
        sched.lastpoll, procresize: gomaxprocs Ps, p0 acquired by m0, the others _Pidle on
        sched.pidle), newproc(runtime.main) (g1 on [stack_lo, stack_hi), goid 1, entry
        mainpc), mstart -> schedule -> execute(g1) without the final gogo (the caller starts
        the guest with g1's context; TLS g = g1), and runtime.main's mainStarted = true.
        Sysmon is not started here: call start_sysmon().
        """
        if self.m0 is not None:
            raise RuntimeError("bootstrap_main: already bootstrapped")
        self._call("bootstrap_main", stack_lo=stack_lo, stack_hi=stack_hi)
        # rt0_go: g0 and m0, linked; TLS holds g0.
        m0, g0 = m(), g()
        g0.stack = stack(g0_lo, g0_hi)
        g0.stackguard0 = g0_lo + _StackGuard if g0_lo else 0
        g0.stackguard1 = g0.stackguard0
        m0.g0, g0.m = g0, m0
        m0.park.name = "m0.park"
        self.m0, self.g0 = m0, g0
        self.os.setg(g0)
        # schedinit
        self.sched.maxmcount = 10000
        self.mcommoninit(m0)
        self.sched.lastpoll = self.os.nanotime()
        self.procresize(self.gomaxprocs)
        # newproc(runtime.main) on g0
        gp = self.newproc1(mainpc, stack_lo, stack_hi, 0)
        # mstart -> schedule: runqget; execute(gp, inheritTime) without gogo.
        _p_ = m0.p
        gp1, inheritTime = self.runqget(_p_)
        if gp1 is not gp:
            throw("bootstrap_main: main goroutine not in runnext")
        self.casgstatus(gp, _Grunnable, _Grunning)
        gp.waitsince = 0
        gp.preempt = False
        gp.stackguard0 = gp.stack.lo + _StackGuard
        if not inheritTime:
            _p_.schedtick += 1
        m0.curg = gp
        gp.m = m0
        self._traceev("GoStart", g=gp, p=_p_)
        self.os.setg(gp)
        # runtime.main: allow newproc to start new Ms.
        self.mainStarted = True
        return gp

    def procresize(self, nprocs: int) -> Optional[p]:
        """go1.10 proc.go:3850 procresize — only the bootstrap case (old gomaxprocs 0): create
        nprocs Ps, acquire allp[0] for the current M, put the rest on the idle list.
        skips: growing or shrinking an existing allp (the model's GOMAXPROCS is fixed).
        skips: trace, race and statistics bookkeeping.
        """
        self._call("procresize", nprocs=nprocs)
        if self.allp or nprocs <= 0:
            throw("procresize: invalid arg")
        self.lock(self.allpLock)
        self.allp = [None] * nprocs  # type: ignore[list-item]
        self.unlock(self.allpLock)
        # initialize new P's
        for i in range(nprocs):
            pp = p(id=i)
            pp.lock.name = f"p{i}.lock"
            self._pstore(pp, _Pgcstop)
            self.allp[i] = pp
            pp.mcache = mcache(owner=i)
        _g_ = self.os.getg()
        # release the current P and acquire allp[0]
        _g_.m.p = None
        _g_.m.mcache = None
        p0 = self.allp[0]
        p0.m = None
        self._pstore(p0, _Pidle)
        self.acquirep(p0)
        runnablePs = None
        for i in range(nprocs - 1, -1, -1):
            pp = self.allp[i]
            if _g_.m.p is pp:
                continue
            self._pstore(pp, _Pidle)
            if self.runqempty(pp):
                self.pidleput(pp)
        self.stealOrder.reset(nprocs)
        self.gomaxprocs = nprocs
        return runnablePs

    def start_sysmon(self) -> m:
        """Not a Go function: go1.10 proc.go main's first act, systemstack(func() {
        newm(sysmon, nil) }). Returns the new M, whose thread the platform's newosproc was
        asked to start (mstart -> mstart1 -> sysmon)."""
        self._call("start_sysmon")
        self.systemstack(lambda: self.newm(self.sysmon, None))
        return self.allm
