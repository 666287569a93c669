"""runtime_py/go1_27/chan.py: the receive side of go1.27.3 chan.go, as far as the thread world
needs it.

`<-ch` compiles to a call of runtime.chanrecv1(c, elem). Only what a receiver does on its
own is modeled: a nil channel parks forever; a closed empty channel returns the zero value;
otherwise the receiver queues itself on c.recvq and parks (gopark with chanparkcommit, which
unlocks c.lock once the goroutine is _Gwaiting). Sending (and so being woken by a sender),
buffered values, timers' channels, select and synctest bubbles are not modeled: a send or a
queued value throws "chanrecv: sends are not modeled".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from runtime_py.go1_27.runtime2 import (
    g, mutex, traceBlockChanRecv, traceBlockForever, waitReasonChanReceive,
    waitReasonChanReceiveNilChan,
)
from runtime_py.throw import throw


@dataclass(eq=False)
class hchan:
    """go1.27.3 chan.go hchan: the fields the receive path reads."""

    qcount: int = 0  # total data in the queue (always 0: nobody sends)
    dataqsiz: int = 0  # size of the circular queue
    closed: int = 0
    recvq: list = field(default_factory=list)  # list of recv waiters (Go: a waitq of sudogs)
    sendq: list = field(default_factory=list)  # list of send waiters (never any)
    lock: mutex = field(default_factory=lambda: mutex(name="hchan.lock"))


class Chan:
    """Mixin of Runtime: chanrecv1, chanrecv, chanparkcommit."""

    def chanrecv1(self, c: Optional[hchan], elem: int) -> None:
        """go1.27.3 chan.go:508 chanrecv1 — `<-c`; the value is discarded or stored at
        elem."""
        self._call("chanrecv1", c="nil" if c is None else "chan", elem=elem)
        self.chanrecv(c, elem, True)

    def chanrecv(self, c: Optional[hchan], ep: int, block: bool) -> tuple[bool, bool]:
        """go1.27.3 chan.go:524 chanrecv — (selected, received).
        skips: the non-blocking fast path's atomic checks, receiving from a waiting sender
        (recv) and from the buffer (nothing is ever sent), the race detector, block
        profiling, timers, bubbles, and the zeroing of *ep (the programs pass ep = nil).
        """
        self._call("chanrecv", block=block)
        if c is None:
            if not block:
                return False, False
            self.gopark(None, None, waitReasonChanReceiveNilChan, traceBlockForever, 2)
            throw("unreachable")
        self.lock(c.lock)
        if c.closed != 0:
            if c.qcount == 0:
                self.unlock(c.lock)
                return True, False
        elif c.sendq:
            throw("chanrecv: sends are not modeled")
        if c.qcount > 0:
            throw("chanrecv: sends are not modeled")
        if not block:
            self.unlock(c.lock)
            return False, False
        # no sender available: block on this channel.
        gp: g = self.os.getg()
        gp.param = None
        c.recvq.append(gp)  # mysg := acquireSudog(); ...; c.recvq.enqueue(mysg)
        self.gopark(self.chanparkcommit, c.lock, waitReasonChanReceive, traceBlockChanRecv, 2)
        # someone woke us up
        gp.param = None
        return True, True

    def chanparkcommit(self, gp: g, chanLock: mutex) -> bool:
        """go1.27.3 chan.go:748 chanparkcommit — gopark's unlockf: unlock the channel once gp
        is parked."""
        self.unlock(chanLock)
        return True
