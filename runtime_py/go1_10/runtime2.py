"""runtime_py/go1_10/runtime2.py: go1.10 runtime2.go — statuses, g, m, p, schedt, gobuf.

Only the fields the scheduler model reads or writes are kept; their names are Go's. Pointers
are Python references (None is nil); guintptr/muintptr/puintptr are plain references too.
g, m and p compare by identity (eq=False): identity is what a Go pointer means, and the
default dataclass __eq__ would recurse forever through g.m.curg.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

# mutex, note, stack, sysmontick, the mcache placeholder and stackPreempt are spelled the
# same in every release: runtime_py/structs.py. Re-exported here with the rest of runtime2.go.
from runtime_py.structs import (  # noqa: F401
    mcache, mutex, note, stack, stackPreempt, statusname, sysmontick,
)

# --- G status (runtime2.go). Each says what is true in it. -------------------------------
_Gidle = 0  # just allocated, not yet initialized
_Grunnable = 1  # on a run queue; not executing user code; the stack is not owned
_Grunning = 2  # may execute user code; owns its stack; not on a run queue; has an M and a P
_Gsyscall = 3  # executing a system call; owns its stack; not on a run queue; has an M.
#                It may have a P attached, but it does not own it: code in this state must
#                not touch g.m.p.
_Gwaiting = 4  # blocked in the runtime; not on a run queue; recorded somewhere to be ready()d
_Gmoribund_unused = 5  # unused (hardcoded in gdb scripts)
_Gdead = 6  # unused: just exited, on a free list, or being initialized
_Genqueue_unused = 7  # unused
_Gcopystack = 8  # its stack is being moved; not on a run queue
_Gscan = 0x1000  # OR-ed onto the above while GC scans the stack
_Gscanrunnable = _Gscan + _Grunnable  # 0x1001
_Gscanrunning = _Gscan + _Grunning  # 0x1002
_Gscansyscall = _Gscan + _Gsyscall  # 0x1003
_Gscanwaiting = _Gscan + _Gwaiting  # 0x1004

# --- P status ----------------------------------------------------------------------------
_Pidle = 0  # not running user code or the scheduler; usually on sched.pidle
_Prunning = 1  # owned by an M (p.m); only this P's M may change it from _Prunning
_Psyscall = 2  # its M is in a syscall (go1.10: m.p still points here, p.m is 0); may be retaken
_Pgcstop = 3  # halted for stop-the-world
_Pdead = 4  # no longer used (GOMAXPROCS shrank)

# --- constants from stack.go and proc.go ---------------------------------------------------
_StackGuard = 880  # 880*StackGuardMultiplier + _StackSystem on linux/amd64, non-race
_StackMin = 2048
_FixedStack = 2048  # linux/amd64
freezeStopWait = 0x7FFFFFFF  # sched.stopwait value set by freezetheworld
forcePreemptNS = 10 * 1000 * 1000  # 10ms: time slice before sysmon preempts a G
_GoidCacheBatch = 16  # goroutine ids a P takes from sched.goidgen at once

_GSTATUS_NAMES = {
    _Gidle: "_Gidle", _Grunnable: "_Grunnable", _Grunning: "_Grunning",
    _Gsyscall: "_Gsyscall", _Gwaiting: "_Gwaiting", _Gmoribund_unused: "_Gmoribund_unused",
    _Gdead: "_Gdead", _Genqueue_unused: "_Genqueue_unused", _Gcopystack: "_Gcopystack",
}
_PSTATUS_NAMES = {
    _Pidle: "_Pidle", _Prunning: "_Prunning", _Psyscall: "_Psyscall",
    _Pgcstop: "_Pgcstop", _Pdead: "_Pdead",
}


def gstatusname(s: int) -> str:
    """Go's name for a G status: gstatusname(2) == "_Grunning", 0x1003 -> "_Gscansyscall"."""
    return statusname(_GSTATUS_NAMES, s)


def pstatusname(s: int) -> str:
    """Go's name for a P status: pstatusname(2) == "_Psyscall"."""
    return statusname(_PSTATUS_NAMES, s)


@dataclass(eq=False)
class gobuf:
    """runtime2.go gobuf: a saved goroutine context (what gogo restores)."""

    sp: int = 0
    pc: int = 0
    g: Optional[g] = None
    ctxt: Any = None
    ret: int = 0
    lr: int = 0
    bp: int = 0


@dataclass(eq=False)
class g:
    """runtime2.go g: a goroutine."""

    stack: stack = field(default_factory=stack)  # actual stack memory [stack.lo, stack.hi)
    stackguard0: int = 0  # compared in the Go prologue: stack.lo+_StackGuard, or stackPreempt
    stackguard1: int = 0  # compared in the C prologue
    _panic: Any = None
    _defer: Any = None
    m: Optional[m] = None  # current m
    sched: gobuf = field(default_factory=gobuf)
    syscallsp: int = 0  # if status==_Gsyscall, syscallsp = sched.sp to use during gc
    syscallpc: int = 0  # if status==_Gsyscall, syscallpc = sched.pc to use during gc
    stktopsp: int = 0  # expected sp at top of stack, to check in traceback
    param: Any = None  # passed parameter on wakeup
    atomicstatus: int = _Gidle
    stackLock: int = 0
    goid: int = 0
    waitsince: int = 0  # approx time when the g became blocked
    waitreason: str = ""  # if status==_Gwaiting
    schedlink: Optional[g] = None  # next g on a global queue or free list
    preempt: bool = False  # preemption signal, duplicates stackguard0 = stackPreempt
    paniconfault: bool = False
    preemptscan: bool = False
    gcscandone: bool = False
    gcscanvalid: bool = False  # false at start of gc cycle, true if G has not run since last scan
    throwsplit: bool = False  # must not split stack
    raceignore: int = 0
    sysblocktraced: bool = False  # StartTrace has emitted EvGoInSyscall about this goroutine
    sysexitticks: int = 0  # cputicks when syscall has returned (for tracing)
    lockedm: Optional[m] = None
    gopc: int = 0  # pc of go statement that created this goroutine
    startpc: int = 0  # pc of goroutine function

    def __repr__(self) -> str:
        mid = f"m{self.m.id}" if self.m is not None else "m-"
        return f"<g {self.goid} {gstatusname(self.atomicstatus)} {mid}>"


