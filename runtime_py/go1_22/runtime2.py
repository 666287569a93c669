"""runtime_py/go1_22/runtime2.py: go1.22.10 runtime2.go — statuses, g, m, p, schedt, gobuf.

Only the fields the scheduler model reads or writes (or the guest sees, layout.py) are kept;
their names are Go's. Pointers are Python references (None is nil); guintptr/muintptr/
puintptr are plain references too. g, m and p compare by identity (eq=False): identity is
what a Go pointer means, and the default dataclass __eq__ would recurse forever through
g.m.curg. Line numbers are go1.22.10's.

What changed since go1.10 in these structs: m.oldp (the P given up by a syscall; m.p is nil
during the syscall), no m.mcache, g.waitreason is a uint8 enum, g.parentGoid, p.gFree is a
gList, p.preempt (async preemption request), sched.runq is a gQueue, sched.needspinning,
sched.sysmonlock, and sched.gcwaiting/sysmonwait are atomic.Bool.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

# mutex, note, stack, sysmontick, the mcache placeholder and stackPreempt are spelled the
# same in every release: runtime_py/structs.py. Re-exported here with the rest of runtime2.go.
from runtime_py.structs import (  # noqa: F401
    mcache, mutex, note, stack, stackPreempt, statusname, sysmontick,
)

# --- G status (runtime2.go:37). Each says what is true in it. -----------------------------
_Gidle = 0  # just allocated, not yet initialized
_Grunnable = 1  # on a run queue; not executing user code; the stack is not owned
_Grunning = 2  # may execute user code; owns its stack; not on a run queue; has an M and a P
_Gsyscall = 3  # executing a system call; owns its stack; not on a run queue; has an M.
#                It may have a P attached (go1.22: it does not — reentersyscall gave it up
#                into m.oldp), but it does not own it: this code must not touch g.m.p.
_Gwaiting = 4  # blocked in the runtime; not on a run queue; recorded somewhere to be ready()d
_Gmoribund_unused = 5  # unused (hardcoded in gdb scripts)
_Gdead = 6  # unused: just exited, on a free list, or being initialized
_Genqueue_unused = 7  # unused
_Gcopystack = 8  # its stack is being moved; not on a run queue
_Gpreempted = 9  # stopped itself for a suspendG preemption; like _Gwaiting, nobody readies it
_Gscan = 0x1000  # OR-ed onto the above while GC scans the stack (runtime2.go:101)
_Gscanrunnable = _Gscan + _Grunnable  # 0x1001
_Gscanrunning = _Gscan + _Grunning  # 0x1002
_Gscansyscall = _Gscan + _Gsyscall  # 0x1003
_Gscanwaiting = _Gscan + _Gwaiting  # 0x1004
_Gscanpreempted = _Gscan + _Gpreempted  # 0x1009

# --- P status (runtime2.go:119) ------------------------------------------------------------
_Pidle = 0  # not running user code or the scheduler; usually on sched.pidle
_Prunning = 1  # owned by an M (p.m); only this P's M may change it from _Prunning
_Psyscall = 2  # not running user code; affinity to an M in a syscall (m.oldp), but not owned
#                by it: sysmon may retake it (CAS to _Pidle); the M CASes it back on exit
_Pgcstop = 3  # halted for stop-the-world, owned by the M that stopped the world
_Pdead = 4  # no longer used (GOMAXPROCS shrank)

# --- constants from stack.go and proc.go ---------------------------------------------------
stackGuard = 928  # stack.go:99 stackNosplit(800) + stackSystem(0) + abi.StackSmall(128)
stackMin = 2048  # stack.go:75
freezeStopWait = 0x7FFFFFFF  # proc.go:976 sched.stopwait value set by freezetheworld
forcePreemptNS = 10 * 1000 * 1000  # proc.go:6102 10ms: time slice before sysmon preempts
_GoidCacheBatch = 16  # proc.go:685 goroutine ids a P takes from sched.goidgen at once

_GSTATUS_NAMES = {
    _Gidle: "_Gidle", _Grunnable: "_Grunnable", _Grunning: "_Grunning",
    _Gsyscall: "_Gsyscall", _Gwaiting: "_Gwaiting", _Gmoribund_unused: "_Gmoribund_unused",
    _Gdead: "_Gdead", _Genqueue_unused: "_Genqueue_unused", _Gcopystack: "_Gcopystack",
    _Gpreempted: "_Gpreempted",
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


# --- waitReason (runtime2.go:1092): a uint8 enum since go1.11 -------------------------------
waitReasonStrings = (  # runtime2.go:1134, indexed by waitReason
    "", "GC assist marking", "IO wait", "chan receive (nil chan)", "chan send (nil chan)",
    "dumping heap", "garbage collection", "garbage collection scan", "panicwait", "select",
    "select (no cases)", "GC assist wait", "GC sweep wait", "GC scavenge wait",
    "chan receive", "chan send", "finalizer wait", "force gc (idle)", "semacquire", "sleep",
    "sync.Cond.Wait", "sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.RWMutex.Lock",
    "trace reader (blocked)", "wait for GC cycle", "GC worker (idle)", "GC worker (active)",
    "preempted", "debug call", "GC mark termination", "stopping the world",
    "flushing proc caches", "trace goroutine status", "trace proc status",
    "page trace flush", "coroutine",
)


class waitReason(int):
    """runtime2.go:1092 waitReason uint8. str() is Go's String() (runtime2.go:1174), so
    printing a g's waitreason shows "chan receive", while the guest sees the byte."""

    def String(self) -> str:
        if self < 0 or self >= len(waitReasonStrings):
            return "unknown wait reason"
        return waitReasonStrings[self]

    __str__ = String

    def __repr__(self) -> str:
        return f"waitReason({int(self)}, {self.String()!r})"


