"""The protocol packet by packet, with a raw client: replies, errors, stops, Ctrl-C, the end."""
import re
import time
import xml.etree.ElementTree as ET

import pytest

from emu.gdbserver import conn as conn_mod
from emu.gdbserver import tdesc
from emu.gdbserver.packets import frame
from tests.gdbserver.gdbhelp import Client, Served

READ = ("read", "fd:/hello.txt", "buf:64", "64")
G_LEN = sum(r.bits // 4 for r in tdesc.REGS)


@pytest.fixture
def spin_stub(tmp_path):
    path = tmp_path / "spin.s"
    path.write_text("TEXT ·Spin(SB),NOSPLIT,$0-56\nloop:\n    jmp loop    ; JMP loop\n")
    return str(path)


def session(*argv):
    s = Served(*argv)
    s.__enter__()
    return s, Client(s.port)


def end(s, c, how=b"k"):
    c.raw(frame(how))
    c.close()
    s.__exit__(None, None, None)


def test_features_are_exactly_what_is_served():
    s, c = session(*READ)
    feats = c.ask(b"qSupported:multiprocess+;swbreak+;hwbreak+;fork-events+").split(b";")
    assert set(feats) == {b"PacketSize=4000", b"QStartNoAckMode+", b"qXfer:features:read+",
                          b"qXfer:exec-file:read+", b"swbreak+", b"hwbreak+", b"QCatchSyscalls+",
                          b"vContSupported+", b"ReverseStep+", b"ReverseContinue+"}
    assert c.ask(b"vCont?") == b"vCont;c;C;s;S"
    assert c.ask(b"?") .startswith(b"T05thread:3e8;")
    assert c.ask(b"qAttached") == b"0"
    assert c.ask(b"qFooBar") == b"" and c.ask(b"vMustReplyEmpty") == b""
    end(s, c)
    assert s.how == "killed"


def test_target_description_and_exec_file():
    s, c = session(*READ)
    xml, off = b"", 0
    while True:                                   # read it in small pieces, as gdb may
        r = c.ask(b"qXfer:features:read:target.xml:%x,80" % off)
        xml, off = xml + r[1:], off + len(r) - 1
        if r[:1] == b"l":
            break
        assert r[:1] == b"m"
    root = ET.fromstring(xml)
    assert root.find("architecture").text == "i386:x86-64" and root.find("osabi").text == "GNU/Linux"
    feats = [f.get("name") for f in root.findall("feature")]
    assert feats == ["org.gnu.gdb.i386.core", "org.gnu.gdb.i386.sse", "org.gnu.gdb.i386.linux",
                     "org.gnu.gdb.i386.segments"]
    regs = [(r.get("name"), int(r.get("regnum"))) for f in root.findall("feature") for r in f.findall("reg")]
    assert regs[0] == ("rax", 0) and ("eflags", 17) in regs and ("orig_rax", 57) in regs
    assert regs[-2:] == [("fs_base", 58), ("gs_base", 59)]
    assert c.ask(b"qXfer:features:read:other.xml:0,100") == b"E00"
    path = c.ask(b"qXfer:exec-file:read::0,fff")
    assert path.startswith(b"l") and path.endswith(b"/image.elf")
    with open(path[1:], "rb") as f:
        assert f.read(4) == b"\x7fELF"
    end(s, c)


def test_registers_and_memory():
    s, c = session(*READ)
    g = c.ask(b"g")
    assert len(g) == G_LEN
    rip = int.from_bytes(bytes.fromhex(g[16 * 16:17 * 16].decode()), "little")
    assert rip == 0x40119A                       # main.callSyscall, the driver
    assert c.ask(b"p10") == (0x40119A).to_bytes(8, "little").hex().encode()
    assert c.ask(b"P0=efbeadde00000000") == b"OK"
    assert c.ask(b"p0") == b"efbeadde00000000"
    assert c.ask(b"p%x" % len(tdesc.REGS)) == b"E16"
    assert c.ask(b"P18=0100000000") == b"E16"    # cs is 4 bytes, not 5
    assert c.ask(b"P18=33000000").startswith(b"E")   # a segment selector stays as it is
    # memory: the stack is writable, the text is not, the guard page below the stack is unmapped
    assert c.ask(b"Mc000038000,4:01020304") == b"OK"
    assert c.ask(b"mc000038000,4") == b"01020304"
    assert c.ask(b"Xc000038004,2:abc") == b"E16"                  # 2 bytes announced, 3 sent
    assert c.ask(b"Xc000038004,2:}]}\x03") == b"OK"               # escaped } and #
    assert c.ask(b"mc000038004,2") == b"7d23"
    assert c.ask(b"M401000,1:90") == b"E0e"
    assert c.ask(b"mc000030000,8") == b"E0e"
    assert c.ask(b"mc000038ffc,8") == b"00000000"              # 4 of 8: the stack ends there
    assert len(c.ask(b"mc000031000,ffffffff")) == 2 * 0x2000       # capped, never a huge reply
    assert c.ask(b"mffffffffffffffff,10") == b"E16"                # beyond the address space
    end(s, c)


@pytest.mark.parametrize("bad", [b"mzz,4", b"m401000", b"Z0,zz,1", b"Z0,401000", b"vCont;x", b"vCont;c;sx",
                                 b"Hx1", b"Hg999", b"T999", b"G00", b"QCatchSyscalls:2", b"QCatchSyscalls:1;zz",
                                 b"qThreadExtraInfo,5", b"qRcmd,zz", b"p-1", b"C"])
def test_malformed_requests_get_errors(bad):
    s, c = session(*READ)
    assert re.fullmatch(rb"E[0-9a-f]{2}", c.ask(bad)), bad
    assert c.ask(b"?").startswith(b"T05")         # and the server goes on
    end(s, c)


def test_breakpoints_stops_and_the_exit_reply():
    s, c = session(*READ)
    assert c.ask(b"Z0,401000,1") == b"OK"
    assert c.ask(b"Z1,40102e,1") == b"OK"
    assert c.ask(b"Z2,c000038000,8") == b""      # watchpoints are not offered
    r = c.ask(b"vCont;c")
    assert r.startswith(b"T05swbreak:;thread:3e8;") and b"10:0010400000000000;" in r
    r = c.ask(b"vCont;c")
    assert r.startswith(b"T05hwbreak:;thread:3e8;")
    assert "g1 _Grunning → _Gsyscall" in c.console
    assert c.ask(b"z0,401000,1") == b"OK" and c.ask(b"z1,40102e,1") == b"OK"
    assert c.ask(b"vCont;s:3e8;c").startswith(b"T05thread:3e8;")     # over the SYSCALL
    assert c.ask(b"p2") == (0x401030).to_bytes(8, "little").hex().encode()   # rcx
    assert c.ask(b"c") == b"W20"                  # r1 = 32 bytes read
    assert "result: r1 = 32, r2 = 64, err = 0" in c.console
    assert c.ask(b"c") == b"W20"                  # the process stays exited
    assert c.ask(b"qfThreadInfo") == b"l"
    c.close()
    s.__exit__(None, None, None)
    assert s.how == "closed"


def test_catch_syscalls_entry_and_return():
    s, c = session(*READ)
    assert c.ask(b"QCatchSyscalls:1;27") == b"OK"     # getpid only: the read passes
    assert c.ask(b"QCatchSyscalls:1;0") == b"OK"      # replaces it: read
    assert c.ask(b"vCont;c") == b"T05syscall_entry:0;thread:3e8;" + _expedited(c)
    assert "⇒ kernel" not in c.console
    r = c.ask(b"vCont;c")
    assert r.startswith(b"T05syscall_return:0;thread:3e8;")
    assert "⇒ kernel: read(fd=3" in c.console
    assert c.ask(b"p39") == b"0000000000000000"       # orig_rax: read
    assert c.ask(b"QCatchSyscalls:0") == b"OK"
    assert c.ask(b"vCont;c") == b"W20"
    end(s, c)


def _expedited(c) -> bytes:
    return b"".join(b"%02x:%s;" % (tdesc.INDEX[n], c.ask(b"p%x" % tdesc.INDEX[n])) for n in ("rbp", "rsp", "rip"))


def test_reverse_step_and_continue():
    s, c = session(*READ)
    c.ask(b"Z0,40102e,1")
    c.ask(b"vCont;c")
    pc = c.ask(b"p10")
    assert c.ask(b"bs").startswith(b"T05thread:3e8;")
    assert c.ask(b"p10") == (0x401029).to_bytes(8, "little").hex().encode()
    assert c.ask(b"bc").startswith(b"T05replaylog:begin;")
    assert c.ask(b"p10") == (0x40119A).to_bytes(8, "little").hex().encode()   # back at the start
    assert c.ask(b"vCont;c").startswith(b"T05swbreak:;") and c.ask(b"p10") == pc
    end(s, c)


def test_ctrl_c_stops_a_running_loop(spin_stub):
    s, c = session("--asm", spin_stub)
    c.raw(frame(b"vCont;c"))
    time.sleep(0.3)
    t0 = time.monotonic()
    c.raw(b"\x03")
    r = c.reply()
    assert r.startswith(b"T02thread:3e8;")
    assert time.monotonic() - t0 < 5
    assert c.ask(b"vCont;s").startswith(b"T05")   # and it can go on
    end(s, c)


def test_noack_mode():
    s, c = session(*READ)
    assert c.ask(b"QStartNoAckMode") == b"OK"
    c.raw(frame(b"?"))
    it = c.item()
    assert it.kind == "packet" and it.payload.startswith(b"T05")   # no + before it
    end(s, c)


def test_bad_checksum_is_nacked_and_then_served():
    s, c = session(*READ)
    c.raw(b"$?#00")
    assert c.item().kind == "nack"
    assert c.ask(b"?").startswith(b"T05")
    c.raw(b"$" + b"m" * 0x5000 + b"#00")         # longer than PacketSize: dropped, answered
    assert c.reply() == b"E16"
    end(s, c)


def test_connection_dropped_mid_packet_ends_cleanly():
    s, c = session(*READ)
    c.raw(b"$qSupp")
    c.close()
    s.__exit__(None, None, None)
    assert s.how == "closed"


def test_connection_stalled_mid_packet_is_closed(monkeypatch):
    monkeypatch.setattr(conn_mod, "PACKET_TIMEOUT", 0.3)
    s, c = session(*READ)
    c.raw(b"$qSupp")
    t0 = time.monotonic()
    assert c.sock.recv(100) in (b"", b"+")        # the server hangs up
    s.__exit__(None, None, None)
    assert time.monotonic() - t0 < 5
    assert s.server.conn.closed == "the connection stalled in the middle of a packet"


def test_too_many_bad_packets_close_the_connection():
    s, c = session(*READ)
    c.raw(b"$?#00" * (conn_mod.MAX_STRIKES + 2))
    s.__exit__(None, None, None)
    assert s.server.conn.closed == "too many damaged packets"


def test_monitor_over_the_wire():
    s, c = session(*READ)
    assert c.ask(b"qRcmd," + b"sched".hex().encode()) == b"OK"
    assert "── scheduler (runtime.sched)" in c.console
    assert c.ask(b"qRcmd," + b"help".hex().encode()) == b"OK"
    assert "abi" in c.console and "sched" in c.console
    end(s, c)


def test_detach_lets_the_call_finish():
    s, c = session(*READ)
    assert c.ask(b"D") == b"OK"
    c.close()
    s.__exit__(None, None, None)
    assert s.how == "detached"
    assert any("result: r1 = 32" in line for line in s.target.run_detached())
