"""runtime_py/go1_27/proc_sysmon.py: go1.27.3 proc.go — sysmon, retake, the _Gscan handshake,
preemption.

sysmon runs on its own M without a P (started by runtime.main: newm(sysmon, nil, -1)); it
sleeps through OS.usleep (nanosleep), so the platform decides when (in virtual time) each
round runs. retake looks only at _Prunning Ps (there is no _Psyscall any more); for each it
tries setBlockOnExitSyscall, which succeeds only if the P's M's goroutine is in a syscall and
leaves the caller owning that goroutine's _Gscan bit: the goroutine cannot leave _Gsyscall
(its exitsyscall waits in casgstatus) until the caller's resume().

Async preemption (preemptone's preemptM: a SIGURG to the thread, whose handler injects a
call to asyncPreempt) is not modeled: preemptone sets gp.preempt, stackguard0 = stackPreempt
and pp.preempt, and the goroutine is preempted at its next stack check (the synchronous path).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

from runtime_py.go1_27.runtime2 import (
    _Gdeadextra, _Gscan, _Gsyscall, _Pgcstop, _Pidle, _Prunning, forcePreemptNS, g, m, p,
    stackPreempt,
)
from runtime_py.throw import throw

# forcegcperiod is the maximum time in nanoseconds between garbage collections (proc.go:6527);
# sysmon's deep sleep lasts at most half of it.
forcegcperiod = 2 * 60 * 1000 * 1000 * 1000
maxWhen = (1 << 63) - 1  # time.go: the "no timer" time timeSleepUntil returns


@dataclass(eq=False)
class syscallingThread:
    """go1.27.3 proc.go:6780 syscallingThread: a thread in a system call that temporarily
    cannot advance out of it (its goroutine's _Gscan bit is held by the caller of
    setBlockOnExitSyscall). rt is not Go: the runtime whose methods the Go methods call."""

    gp: Optional[g] = None
    mp: Optional[m] = None
    pp: Optional[p] = None
    status: int = 0
    rt: Any = None

    def gcstopP(self) -> None:
        """go1.27.3 proc.go:6851 (syscallingThread).gcstopP — unwire the P into _Pgcstop
        (the caller is stopping the world and holds sched.lock)."""
        self.rt._call("gcstopP", pp=self.pp)
        self.releaseP(_Pgcstop)
        self.pp.gcStopTime = self.rt.os.nanotime()
        self.rt.sched.stopwait -= 1

    def takeP(self) -> None:
        """go1.27.3 proc.go:6861 (syscallingThread).takeP — unwire the P into _Pidle."""
        self.rt._call("takeP", pp=self.pp, mp=self.mp)
        self.releaseP(_Pidle)

    def releaseP(self, state: int) -> None:
        """go1.27.3 proc.go:6868 (syscallingThread).releaseP — unwire the P from the
        syscalling thread (p.m = 0, m.p = 0), store its new status, ProcSteal, count the
        goroutine as in a syscall without a P, and bump p.syscalltick."""
        rt = self.rt
        rt._call("releaseP", state=state)
        if state != _Pidle and state != _Pgcstop:
            throw("attempted to release P into a bad state")
        self.pp.m = None
        self.mp.p = None
        rt._pstore(self.pp, state)
        rt._traceev("ProcSteal", p=self.pp, m=self.mp)
        rt.addGSyscallNoP(self.mp)
        self.pp.syscalltick += 1

    def resume(self) -> None:
        """go1.27.3 proc.go:6885 (syscallingThread).resume — let the syscalling thread
        advance beyond exitsyscall: release the goroutine's _Gscan bit."""
        self.rt._call("resume", gp=self.gp)
        self.rt.scanheld.pop(self.gp, None)  # not Go: the checker's record (invariants.py)
        self.rt.casfrom_Gscanstatus(self.gp, self.status | _Gscan, self.status)


