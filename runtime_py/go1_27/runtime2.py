"""runtime_py/go1_27/runtime2.py: go1.27.3 runtime2.go — statuses, g, m, p, schedt, gobuf.

Only the fields the scheduler model reads or writes are kept; their names are Go's. Pointers
are Python references (None is nil); guintptr/muintptr/puintptr are plain references too.
g, m and p compare by identity (eq=False): identity is what a Go pointer means.

What changed since go1.10 (runtime2.go of go1.27.3):
- `_Psyscall` is retired (`_Psyscall_unused`, value 2, never stored): a P stays `_Prunning`
  and wired to its M while the M's goroutine is in a syscall; "in a syscall" is `_Gsyscall`.
- `m.oldp` (go1.12) is the P the M had when its goroutine entered the syscall;
  `g.syscallbp` (go1.23) the frame pointer saved with syscallsp/syscallpc.
- `m.mcache` is gone (go1.15); `gobuf.ret` is gone (go1.25); `g.waitreason` is a uint8 enum;
  the idle Ms are a manual intrusive list (`sched.midle`, `m.idleNode`); the global run queue
  and the G free lists are `gQueue`/`gList` with a size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

# --- G status (runtime2.go:37-119). Each says what is true in it. -------------------------
_Gidle = 0  # just allocated, not yet initialized
_Grunnable = 1  # on a run queue; not executing user code; the stack is not owned
_Grunning = 2  # may execute user code; owns its stack; has an M and usually a P (not in the
#                windows upon entering and exiting _Gsyscall)
_Gsyscall = 3  # executing a system call; owns its stack; not on a run queue; has an M. It may
#                have a P attached, but it does not own it: code in this state must not touch
#                g.m.p. Whoever wants that P must first win this g's _Gscan bit.
_Gwaiting = 4  # blocked in the runtime; not on a run queue; recorded somewhere to be ready()d
_Gmoribund_unused = 5  # unused (hardcoded in gdb scripts)
_Gdead = 6  # unused: just exited, on a free list, or being initialized
_Genqueue_unused = 7  # unused
_Gcopystack = 8  # its stack is being moved; not on a run queue
_Gpreempted = 9  # stopped itself for a suspendG preemption
_Gleaked = 10  # a leaked goroutine caught by the GC
_Gdeadextra = 11  # a _Gdead goroutine attached to an extra M (cgo callbacks)
_Gscan = 0x1000  # OR-ed onto the above: whoever set it owns the g's state transitions
_Gscanrunnable = _Gscan + _Grunnable  # 0x1001
_Gscanrunning = _Gscan + _Grunning  # 0x1002
_Gscansyscall = _Gscan + _Gsyscall  # 0x1003
_Gscanwaiting = _Gscan + _Gwaiting  # 0x1004
_Gscanpreempted = _Gscan + _Gpreempted  # 0x1009
_Gscanleaked = _Gscan + _Gleaked  # 0x100a
_Gscandeadextra = _Gscan + _Gdeadextra  # 0x100b

# --- P status (runtime2.go:132-162) ----------------------------------------------------------
_Pidle = 0  # not running user code or the scheduler; usually on sched.pidle; runq empty
_Prunning = 1  # owned by an M (p.m), running user code or the scheduler — or wired to an M
#                whose goroutine is in a syscall. Only the owning M changes it from _Prunning,
#                except that whoever holds the syscalling g's _Gscan bit may take it (takeP).
_Psyscall_unused = 2  # defunct since go1.26: a P is "in a syscall" by its goroutine's status
_Pgcstop = 3  # halted for stop-the-world
_Pdead = 4  # no longer used (GOMAXPROCS shrank)

# --- constants from stack.go, proc.go, internal/abi -----------------------------------------
stackPreempt = 0xFFFFFFFFFFFFFADE  # stack.go: uintptrMask & -1314; above any SP
stackGuard = 928  # stack.go:102: stackNosplit 800 + stackSystem 0 + abi.StackSmall 128
stackMin = 2048  # stack.go:78
freezeStopWait = 0x7FFFFFFF  # proc.go:1157: sched.stopwait value set by freezetheworld
forcePreemptNS = 10 * 1000 * 1000  # proc.go:6679: 10ms time slice before sysmon preempts
_GoidCacheBatch = 16  # proc.go:767: goroutine ids a P takes from sched.goidgen at once

_GSTATUS_NAMES = {
    _Gidle: "_Gidle", _Grunnable: "_Grunnable", _Grunning: "_Grunning",
    _Gsyscall: "_Gsyscall", _Gwaiting: "_Gwaiting", _Gmoribund_unused: "_Gmoribund_unused",
    _Gdead: "_Gdead", _Genqueue_unused: "_Genqueue_unused", _Gcopystack: "_Gcopystack",
    _Gpreempted: "_Gpreempted", _Gleaked: "_Gleaked", _Gdeadextra: "_Gdeadextra",
}
_PSTATUS_NAMES = {
    _Pidle: "_Pidle", _Prunning: "_Prunning", _Psyscall_unused: "_Psyscall_unused",
    _Pgcstop: "_Pgcstop", _Pdead: "_Pdead",
}


def gstatusname(s: int) -> str:
    """A G status as a reader of go1.27 needs it: gstatusname(2) == "_Grunning"; with the scan
    bit held the bit is shown on its own, gstatusname(0x1003) == "_Gscan|_Gsyscall"."""
    if s & _Gscan and (s & ~_Gscan) in _GSTATUS_NAMES:
        return "_Gscan|" + _GSTATUS_NAMES[s & ~_Gscan]
    return _GSTATUS_NAMES.get(s, f"status({s:#x})")


def pstatusname(s: int) -> str:
    """Go's name for a P status: pstatusname(1) == "_Prunning"."""
    return _PSTATUS_NAMES.get(s, f"status({s})")


