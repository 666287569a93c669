"""runtime_py/go1_22/proc_m.py: go1.22.10 proc.go — Ms: create, start, park, wake; checkdead.

newm -> allocm (which borrows the P it is given when the calling M has none) -> newm1 ->
newosproc; the new thread runs mstart -> mstart0 -> mstart1 -> (mstartfn) -> acquirep(nextp)
-> schedule. stopm parks an idle M (mput + mPark); startm wakes one (mget + notewakeup) or
makes one, reserving its id first (mReserveID) so checkdead counts it as running.
"""

from __future__ import annotations

from typing import Callable, Optional

from runtime_py.go1_22.runtime2 import (
    _Grunnable, _Grunning, _Gpreempted, _Gscan, _Gsyscall, _Gwaiting, g, m, p, stackGuard,
)
from runtime_py.throw import throw


class ProcM:
    """Mixin of Runtime: M creation and parking."""

    # --- starting a thread ---------------------------------------------------------------

    def mstart(self) -> None:
        """go1.22.10 asm_amd64.s mstart: TOPFRAME entry of a new M, calls mstart0 (the
        platform calls it on the new thread with getg() == mp.g0). mexit after mstart1 is
        never reached: Ms never exit in the model."""
        self._call("mstart")
        self.mstart0()

    def mstart0(self) -> None:
        """go1.22.10 proc.go:1660 mstart0 — the Go entry-point for new Ms.
        skips: deriving g0's bounds from the OS stack when stack.lo == 0 (osStack: cgo or a
        system-allocated stack; on linux allocm gives g0 a Go stack, which the platform's
        newosproc sets).
        skips: mexit (Ms never exit in the model).
        """
        self._call("mstart0")
        gp = self.os.getg()
        # Initialize stack guard so that we can start calling regular Go code.
        gp.stackguard0 = gp.stack.lo + stackGuard
        # This is the g0, so we can also call go:systemstack functions, which check
        # stackguard1.
        gp.stackguard1 = gp.stackguard0
        self.mstart1()

    def mstart1(self) -> None:
        """go1.22.10 proc.go:1702 mstart1.
        skips: g0.sched = {g0, getcallerpc(), getcallersp()} (the platform owns g0's stack).
        skips: asminit, minit and mstartm0 (per-thread and signal set-up).
        """
        self._call("mstart1")
        gp = self.os.getg()
        if gp is not gp.m.g0:
            throw("bad runtime·mstart")
        fn = gp.m.mstartfn
        if fn is not None:
            fn()
        if gp.m is not self.m0:
            self.acquirep(gp.m.nextp)
            gp.m.nextp = None
        self.schedule()

    def mPark(self) -> None:
        """go1.22.10 proc.go:1759 mPark — park this thread until woken (m.park)."""
        self._call("mPark")
        gp = self.os.getg()
        self.notesleep(gp.m.park)
        self.noteclear(gp.m.park)

    # --- creating Ms ---------------------------------------------------------------------

    def malg(self, stacksize: int) -> g:
        """go1.22.10 proc.go:4855 malg — a new g. The model allocates no stack memory
        (stackalloc): the caller of newproc supplies a goroutine's stack, the platform an
        M's g0 stack (newosproc)."""
        self._call("malg", stacksize=stacksize)
        newg = g()
        return newg

    def allocm(self, pp: Optional[p], fn: Optional[Callable[[], None]], id_: int) -> m:
        """go1.22.10 proc.go:2057 allocm — allocate a new m unassociated with any thread.
        If the calling M has no P (sysmon, an M handing off its P), it borrows pp for the
        allocations and gives it back: acquirep(pp) ... releasep().
        skips: allocmLock (no exec or doAllThreadsSyscall in the model).
        skips: freeing sched.freem (Ms never exit).
        """
        self._call("allocm", pp=pp, fn=getattr(fn, "__name__", None), id=id_)
        # The caller owns pp, but we may borrow (i.e., acquirep) it. We must disable
        # preemption to ensure it is not stolen, which would make the caller lose ownership.
        self.acquirem()
        gp = self.os.getg()
        if gp.m.p is None:
            self.acquirep(pp)  # temporarily borrow p for mallocs in this function
        mp = m()
        mp.mstartfn = fn
        self.mcommoninit(mp, id_)
        # malg(16384 * sys.StackGuardMultiplier) on linux: the platform gives g0 its stack.
        mp.g0 = self.malg(16384)
        mp.g0.m = mp
        mp.park.name = f"m{mp.id}.park"
        if pp is gp.m.p:
            self.releasep()
        self.releasem(gp.m)
        return mp

    def mReserveID(self) -> int:
        """go1.22.10 proc.go:876 mReserveID — the next M id; the new m is immediately
        considered 'running' by checkdead. sched.lock must be held."""
        self._call("mReserveID")
        if self.sched.mnext + 1 < self.sched.mnext:
            throw("runtime: thread ID overflow")
        id_ = self.sched.mnext
        self.sched.mnext += 1
        self.checkmcount()
        return id_

    def mcommoninit(self, mp: m, id_: int) -> None:
        """go1.22.10 proc.go:889 mcommoninit — a pre-allocated id, or -1 for a new one.
        skips: recording createstack, mrandinit, mpreinit (the signal goroutine gsignal).
        """
        self._call("mcommoninit", mp=mp, id=id_)
        self.lock(self.sched.lock)
        if id_ >= 0:
            mp.id = id_
        else:
            mp.id = self.mReserveID()
        # Add to allm so garbage collector doesn't free g->m when it is just in a register
        # or thread-local storage.
        mp.alllink = self.allm
        self.allm = mp  # atomicstorep(&allm, mp)
        self.unlock(self.sched.lock)

    def mcount(self) -> int:
        """go1.22.10 proc.go:5278 mcount."""
        return self.sched.mnext - self.sched.nmfreed

    def checkmcount(self) -> None:
        """go1.22.10 proc.go:854 checkmcount (sched lock is held). There are no extra Ms
        (cgo callbacks), so the count is mcount()."""
        count = self.mcount()
        if count > self.sched.maxmcount:
            throw("thread exhaustion", "runtime: program exceeds ", self.sched.maxmcount,
                  "-thread limit\n")

    def newm(self, fn: Optional[Callable[[], None]], pp: Optional[p], id_: int = -1) -> None:
        """go1.22.10 proc.go:2631 newm — create a new m; it will start off with a call to fn,
        or else the scheduler. id is a pre-allocated M id, or -1.
        skips: the sigmask and the template-thread detour for locked Ms (LockOSThread is
        not modeled).
        """
        self._call("newm", fn=getattr(fn, "__name__", None), pp=pp, id=id_)
        # Disable preemption here until we start the thread, so anything added to allm is
        # guaranteed to eventually start.
        self.acquirem()
        mp = self.allocm(pp, fn, id_)
        mp.nextp = pp
        self.newm1(mp)
        self.releasem(self.os.getg().m)

    def newm1(self, mp: m) -> None:
        """go1.22.10 proc.go:2680 newm1.
        skips: the cgo branch (_cgo_thread_start) and execLock (no exec in the model).
        """
        self._call("newm1", mp=mp)
        self.os.newosproc(mp)

    def mspinning(self) -> None:
        """go1.22.10 proc.go:2787 mspinning — startm's caller incremented nmspinning; set
        the new M's spinning."""
        self._call("mspinning")
        self.os.getg().m.spinning = True

    def becomeSpinning(self, mp: m) -> None:
        """go1.22.10 proc.go:927 (mp *m) becomeSpinning."""
        self._call("becomeSpinning", mp=mp)
        mp.spinning = True
        self.sched.nmspinning += 1
        self.sched.needspinning = 0

    # --- parking and waking Ms -----------------------------------------------------------

    def stopm(self) -> None:
        """go1.22.10 proc.go:2766 stopm — stop execution of the current m until new work is
        available; returns with an acquired P."""
        self._call("stopm")
        gp = self.os.getg()
        if gp.m.locks != 0:
            throw("stopm holding locks")
        if gp.m.p is not None:
            throw("stopm holding p")
        if gp.m.spinning:
            throw("stopm spinning")
        self.lock(self.sched.lock)
        self.mput(gp.m)
        self.unlock(self.sched.lock)
        self.mPark()
        self.acquirep(gp.m.nextp)
        gp.m.nextp = None

    def startm(self, pp: Optional[p], spinning: bool, lockheld: bool = False) -> None:
        """go1.22.10 proc.go:2809 startm — schedule some M to run pp (creates an M if
        necessary). If pp is nil, tries to get an idle P; if there is none, does nothing.
        If spinning, the caller incremented nmspinning and must provide a P; startm sets
        m.spinning in the newly started M. lockheld: the caller holds sched.lock.
        """
        self._call("startm", pp=pp, spinning=spinning, lockheld=lockheld)
        # Disable preemption: startm takes transient ownership of a P.
        mp = self.acquirem()
        if not lockheld:
            self.lock(self.sched.lock)
        if pp is None:
            if spinning:
                throw("startm: P required for spinning=true")
            pp, _ = self.pidleget(0)
            if pp is None:
                if not lockheld:
                    self.unlock(self.sched.lock)
                self.releasem(mp)
                return
        nmp = self.mget()
        if nmp is None:
            # No M is available, we must drop sched.lock and call newm. Pre-allocate the new
            # M's ID, thus marking it as 'running' before we drop sched.lock.
            id_ = self.mReserveID()
            self.unlock(self.sched.lock)
            fn = None
            if spinning:
                # The caller incremented nmspinning, so set m.spinning in the new M.
                fn = self.mspinning
            self.newm(fn, pp, id_)
            if lockheld:
                self.lock(self.sched.lock)
            # Ownership transfer of pp committed by start in newm. Preemption is now safe.
            self.releasem(mp)
            return
        if not lockheld:
            self.unlock(self.sched.lock)
        if nmp.spinning:
            throw("startm: m is spinning")
        if nmp.nextp is not None:
            throw("startm: m has p")
        if spinning and not self.runqempty(pp):
            throw("startm: p has runnable gs")
        # The caller incremented nmspinning, so set m.spinning in the new M.
        nmp.spinning = spinning
        nmp.nextp = pp
        self.notewakeup(nmp.park)
        # Ownership transfer of pp committed by wakeup. Preemption is now safe.
        self.releasem(mp)

    # --- deadlock detection --------------------------------------------------------------

    def incidlelocked(self, v: int) -> None:
        """go1.22.10 proc.go:5818 incidlelocked."""
        self._call("incidlelocked", v=v)
        self.lock(self.sched.lock)
        self.sched.nmidlelocked += v
        if v > 0:
            self.checkdead()
        self.unlock(self.sched.lock)

    def checkdead(self) -> None:
        """go1.22.10 proc.go:5830 checkdead — check for deadlock: no running M. sched.lock
        must be held. The model's counts are exact (an M in a syscall or being created
        counts as running), so a throw here is certain.
        skips: the islibrary/isarchive and panicking early returns.
        skips: extra Ms (run0 = 0: no cgo), system goroutines (none), faketime (playground)
        and the pending-timers return (no timers).
        """
        self._call("checkdead")
        if self.sched.lock.key == 0:
            throw("checkdead: sched.lock not held")  # assertLockHeld(&sched.lock)
        run0 = 0
        run = self.mcount() - self.sched.nmidle - self.sched.nmidlelocked - self.sched.nmsys
        if run > run0:
            return
        if run < 0:
            detail = ("runtime: checkdead: nmidle=", self.sched.nmidle, " nmidlelocked=",
                      self.sched.nmidlelocked, " mcount=", self.mcount(), " nmsys=",
                      self.sched.nmsys, "\n")
            self.unlock(self.sched.lock)
            throw("checkdead: inconsistent counts", *detail)
        grunning = 0
        for gp in self.allgs:  # forEachG
            s = self.readgstatus(gp)
            base = s & ~_Gscan
            if base in (_Gwaiting, _Gpreempted):
                grunning += 1
            elif base in (_Grunnable, _Grunning, _Gsyscall):
                self.unlock(self.sched.lock)
                throw("checkdead: runnable g", "runtime: checkdead: find g ", gp.goid,
                      " in status ", s, "\n")
        if grunning == 0:  # possible if main goroutine calls runtime·Goexit()
            self.unlock(self.sched.lock)  # unlock so that GODEBUG=scheddetail=1 doesn't hang
            throw("no goroutines (main called runtime.Goexit) - deadlock!")  # fatal
        self.unlock(self.sched.lock)
        throw("all goroutines are asleep - deadlock!")  # fatal

    # --- the idle M list (sched.lock held) -----------------------------------------------

    def mput(self, mp: m) -> None:
        """go1.22.10 proc.go:6363 mput — put mp on the midle list. sched.lock must be held."""
        self._call("mput", mp=mp)
        mp.schedlink = self.sched.midle
        self.sched.midle = mp
        self.sched.nmidle += 1
        self.checkdead()

    def mget(self) -> Optional[m]:
        """go1.22.10 proc.go:6377 mget — try to get an m from the midle list. sched.lock
        must be held."""
        self._call("mget")
        mp = self.sched.midle
        if mp is not None:
            self.sched.midle = mp.schedlink
            self.sched.nmidle -= 1
        return mp
