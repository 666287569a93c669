"""emu/kernel/call.py — what a handler receives: one syscall's arguments and its side results.

A handler is ``def sys_x(c: Call) -> int | Block``: it reads its arguments with the
``arg*`` methods (xv6's ``argint``/``argptr``/``argstr``/``argfd``), returns a value or a
:class:`~emu.kernel.block.Block`, and fails by raising ``SysError`` (→ ``-errno``) or letting
``Fault`` escape (→ ``-EFAULT``). Effects the caller must see besides the return value —
an exit, woken threads, objects whose waiters should retry — are recorded on the Call.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from emu.kernel.args import as_int, as_long, as_size, as_uint, fetch_str
from emu.kernel.memory import GuestMemory


@dataclass(eq=False)
class Call:
    """One syscall being handled by ``kernel`` for thread ``tid``; ``args`` are six raw registers."""

    kernel: Any                          # the dispatch.Kernel running the call (its fds, clock, ids)
    mem: GuestMemory
    nr: int
    args: tuple[int, ...]
    tid: int
    exit_status: int | None = None       # set by exit/exit_group: the status a parent would see
    exit_kind: str | None = None         # "thread" (exit) or "group" (exit_group)
    woken: list[int] = field(default_factory=list)      # tids a FUTEX_WAKE released
    ready: list[object] = field(default_factory=list)   # keys (pipes) whose blocked callers should retry
    fs_base: int | None = None           # set by arch_prctl(ARCH_SET_FS): the thread's new FS base

    def argint(self, i: int) -> int:
        """Argument ``i`` as a C ``int``."""
        return as_int(self.args[i])

    def arguint(self, i: int) -> int:
        """Argument ``i`` as a C ``unsigned int``."""
        return as_uint(self.args[i])

    def arglong(self, i: int) -> int:
        """Argument ``i`` as a signed 64-bit ``long``/``off_t``."""
        return as_long(self.args[i])

    def argsize(self, i: int) -> int:
        """Argument ``i`` as a ``size_t`` or a user pointer (unsigned 64-bit)."""
        return as_size(self.args[i])

    argptr = argsize

    def argfd(self, i: int) -> Any:
        """The open file (a files.OpenFile) behind fd argument ``i``; SysError(EBADF) if none."""
        return self.kernel.fds.get(self.argint(i))

    def argstr(self, i: int) -> bytes:
        """The NUL-terminated path argument ``i``; Fault, or SysError(ENAMETOOLONG) past PATH_MAX."""
        return fetch_str(self.mem, self.argsize(i))