# --- waitReason (runtime2.go:1224-1270): a uint8 in g.waitreason ----------------------------
_WAIT_REASONS = (
    "", "GC assist marking", "IO wait", "dumping heap", "garbage collection",
    "garbage collection scan", "panicwait", "GC assist wait", "GC sweep wait",
    "GC scavenge wait", "finalizer wait", "force gc (idle)", "GOMAXPROCS updater (idle)",
    "semacquire", "sleep", "chan receive (nil chan)", "chan send (nil chan)",
    "select (no cases)", "select", "chan receive", "chan send", "sync.Cond.Wait",
    "sync.Mutex.Lock", "sync.RWMutex.RLock", "sync.RWMutex.Lock", "sync.WaitGroup.Wait",
    "trace reader (blocked)", "wait for GC cycle", "GC worker (idle)", "GC worker (active)",
    "preempted", "debug call", "GC mark termination", "stopping the world",
    "flushing proc caches", "trace goroutine status", "trace proc status",
    "page trace flush", "coroutine", "GC weak to strong wait", "synctest.Run",
    "synctest.Wait", "chan receive (durable)", "chan send (durable)", "select (durable)",
    "sync.WaitGroup.Wait (durable)", "cleanup wait",
)
waitReasonZero = 0
waitReasonSleep = 14
waitReasonChanReceiveNilChan = 15
waitReasonChanReceive = 19
waitReasonPreempted = 30


def waitReasonString(w: int) -> str:
    """runtime2.go: (waitReason).String."""
    if w < 0 or w >= len(_WAIT_REASONS):
        return "unknown wait reason"
    return _WAIT_REASONS[w]


# --- traceBlockReason (traceruntime.go:91-107): why the tracer says a goroutine blocked ------
_TRACE_BLOCK_REASONS = (
    "unspecified", "forever", "network", "select", "sync.(*Cond).Wait", "sync", "chan send",
    "chan receive", "GC mark assist wait for work", "GC background sweeper wait",
    "system goroutine wait", "preempted", "wait for debug call", "wait until GC ends",
    "sleep", "GC weak to strong wait", "synctest",
)
traceBlockGeneric = 0
traceBlockForever = 1
traceBlockChanRecv = 7


