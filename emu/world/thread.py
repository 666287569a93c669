"""emu/world/thread.py — what the world knows about one OS thread (one M).

A thread is always in one of three states. ``runnable``: it has an entry in the world's
queue at its clock ``t`` and, when that entry comes up, either continues runtime code it is
in the middle of (``glet``, a greenlet suspended where the runtime blocked or yielded) or runs
the guest code of its current goroutine (``g``, the TLS g). ``blocked``: it waits in the
kernel model (``wait``: a Block from a guest SYSCALL or from a runtime OS call — futex,
pselect6); a wake-up (futex wake, pipe data, the Block's own deadline) queues it again.
``exited``: never runs again (Ms never exit in go1.10's model; the state exists for the
process's end).

The registers of guest code are not here but with the goroutine (World.gregs): a goroutine
can stop on one M and continue on another, as in Go.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

RUNNABLE, BLOCKED, EXITED = "runnable", "blocked", "exited"


@dataclass(eq=False)
class Wait:
    """A thread blocked in the kernel: the kernel's Block and who made the call."""

    block: Any                  # emu.kernel.block.Block
    guest: bool                 # True: a guest SYSCALL at rip (its registers are the g's)
    nr: int = 0
    rip: int = 0
    rflags: int = 0
    since: int = 0              # virtual time the wait began


@dataclass(eq=False)
class Thread:
    tid: int
    m: Any                      # the runtime's m
    g: Any                      # the TLS g (FS:-8): m.g0 in runtime code, else the goroutine
    block_addr: int             # its block in guest memory: m struct (m.tls), g0 scratch
    fs_base: int                # &m.tls[0] + 8
    t: int = 0                  # its clock: the virtual time it has run up to
    state: str = RUNNABLE
    glet: Any = None            # runtime code it is in the middle of (a greenlet), or None
    resume: Any = None          # what glet.switch() passes in when it continues
    wait: Wait | None = None
    pending: tuple | None = None   # an action to do first when it runs (see World._step)
    ver: int = 0                # queue entries with another version are stale
    doing: str = "new"          # one line: what it is doing (state(), timeline)

    @property
    def name(self) -> str:
        return f"m{self.m.id}" if self.m is not None else f"t{self.tid}"
