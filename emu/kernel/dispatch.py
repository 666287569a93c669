"""emu/kernel/dispatch.py — the kernel: per-process state and the syscall dispatcher.

``Kernel.syscall(mem, nr, args)`` is xv6's ``syscall()``: look the number up in the one
table, run the handler, put the result where the caller will load RAX from. An unknown
number is recorded and fails softly with ``-ENOSYS``; a bad user pointer is ``-EFAULT``;
nothing a guest passes makes the dispatcher raise.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from emu.kernel.args import MASK64, as_int
from emu.kernel.block import Block, Deadlock
from emu.kernel.call import Call
from emu.kernel.clock import Clock
from emu.kernel.errno import EFAULT, ENOSYS, SysError, errno_name
from emu.kernel.files import Console, FdTable
from emu.kernel.memory import Fault, GuestMemory
from emu.kernel.strace import describe_call, describe_result
from emu.kernel.sysnum import ARGNAMES, NAMES
from emu.kernel.table import REGS, TABLE, Entry, decode
from emu.kernel.vfs import VFS

# Virtual time one syscall costs, charged at entry. A modelling choice, not a measurement:
# it keeps the clock moving (so successive clock_gettime calls differ, as on hardware)
# and is of the order of a real syscall round trip on current x86-64 machines.
SYSCALL_COST_NS = 100
DEFAULT_TIMER_SLACK_NS = 50_000      # init/init_task.c: .timer_slack_ns = 50000 (see systime.py)


@dataclass(eq=False)
class Result:
    """What one syscall did.

    ``ret`` is the value for RAX, signed: a result, or -errno (the caller stores
    ``ret & 0xffffffffffffffff``). While ``block`` is set the call has not finished and
    ``ret`` is 0 and meaningless; ``block.retry()`` gives the next Result.
    """

    nr: int
    name: str
    args: tuple[int, ...]
    ret: int
    errno: str | None = None             # "EBADF" when ret is -EBADF
    exit_status: int | None = None       # exit/exit_group: status & 0xff
    exit_kind: str | None = None         # "thread" (exit) or "group" (exit_group)
    block: Block | None = None
    unknown: bool = False                # the number is not in the table (ret is -ENOSYS)
    strict_violation: bool = False       # unknown, and the kernel is strict
    woken: list[int] = field(default_factory=list)   # tids released by FUTEX_WAKE
    ready: tuple = ()                    # keys (pipes) whose blocked callers should retry now
    fs_base: int | None = None           # arch_prctl(ARCH_SET_FS): the thread's new FS base
    tid: int = 0


class Kernel:
    """One Linux process as the guest sees it: pid 1000, fds, a filesystem, a virtual clock."""

    def __init__(self, fs: VFS | None = None, clock: Clock | None = None, strict: bool = False,
                 timer_slack_ns: int = DEFAULT_TIMER_SLACK_NS, table: dict[int, Entry] | None = None):
        self.vfs = fs if fs is not None else VFS()
        self.clock = clock if clock is not None else Clock()
        self.strict = strict
        self.timer_slack_ns = timer_slack_ns
        self.table: dict[int, Entry] = dict(TABLE if table is None else table)
        self.pid, self.ppid, self.uid, self.gid = 1000, 999, 1000, 1000
        self.cwd: tuple[bytes, ...] = ()            # "/", as path components
        self.fds = FdTable()
        for fd in (0, 1, 2):
            self.fds.install(fd, Console(fd))
        self.console: list[tuple[int, bytes]] = []  # (1 = stdout or 2 = stderr, bytes), in order
        self.unknown_calls: list[tuple[int, tuple[int, ...]]] = []
        self.futex_waiters: dict[int, list[int]] = {}   # uaddr → tids waiting, oldest first
        self.fs_base: dict[int, int] = {}               # tid → FS base set by arch_prctl
        self.gs_base: dict[int, int] = {}

    # -- the dispatcher -----------------------------------------------------------------
    def syscall(self, mem: GuestMemory, nr: int, args: Sequence[int], tid: int | None = None) -> Result:
        """Run syscall ``nr`` with up to six raw register ``args`` for thread ``tid`` (default: main)."""
        if len(args) > 6:
            raise ValueError(f"a syscall has at most 6 arguments, not {len(args)}")
        nr &= MASK64
        args = tuple(a & MASK64 for a in args) + (0,) * (6 - len(args))
        tid = self.pid if tid is None else tid
        self.clock.advance(SYSCALL_COST_NS)
        entry = self.table.get(as_int(nr))         # Linux looks only at EAX, sign-extended
        if entry is None:
            self.unknown_calls.append((nr, args))
            return Result(nr, self.name_of(nr), args, -ENOSYS, "ENOSYS", unknown=True,
                          strict_violation=self.strict, tid=tid)
        return self._run(mem, nr, args, tid, entry.name, entry.handler)

    def _run(self, mem: GuestMemory, nr: int, args: tuple[int, ...], tid: int, name: str, fn) -> Result:
        """Run ``fn`` (a handler or a Block's continuation) and package what it did as a Result."""
        c = Call(self, mem, nr, args, tid)
        try:
            out = fn(c)
        except Fault:
            out = -EFAULT
        except SysError as e:
            out = -e.errno
        block = out if isinstance(out, Block) else None
        if block is not None:
            block.retry = lambda m=None: self._run(mem if m is None else m, nr, args, tid, name, block.resume)
            out = 0
        return Result(nr, name, args, out, errno_name(-out) if out < 0 else None, c.exit_status,
                      c.exit_kind, block, woken=c.woken, ready=tuple(c.ready), fs_base=c.fs_base, tid=tid)

    def run_blocked_alone(self, mem: GuestMemory, result: Result) -> Result:
        """Finish a blocked call when its thread is the only one: sleep until the wait ends by
        itself and return the final Result, or raise Deadlock if only another thread could end it."""
        while result.block is not None:
            b = result.block
            if b.until_ns is None:
                raise Deadlock(f"{describe_call(mem, result.nr, result.args, None, self.table)} would block "
                               f"forever: {b.describe()}, and no other thread exists to end the wait")
            self.clock.advance_to(b.until_ns)
            result = b.retry(mem)
        return result

    # -- state other layers use ---------------------------------------------------------------
    def futex_wake(self, uaddr: int, n: int) -> list[int]:
        """Dequeue up to ``n`` threads waiting on ``uaddr``, oldest first, and return their tids.

        As in kernel/futex/waitwake.c, the count is checked after each wake-up, so n ≤ 0 still
        wakes one waiter if there is one.
        """
        waiters = self.futex_waiters.get(uaddr, [])
        woken = waiters[:max(n, 1)]
        del waiters[:len(woken)]
        if not waiters:
            self.futex_waiters.pop(uaddr, None)
        return woken

    @property
    def stdout(self) -> bytes:
        """Everything written to standard output, in order."""
        return b"".join(d for s, d in self.console if s == 1)

    @property
    def stderr(self) -> bytes:
        """Everything written to standard error, in order."""
        return b"".join(d for s, d in self.console if s == 2)

    def close_all(self) -> None:
        """Close every fd (and so every host file the guest opened)."""
        self.fds.close_all()

    def __enter__(self) -> Kernel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close_all()

    # -- presenting calls ----------------------------------------------------------------------
    def name_of(self, nr: int) -> str:
        """The syscall's name: the table's, Linux's, or ``syscall_<nr>``."""
        e = self.table.get(as_int(nr))
        return e.name if e is not None else NAMES.get(as_int(nr), f"syscall_{nr}")

    def named_args(self, nr: int, args: Sequence[int]) -> list[tuple[str, str, int, str]]:
        """Syscall ``nr``'s arguments as (name, register, value as the kernel reads it, kind)."""
        return named_args(nr, args, self.table)

    def describe(self, mem: GuestMemory, result_or_call) -> str:
        """An strace line for a Result, or ``name(args)`` for an (nr, args) call not yet run."""
        return describe(mem, result_or_call, self.table)


def named_args(nr: int, args: Sequence[int], table: dict[int, Entry] | None = None) -> list[tuple[str, str, int, str]]:
    """Syscall ``nr``'s arguments as (name, register, decoded value, kind); all six, raw, if unknown."""
    args = tuple(a & MASK64 for a in args) + (0,) * (6 - len(args))
    e = (TABLE if table is None else table).get(as_int(nr))
    if e is None:             # not modelled: its parameters' names if known, else all six raw
        names = ARGNAMES.get(NAMES.get(as_int(nr), ""))
        if names is None:
            return [(f"arg{i}", REGS[i], args[i], "hex") for i in range(6)]
        return [(n, REGS[i], args[i], "hex") for i, n in enumerate(names)]
    return [(n, REGS[i], decode(k, args[i]), k) for i, (n, k) in enumerate(zip(e.argnames, e.kinds))]


def describe(mem: GuestMemory, result_or_call, table: dict[int, Entry] | None = None) -> str:
    """strace-style text: ``read(3, "Hello"..., 64) = 17`` for a Result, ``read(3, 0x1000, 64)``
    for a call given as (nr, args)."""
    if isinstance(result_or_call, Result):
        return describe_result(mem, result_or_call, table)
    nr, args = result_or_call
    return describe_call(mem, nr, args, None, table)
