"""runtime_py/go1_10/proc_m.py: go1.10 proc.go — Ms and Ps: start, stop, hand off, acquire."""

from __future__ import annotations

from typing import Callable, Optional

from runtime_py.go1_10.runtime2 import (
    _Grunnable, _Grunning, _Gscan, _Gsyscall, _Gwaiting, _Pgcstop, _Pidle, _Prunning,
    _StackGuard, g, m, p, stackPreempt,
)
from runtime_py.throw import throw


class ProcM:
    """Mixin of Runtime: M creation and parking, P acquisition and hand-off."""

    # --- creating Ms ---------------------------------------------------------------------

    def mstart(self) -> None:
        """go1.10 proc.go:1170 mstart — what a new M runs first (the platform calls it on the new
        thread with getg() == mp.g0).
        skips: deriving g0's bounds from the OS stack when stack.lo == 0 (the platform sets
        them in newosproc if it wants).
        skips: mexit (Ms never exit in the model).
        """
        self._call("mstart")
        _g_ = self.os.getg()
        # Initialize stack guards so that we can start calling both Go and C functions with
        # stack growth prologues.
        _g_.stackguard0 = _g_.stack.lo + _StackGuard
        _g_.stackguard1 = _g_.stackguard0
        self.mstart1()

    def mstart1(self) -> None:
        """go1.10 proc.go:1200 mstart1(dummy int32).
        skips: save(getcallerpc(), getcallersp()) of g0's context (the platform owns the g0
        stack).
        skips: asminit, minit and mstartm0 (per-thread and signal set-up).
        """
        self._call("mstart1")
        _g_ = self.os.getg()
        if _g_ is not _g_.m.g0:
            throw("bad runtime·mstart")
        fn = _g_.m.mstartfn
        if fn is not None:
            fn()
        if _g_.m.helpgc != 0:
            _g_.m.helpgc = 0
            self.stopm()
        elif _g_.m is not self.m0:
            self.acquirep(_g_.m.nextp)
            _g_.m.nextp = None
        self.schedule()

    def malg(self, stacksize: int) -> g:
        """go1.10 proc.go:3215 malg — a new g. The model allocates no stack memory: a g0 made
        here keeps stack (0, 0) (like malg(-1) under cgo) until the platform sets it.
        """
        self._call("malg", stacksize=stacksize)
        newg = g()
        return newg

    def allocm(self, _p_: Optional[p], fn: Optional[Callable[[], None]]) -> m:
        """go1.10 proc.go:1482 allocm — allocate a new m unassociated with any thread. Can use
        _p_ for allocation context if needed: a caller without a P (sysmon's retake ->
        handoffp -> startm -> newm) borrows _p_ for the mallocs here (acquirep: _Pidle ->
        _Prunning, ProcStart) and gives it back at the end (releasep: ProcStop, _Pidle).
        skips: freeing sched.freem (Ms never exit in the model).
        skips: the stack sizes of malg (the model's g0 has no stack until newosproc).
        """
        self._call("allocm", _p_=_p_, fn=getattr(fn, "__name__", None))
        _g_ = self.os.getg()
        _g_.m.locks += 1  # disable GC because it can be called from sysmon
        if _g_.m.p is None:
            self.acquirep(_p_)  # temporarily borrow p for mallocs in this function
        mp = m()
        mp.mstartfn = fn
        self.mcommoninit(mp)
        mp.g0 = self.malg(-1)
        mp.g0.m = mp
        mp.park.name = f"m{mp.id}.park"  # not Go: the note's name in traces
        if _p_ is _g_.m.p:
            self.releasep()
        _g_.m.locks -= 1
        if _g_.m.locks == 0 and _g_.preempt:
            # restore the preemption request in case we've cleared it in newstack
            _g_.stackguard0 = stackPreempt
        return mp

    def mcommoninit(self, mp: m) -> None:
        """go1.10 proc.go:541 mcommoninit.
        skips: recording createstack.
        skips: mpreinit (the signal goroutine gsignal).
        """
        self._call("mcommoninit", mp=mp)
        self.lock(self.sched.lock)
        if self.sched.mnext + 1 < self.sched.mnext:
            throw("runtime: thread ID overflow")
        mp.id = self.sched.mnext
        self.sched.mnext += 1
        self.checkmcount()
        mp.fastrand[0] = (1597334677 * mp.id) & 0xFFFFFFFF
        mp.fastrand[1] = self.os.cputicks() & 0xFFFFFFFF
        if mp.fastrand[0] | mp.fastrand[1] == 0:
            mp.fastrand[1] = 1
        # Add to allm so garbage collector doesn't free g->m when it is just in a register
        # or thread-local storage.
        mp.alllink = self.allm
        self.allm = mp
        self.unlock(self.sched.lock)

    def mcount(self) -> int:
        """go1.10 proc.go:3569 mcount."""
        return self.sched.mnext - self.sched.nmfreed

    def checkmcount(self) -> None:
        """go1.10 proc.go:533 checkmcount (sched lock is held)."""
        if self.mcount() > self.sched.maxmcount:
            throw("thread exhaustion", "runtime: program exceeds ", self.sched.maxmcount,
                  "-thread limit\n")

    def newm(self, fn: Optional[Callable[[], None]], _p_: Optional[p]) -> None:
        """go1.10 proc.go:1824 newm — create a new m; it will start off with a call to fn, or
        else the scheduler. fn needs to be static and not a heap allocated closure.
        skips: the template-thread detour for locked Ms (LockOSThread is not modeled).
        """
        self._call("newm", fn=getattr(fn, "__name__", None), _p_=_p_)
        mp = self.allocm(_p_, fn)
        mp.nextp = _p_
        self.newm1(mp)

    def newm1(self, mp: m) -> None:
        """go1.10 proc.go:1856 newm1.
        skips: the cgo branch (_cgo_thread_start).
        skips: execLock (no exec in the model).
        """
        self._call("newm1", mp=mp)
        self.os.newosproc(mp)

    def mspinning(self) -> None:
        """go1.10 proc.go:1962 mspinning — startm's caller incremented nmspinning; set the new
        M's spinning."""
        self._call("mspinning")
        self.os.getg().m.spinning = True

    # --- parking and waking Ms -----------------------------------------------------------

    def stopm(self) -> None:
        """go1.10 proc.go:1930 stopm — stop execution of the current m until new work is
        available; returns with an acquired P.
        skips: gchelper() in the helpgc branch (no GC: helpgc is never set; the branch's
        other statements are kept).
        """
        self._call("stopm")
        _g_ = self.os.getg()
        if _g_.m.locks != 0:
            throw("stopm holding locks")
        if _g_.m.p is not None:
            throw("stopm holding p")
        if _g_.m.spinning:
            throw("stopm spinning")
        while True:  # retry:
            self.lock(self.sched.lock)
            self.mput(_g_.m)
            self.unlock(self.sched.lock)
            self.notesleep(_g_.m.park)
            self.noteclear(_g_.m.park)
            if _g_.m.helpgc != 0:
                _g_.m.helpgc = 0
                _g_.m.mcache = None
                _g_.m.p = None
                continue  # goto retry
            break
        self.acquirep(_g_.m.nextp)
        _g_.m.nextp = None

    def startm(self, _p_: Optional[p], spinning: bool) -> None:
        """go1.10 proc.go:1973 startm — schedule some M to run the p (creates an M if necessary).
        If p == nil, tries to get an idle P; if there is none, does nothing. If spinning is
        set, the caller has incremented nmspinning and startm will either decrement it or set
        m.spinning in the newly started M.
        """
        self._call("startm", _p_=_p_, spinning=spinning)
        self.lock(self.sched.lock)
        if _p_ is None:
            _p_ = self.pidleget()
            if _p_ is None:
                self.unlock(self.sched.lock)
                if spinning:
                    # The caller incremented nmspinning, but there are no idle Ps, so it's
                    # okay to just undo the increment and give up.
                    self.sched.nmspinning -= 1
                    if self.sched.nmspinning < 0:
                        throw("startm: negative nmspinning")
                return
        mp = self.mget()
        self.unlock(self.sched.lock)
        if mp is None:
            fn = None
            if spinning:
                # The caller incremented nmspinning, so set m.spinning in the new M.
                fn = self.mspinning
            self.newm(fn, _p_)
            return
        if mp.spinning:
            throw("startm: m is spinning")
        if mp.nextp is not None:
            throw("startm: m has p")
        if spinning and not self.runqempty(_p_):
            throw("startm: p has runnable gs")
        # The caller incremented nmspinning, so set m.spinning in the new M.
        mp.spinning = spinning
        mp.nextp = _p_
        self.notewakeup(mp.park)

    def handoffp(self, _p_: p) -> None:
        """go1.10 proc.go:2018 handoffp — hands off P from syscall or locked M. It must start an
        M in any situation where findrunnable would return a G to run on _p_.
        skips: the GC mark-work check (no GC in the model).
        """
        self._call("handoffp", _p_=_p_)
        # if it has local work, start it straight away
        if not self.runqempty(_p_) or self.sched.runqsize != 0:
            self.startm(_p_, False)
            return
        # no local work, check that there are no spinning/idle M's, otherwise our help is
        # not required
        if (self.sched.nmspinning + self.sched.npidle == 0
                and self._cas(self.sched, "nmspinning", 0, 1)):
            self.startm(_p_, True)
            return
        self.lock(self.sched.lock)
        if self.sched.gcwaiting != 0:
            self._pstore(_p_, _Pgcstop)
            self.sched.stopwait -= 1
            if self.sched.stopwait == 0:
                self.notewakeup(self.sched.stopnote)
            self.unlock(self.sched.lock)
            return
        if _p_.runSafePointFn != 0 and self._cas(_p_, "runSafePointFn", 1, 0):
            self.sched.safePointFn(_p_)
            self.sched.safePointWait -= 1
            if self.sched.safePointWait == 0:
                self.notewakeup(self.sched.safePointNote)
        if self.sched.runqsize != 0:
            self.unlock(self.sched.lock)
            self.startm(_p_, False)
            return
        # If this is the last running P and nobody is polling network, need to wakeup
        # another M to poll network.
        if self.sched.npidle == self.gomaxprocs - 1 and self.sched.lastpoll != 0:
            self.unlock(self.sched.lock)
            self.startm(_p_, False)
            return
        self.pidleput(_p_)
        self.unlock(self.sched.lock)

    def wakep(self) -> None:
        """go1.10 proc.go:2073 wakep — try to add one more P to execute G's (newproc, ready)."""
        self._call("wakep")
        # be conservative about spinning threads
        if not self._cas(self.sched, "nmspinning", 0, 1):
            return
        self.startm(None, True)

    # --- owning Ps -----------------------------------------------------------------------

    def acquirep(self, _p_: p) -> None:
        """go1.10 proc.go:4031 acquirep — associate p and the current m."""
        self._call("acquirep", _p_=_p_)
        # Do the part that isn't allowed to have write barriers.
        self.acquirep1(_p_)
        # have p; write barriers now allowed
        _g_ = self.os.getg()
        _g_.m.mcache = _p_.mcache
        self._traceev("ProcStart", p=_p_, m=_g_.m)

    def acquirep1(self, _p_: p) -> None:
        """go1.10 proc.go:4049 acquirep1."""
        self._call("acquirep1", _p_=_p_)
        _g_ = self.os.getg()
        if _g_.m.p is not None or _g_.m.mcache is not None:
            throw("acquirep: already in go")
        if _p_.m is not None or _p_.status != _Pidle:
            id_ = _p_.m.id if _p_.m is not None else 0
            throw("acquirep: invalid p state", "acquirep: p->m=", _p_.m, "(", id_,
                  ") p->status=", _p_.status, "\n")
        _g_.m.p = _p_
        _p_.m = _g_.m
        self._pstore(_p_, _Prunning)

    def releasep(self) -> p:
        """go1.10 proc.go:4069 releasep — disassociate p and the current m."""
        self._call("releasep")
        _g_ = self.os.getg()
        if _g_.m.p is None or _g_.m.mcache is None:
            throw("releasep: invalid arg")
        _p_ = _g_.m.p
        if _p_.m is not _g_.m or _p_.mcache is not _g_.m.mcache or _p_.status != _Prunning:
            throw("releasep: invalid p state", "releasep: m=", _g_.m, " m->p=", _g_.m.p,
                  " p->m=", _p_.m, " m->mcache=", _g_.m.mcache, " p->mcache=", _p_.mcache,
                  " p->status=", _p_.status, "\n")
        self._traceev("ProcStop", p=_p_)
        _g_.m.p = None
        _g_.m.mcache = None
        _p_.m = None
        self._pstore(_p_, _Pidle)
        return _p_

    # --- deadlock detection --------------------------------------------------------------

    def incidlelocked(self, v: int) -> None:
        """go1.10 proc.go:4090 incidlelocked."""
        self._call("incidlelocked", v=v)
        self.lock(self.sched.lock)
        self.sched.nmidlelocked += v
        if v > 0:
            self.checkdead()
        self.unlock(self.sched.lock)

    def checkdead(self) -> None:
        """go1.10 proc.go:4102 checkdead — check for deadlock: no running M. sched.lock must be
        held (its callers hold it). The model's counts are exact (an M in a syscall or being
        created counts as running), so a throw here is certain.
        skips: the islibrary/isarchive early return (a program, not a library).
        skips: the panicking early return.
        skips: allglock (one thread at a time touches the model) and system goroutines (none).
        skips: timejump (the playground's faketime).
        """
        self._call("checkdead")
        run = self.mcount() - self.sched.nmidle - self.sched.nmidlelocked - self.sched.nmsys
        if run > 0:
            return
        if run < 0:
            throw("checkdead: inconsistent counts", "runtime: checkdead: nmidle=",
                  self.sched.nmidle, " nmidlelocked=", self.sched.nmidlelocked, " mcount=",
                  self.mcount(), " nmsys=", self.sched.nmsys, "\n")
        grunning = 0
        for gp in self.allgs:
            s = self.readgstatus(gp)
            base = s & ~_Gscan
            if base == _Gwaiting:
                grunning += 1
            elif base in (_Grunnable, _Grunning, _Gsyscall):
                throw("checkdead: runnable g", "runtime: checkdead: find g ", gp.goid,
                      " in status ", s, "\n")
        if grunning == 0:  # possible if main goroutine calls runtime·Goexit()
            throw("no goroutines (main called runtime.Goexit) - deadlock!")
        self.os.getg().m.throwing = -1  # do not dump full stacks
        throw("all goroutines are asleep - deadlock!")

    # --- idle lists (sched.lock held) ----------------------------------------------------

    def mput(self, mp: m) -> None:
        """go1.10 proc.go:4515 mput — put mp on the midle list. Sched must be locked."""
        self._call("mput", mp=mp)
        mp.schedlink = self.sched.midle
        self.sched.midle = mp
        self.sched.nmidle += 1
        self.checkdead()

    def mget(self) -> Optional[m]:
        """go1.10 proc.go:4526 mget — try to get an m from the midle list. Sched must be locked."""
        self._call("mget")
        mp = self.sched.midle
        if mp is not None:
            self.sched.midle = mp.schedlink
            self.sched.nmidle -= 1
        return mp

    def pidleput(self, _p_: p) -> None:
        """go1.10 proc.go:4614 pidleput — put p on the _Pidle list. Sched must be locked."""
        self._call("pidleput", _p_=_p_)
        if not self.runqempty(_p_):
            throw("pidleput: P has non-empty run queue")
        _p_.link = self.sched.pidle
        self.sched.pidle = _p_
        self.sched.npidle += 1

    def pidleget(self) -> Optional[p]:
        """go1.10 proc.go:4627 pidleget — try to get a p from the _Pidle list. Sched must be
        locked."""
        self._call("pidleget")
        _p_ = self.sched.pidle
        if _p_ is not None:
            self.sched.pidle = _p_.link
            self.sched.npidle -= 1
        return _p_