def traceBlockReasonString(r: int) -> str:
    """traceruntime.go: traceBlockReasonStrings[r]."""
    return _TRACE_BLOCK_REASONS[r] if 0 <= r < len(_TRACE_BLOCK_REASONS) else "unknown"


@dataclass(eq=False)
class mutex:
    """runtime2.go mutex. key: 0 unlocked, mutexLocked (1) locked (lock_spinbit.go); the model
    never sleeps on a mutex."""

    key: int = 0
    name: str = ""  # not in Go: what the lock protects, for traces ("sched.lock")


@dataclass(eq=False)
class note:
    """runtime2.go note: one-time sleep/wakeup event; key 0 = not yet woken, 1 = woken."""

    key: int = 0
    name: str = ""  # not in Go: whose note it is, for traces ("m1.park", "sched.sysmonnote")


@dataclass(eq=False)
class stack:
    """runtime2.go stack: the stack memory [lo, hi)."""

    lo: int = 0
    hi: int = 0


@dataclass(eq=False)
class gobuf:
    """runtime2.go:303 gobuf: a saved goroutine context (go1.25+: no ret field)."""

    sp: int = 0
    pc: int = 0
    g: Optional[g] = None
    ctxt: Any = None
    lr: int = 0
    bp: int = 0


@dataclass(eq=False)
class sysmontick:
    """proc.go:6670 sysmontick: the last ticks sysmon saw on a P, and when."""

    schedtick: int = 0
    syscalltick: int = 0
    schedwhen: int = 0
    syscallwhen: int = 0


@dataclass(eq=False)
class listNodeManual:
    """list_manual.go listNodeManual: an M's links on sched.midle (m.idleNode)."""

    prev: Optional[m] = None
    next: Optional[m] = None


@dataclass(eq=False)
class g:
    """runtime2.go:471 g: a goroutine."""

    stack: stack = field(default_factory=stack)  # actual stack memory [stack.lo, stack.hi)
    stackguard0: int = 0  # stack.lo+stackGuard, or stackPreempt
    stackguard1: int = 0
    _panic: Any = None
    _defer: Any = None
    m: Optional[m] = None  # current m
    sched: gobuf = field(default_factory=gobuf)
    syscallsp: int = 0  # if status==Gsyscall, syscallsp = sched.sp to use during gc
    syscallpc: int = 0  # if status==Gsyscall, syscallpc = sched.pc to use during gc
    syscallbp: int = 0  # if status==Gsyscall, syscallbp = sched.bp to use in fpTraceback
    stktopsp: int = 0  # expected sp at top of stack, to check in traceback
    param: Any = None  # passed parameter on wakeup
    atomicstatus: int = _Gidle
    stackLock: int = 0
    goid: int = 0
    schedlink: Optional[g] = None  # next g on a gQueue or gList
    waitsince: int = 0  # approx time when the g became blocked
    waitreason: int = waitReasonZero  # waitReason (uint8), if status==Gwaiting
    preempt: bool = False  # preemption signal, duplicates stackguard0 = stackpreempt
    preemptStop: bool = False  # transition to _Gpreempted on preemption
    preemptShrink: bool = False
    asyncSafePoint: bool = False
    paniconfault: bool = False
    gcscandone: bool = False
    throwsplit: bool = False  # must not split stack
    raceignore: int = 0
    lockedm: Optional[m] = None
    parentGoid: int = 0  # goid of goroutine that created this goroutine
    gopc: int = 0  # pc of go statement that created this goroutine
    startpc: int = 0  # pc of goroutine function
    bubble: Any = None  # synctest bubble (always nil in the model)

    def __repr__(self) -> str:
        mid = f"m{self.m.id}" if self.m is not None else "m-"
        return f"<g {self.goid} {gstatusname(self.atomicstatus)} {mid}>"


