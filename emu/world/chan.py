"""emu/world/chan.py — the receive side of go1.10 chan.go, as far as the world needs it.

``<-ch`` compiles to ``CALL runtime·chanrecv1(SB)``; its trampoline runs ``chanrecv1``
here, on the receiving goroutine's runtime greenlet. Only the blocking path is modelled: no
goroutine in the world sends, so a receive either finds a nil channel (block forever), a
closed empty channel (return the zero value), or parks on the channel's recvq. Sending,
buffered values and select are not modelled (the runtime_py profile has no chan.go).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runtime_py.throw import throw


@dataclass(eq=False)
class hchan:
    """go1.10 chan.go hchan: the fields the receive path reads."""

    qcount: int = 0          # values queued (always 0: nobody sends)
    dataqsiz: int = 0        # buffer size
    closed: int = 0
    recvq: list = field(default_factory=list)   # waiting receivers (Go: sudogs)
    sendq: list = field(default_factory=list)   # waiting senders (never any)
    lock: Any = None         # the profile's runtime mutex (runtime2.go), made by the world


def chanrecv1(rt, c: hchan | None, elem: int) -> None:
    """go1.10 chan.go chanrecv1: ``<-c`` whose value is discarded or stored at elem."""
    rt._call("chanrecv1", c="nil" if c is None else "chan", elem=elem)
    chanrecv(rt, c, elem, True)


def chanrecv(rt, c: hchan | None, ep: int, block: bool) -> tuple[bool, bool]:
    """go1.10 chan.go chanrecv — receive on c. skips: the fast non-blocking check, receiving
    from a waiting sender (recv), buffered values (none: nothing is ever sent), the race
    detector, block profiling, and the zeroing of *ep (the programs pass ep = nil)."""
    rt._call("chanrecv", block=block)
    if c is None:
        if not block:
            return False, False
        rt.gopark(None, None, "chan receive (nil chan)", "GoStop", 2)
        throw("unreachable")
    rt.lock(c.lock)
    if c.closed != 0 and c.qcount == 0:
        rt.unlock(c.lock)
        return True, False
    if c.sendq or c.qcount > 0:
        throw("chanrecv: sends are not modelled in the thread world")
    if not block:
        rt.unlock(c.lock)
        return False, False
    # no sender available: block on this channel.
    gp = rt.os.getg()
    c.recvq.append(gp)           # mysg := acquireSudog(); ...; c.recvq.enqueue(mysg)
    rt.goparkunlock(c.lock, "chan receive", "GoBlockRecv", 3)
    # someone woke us up
    return True, True
