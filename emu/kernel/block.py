"""emu/kernel/block.py — a syscall that cannot finish yet, and what to do about it.

A blocking handler does not wait: it returns a :class:`Block` saying what it waits for.
The thread layer parks the calling thread and, when the thing waited on may have changed
(a pipe was written, a futex woken, the clock reached ``until_ns``), calls ``retry()``,
which runs the rest of the call again and returns a fresh ``Result`` — possibly another
Block if the wait is not over (a wake-up is a hint, not a promise, as in the kernel).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from emu.kernel.call import Call

KINDS = ("sleep", "pipe_read", "pipe_write", "futex")


class Deadlock(Exception):
    """The only thread blocked on something that only another thread could end."""


@dataclass(eq=False)
class Block:
    """What a blocked syscall waits for.

    ``kind``: one of KINDS. ``until_ns``: virtual time at which the wait ends by itself
    (a sleep, a futex timeout), None if only another thread can end it. ``key``: the
    object waited on (the Pipe, the futex address), so a waker can find its waiters.
    ``what``: one line for people. ``resume``: the handler's continuation, run with a new
    Call. ``retry``: filled in by the dispatcher; calling it returns the next Result.
    """

    kind: str
    until_ns: int | None
    key: Any
    what: str
    resume: Callable[["Call"], "int | Block"] = field(repr=False)
    retry: Callable[..., Any] | None = field(default=None, repr=False)

    def describe(self) -> str:
        """One line saying what the call waits for, e.g. 'read on pipe with no data'."""
        return self.what
