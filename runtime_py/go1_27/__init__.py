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

What a platform driving go1.10's profile must add for this one:
- entersyscall(callerpc, callersp, callerfp) and entersyscallblock(...): callerfp is RBP at
  the CALL's target (getcallerfp: syscall.Syscall's frame pointer), saved as g.syscallbp and
  g.sched.bp; 0 means none.
- exitsyscall(callersp) may wait: while another M holds the goroutine's _Gscan bit it loops
  in casgstatus on OS.procyield(1), then OS.osyield(), both of which must let other threads
  run; OS.parallel(site) is where the holder can be paused (see os_linux.py).
- gopark/goparkunlock take go1.27's enums: a waitReason and a traceBlockReason (ints,
  runtime2.py), not strings; `<-ch` is Runtime.chanrecv1(c, elem) on a chan.hchan.
- Tracer events carry go1.27's wire names: GoSyscallBegin, GoSyscallEnd,
  GoSyscallEndBlocked, ProcSteal, ProcStart, ProcStop, GoStart, GoCreate, GoDestroy,
  GoStop, GoBlock, GoUnblock, ProcsChange.
- layout: no sched.ret, sysblocktraced or sysexitticks; syscallbp at 120; waitreason is one
  byte at 176; M_OLDP, M_SYSCALLTICK and the p/sched offsets are there too.
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
ABOUT = (  # one line for `gosyscall profiles`: this release's syscall protocol
    "In a syscall, the P stays _Prunning and wired (m.p, p.m intact, m.oldp set); only g is "
    "_Gsyscall. Whoever wants the P first wins g's _Gscan bit (setBlockOnExitSyscall, takeP), "
    "which holds a returning exitsyscall until it is done."
)

__all__ = [
    "ABOUT", "GO_VERSION", "OS", "Runtime", "layout", "hchan", "syscallingThread",
    "_Gidle", "_Grunnable", "_Grunning", "_Gsyscall", "_Gwaiting", "_Gmoribund_unused",
    "_Gdead", "_Genqueue_unused", "_Gcopystack", "_Gpreempted", "_Gleaked", "_Gdeadextra",
    "_Gscan", "_Gscansyscall",
    "_Pidle", "_Prunning", "_Psyscall_unused", "_Pgcstop", "_Pdead",
    "stackPreempt", "stackGuard", "freezeStopWait", "forcePreemptNS",
    "g", "m", "p", "schedt", "gobuf", "gQueue", "stack", "note", "mutex", "sysmontick",
    "gstatusname", "pstatusname", "waitReasonString", "waitReasonChanReceive",
    "traceBlockChanRecv",
]