(waitReasonZero, waitReasonGCAssistMarking, waitReasonIOWait, waitReasonChanReceiveNilChan,
 waitReasonChanSendNilChan, waitReasonDumpingHeap, waitReasonGarbageCollection,
 waitReasonGarbageCollectionScan, waitReasonPanicWait, waitReasonSelect,
 waitReasonSelectNoCases, waitReasonGCAssistWait, waitReasonGCSweepWait,
 waitReasonGCScavengeWait, waitReasonChanReceive, waitReasonChanSend, waitReasonFinalizerWait,
 waitReasonForceGCIdle, waitReasonSemacquire, waitReasonSleep, waitReasonSyncCondWait,
 waitReasonSyncMutexLock, waitReasonSyncRWMutexRLock, waitReasonSyncRWMutexLock,
 waitReasonTraceReaderBlocked, waitReasonWaitForGCCycle, waitReasonGCWorkerIdle,
 waitReasonGCWorkerActive, waitReasonPreempted, waitReasonDebugCall,
 waitReasonGCMarkTermination, waitReasonStoppingTheWorld, waitReasonFlushProcCaches,
 waitReasonTraceGoroutineStatus, waitReasonTraceProcStatus, waitReasonPageTraceFlush,
 waitReasonCoroutine) = (waitReason(i) for i in range(len(waitReasonStrings)))


# --- gobuf -------------------------------------------------------------------------------

@dataclass(eq=False)
class gobuf:
    """runtime2.go:324 gobuf: a saved goroutine context (what gogo restores)."""

    sp: int = 0
    pc: int = 0
    g: Optional[g] = None
    ctxt: Any = None
    ret: int = 0
    lr: int = 0
    bp: int = 0  # for framepointer-enabled architectures


# --- gQueue, gList (proc.go:6889, 6956) and pMask (proc.go:6458) -----------------------------

@dataclass(eq=False)
class gQueue:
    """proc.go:6889 gQueue: a dequeue of Gs linked through g.schedlink. A G can be on only
    one gQueue or gList at a time."""

    head: Optional[g] = None
    tail: Optional[g] = None

    def empty(self) -> bool:
        """proc.go:6895."""
        return self.head is None

    def push(self, gp: g) -> None:
        """proc.go:6900 push adds gp to the head of q."""
        gp.schedlink = self.head
        self.head = gp
        if self.tail is None:
            self.tail = gp

    def pushBack(self, gp: g) -> None:
        """proc.go:6909 pushBack adds gp to the tail of q."""
        gp.schedlink = None
        if self.tail is not None:
            self.tail.schedlink = gp
        else:
            self.head = gp
        self.tail = gp

    def pushBackAll(self, q2: gQueue) -> None:
        """proc.go:6921 pushBackAll adds all Gs in q2 to the tail of q."""
        if q2.tail is None:
            return
        q2.tail.schedlink = None
        if self.tail is not None:
            self.tail.schedlink = q2.head
        else:
            self.head = q2.head
        self.tail = q2.tail

    def pop(self) -> Optional[g]:
        """proc.go:6936 pop removes and returns the head of q (nil if empty)."""
        gp = self.head
        if gp is not None:
            self.head = gp.schedlink
            if self.head is None:
                self.tail = None
        return gp