@dataclass(eq=False)
class m:
    """runtime2.go:616 m: an OS thread."""

    g0: Optional[g] = None  # goroutine with scheduling stack
    procid: int = 0  # for debuggers
    tls: list = field(default_factory=lambda: [0] * 6)  # thread-local storage; tls[0] is g
    mstartfn: Optional[Callable[[], None]] = None
    curg: Optional[g] = None  # current running goroutine
    # p: the attached P for executing Go code, nil if not executing user Go code. A non-nil
    # p implies exclusive ownership of the P, unless curg is in _Gsyscall: then the scheduler
    # may mutate this instead, synchronized by the _Gscan bit on curg's status.
    p: Optional[p] = None
    nextp: Optional[p] = None  # the next P to install before executing
    oldp: Optional[p] = None  # the P that was attached before executing a syscall
    id: int = 0
    mallocing: int = 0
    throwing: int = 0
    preemptoff: str = ""  # if != "", keep curg running on this m
    locks: int = 0  # acquirem +1, each runtime lock held +mutexMLocksDelta (16)
    spinning: bool = False  # m is out of work and is actively looking for work
    blocked: bool = False  # m is blocked on a note
    incgo: bool = False
    isextra: bool = False
    isExtraInC: bool = False  # an extra M with no Go frames (never, without cgo)
    allpSnapshot: Optional[list] = None  # allp for use after dropping P in findRunnable
    park: note = field(default_factory=note)  # where stopm sleeps (mPark)
    alllink: Optional[m] = None  # on allm
    schedlink: Optional[m] = None
    idleNode: listNodeManual = field(default_factory=listNodeManual)  # on sched.midle
    lockedg: Optional[g] = None
    waitunlockf: Optional[Callable[[g, Any], bool]] = None
    waitlock: Any = None
    waitTraceSkip: int = 0
    waitTraceBlockReason: int = traceBlockGeneric
    syscalltick: int = 0  # p.syscalltick at syscall entry
    profilehz: int = 0

    def __repr__(self) -> str:
        pid = f"p{self.p.id}" if self.p is not None else "p-"
        cur = f"g{self.curg.goid}" if self.curg is not None else "-"
        return f"<m {self.id} {pid} curg={cur}>"


@dataclass(eq=False)
class gQueue:
    """proc.go:7802 gQueue: a dequeue of Gs linked through g.schedlink (with its size)."""

    head: Optional[g] = None
    tail: Optional[g] = None
    size: int = 0

    def empty(self) -> bool:
        """proc.go:7809 (*gQueue).empty."""
        return self.head is None

    def push(self, gp: g) -> None:
        """proc.go:7814 (*gQueue).push: gp at the head."""
        gp.schedlink = self.head
        self.head = gp
        if self.tail is None:
            self.tail = gp
        self.size += 1

    def pushBack(self, gp: g) -> None:
        """proc.go:7824 (*gQueue).pushBack: gp at the tail."""
        gp.schedlink = None
        if self.tail is not None:
            self.tail.schedlink = gp
        else:
            self.head = gp
        self.tail = gp
        self.size += 1

    def pushBackAll(self, q2: gQueue) -> None:
        """proc.go:7837 (*gQueue).pushBackAll: q2's Gs at the tail."""
        if q2.tail is None:
            return
        q2.tail.schedlink = None
        if self.tail is not None:
            self.tail.schedlink = q2.head
        else:
            self.head = q2.head
        self.tail = q2.tail
        self.size += q2.size

    def pop(self) -> Optional[g]:
        """proc.go:7853 (*gQueue).pop: the head, or None."""
        gp = self.head
        if gp is not None:
            self.head = gp.schedlink
            if self.head is None:
                self.tail = None
            self.size -= 1
        return gp


@dataclass(eq=False)
class gList:
    """proc.go:7874 gList: a stack of Gs linked through g.schedlink (with its size)."""

    head: Optional[g] = None
    size: int = 0

    def empty(self) -> bool:
        """proc.go:7880 (*gList).empty."""
        return self.head is None

    def push(self, gp: g) -> None:
        """proc.go:7885 (*gList).push."""
        gp.schedlink = self.head
        self.head = gp
        self.size += 1

    def pushAll(self, q: gQueue) -> None:
        """proc.go:7892 (*gList).pushAll: prepend all Gs in q."""
        if not q.empty():
            q.tail.schedlink = self.head
            self.head = q.head
            self.size += q.size

    def pop(self) -> Optional[g]:
        """proc.go:7901 (*gList).pop."""
        gp = self.head
        if gp is not None:
            self.head = gp.schedlink
            self.size -= 1
        return gp


