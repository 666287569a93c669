"""emu/kernel/table.py — the one syscall table: number → handler, argument names and kinds.

Like xv6's ``syscalls[]``, this is the only place a syscall is registered. A number not
here gets ``-ENOSYS``. Each :class:`Entry` also says how to show the arguments (``kinds``)
and whether the call can block. The thread layer replaces an entry (``clone``) in a
kernel's own copy: ``kernel.table[SYS["clone"]] = dataclasses.replace(entry, handler=...)``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from emu.kernel.args import as_int, as_long, as_size, as_uint
from emu.kernel.sysfile import (sys_close, sys_dup, sys_dup2, sys_dup3, sys_lseek, sys_open, sys_openat,
                                sys_pipe, sys_pipe2, sys_read, sys_write)
from emu.kernel.sysnum import SYS
from emu.kernel.sysproc import (sys_arch_prctl, sys_clone, sys_exit, sys_exit_group, sys_futex, sys_getgid,
                                sys_getpid, sys_getppid, sys_gettid, sys_getuid, sys_sched_yield, sys_uname)
from emu.kernel.systime import sys_clock_gettime, sys_gettimeofday, sys_nanosleep, sys_pselect6

REGS = ("rdi", "rsi", "rdx", "r10", "r8", "r9")      # x86-64 syscall argument registers, in order

# How an argument is read and shown. The decoded value is what the kernel acts on.
KINDS = {
    "fd": "file descriptor (C int)",
    "dirfd": "directory fd for *at calls; -100 is AT_FDCWD",
    "int": "C int (low 32 bits, signed)",
    "uint": "C unsigned int (low 32 bits)",
    "long": "signed 64-bit (off_t, long)",
    "size": "size_t (unsigned 64-bit)",
    "hex": "unsigned 64-bit shown in hex (flags words, raw values)",
    "ptr": "user pointer the kernel does not dereference here (or only on a path not shown)",
    "buf_in": "user buffer the kernel reads; its length is the argument named count or len",
    "buf_out": "user buffer the kernel writes; its length is the result",
    "str": "NUL-terminated path",
    "flags_open": "O_* flags of open/openat",
    "mode": "file mode bits, octal",
    "flags_pipe": "O_CLOEXEC/O_NONBLOCK of pipe2",
    "clockid": "CLOCK_* id",
    "whence": "SEEK_* of lseek",
    "futex_op": "FUTEX_* operation and flags",
    "timespec_in": "struct timespec the kernel reads (NULL allowed where documented)",
    "timespec_out": "struct timespec the kernel writes",
    "timeval_out": "struct timeval the kernel writes",
    "fdpair_out": "int[2] the kernel writes (pipe)",
    "utsname_out": "struct utsname the kernel writes",
}
_SIGNED32 = {"fd", "dirfd", "int"}
_UNSIGNED32 = {"uint", "flags_open", "mode", "flags_pipe", "clockid", "whence", "futex_op"}


def decode(kind: str, raw: int) -> int:
    """The value an argument of ``kind`` has for the kernel, from its raw 64-bit register."""
    if kind in _SIGNED32:
        return as_int(raw)
    if kind in _UNSIGNED32:
        return as_uint(raw)
    if kind == "long":
        return as_long(raw)
    return as_size(raw)


@dataclass(frozen=True)
class Entry:
    """One syscall: its name, its arguments (names and kinds, in register order), its handler,
    whether it can block, and a note for people (e.g. who implements it)."""

    name: str
    argnames: tuple[str, ...]
    kinds: tuple[str, ...]
    handler: Callable
    blocks: bool = False
    note: str = ""


def _e(name: str, args: str, handler: Callable, blocks: bool = False, note: str = "") -> tuple[int, Entry]:
    """A table row from ``"name:kind name:kind ..."``, keyed by the syscall's Linux number."""
    pairs = [a.split(":") for a in args.split()]
    return SYS[name], Entry(name, tuple(n for n, _ in pairs), tuple(k for _, k in pairs), handler, blocks, note)


TABLE: dict[int, Entry] = dict([
    _e("read", "fd:fd buf:buf_out count:size", sys_read, blocks=True),
    _e("write", "fd:fd buf:buf_in count:size", sys_write, blocks=True),
    _e("open", "pathname:str flags:flags_open mode:mode", sys_open),
    _e("close", "fd:fd", sys_close),
    _e("lseek", "fd:fd offset:long whence:whence", sys_lseek),
    _e("pipe", "pipefd:fdpair_out", sys_pipe),
    _e("sched_yield", "", sys_sched_yield),
    _e("dup", "oldfd:fd", sys_dup),
    _e("dup2", "oldfd:fd newfd:fd", sys_dup2),
    # rem is written only on EINTR, which the model never returns: shown as a pointer.
    _e("nanosleep", "req:timespec_in rem:ptr", sys_nanosleep, blocks=True),
    _e("getpid", "", sys_getpid),
    _e("clone", "flags:hex stack:ptr parent_tid:ptr child_tid:ptr tls:ptr", sys_clone,
       note="thread layer: ENOSYS until the thread layer replaces this handler"),
    _e("exit", "status:int", sys_exit),
    _e("uname", "buf:utsname_out", sys_uname),
    _e("gettimeofday", "tv:timeval_out tz:ptr", sys_gettimeofday),
    _e("getuid", "", sys_getuid),
    _e("getgid", "", sys_getgid),
    _e("geteuid", "", sys_getuid),
    _e("getegid", "", sys_getgid),
    _e("getppid", "", sys_getppid),
    _e("arch_prctl", "code:hex addr:ptr", sys_arch_prctl),
    _e("gettid", "", sys_gettid),
    _e("futex", "uaddr:ptr futex_op:futex_op val:uint timeout:timespec_in uaddr2:ptr val3:uint",
       sys_futex, blocks=True),
    _e("clock_gettime", "clockid:clockid tp:timespec_out", sys_clock_gettime),
    _e("exit_group", "status:int", sys_exit_group),
    _e("openat", "dirfd:dirfd pathname:str flags:flags_open mode:mode", sys_openat),
    _e("pselect6", "nfds:int readfds:ptr writefds:ptr exceptfds:ptr timeout:timespec_in sigmask:ptr",
       sys_pselect6, blocks=True),
    _e("dup3", "oldfd:fd newfd:fd flags:flags_pipe", sys_dup3),
    _e("pipe2", "pipefd:fdpair_out flags:flags_pipe", sys_pipe2),
])