@dataclass(eq=False)
class gList:
    """proc.go:6956 gList: a list of Gs linked through g.schedlink."""

    head: Optional[g] = None

    def empty(self) -> bool:
        """proc.go:6961."""
        return self.head is None

    def push(self, gp: g) -> None:
        """proc.go:6966 push adds gp to the head of l."""
        gp.schedlink = self.head
        self.head = gp

    def pushAll(self, q: gQueue) -> None:
        """proc.go:6972 pushAll prepends all Gs in q to l."""
        if not q.empty():
            q.tail.schedlink = self.head
            self.head = q.head

    def pop(self) -> Optional[g]:
        """proc.go:6980 pop removes and returns the head of l (nil if empty)."""
        gp = self.head
        if gp is not None:
            self.head = gp.schedlink
        return gp


@dataclass(eq=False)
class gFreeList(gList):
    """p.gFree (runtime2.go:684): struct { gList; n int32 }."""

    n: int = 0


@dataclass(eq=False)
class schedgFree:
    """sched.gFree (runtime2.go:841): the global free lists of dead Gs."""

    lock: mutex = field(default_factory=lambda: mutex(name="sched.gFree.lock"))
    stack: gList = field(default_factory=gList)  # Gs with stacks
    noStack: gList = field(default_factory=gList)  # Gs without stacks
    n: int = 0