@dataclass(eq=False)
class m:
    """runtime2.go m: an OS thread."""

    g0: Optional[g] = None  # goroutine with scheduling stack
    procid: int = 0  # for debuggers
    tls: list = field(default_factory=lambda: [0] * 6)  # thread-local storage; tls[0] is g
    mstartfn: Optional[Callable[[], None]] = None
    curg: Optional[g] = None  # current running goroutine
    p: Optional[p] = None  # attached p for executing go code (nil if not executing go code).
    #                        A non-nil p implies exclusive ownership of the P, unless curg is
    #                        in _Gsyscall (go1.10 keeps m.p during a syscall; it may go stale).
    nextp: Optional[p] = None  # the P this M must acquire when it wakes (startm/newm)
    id: int = 0
    mallocing: int = 0
    throwing: int = 0
    preemptoff: str = ""  # if != "", keep curg running on this m
    locks: int = 0  # runtime locks held / preemption disabled while > 0
    helpgc: int = 0
    spinning: bool = False  # m is out of work and is actively looking for work
    blocked: bool = False  # m is blocked on a note
    fastrand: list = field(default_factory=lambda: [0, 0])  # [2]uint32: fastrand's xorshift state
    park: note = field(default_factory=note)  # where stopm sleeps
    alllink: Optional[m] = None  # on allm
    schedlink: Optional[m] = None  # on sched.midle
    mcache: Optional[mcache] = None
    lockedg: Optional[g] = None
    waitunlockf: Optional[Callable[[g, Any], bool]] = None
    waitlock: Any = None
    waittraceev: str = ""
    waittraceskip: int = 0
    syscalltick: int = 0  # p.syscalltick at syscall entry

    def __repr__(self) -> str:
        pid = f"p{self.p.id}" if self.p is not None else "p-"
        cur = f"g{self.curg.goid}" if self.curg is not None else "-"
        return f"<m {self.id} {pid} curg={cur}>"


@dataclass(eq=False)
class p:
    """runtime2.go p: a processor, the resource needed to run Go code."""

    lock: mutex = field(default_factory=mutex)
    id: int = 0
    status: int = _Pidle  # one of _Pidle/_Prunning/...
    link: Optional[p] = None  # next P on sched.pidle
    schedtick: int = 0  # incremented on every scheduler call
    syscalltick: int = 0  # incremented on every system call
    sysmontick: sysmontick = field(default_factory=sysmontick)  # last tick observed by sysmon
    m: Optional[m] = None  # back-link to associated m (nil if idle)
    mcache: Optional[mcache] = None
    goidcache: int = 0
    goidcacheend: int = 0
    runqhead: int = 0  # queue of runnable goroutines, accessed without lock
    runqtail: int = 0
    runq: list = field(default_factory=lambda: [None] * 256)
    # runnext, if non-nil, is a runnable G that was ready'd by the current G and should be run
    # next instead of what's in runq, if there's time remaining in the running G's slice.
    runnext: Optional[g] = None
    gfree: Optional[g] = None  # available G's (status == _Gdead)
    gfreecnt: int = 0
    runSafePointFn: int = 0  # if 1, run sched.safePointFn at next safe point

    def __repr__(self) -> str:
        mid = f"m{self.m.id}" if self.m is not None else "m-"
        return f"<p {self.id} {pstatusname(self.status)} {mid}>"


@dataclass(eq=False)
class schedt:
    """runtime2.go schedt: the global scheduler state (the variable `sched`)."""

    goidgen: int = 0
    lastpoll: int = 0  # nanotime of the last network poll; 0 if someone is polling now
    lock: mutex = field(default_factory=lambda: mutex(name="sched.lock"))
    midle: Optional[m] = None  # idle m's waiting for work
    nmidle: int = 0  # number of idle m's waiting for work
    nmidlelocked: int = 0  # number of locked m's waiting for work
    mnext: int = 0  # number of m's that have been created and next M ID
    maxmcount: int = 10000  # maximum number of m's allowed (or die)
    nmsys: int = 0  # number of system m's not counted for deadlock
    nmfreed: int = 0  # cumulative number of freed m's
    ngsys: int = 0  # number of system goroutines
    pidle: Optional[p] = None  # idle p's
    npidle: int = 0
    nmspinning: int = 0
    runqhead: Optional[g] = None  # global runnable queue
    runqtail: Optional[g] = None
    runqsize: int = 0
    gcwaiting: int = 0  # gc is waiting to run
    stopwait: int = 0
    stopnote: note = field(default_factory=lambda: note(name="sched.stopnote"))
    sysmonwait: int = 0
    sysmonnote: note = field(default_factory=lambda: note(name="sched.sysmonnote"))
    safePointFn: Optional[Callable[[p], None]] = None
    safePointWait: int = 0
    safePointNote: note = field(default_factory=lambda: note(name="sched.safePointNote"))
    profilehz: int = 0
