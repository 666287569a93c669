"""go1.27 chanrecv1, as the thread world uses it: a nil channel parks forever, a closed one
returns, an open one parks the receiver on recvq and unlocks the channel once parked."""

from __future__ import annotations

import pytest

from rt27_helpers import Gogo, boot, go
from rt_fakeos import Blocked
from runtime_py import Recorder, Throw
from runtime_py.go1_27 import _Gwaiting, hchan, waitReasonChanReceive


def test_receive_on_an_open_channel_parks_and_unlocks():
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    g2 = go(rt)
    c = hchan()
    rec.events.clear()
    with pytest.raises(Gogo) as ei:  # g1 parks; m0 runs g2
        rt.chanrecv1(c, 0)
    assert ei.value.buf.g is g2
    assert c.recvq == [g1] and c.lock.key == 0
    assert g1.atomicstatus == _Gwaiting and g1.waitreason == waitReasonChanReceive
    assert ("traceev", "GoBlock", {"g": g1, "reason": "chan receive"}) in rec.events
    ev = [e for e in rec.events if e[0] == "gstatus" or e[:3] == ("call", "unlock",
                                                                  {"l": "hchan.lock"})]
    assert ev[0] == ("gstatus", g1, 2, _Gwaiting) and ev[1][1] == "unlock"  # once parked
    rt.checkinvariants()


def test_receive_on_a_nil_channel_parks_forever():
    rec = Recorder()
    rt, fos, g1 = boot(observer=rec)
    rt.start_sysmon()
    with pytest.raises(Blocked):  # nothing else to run: m0 stops
        rt.chanrecv1(None, 0)
    assert g1.waitreason == 15  # waitReasonChanReceiveNilChan
    assert ("traceev", "GoBlock", {"g": g1, "reason": "forever"}) in rec.events


def test_receive_on_a_closed_channel_returns():
    rt, fos, g1 = boot()
    assert rt.chanrecv(hchan(closed=1), 0, True) == (True, False)
    assert rt.chanrecv(hchan(), 0, False) == (False, False)
    with pytest.raises(Throw, match="sends are not modeled"):
        rt.chanrecv(hchan(qcount=1), 0, True)