class pMask(list):
    """proc.go:6458 pMask []uint32: an atomic bitstring with one bit per P."""

    def read(self, id_: int) -> bool:
        """proc.go:6461 read returns true if P id's bit is set."""
        return (self[id_ // 32] & (1 << (id_ % 32))) != 0

    def set(self, id_: int) -> None:
        """proc.go:6468 set sets P id's bit."""
        self[id_ // 32] |= 1 << (id_ % 32)

    def clear(self, id_: int) -> None:
        """proc.go:6475 clear clears P id's bit."""
        self[id_ // 32] &= ~(1 << (id_ % 32))


# --- g, m, p, schedt -----------------------------------------------------------------------

@dataclass(eq=False)
class g:
    """runtime2.go:422 g: a goroutine."""

    stack: stack = field(default_factory=stack)  # actual stack memory [stack.lo, stack.hi)
    stackguard0: int = 0  # compared in the Go prologue: stack.lo+stackGuard, or stackPreempt
    stackguard1: int = 0  # compared in the //go:systemstack prologue
    _panic: Any = None
    _defer: Any = None
    m: Optional[m] = None  # current m
    sched: gobuf = field(default_factory=gobuf)
    syscallsp: int = 0  # if status==Gsyscall, syscallsp = sched.sp to use during gc
    syscallpc: int = 0  # if status==Gsyscall, syscallpc = sched.pc to use during gc
    stktopsp: int = 0  # expected sp at top of stack, to check in traceback
    param: Any = None  # passed parameter on wakeup
    atomicstatus: int = _Gidle  # atomic.Uint32
    stackLock: int = 0  # sigprof/scang lock
    goid: int = 0
    schedlink: Optional[g] = None
    waitsince: int = 0  # approx time when the g become blocked
    waitreason: waitReason = waitReasonZero  # if status==Gwaiting
    preempt: bool = False  # preemption signal, duplicates stackguard0 = stackpreempt
    preemptStop: bool = False  # transition to _Gpreempted on preemption; else deschedule
    preemptShrink: bool = False  # shrink stack at synchronous safe point
    asyncSafePoint: bool = False  # stopped at an asynchronous safe point
    paniconfault: bool = False  # panic (instead of crash) on unexpected fault address
    gcscandone: bool = False  # g has scanned stack; protected by _Gscan bit in status
    throwsplit: bool = False  # must not split stack
    lockedm: Optional[m] = None
    parentGoid: int = 0  # goid of goroutine that created this goroutine
    gopc: int = 0  # pc of go statement that created this goroutine
    startpc: int = 0  # pc of goroutine function

    def __repr__(self) -> str:
        mid = f"m{self.m.id}" if self.m is not None else "m-"
        return f"<g {self.goid} {gstatusname(self.atomicstatus)} {mid}>"


@dataclass(eq=False)
class m:
    """runtime2.go:550 m: an OS thread."""

    g0: Optional[g] = None  # goroutine with scheduling stack
    procid: int = 0  # for debuggers, but offset not hard-coded
    tls: list = field(default_factory=lambda: [0] * 6)  # thread-local storage; tls[0] is g
    mstartfn: Optional[Callable[[], None]] = None
    curg: Optional[g] = None  # current running goroutine
    p: Optional[p] = None  # attached p for executing go code (nil if not executing go code)
    nextp: Optional[p] = None  # the P this M must acquire when it wakes (startm/newm)
    oldp: Optional[p] = None  # the p that was attached before executing a syscall
    id: int = 0
    mallocing: int = 0
    throwing: int = 0
    preemptoff: str = ""  # if != "", keep curg running on this m
    locks: int = 0  # runtime locks held / preemption disabled while > 0
    spinning: bool = False  # m is out of work and is actively looking for work
    blocked: bool = False  # m is blocked on a note
    park: note = field(default_factory=note)  # where stopm sleeps (mPark)
    alllink: Optional[m] = None  # on allm
    schedlink: Optional[m] = None  # on sched.midle
    lockedg: Optional[g] = None
    lockedExt: int = 0  # tracking for external LockOSThread
    lockedInt: int = 0  # tracking for internal lockOSThread
    waitunlockf: Optional[Callable[[g, Any], bool]] = None
    waitlock: Any = None
    waitTraceBlockReason: int = 0  # traceBlockReason
    waitTraceSkip: int = 0
    syscalltick: int = 0  # p.syscalltick at syscall entry

    def __repr__(self) -> str:
        pid = f"p{self.p.id}" if self.p is not None else "p-"
        cur = f"g{self.curg.goid}" if self.curg is not None else "-"
        return f"<m {self.id} {pid} curg={cur}>"


@dataclass(eq=False)
class p:
    """runtime2.go:646 p: a processor, the resource needed to run Go code."""

    id: int = 0
    status: int = _Pidle  # one of pidle/prunning/...
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
    gFree: gFreeList = field(default_factory=gFreeList)  # available G's (status == Gdead)
    runSafePointFn: int = 0  # if 1, run sched.safePointFn at next safe point
    preempt: bool = False  # this P should enter the scheduler ASAP (async preemption)

    def __repr__(self) -> str:
        mid = f"m{self.m.id}" if self.m is not None else "m-"
        return f"<p {self.id} {pstatusname(self.status)} {mid}>"


@dataclass(eq=False)
class schedt:
    """runtime2.go:799 schedt: the global scheduler state (the variable `sched`)."""

    goidgen: int = 0  # atomic.Uint64
    lastpoll: int = 0  # atomic.Int64: time of last network poll, 0 if currently polling
    pollUntil: int = 0  # atomic.Int64: time to which current poll is sleeping
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
    npidle: int = 0  # atomic.Int32
    nmspinning: int = 0  # atomic.Int32
    needspinning: int = 0  # atomic.Uint32; boolean; must hold sched.lock to set to 1
    runq: gQueue = field(default_factory=gQueue)  # global runnable queue
    runqsize: int = 0
    gFree: schedgFree = field(default_factory=schedgFree)  # global cache of dead G's
    gcwaiting: bool = False  # atomic.Bool: gc is waiting to run
    stopwait: int = 0
    stopnote: note = field(default_factory=lambda: note(name="sched.stopnote"))
    sysmonwait: bool = False  # atomic.Bool
    sysmonnote: note = field(default_factory=lambda: note(name="sched.sysmonnote"))
    safePointFn: Optional[Callable[[p], None]] = None
    safePointWait: int = 0
    safePointNote: note = field(default_factory=lambda: note(name="sched.safePointNote"))
    profilehz: int = 0  # cpu profiling rate
    procresizetime: int = 0  # nanotime() of last change to gomaxprocs
    totaltime: int = 0  # ∫gomaxprocs dt up to procresizetime
    # sysmonlock protects sysmon's actions on the runtime (acquired around its work).
    sysmonlock: mutex = field(default_factory=lambda: mutex(name="sched.sysmonlock"))
