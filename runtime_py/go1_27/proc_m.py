"""runtime_py/go1_27/proc_m.py: go1.27.3 proc.go — Ms and Ps: start, stop, hand off, acquire;
the idle lists and deadlock detection."""

from __future__ import annotations

from typing import Callable, Optional

from runtime_py.go1_27.runtime2 import (
    _Grunnable, _Grunning, _Gscan, _Gsyscall, _Gwaiting, _Gpreempted, _Pgcstop, _Pidle,
    _Prunning, m, p, stackGuard,
)
from runtime_py.throw import throw


class ProcM:
    """Mixin of Runtime: M creation and parking, P acquisition and hand-off."""

    # --- creating Ms ---------------------------------------------------------------------

    def mstart(self) -> None:
        """go1.27.3 proc.go:1864 mstart (assembly, asm_amd64.s) — the entry point of a new
        M; calls mstart0. The platform calls it on the new thread with getg() == mp.g0."""
        self._call("mstart")
        self.mstart0()

    def mstart0(self) -> None:
        """go1.27.3 proc.go:1875 mstart0.
        skips: deriving g0's bounds from the OS stack when stack.lo == 0 (the platform sets
        them in newosproc).
        skips: mexit after mstart1 (Ms never exit in the model; mstart1 does not return).
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
        """go1.27.3 proc.go:1917 mstart1.
        skips: setting g0.sched to return into mstart0 (the platform owns the g0 stack).
        skips: asminit, minit and mstartm0 (per-thread and signal set-up), DIT.
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

    def malg_g0(self, mp: m) -> None:
        """Not Go: allocm's `mp.g0 = malg(16384 * sys.StackGuardMultiplier)` and
        `mp.g0.m = mp` (the model's g0s have no stack memory: see malg)."""
        mp.g0 = self.malg(16384)
        mp.g0.m = mp
        mp.park.name = f"m{mp.id}.park"

    def allocm(self, pp: Optional[p], fn: Optional[Callable[[], None]], id_: int) -> m:
        """go1.27.3 proc.go:2287 allocm — allocate a new m unassociated with any thread. A
        caller without a P (sysmon's retake -> handoffp -> startm -> newm) borrows pp for
        allocm's mallocs: acquirep(pp) ... releasep().
        skips: allocmLock (no exec/fork); freeing sched.freem (Ms never exit).
        """
        self._call("allocm", pp=pp, fn=getattr(fn, "__name__", None), id=id_)
        # The caller owns pp, but we may borrow (i.e., acquirep) it. We must disable
        # preemption to ensure it is not stolen.
        self.acquirem()
        gp = self.os.getg()
        if gp.m.p is None:
            self.acquirep(pp)  # temporarily borrow p for mallocs in this function
        mp = m()
        mp.mstartfn = fn
        self.mcommoninit(mp, id_)
        self.malg_g0(mp)
        if pp is gp.m.p:
            self.releasep()
        self.releasem(gp.m)
        return mp

    def mReserveID(self) -> int:
        """go1.27.3 proc.go:998 mReserveID — the next M id; the new m counts as running for
        checkdead at once. sched.lock must be held."""
        self._call("mReserveID")
        if self.sched.mnext + 1 < self.sched.mnext:
            throw("runtime: thread ID overflow")
        id_ = self.sched.mnext
        self.sched.mnext += 1
        self.checkmcount()
        return id_

    def mcommoninit(self, mp: m, id_: int) -> None:
        """go1.27.3 proc.go:1011 mcommoninit (a pre-allocated id, or -1).
        skips: createstack, mrandinit, mpreinit (gsignal), cgoCallers, profiling stacks.
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
        self.allm = mp
        self.unlock(self.sched.lock)

    def mcount(self) -> int:
        """go1.27.3 proc.go:5775 mcount."""
        return self.sched.mnext - self.sched.nmfreed

    def checkmcount(self) -> None:
        """go1.27.3 proc.go:976 checkmcount (sched lock is held; no extra Ms without cgo)."""
        count = self.mcount()
        if count > self.sched.maxmcount:
            throw("thread exhaustion", "runtime: program exceeds ", self.sched.maxmcount,
                  "-thread limit\n")

    def newm(self, fn: Optional[Callable[[], None]], pp: Optional[p], id_: int) -> None:
        """go1.27.3 proc.go:2875 newm — create a new m; it will start off with a call to fn,
        or else the scheduler.
        skips: the template-thread detour for locked Ms (LockOSThread is not modeled) and
        the signal mask.
        """
        self._call("newm", fn=getattr(fn, "__name__", None), pp=pp, id=id_)
        # Disable preemption until we start the thread.
        self.acquirem()
        mp = self.allocm(pp, fn, id_)
        mp.nextp = pp
        self.newm1(mp)
        self.releasem(self.os.getg().m)

    def newm1(self, mp: m) -> None:
        """go1.27.3 proc.go:2924 newm1.
        skips: the cgo branch (_cgo_thread_start) and execLock (no exec in the model).
        """
        self._call("newm1", mp=mp)
        self.os.newosproc(mp)

    def mspinning(self) -> None:
        """go1.27.3 proc.go:3028 mspinning — startm's caller incremented nmspinning; set the
        new M's spinning."""
        self._call("mspinning")
        self.os.getg().m.spinning = True

    def becomeSpinning(self, mp: m) -> None:
        """go1.27.3 proc.go:1086 (*m).becomeSpinning."""
        self._call("becomeSpinning", mp=mp)
        mp.spinning = True
        self.sched.nmspinning += 1
        self.sched.needspinning = 0

    # --- parking and waking Ms -----------------------------------------------------------

    def mPark(self) -> None:
        """go1.27.3 proc.go:1978 mPark — park this thread until woken.
        skips: erasing the signal stack in runtime/secret mode.
        """
        self._call("mPark")
        gp = self.os.getg()
        self.notesleep(gp.m.park)
        self.noteclear(gp.m.park)

    def stopm(self) -> None:
        """go1.27.3 proc.go:3007 stopm — stop execution of the current m until new work is
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

    def startm(self, pp: Optional[p], spinning: bool, lockheld: bool) -> None:
        """go1.27.3 proc.go:3050 startm — schedule some M to run the p (creates an M if
        necessary). If pp == nil, tries to get an idle P; if there is none, does nothing. If
        spinning, the caller has incremented nmspinning and must provide a P. lockheld: the
        caller holds sched.lock (it may be dropped and retaken)."""
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
            # No M is available, we must drop sched.lock and call newm. Pre-allocate the ID
            # for the new M, thus marking it as 'running' before we drop sched.lock.
            id_ = self.mReserveID()
            self.unlock(self.sched.lock)
            fn = None
            if spinning:
                # The caller incremented nmspinning, so set m.spinning in the new M.
                fn = self.mspinning
            self.newm(fn, pp, id_)
            if lockheld:
                self.lock(self.sched.lock)
            # Ownership transfer of pp committed by start in newm.
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

    def handoffp(self, pp: p) -> None:
        """go1.27.3 proc.go:3146 handoffp — hands off P from syscall or locked M. It must
        start an M in any situation where findRunnable would return a G to run on pp.
        skips: the trace-reader and GC-worker checks (no tracer goroutine, no GC) and
        wakeNetPoller for pp's timers (no timers).
        """
        self._call("handoffp", pp=pp)
        # if it has local work, start it straight away
        if not self.runqempty(pp) or not self.sched.runq.empty():
            self.startm(pp, False, False)
            return
        # no local work, check that there are no spinning/idle M's, otherwise our help is
        # not required
        if (self.sched.nmspinning + self.sched.npidle == 0
                and self._cas(self.sched, "nmspinning", 0, 1)):
            self.sched.needspinning = 0
            self.startm(pp, True, False)
            return
        self.lock(self.sched.lock)
        if self.sched.gcwaiting:
            self._pstore(pp, _Pgcstop)
            pp.gcStopTime = self.os.nanotime()
            self.sched.stopwait -= 1
            if self.sched.stopwait == 0:
                self.notewakeup(self.sched.stopnote)
            self.unlock(self.sched.lock)
            return
        if pp.runSafePointFn != 0 and self._cas(pp, "runSafePointFn", 1, 0):
            self.sched.safePointFn(pp)
            self.sched.safePointWait -= 1
            if self.sched.safePointWait == 0:
                self.notewakeup(self.sched.safePointNote)
        if not self.sched.runq.empty():
            self.unlock(self.sched.lock)
            self.startm(pp, False, False)
            return
        # If this is the last running P and nobody is polling network, need to wakeup
        # another M to poll network.
        if self.sched.npidle == self.gomaxprocs - 1 and self.sched.lastpoll != 0:
            self.unlock(self.sched.lock)
            self.startm(pp, False, False)
            return
        self.pidleput(pp, 0)
        self.unlock(self.sched.lock)

    def wakep(self) -> None:
        """go1.27.3 proc.go:3227 wakep — try to add one more P to execute G's (newproc,
        ready): start a spinning M if none exists yet and a P is idle."""
        self._call("wakep")
        # Be conservative about spinning threads, only start one if none exist already.
        if self.sched.nmspinning != 0 or not self._cas(self.sched, "nmspinning", 0, 1):
            return
        # Disable preemption until ownership of pp transfers to the next M in startm.
        mp = self.acquirem()
        self.lock(self.sched.lock)
        pp, _ = self.pidlegetSpinning(0)
        if pp is None:
            self.sched.nmspinning -= 1
            if self.sched.nmspinning < 0:
                throw("wakep: negative nmspinning")
            self.unlock(self.sched.lock)
            self.releasem(mp)
            return
        self.unlock(self.sched.lock)
        self.startm(pp, True, False)
        self.releasem(mp)

    # --- owning Ps -----------------------------------------------------------------------

    def acquirep(self, pp: p) -> None:
        """go1.27.3 proc.go:6310 acquirep — associate p and the current m (and trace
        ProcStart)."""
        self._call("acquirep", pp=pp)
        # Do the work.
        self.acquirepNoTrace(pp)
        # Emit the event.
        self._traceev("ProcStart", p=pp, m=self.os.getg().m)

    def acquirepNoTrace(self, pp: p) -> None:
        """go1.27.3 proc.go:6325 acquirepNoTrace — wirep, then remember this M as pp.oldm.
        skips: pp.mcache.prepareForSweep (no GC).
        """
        self._call("acquirepNoTrace", pp=pp)
        # Do the part that isn't allowed to have write barriers.
        self.wirep(pp)
        # The M we're associating with will be the old M after the next releasep.
        pp.oldm = pp.m

    def wirep(self, pp: p) -> None:
        """go1.27.3 proc.go:6347 wirep — the first step of acquirep: m.p = pp, pp.m = m,
        pp.status = _Prunning."""
        self._call("wirep", pp=pp)
        gp = self.os.getg()
        if gp.m.p is not None:
            throw("wirep: already in go")
        if pp.m is not None or pp.status != _Pidle:
            id_ = pp.m.id if pp.m is not None else 0
            throw("wirep: invalid p state", "wirep: p->m=", pp.m, "(", id_,
                  ") p->status=", pp.status, "\n")
        gp.m.p = pp
        pp.m = gp.m
        self._pstore(pp, _Prunning)

    def releasep(self) -> p:
        """go1.27.3 proc.go:6375 releasep — disassociate p and the current m (ProcStop)."""
        self._call("releasep")
        self._traceev("ProcStop", p=self.os.getg().m.p)
        return self.releasepNoTrace()

    def releasepNoTrace(self) -> p:
        """go1.27.3 proc.go:6385 releasepNoTrace.
        skips: gcController.releaseNextGCMarkWorker (no GC).
        """
        self._call("releasepNoTrace")
        gp = self.os.getg()
        if gp.m.p is None:
            throw("releasep: invalid arg")
        pp = gp.m.p
        if pp.m is not gp.m or pp.status != _Prunning:
            throw("releasep: invalid p state", "releasep: m=", gp.m, " m->p=", gp.m.p,
                  " p->m=", pp.m, " p->status=", pp.status, "\n")
        gp.m.p = None
        pp.m = None
        self._pstore(pp, _Pidle)
        return pp

    # --- deadlock detection --------------------------------------------------------------

    def incidlelocked(self, v: int) -> None:
        """go1.27.3 proc.go:6406 incidlelocked."""
        self._call("incidlelocked", v=v)
        self.lock(self.sched.lock)
        self.sched.nmidlelocked += v
        if v > 0:
            self.checkdead()
        self.unlock(self.sched.lock)

    def checkdead(self) -> None:
        """go1.27.3 proc.go:6418 checkdead — check for deadlock: no running M. sched.lock
        must be held. The model's counts are exact (an M in a syscall or being created
        counts as running), so a throw here is certain.
        skips: the islibrary/isarchive and panicking early returns; extra Ms (no cgo);
        system goroutines (none); faketime; timers (none).
        """
        self._call("checkdead")
        if self.sched.lock.key == 0:
            throw("checkdead: sched.lock not held")  # assertLockHeld
        run0 = 0
        run = self.mcount() - self.sched.nmidle - self.sched.nmidlelocked - self.sched.nmsys
        if run > run0:
            return
        if run < 0:
            throw("checkdead: inconsistent counts", "runtime: checkdead: nmidle=",
                  self.sched.nmidle, " nmidlelocked=", self.sched.nmidlelocked, " mcount=",
                  self.mcount(), " nmsys=", self.sched.nmsys, "\n")
        grunning = 0
        for gp in self.allgs:
            s = self.readgstatus(gp)
            base = s & ~_Gscan
            if base in (_Gwaiting, _Gpreempted):
                grunning += 1
            elif base in (_Grunnable, _Grunning, _Gsyscall):
                throw("checkdead: runnable g", "runtime: checkdead: find g ", gp.goid,
                      " in status ", s, "\n")
        if grunning == 0:  # possible if main goroutine calls runtime·Goexit()
            throw("no goroutines (main called runtime.Goexit) - deadlock!")  # Go: fatal
        throw("all goroutines are asleep - deadlock!")  # Go: fatal

    # --- idle lists (sched.lock held) ----------------------------------------------------

    def mput(self, mp: m) -> None:
        """go1.27.3 proc.go:7251 mput — push mp on sched.midle (listHeadManual.push through
        m.idleNode)."""
        self._call("mput", mp=mp)
        # sched.midle.push(mp): mp becomes the head of the list.
        mp.idleNode.next = self.sched.midle
        if self.sched.midle is not None:
            self.sched.midle.idleNode.prev = mp
        self.sched.midle = mp
        self.sched.nmidle += 1
        self.checkdead()

    def mget(self) -> Optional[m]:
        """go1.27.3 proc.go:7264 mget — pop an m from sched.midle (listHeadManual.pop)."""
        self._call("mget")
        mp = self.sched.midle
        if mp is not None:
            self.sched.midle = mp.idleNode.next
            mp.idleNode.next = None
            if self.sched.midle is not None:
                self.sched.midle.idleNode.prev = None
            self.sched.nmidle -= 1
        return mp

    def pidleput(self, pp: p, now: int) -> int:
        """go1.27.3 proc.go:7424 pidleput — put pp on the _Pidle list; returns now (or the
        current time if now was 0). Sched must be locked.
        skips: timerpMask (no timers) and the GC CPU limiter's idle event.
        """
        self._call("pidleput", pp=pp)
        if not self.runqempty(pp):
            throw("pidleput: P has non-empty run queue")
        if now == 0:
            now = self.os.nanotime()
        self.idlepMask.add(pp.id)
        pp.link = self.sched.pidle
        self.sched.pidle = pp
        self.sched.npidle += 1
        return now

    def pidleget(self, now: int) -> tuple[Optional[p], int]:
        """go1.27.3 proc.go:7453 pidleget — take a p from the _Pidle list. Sched must be
        locked.
        skips: timerpMask and the GC CPU limiter's idle event.
        """
        self._call("pidleget")
        pp = self.sched.pidle
        if pp is not None:
            if now == 0:
                now = self.os.nanotime()
            self.idlepMask.discard(pp.id)
            self.sched.pidle = pp.link
            self.sched.npidle -= 1
        return pp, now

    def pidlegetSpinning(self, now: int) -> tuple[Optional[p], int]:
        """go1.27.3 proc.go:7481 pidlegetSpinning — pidleget for a spinning M that found
        work; with no idle P, tell Ms about to drop their P to spin instead."""
        self._call("pidlegetSpinning")
        pp, now = self.pidleget(now)
        if pp is None:
            # See "Delicate dance" comment in findRunnable.
            self.sched.needspinning = 1
            return None, now
        return pp, now

