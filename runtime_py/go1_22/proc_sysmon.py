"""runtime_py/go1_22/proc_sysmon.py: go1.22.10 proc.go — sysmon, retake, preemption.

sysmon runs on its own M without a P (runtime.main: newm(sysmon, nil, -1)); it sleeps
through OS.usleep (nanosleep since go1.11), so the platform decides when (in virtual time)
each round runs.

What sysmon does that the model does not: no netpoll (netpollinited() is false), no timers
(timeSleepUntil() is maxWhen, so the deep sleep lasts forcegcperiod/2 unless woken), no
forced GC (the forcegc goroutine does not exist), no scavenger, no schedtrace, no cgo_yield,
osRelax is a no-op on linux.
"""

from __future__ import annotations

from runtime_py.go1_22.runtime2 import (
    _Pidle, _Prunning, _Psyscall, forcePreemptNS, p, stackPreempt,
)

# proc.go:5937 forcegcperiod is the maximum time in nanoseconds between garbage collections
# (2 minutes); sysmon's deep sleep lasts at most half of it.
forcegcperiod = 2 * 60 * 1000 * 1000 * 1000
maxWhen = (1 << 63) - 1  # time.go:164: timeSleepUntil's "no timer"


class ProcSysmon:
    """Mixin of Runtime: the system monitor."""

    def sysmon(self) -> None:
        """go1.22.10 proc.go:5946 sysmon — the system monitor loop; never returns.
        Sleeps 20us, doubling after 50 idle rounds, capped at 10ms; sleeps deeply on
        sched.sysmonnote when all Ps are idle or GC is waiting, and restarts the back-off
        only if woken from it (syscallWake), not when the deep sleep times out; calls
        retake every round under sched.sysmonlock. See the module docstring for what it
        skips.
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
            self.os.usleep(delay)
            # sysmon should not enter deep sleep if there are any active P's so that it can
            # retake P's from syscalls, preempt long running G's, and poll the network.
            now = self.os.nanotime()
            if self.sched.gcwaiting or self.sched.npidle == self.gomaxprocs:
                self.lock(self.sched.lock)
                if self.sched.gcwaiting or self.sched.npidle == self.gomaxprocs:
                    syscallWake = False
                    next_ = maxWhen  # timeSleepUntil(): no P has timers
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

    def retake(self, now: int) -> int:
        """go1.22.10 proc.go:6104 retake — take Ps back from syscalls, preempt long-running
        Gs. Returns the number of Ps retaken from syscalls.

        For a _Prunning or _Psyscall P, a schedtick unchanged for forcePreemptNS (10ms)
        calls preemptone and, for a P in a syscall, sets sysretake (preemptone cannot work
        there: no M is wired to the P). A _Psyscall P is then retaken unless
        - it is the first sighting of this syscall (p.syscalltick differs from what sysmon
          saw last) and sysretake is not set: record the tick and the time, continue; or
        - its runq is empty, some M spins or some P is idle, and the syscall is younger
          than 10ms (since the first sighting): continue.
        """
        self._call("retake", now=now)
        n = 0
        # Prevent allp slice changes.
        self.lock(self.allpLock)
        i = 0
        while i < len(self.allp):  # allp is re-read each time: allpLock may be dropped
            pp = self.allp[i]
            i += 1
            if pp is None:
                continue
            pd = pp.sysmontick
            s = pp.status
            sysretake = False
            if s == _Prunning or s == _Psyscall:
                # Preempt G if it's running for too long.
                t = pp.schedtick
                if pd.schedtick != t:
                    pd.schedtick = t
                    pd.schedwhen = now
                elif pd.schedwhen + forcePreemptNS <= now:
                    self.preemptone(pp)
                    # In case of syscall, preemptone() doesn't work, because there is no M
                    # wired to P.
                    sysretake = True
            if s == _Psyscall:
                # Retake P from syscall if it's there for more than 1 sysmon tick (at least
                # 20us).
                t = pp.syscalltick
                if not sysretake and pd.syscalltick != t:
                    pd.syscalltick = t
                    pd.syscallwhen = now
                    self._note(f"retake: first sighting of p{pp.id} in syscall "
                               f"(syscalltick {t})")
                    continue
                # On the one hand we don't want to retake Ps if there is no other work to
                # do, but on the other hand we want to retake them eventually because they
                # can prevent the sysmon thread from deep sleep.
                if (self.runqempty(pp)
                        and self.sched.nmspinning + self.sched.npidle > 0
                        and pd.syscallwhen + 10 * 1000 * 1000 > now):
                    self._note(f"retake: p{pp.id} in syscall for {now - pd.syscallwhen} ns, "
                               "no queued work, an idle P or spinning M exists: leave it")
                    continue
                # Drop allpLock so we can take sched.lock.
                self.unlock(self.allpLock)
                # Need to decrement number of idle locked M's (pretending that one more is
                # running) before the CAS. Otherwise the M from which we retake can exit the
                # syscall, increment nmidle and report deadlock.
                self.incidlelocked(-1)
                trace = self.traceAcquire()
                if self._pcas(pp, s, _Pidle):
                    trace.GoSysBlock(pp)
                    trace.ProcSteal(pp, False)
                    n += 1
                    pp.syscalltick += 1
                    self.handoffp(pp)
                self.incidlelocked(1)
                self.lock(self.allpLock)
        self.unlock(self.allpLock)
        return n

    def preemptall(self) -> bool:
        """go1.22.10 proc.go:6182 preemptall — ask every running goroutine to stop (best
        effort)."""
        self._call("preemptall")
        res = False
        for pp in self.allp:
            if pp.status != _Prunning:
                continue
            if self.preemptone(pp):
                res = True
        return res

    def preemptone(self, pp: p) -> bool:
        """go1.22.10 proc.go:6205 preemptone — tell the goroutine running on pp to stop:
        set gp.preempt and make its next stack check fail (stackguard0 = stackPreempt); ask
        for an async preemption of pp (pp.preempt).
        skips: preemptM(mp) (signal_unix.go:368), the SIGURG sent by tgkill that would stop
        the goroutine at an async safe point: the model delivers no signals, so the
        goroutine stops at its next stack check (newstack -> gopreempt_m) instead.
        """
        self._call("preemptone", pp=pp)
        mp = pp.m
        if mp is None or mp is self.os.getg().m:
            return False
        gp = mp.curg
        if gp is None or gp is mp.g0:
            return False
        gp.preempt = True
        # Every call in a goroutine checks for stack overflow by comparing the current stack
        # pointer to gp->stackguard0. Setting gp->stackguard0 to StackPreempt folds
        # preemption into the normal stack overflow check.
        gp.stackguard0 = stackPreempt
        # Request an async preemption of this P (preemptMSupported, asyncpreemptoff == 0).
        pp.preempt = True
        return True