class ProcSysmon:
    """Mixin of Runtime: the system monitor."""

    def sysmon(self) -> None:
        """go1.27.3 proc.go:6537 sysmon — the system monitor loop; never returns.
        Sleeps 20us, doubling after 50 idle rounds, capped at 10ms; sleeps deeply on
        sched.sysmonnote, for at most forcegcperiod/2 or until the next timer, when all Ps
        are idle or GC is waiting; calls retake every round under sched.sysmonlock.
        skips: debug.schedtrace (schedtrace) and osRelax (a no-op on linux).
        skips: cgo_yield (no cgo); the netpoll of ready goroutines (no network poller).
        skips: sysmonUpdateGOMAXPROCS (the model's GOMAXPROCS is fixed), the scavenger
        wake-up and the forced GC (no GC or heap).
        """
        self._call("sysmon")
        self.lock(self.sched.lock)
        self.sched.nmsys += 1
        self.checkdead()
        self.unlock(self.sched.lock)
        idle = 0  # how many cycles in succession we had not wokeup somebody
        delay = 0
        while True:
            if idle == 0:  # start with 20us sleep...
                delay = 20
            elif idle > 50:  # start doubling the sleep after 1ms...
                delay *= 2
            if delay > 10 * 1000:  # up to 10ms
                delay = 10 * 1000
            self.usleep(delay)
            now = self.os.nanotime()
            if self.sched.gcwaiting or self.sched.npidle == self.gomaxprocs:
                self.lock(self.sched.lock)
                if self.sched.gcwaiting or self.sched.npidle == self.gomaxprocs:
                    syscallWake = False
                    next_ = self.timeSleepUntil()
                    if next_ > now:
                        self.sched.sysmonwait = True
                        self.unlock(self.sched.lock)
                        # Make wake-up period small enough for the sampling to be correct.
                        sleep = forcegcperiod // 2
                        if next_ - now < sleep:
                            sleep = next_ - now
                        self._note(f"sysmon: all Ps idle; deep sleep on sched.sysmonnote "
                                   f"(up to {sleep} ns)")
                        syscallWake = self.notetsleep(self.sched.sysmonnote, sleep)
                        self.lock(self.sched.lock)
                        self.sched.sysmonwait = False
                        self.noteclear(self.sched.sysmonnote)
                    if syscallWake:
                        idle = 0
                        delay = 20
                self.unlock(self.sched.lock)
            self.lock(self.sched.sysmonlock)
            # Update now in case we blocked on sysmonnote or spent a long time blocked on
            # schedlock or sysmonlock above.
            now = self.os.nanotime()
            # retake P's blocked in syscalls and preempt long running G's
            if self.retake(now) != 0:
                idle = 0
            else:
                idle += 1
            self.unlock(self.sched.sysmonlock)

    def usleep(self, usec: int) -> None:
        """go1.27.3 sys_linux_amd64.s:120 usleep: nanosleep."""
        self._call("usleep", usec=usec)
        self.os.usleep(usec)

    def timeSleepUntil(self) -> int:
        """go1.27.3 time.go:1284 timeSleepUntil — the earliest timer's when; the model has no
        timers, so maxWhen."""
        return maxWhen

    def retake(self, now: int) -> int:
        """go1.27.3 proc.go:6681 retake — take Ps back from long syscalls, preempt long-
        running Gs. Returns the number of Ps retaken. Only _Prunning Ps are looked at.
        The schedtick rule: the same schedtick for forcePreemptNS (10ms) -> preemptone and
        sysretake (a goroutine in a syscall cannot respond to preemption, so take its P).
        Then, if setBlockOnExitSyscall wins the P's goroutine's scan bit: the first sighting
        of a syscall (p.syscalltick differs from sysmon's copy) is only recorded, unless
        sysretake; a P with an empty runq, while an idle P or a spinning M exists, is left
        until its syscall is 10ms old; otherwise takeP, resume, handoffp.
        """
        self._call("retake", now=now)
        n = 0
        # Prevent allp slice changes.
        self.lock(self.allpLock)
        i = 0
        while i < len(self.allp):
            pp = self.allp[i]
            i += 1
            if pp is None or pp.status != _Prunning:
                continue
            pd = pp.sysmontick
            sysretake = False
            # Preempt G if it's running on the same schedtick for too long.
            schedt = pp.schedtick
            if pd.schedtick != schedt:
                pd.schedtick = schedt
                pd.schedwhen = now
            elif pd.schedwhen + forcePreemptNS <= now:
                self.preemptone(pp)
                # If pp is in a syscall, preemptone doesn't work: take the P ourselves.
                sysretake = True
            # Drop allpLock so we can take sched.lock.
            self.unlock(self.allpLock)
            # Need to decrement number of idle locked M's (pretending that one more is
            # running) before we take the P and resume. Otherwise the M from which we retake
            # can exit the syscall, increment nmidle and report deadlock.
            self.incidlelocked(-1)
            # Try to prevent the P from continuing in the syscall, if it's in one at all.
            thread, ok = self.setBlockOnExitSyscall(pp)
            if ok and self._retake_p(thread, pd, now, sysretake):
                n += 1
            # done:
            self.incidlelocked(1)
            self.lock(self.allpLock)
        self.unlock(self.allpLock)
        return n

    def _retake_p(self, thread: syscallingThread, pd: Any, now: int, sysretake: bool) -> bool:
        """retake's body between a successful setBlockOnExitSyscall and `done:` (proc.go:
        6758-6792), split out only because Python has no goto; True where Go does n++."""
        pp = thread.pp
        # Retake the P if it's there for more than 1 sysmon tick (at least 20us).
        syst = pp.syscalltick
        if not sysretake and pd.syscalltick != syst:
            pd.syscalltick = syst
            pd.syscallwhen = now
            self._note(f"retake: first sighting of p{pp.id}'s syscall (syscalltick {syst})")
            thread.resume()
            return False
        # On the one hand we don't want to retake Ps if there is no other work to do, but on
        # the other hand we want to retake them eventually because they can prevent the
        # sysmon thread from deep sleep.
        if (self.runqempty(pp) and self.sched.nmspinning + self.sched.npidle > 0
                and pd.syscallwhen + 10 * 1000 * 1000 > now):
            self._note(f"retake: p{pp.id}'s syscall is {now - pd.syscallwhen} ns old, no "
                       f"queued work, an idle P or spinning M exists: leave it")
            thread.resume()
            return False
        # Take the P. Note: because we have the scan bit, the goroutine is at worst stuck
        # spinning in exitsyscall.
        thread.takeP()
        thread.resume()
        # (n++ in Go, counted by the caller)
        # Handoff the P for some other thread to run it.
        self.handoffp(pp)
        return True

    def setBlockOnExitSyscall(self, pp: p) -> tuple[syscallingThread, bool]:
        """go1.27.3 proc.go:6801 setBlockOnExitSyscall — prevent pp's thread from advancing
        out of exitsyscall: if pp is _Prunning and its M's goroutine is in _Gsyscall (or
        _Gdeadextra), take that goroutine's _Gscan bit and check it is still on the same M
        and P. On success the caller owns the g/m/p links and must call resume().
        After winning the bit the model calls OS.parallel("setBlockOnExitSyscall") (not Go):
        on hardware the syscalling thread runs in parallel and may now reach exitsyscall,
        where it waits for the bit.
        """
        self._call("setBlockOnExitSyscall", pp=pp)
        if pp.status != _Prunning:
            return syscallingThread(), False
        # Be very careful here, these reads are intentionally racy.
        mp = pp.m
        if mp is None:
            return syscallingThread(), False  # Nothing to do.
        gp = mp.curg
        if gp is None:
            return syscallingThread(), False  # Nothing to do.
        status = self.readgstatus(gp) & ~_Gscan
        # A goroutine is considered in a syscall, and may have a corresponding P, if it's in
        # _Gsyscall *or* _Gdeadextra (an extra M goroutine).
        if status != _Gsyscall and status != _Gdeadextra:
            return syscallingThread(), False  # Not in a syscall, nothing to do.
        if not self.castogscanstatus(gp, status, status | _Gscan):
            return syscallingThread(), False  # Not in _Gsyscall or _Gdeadextra anymore.
        if gp.m is not mp or gp.m.p is not pp:
            # This is not what we originally observed. Nothing to do.
            self.casfrom_Gscanstatus(gp, status | _Gscan, status)
            return syscallingThread(), False
        self.scanheld[gp] = self.os.getg().m  # not Go: the checker's record (invariants.py)
        self._note(f"setBlockOnExitSyscall: m{self.os.getg().m.id} holds g{gp.goid}'s scan "
                   f"bit: m{mp.id} cannot leave exitsyscall until resume")
        self.os.parallel("setBlockOnExitSyscall")
        return syscallingThread(gp, mp, pp, status, self), True

    def preemptall(self) -> bool:
        """go1.27.3 proc.go:6894 preemptall — ask every running goroutine to stop."""
        self._call("preemptall")
        res = False
        for pp in self.allp:
            if pp.status != _Prunning:
                continue
            if self.preemptone(pp):
                res = True
        return res

    def preemptone(self, pp: p) -> bool:
        """go1.27.3 proc.go:6917 preemptone — tell the goroutine running on pp to stop: set
        gp.preempt and make its next stack check fail (stackguard0 = stackPreempt). A
        goroutine in a syscall is left alone.
        skips: preemptM (the SIGURG for async preemption: not modeled); pp.preempt is set.
        """
        self._call("preemptone", pp=pp)
        mp = pp.m
        if mp is None or mp is self.os.getg().m:
            return False
        gp = mp.curg
        if gp is None or gp is mp.g0:
            return False
        if self.readgstatus(gp) & ~_Gscan == _Gsyscall:
            # Don't bother trying to preempt a goroutine in a syscall.
            return False
        gp.preempt = True
        # Every call in a goroutine checks for stack overflow by comparing the current stack
        # pointer to gp->stackguard0; setting it to stackPreempt folds preemption into the
        # normal stack overflow check.
        gp.stackguard0 = stackPreempt
        # Request an async preemption of this P (the signal itself is not modeled).
        pp.preempt = True
        return True
