"""runtime_py/go1_10/proc_sysmon.py: go1.10 proc.go — sysmon, retake, preemption.

sysmon runs on its own M without a P (started by runtime.main: newm(sysmon, nil)); it sleeps
through OS.usleep, so the platform decides when (in virtual time) each round runs.
"""

from __future__ import annotations

from runtime_py.go1_10.runtime2 import (
    _Pidle, _Prunning, _Psyscall, forcePreemptNS, p, stackPreempt,
)

# forcegcperiod is the maximum time in nanoseconds between garbage collections (2 minutes);
# sysmon's deep sleep lasts at most half of it.
forcegcperiod = 2 * 60 * 1000 * 1000 * 1000
# If a heap span goes unused for 5 minutes after a garbage collection, it goes back to the OS.
scavengelimit = 5 * 60 * 1000 * 1000 * 1000


class ProcSysmon:
    """Mixin of Runtime: the system monitor."""

    def sysmon(self) -> None:
        """go1.10 proc.go:4185 sysmon — the system monitor loop; never returns.
        Sleeps 20us, doubling after 50 idle rounds, capped at 10ms; sleeps deeply on
        sched.sysmonnote when all Ps are idle or GC is waiting; calls retake every round.
        skips: debug.scavenge and debug.schedtrace (schedtrace).
        skips: osRelax (Windows only).
        skips: cgo_yield (no cgo).
        skips: the netpoll of ready goroutines (no network poller).
        skips: the forced GC (forcegc helper) and heap scavenging (no GC or heap).
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
            if self.sched.gcwaiting != 0 or self.sched.npidle == self.gomaxprocs:
                self.lock(self.sched.lock)
                if self.sched.gcwaiting != 0 or self.sched.npidle == self.gomaxprocs:
                    self.sched.sysmonwait = 1
                    self.unlock(self.sched.lock)
                    # Make wake-up period small enough for the sampling to be correct.
                    maxsleep = forcegcperiod // 2
                    if scavengelimit < forcegcperiod:
                        maxsleep = scavengelimit // 2
                    # not Go: an observer note saying why sysmon sleeps deeply
                    self._note(f"sysmon: all Ps idle; deep sleep on sched.sysmonnote "
                               f"(up to {maxsleep} ns)")
                    self.notetsleep(self.sched.sysmonnote, maxsleep)
                    self.lock(self.sched.lock)
                    self.sched.sysmonwait = 0
                    self.noteclear(self.sched.sysmonnote)
                    idle = 0
                    delay = 20
                self.unlock(self.sched.lock)
            now = self.os.nanotime()
            # retake P's blocked in syscalls and preempt long running G's
            if self.retake(now) != 0:
                idle = 0
            else:
                idle += 1

    def retake(self, now: int) -> int:
        """go1.10 proc.go:4313 retake — take Ps back from long syscalls, preempt long-running Gs.
        Returns the number of Ps retaken from syscalls.
        For a _Psyscall P: never on the first sighting of a syscall (p.syscalltick differs
        from what sysmon saw last); then only if its runq has work, or there is no idle P and
        no spinning M, or the syscall has lasted 10ms.
        """
        self._call("retake", now=now)
        n = 0
        # Prevent allp slice changes.
        self.lock(self.allpLock)
        for i in range(len(self.allp)):
            _p_ = self.allp[i]
            if _p_ is None:
                continue
            pd = _p_.sysmontick
            s = _p_.status
            if s == _Psyscall:
                # Retake P from syscall if it's there for more than 1 sysmon tick (at least
                # 20us).
                t = _p_.syscalltick
                if pd.syscalltick != t:
                    pd.syscalltick = t
                    pd.syscallwhen = now
                    # not Go: an observer note (Go says nothing here)
                    self._note(f"retake: first sighting of p{_p_.id} in syscall "
                               f"(syscalltick {t})")
                    continue
                # On the one hand we don't want to retake Ps if there is no other work to
                # do, but on the other hand we want to retake them eventually because they
                # can prevent the sysmon thread from deep sleep.
                if (self.runqempty(_p_)
                        and self.sched.nmspinning + self.sched.npidle > 0
                        and pd.syscallwhen + 10 * 1000 * 1000 > now):
                    # not Go: an observer note saying why the P is left alone
                    self._note(f"retake: p{_p_.id} in syscall for {now - pd.syscallwhen} ns, "
                               f"no queued work, an idle P or spinning M exists: leave it")
                    continue
                # Drop allpLock so we can take sched.lock.
                self.unlock(self.allpLock)
                # Need to decrement number of idle locked M's (pretending that one more is
                # running) before the CAS. Otherwise the M from which we retake can exit the
                # syscall, increment nmidle and report deadlock.
                self.incidlelocked(-1)
                if self._pcas(_p_, s, _Pidle):
                    self._traceev("GoSysBlock", p=_p_)
                    self._traceev("ProcStop", p=_p_)
                    n += 1
                    _p_.syscalltick += 1
                    self.handoffp(_p_)
                self.incidlelocked(1)
                self.lock(self.allpLock)
            elif s == _Prunning:
                # Preempt G if it's running for too long.
                t = _p_.schedtick
                if pd.schedtick != t:
                    pd.schedtick = t
                    pd.schedwhen = now
                    continue
                if pd.schedwhen + forcePreemptNS > now:
                    continue
                self.preemptone(_p_)
        self.unlock(self.allpLock)
        return n

    def preemptall(self) -> bool:
        """go1.10 proc.go:4385 preemptall — ask every running goroutine to stop (best effort)."""
        self._call("preemptall")
        res = False
        for _p_ in self.allp:
            if _p_.status != _Prunning:
                continue
            if self.preemptone(_p_):
                res = True
        return res

    def preemptone(self, _p_: p) -> bool:
        """go1.10 proc.go:4408 preemptone — tell the goroutine running on _p_ to stop: set
        gp.preempt and make its next stack check fail (stackguard0 = stackPreempt)."""
        self._call("preemptone", _p_=_p_)
        mp = _p_.m
        if mp is None or mp is self.os.getg().m:
            return False
        gp = mp.curg
        if gp is None or gp is mp.g0:
            return False
        gp.preempt = True
        # Every call in a goroutine checks for stack overflow by comparing the current stack
        # pointer to gp.stackguard0; setting it to stackPreempt folds preemption into the
        # normal stack overflow check.
        gp.stackguard0 = stackPreempt
        return True
