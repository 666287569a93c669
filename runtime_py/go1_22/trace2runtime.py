"""runtime_py/go1_22/trace2runtime.py: go1.22.10's new execution tracer, as a side channel.

go1.22 builds with GOEXPERIMENT=exectracer2 on (internal/buildcfg/exp.go:77), so proc.go's
`if trace.ok() { ... }` branches take their `goexperiment.ExecTracer2` arm and the events are
those of trace2event.go: GoSyscallBegin, GoSyscallEnd, GoSyscallEndBlocked, ProcSteal,
ProcStart, ProcStop, GoStart, GoCreate, GoDestroy, GoStop, GoBlock, GoUnblock, ProcsChange.
(go1.10's GoSysCall/GoSysBlock/GoSysExit are gone: GoSysBlock is a no-op, :537.)

The model runs like a program whose trace is off: traceAcquire returns a locker whose ok()
is false in Go, so the statements inside those branches (extra save()s, systemstack calls,
osyield spins) do not run. What does run is the event method itself, at the place Go calls
it: each method of traceLocker below reports the one event it would write to the observer's
traceev(name, **args). That is the side channel observe.py describes.
"""

from __future__ import annotations

from typing import Any

from runtime_py.go1_22.runtime2 import m, p

# traceBlockReason (trace2runtime.go:84): why a goroutine blocked, as GoBlock's reason.
(traceBlockGeneric, traceBlockForever, traceBlockNet, traceBlockSelect, traceBlockCondWait,
 traceBlockSync, traceBlockChanSend, traceBlockChanRecv, traceBlockGCMarkAssist,
 traceBlockGCSweep, traceBlockSystemGoroutine, traceBlockPreempted, traceBlockDebugCall,
 traceBlockUntilGCEnds, traceBlockSleep) = range(15)
traceBlockReasonStrings = (  # trace2runtime.go:104
    "unspecified", "forever", "network", "select", "sync.(*Cond).Wait", "sync", "chan send",
    "chan receive", "GC mark assist wait for work", "GC background sweeper wait",
    "system goroutine wait", "preempted", "wait for debug call", "wait until GC ends", "sleep",
)
# traceGoStopReason (trace2runtime.go:126): why a goroutine yielded, as GoStop's reason.
traceGoStopGeneric, traceGoStopGoSched, traceGoStopPreempted = range(3)
traceGoStopReasonStrings = ("unspecified", "runtime.Gosched", "preempted")  # :134

# go1.22.10's old tracer (trace.go:95-111, built when exectracer2 is off) maps each
# traceBlockReason to an old event; a caller written for go1.10's gopark(..., traceEv) names
# that event. Read backwards, the first reason of each event: "GoBlockRecv" -> ChanRecv.
OLD_TRACE_EVENT_REASON = {
    "GoBlock": traceBlockGeneric, "GoStop": traceBlockForever, "GoBlockNet": traceBlockNet,
    "GoBlockSelect": traceBlockSelect, "GoBlockCond": traceBlockCondWait,
    "GoBlockSync": traceBlockSync, "GoBlockSend": traceBlockChanSend,
    "GoBlockRecv": traceBlockChanRecv, "GoBlockGC": traceBlockGCMarkAssist,
    "GoSleep": traceBlockSleep,
}


class traceLocker:
    """trace2runtime.go:155 traceLocker {mp, gen}: here the M that would write the events."""

    def __init__(self, rt: Any, mp: m):
        self.rt = rt
        self.mp = mp

    def _ev(self, name: str, /, **args: Any) -> None:
        self.rt._traceev(name, **args)

    def Gomaxprocs(self, procs: int) -> None:
        """trace2runtime.go:259 — ProcsChange."""
        self._ev("ProcsChange", procs=procs)

    def ProcStart(self) -> None:
        """trace2runtime.go:266 — ProcStart of this M's P."""
        self._ev("ProcStart", p=self.mp.p, m=self.mp)

    def ProcStop(self, pp: p) -> None:
        """trace2runtime.go:275 — ProcStop."""
        self._ev("ProcStop", p=pp, m=self.mp)

    def GoCreate(self, newg: Any, pc: int) -> None:
        """trace2runtime.go:392 — GoCreate."""
        self._ev("GoCreate", g=newg, startpc=pc)

    def GoStart(self) -> None:
        """trace2runtime.go:400 — GoStart of getg().m.curg on its P."""
        gp = self.rt.os.getg().m.curg
        self._ev("GoStart", g=gp, p=gp.m.p)

    def GoEnd(self) -> None:
        """trace2runtime.go:414 — GoDestroy (named GoEnd in the runtime)."""
        self._ev("GoDestroy", g=self.mp.curg)

    def GoSched(self) -> None:
        """trace2runtime.go:419 — GoStop with reason runtime.Gosched."""
        self.GoStop(traceGoStopGoSched)

    def GoPreempt(self) -> None:
        """trace2runtime.go:424 — GoStop with reason preempted."""
        self.GoStop(traceGoStopPreempted)

    def GoStop(self, reason: int) -> None:
        """trace2runtime.go:429 — GoStop."""
        self._ev("GoStop", g=self.mp.curg, reason=traceGoStopReasonStrings[reason])

    def GoPark(self, reason: int, skip: int) -> None:
        """trace2runtime.go:437 — GoBlock with a traceBlockReason."""
        self._ev("GoBlock", g=self.mp.curg, reason=traceBlockReasonStrings[reason],
                 skip=skip)

    def GoUnpark(self, gp: Any, skip: int) -> None:
        """trace2runtime.go:442 — GoUnblock."""
        self._ev("GoUnblock", g=gp, skip=skip)

    def GoSysCall(self) -> None:
        """trace2runtime.go:456 — GoSyscallBegin (the P enters its syscall state)."""
        self._ev("GoSyscallBegin", g=self.mp.curg, p=self.mp.p)

    def GoSysExit(self, lostP: bool) -> None:
        """trace2runtime.go:487 — GoSyscallEnd, or GoSyscallEndBlocked when the goroutine
        lost its P at some point during the syscall."""
        self._ev("GoSyscallEndBlocked" if lostP else "GoSyscallEnd", g=self.mp.curg)

    def ProcSteal(self, pp: p, inSyscall: bool) -> None:
        """trace2runtime.go:504 — ProcSteal: this M took pp from an M in a syscall."""
        self._ev("ProcSteal", p=pp, m=self.mp, inSyscall=inSyscall)

    def GoSysBlock(self, pp: p) -> None:
        """trace2runtime.go:537 — a no-op in the new tracer: nothing is reported."""


class Trace2Runtime:
    """Mixin of Runtime: traceAcquire (trace2runtime.go:172)."""

    def traceAcquire(self) -> traceLocker:
        """go1.22.10 trace2runtime.go:172 traceAcquire — the side-channel locker of this M.
        skips: traceAcquireEnabled's acquirem and seqlock (the trace is off), and so every
        traceRelease, which would undo them."""
        return traceLocker(self, self.os.getg().m)
