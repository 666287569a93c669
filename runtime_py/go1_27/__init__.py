"""runtime_py/go1_27: the go1.27 profile — the Go runtime's scheduler as of go1.27.3.

Today's Go: `_Psyscall` is retired (go1.26). During a syscall the P stays `_Prunning` and
wired to its M (m.p, p.m; m.oldp set); "in a syscall" is only the goroutine's `_Gsyscall`.
Whoever wants the P — sysmon's retake, another M's exitsyscall — first wins the goroutine's
`_Gscan` bit (setBlockOnExitSyscall), which also holds the returning thread inside
exitsyscall until takeP is done.

Files mirror the Go source: runtime2.py (runtime2.go), lock_spinbit.py (lock_spinbit.go; the
notes of lock_futex.go are runtime_py/notes.py), chan.py (chan.go's receive), and proc.go
split by topic into proc_syscall.py, proc_m.py, proc_sched.py, proc_runq.py, proc_g.py and
proc_sysmon.py, assembled in runtime.py as `Runtime`. os_linux.py is the OS protocol the
platform implements; layout.py the guest-visible struct offsets.
"""

from runtime_py.go1_27 import layout
from runtime_py.go1_27.chan import hchan
from runtime_py.go1_27.os_linux import OS
from runtime_py.go1_27.proc_sysmon import syscallingThread
from runtime_py.go1_27.runtime import Runtime
from runtime_py.go1_27.runtime2 import (
    _Gcopystack, _Gdead, _Gdeadextra, _Genqueue_unused, _Gidle, _Gleaked, _Gmoribund_unused,
    _Gpreempted, _Grunnable, _Grunning, _Gscan, _Gscansyscall, _Gsyscall, _Gwaiting, _Pdead,
    _Pgcstop, _Pidle, _Prunning, _Psyscall_unused, forcePreemptNS, freezeStopWait, g, gobuf,
    gQueue, gstatusname, m, mutex, note, p, pstatusname, schedt, stack, stackGuard,
    stackPreempt, sysmontick, traceBlockChanRecv, waitReasonChanReceive, waitReasonString,
)

GO_VERSION = "go1.27"

__all__ = [
    "GO_VERSION", "OS", "Runtime", "layout", "hchan", "syscallingThread",
    "_Gidle", "_Grunnable", "_Grunning", "_Gsyscall", "_Gwaiting", "_Gmoribund_unused",
    "_Gdead", "_Genqueue_unused", "_Gcopystack", "_Gpreempted", "_Gleaked", "_Gdeadextra",
    "_Gscan", "_Gscansyscall",
    "_Pidle", "_Prunning", "_Psyscall_unused", "_Pgcstop", "_Pdead",
    "stackPreempt", "stackGuard", "freezeStopWait", "forcePreemptNS",
    "g", "m", "p", "schedt", "gobuf", "gQueue", "stack", "note", "mutex", "sysmontick",
    "gstatusname", "pstatusname", "waitReasonString", "waitReasonChanReceive",
    "traceBlockChanRecv",
]
