"""runtime_py/go1_10: the go1.10 profile — the Go runtime's scheduler as of go1.10.

Files mirror the Go source: runtime2.py (runtime2.go), lock_futex.py (lock_futex.go), and
proc.go split by topic into proc_syscall.py, proc_m.py, proc_sched.py, proc_runq.py,
proc_g.py and proc_sysmon.py, assembled in runtime.py as `Runtime`. os_linux.py is the OS
protocol the platform implements; layout.py the guest-visible struct offsets.
"""

from runtime_py.go1_10 import layout
from runtime_py.go1_10.os_linux import OS
from runtime_py.go1_10.runtime import Runtime
from runtime_py.go1_10.runtime2 import (
    _Gcopystack, _Gdead, _Genqueue_unused, _Gidle, _Gmoribund_unused, _Grunnable, _Grunning,
    _Gscan, _Gsyscall, _Gwaiting, _Pdead, _Pgcstop, _Pidle, _Prunning, _Psyscall, _StackGuard,
    _StackMin,
    forcePreemptNS, freezeStopWait, g, gobuf, gstatusname, m, mcache, mutex, note, p,
    pstatusname, schedt, stack, stackPreempt, sysmontick,
)

GO_VERSION = "go1.10"
ABOUT = (  # one line for `gosyscall profiles`: this release's syscall protocol
    "In a syscall, the P stays wired to its M as _Psyscall (m.p kept, p.m = 0); exitsyscallfast "
    "CASes it back to _Prunning; sysmon's retake hands a P that stays in _Psyscall for a tick to "
    "another M."
)

__all__ = [
    "ABOUT", "GO_VERSION", "OS", "Runtime", "layout",
    "_Gidle", "_Grunnable", "_Grunning", "_Gsyscall", "_Gwaiting", "_Gmoribund_unused",
    "_Gdead", "_Genqueue_unused", "_Gcopystack", "_Gscan",
    "_Pidle", "_Prunning", "_Psyscall", "_Pgcstop", "_Pdead",
    "stackPreempt", "_StackGuard", "_StackMin", "freezeStopWait", "forcePreemptNS",
    "g", "m", "p", "schedt", "gobuf", "stack", "note", "mutex", "mcache", "sysmontick",
    "gstatusname", "pstatusname",
]
