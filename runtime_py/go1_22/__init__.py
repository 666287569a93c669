"""runtime_py/go1_22: the go1.22 profile — the Go runtime's scheduler as of go1.22.10.

The register-ABI era: since go1.12 a goroutine entering a syscall gives its P up (m.oldp,
_Psyscall; m.p is nil) and exitsyscallfast CASes it _Psyscall -> _Pidle and wires it again;
since go1.13 retake has the sysretake rule; since go1.11 usleep is nanosleep; go1.22's new
execution tracer names the events (GoSyscallBegin, GoSyscallEnd, GoSyscallEndBlocked,
ProcSteal, ...).

Files mirror the Go source: runtime2.py (runtime2.go), lock_futex.py (lock_futex.go),
trace2runtime.py (the new tracer's event calls), and proc.go split by topic into
proc_syscall.py, proc_m.py, proc_p.py, proc_sched.py, proc_runq.py, proc_g.py and
proc_sysmon.py, assembled in runtime.py as `Runtime`. os_linux.py is the OS protocol the
platform implements; layout.py the guest-visible struct offsets; invariants.py the self-check.
"""

from runtime_py.go1_22 import layout
from runtime_py.go1_22.os_linux import OS
from runtime_py.go1_22.runtime import Runtime
from runtime_py.go1_22.runtime2 import (
    _Gcopystack, _Gdead, _Genqueue_unused, _Gidle, _Gmoribund_unused, _Gpreempted, _Grunnable,
    _Grunning, _Gscan, _Gsyscall, _Gwaiting, _GoidCacheBatch, _Pdead, _Pgcstop, _Pidle,
    _Prunning, _Psyscall, forcePreemptNS, freezeStopWait, g, gList, gobuf, gQueue,
    gstatusname, m, mutex, note, p, pMask, pstatusname, schedt, stack, stackGuard, stackMin,
    stackPreempt, sysmontick, waitReason, waitReasonChanReceive, waitReasonChanReceiveNilChan,
    waitReasonSelect, waitReasonSleep, waitReasonStrings, waitReasonZero,
)
from runtime_py.go1_22.trace2runtime import (
    traceBlockChanRecv, traceBlockForever, traceBlockGeneric, traceBlockReasonStrings,
)

GO_VERSION = "go1.22"
ABOUT = (  # one line for `gosyscall profiles`: this release's syscall protocol
    "In a syscall, the P is given up: p.m = 0, m.oldp = p, m.p = 0, _Psyscall; exitsyscallfast "
    "CASes the old P _Psyscall → _Pidle and wires it again; retake's sysretake rule; usleep is "
    "nanosleep; the new execution tracer's event names."
)

__all__ = [
    "ABOUT", "GO_VERSION", "OS", "Runtime", "layout",
    "_Gidle", "_Grunnable", "_Grunning", "_Gsyscall", "_Gwaiting", "_Gmoribund_unused",
    "_Gdead", "_Genqueue_unused", "_Gcopystack", "_Gpreempted", "_Gscan",
    "_Pidle", "_Prunning", "_Psyscall", "_Pgcstop", "_Pdead",
    "stackPreempt", "stackGuard", "stackMin", "freezeStopWait", "forcePreemptNS",
    "_GoidCacheBatch",
    "g", "m", "p", "schedt", "gobuf", "stack", "note", "mutex", "sysmontick", "gQueue",
    "gList", "pMask", "gstatusname", "pstatusname",
    "waitReason", "waitReasonStrings", "waitReasonZero", "waitReasonChanReceive",
    "waitReasonChanReceiveNilChan", "waitReasonSelect", "waitReasonSleep",
    "traceBlockGeneric", "traceBlockForever", "traceBlockChanRecv", "traceBlockReasonStrings",
]