@dataclass(eq=False)
class p:
    """runtime2.go:774 p: a processor, the resource needed to run Go code."""

    id: int = 0
    status: int = _Pidle  # one of _Pidle/_Prunning/...
    link: Optional[p] = None  # next P on sched.pidle
    schedtick: int = 0  # incremented on every scheduler call
    syscalltick: int = 0  # incremented on every system call
    sysmontick: sysmontick = field(default_factory=sysmontick)  # last tick observed by sysmon
    m: Optional[m] = None  # back-link to associated m (nil if idle)
    oldm: Optional[m] = None  # the previous m this p ran on (Go: a weak pointer m.self)
    goidcache: int = 0
    goidcacheend: int = 0
    runqhead: int = 0  # queue of runnable goroutines, accessed without lock
    runqtail: int = 0
    runq: list = field(default_factory=lambda: [None] * 256)
    # runnext, if non-nil, is a runnable G that was ready'd by the current G and should be run
    # next instead of what's in runq, if there's time remaining in the running G's slice.
    runnext: Optional[g] = None
    gFree: gList = field(default_factory=gList)  # available G's (status == Gdead)
    runSafePointFn: int = 0  # if 1, run sched.safePointFn at next safe point
    preempt: bool = False  # this P should enter the scheduler ASAP
    gcStopTime: int = 0  # nanotime when this P last entered _Pgcstop
    goroutinesCreated: int = 0

    def __repr__(self) -> str:
        mid = f"m{self.m.id}" if self.m is not None else "m-"
        return f"<p {self.id} {pstatusname(self.status)} {mid}>"


@dataclass(eq=False)
class schedt:
    """runtime2.go:932 schedt: the global scheduler state (the variable `sched`)."""

    goidgen: int = 0
    lastpoll: int = 0  # time of last network poll, 0 if currently polling
    lock: mutex = field(default_factory=lambda: mutex(name="sched.lock"))
    midle: Optional[m] = None  # listHeadManual: idle m's waiting for work (linked by idleNode)
    nmidle: int = 0  # number of idle m's waiting for work
    nmidlelocked: int = 0  # number of locked m's waiting for work
    mnext: int = 0  # number of m's that have been created and next M ID
    maxmcount: int = 10000  # maximum number of m's allowed (or die)
    nmsys: int = 0  # number of system m's not counted for deadlock
    nmfreed: int = 0  # cumulative number of freed m's
    ngsys: int = 0  # number of system goroutines
    nGsyscallNoP: int = 0  # goroutines in syscalls without a P (and whose M is not isExtraInC)
    pidle: Optional[p] = None  # idle p's
    npidle: int = 0
    nmspinning: int = 0
    needspinning: int = 0  # "delicate dance" in findRunnable; set under sched.lock
    runq: gQueue = field(default_factory=gQueue)  # global runnable queue
    disable_user: bool = False  # sched.disable.user (schedEnableUser; never set in the model)
    gFree_lock: mutex = field(default_factory=lambda: mutex(name="sched.gFree.lock"))
    gFree_stack: gList = field(default_factory=gList)  # sched.gFree.stack
    gFree_noStack: gList = field(default_factory=gList)  # sched.gFree.noStack
    gcwaiting: bool = False  # gc is waiting to run
    stopwait: int = 0
    stopnote: note = field(default_factory=lambda: note(name="sched.stopnote"))
    sysmonwait: bool = False
    sysmonnote: note = field(default_factory=lambda: note(name="sched.sysmonnote"))
    safePointFn: Optional[Callable[[p], None]] = None
    safePointWait: int = 0
    safePointNote: note = field(default_factory=lambda: note(name="sched.safePointNote"))
    profilehz: int = 0
    sysmonlock: mutex = field(default_factory=lambda: mutex(name="sched.sysmonlock"))
