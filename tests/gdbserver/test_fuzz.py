"""Random packets at a live server: every request gets a well-formed answer or a clean close,
the server never raises, never hangs, and answers ``?`` afterwards."""
import re
import socket

from hypothesis import HealthCheck, given, settings, strategies as st

from emu.gdbserver.packets import frame
from tests.gdbserver.gdbhelp import Client, Served
from tests.props.alarm import deadline

HEX = st.text("0123456789abcdef", max_size=20).map(str.encode)
WORDS = st.sampled_from([b"m", b"M", b"X", b"g", b"G", b"p", b"P", b"Z0,", b"z0,", b"Z1,", b"Z3,", b"H", b"Hg",
                         b"Hc", b"T", b"s", b"S", b"vCont;", b"vCont;s:", b"QCatchSyscalls:", b"qXfer:features:read:",
                         b"qXfer:exec-file:read::", b"qThreadExtraInfo,", b"qRcmd,", b"qSupported:", b"?",
                         b"qfThreadInfo", b"qsThreadInfo", b"qC", b"bs", b"bc", b"vFile:open:", b""])
PIECES = st.one_of(HEX, st.sampled_from([b",", b":", b";", b"=", b"-1", b"0", b"ffffffffffffffff", b"}",
                                         b"1;0", b"target.xml", b"67", b"7061", b"c", b"s:3e8"]),
                   st.binary(max_size=8))
PACKET = st.builds(lambda w, ps: w + b"".join(ps), WORDS, st.lists(PIECES, max_size=5))
GARBAGE = st.one_of(st.binary(max_size=40), st.just(b"\x03"), st.just(b"-"), st.just(b"$?#00"),
                    st.builds(lambda b: b"$" + b, st.binary(max_size=30)))
SEND = st.lists(st.one_of(PACKET.map(frame), GARBAGE), min_size=1, max_size=12)
REPLY = re.compile(rb"(|OK|E[0-9a-f]{2}|[TS][0-9a-f]{2}.*|[WX][0-9a-f]{2}|[0-9a-fx]+|[ml].*|QC[0-9a-f]+|"
                   rb"PacketSize.*|vCont;.*)", re.S)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(chunks=SEND)
def test_random_packets(chunks):
    with deadline(60, lambda: f"a server fed {chunks!r}"):
        with Served("read", "fd:/hello.txt", "buf:64", "64") as s:
            c = Client(s.port, timeout=20)
            try:
                for chunk in chunks:
                    c.raw(chunk)
                c.raw(b"#00" + frame(b"qC"))        # whatever state the reader is in, then a sentinel
                while True:
                    r = c.reply()
                    if r is None:                   # the server hung up: only after k, D or strikes
                        assert s.server is not None and (s.server.finished or s.server.conn.closed)
                        break
                    assert REPLY.fullmatch(r), r
                    if r.startswith(b"QC"):
                        break
            except (ConnectionResetError, BrokenPipeError):
                assert s.server is not None and (s.server.finished or s.server.conn.closed)
            finally:
                c.close()
