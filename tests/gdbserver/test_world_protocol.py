"""The thread world over the protocol: Ms as threads, per-thread registers, syscall stops, a hang."""
import time

from emu.gdbserver import tdesc
from emu.gdbserver.packets import frame
from tests.gdbserver.gdbhelp import Client, Served

PIPE = ("read", "fd:pipe@5ms", "buf:8", "8", "--runnable", "1", "--warm")
RIP = tdesc.INDEX["rip"]


def session(*argv):
    s = Served(*argv)
    s.__enter__()
    return s, Client(s.port)


def end(s, c):
    c.raw(frame(b"k"))
    c.close()
    s.__exit__(None, None, None)


def threads(c) -> list[bytes]:
    first = c.ask(b"qfThreadInfo")
    assert first.startswith(b"m")
    assert c.ask(b"qsThreadInfo") == b"l"
    return first[1:].split(b",")


def test_ms_are_threads_with_their_own_registers():
    s, c = session(*PIPE)
    assert threads(c) == [b"3e8", b"3e9"]                 # m0 and sysmon's m1
    assert bytes.fromhex(c.ask(b"qThreadExtraInfo,3e9").decode()).decode().startswith("m1, sysmon: runtime: pselect6")
    assert c.ask(b"Hg3e9") == b"OK"
    assert c.ask(b"p%x" % RIP) == b"xx" * 8               # sysmon runs no guest code
    assert c.ask(b"p3a") != b"xx" * 8                     # but has its own FS base (m1.tls)
    assert c.ask(b"Hg3e8") == b"OK"
    assert c.ask(b"p%x" % RIP) == (0x40119A).to_bytes(8, "little").hex().encode()
    assert c.ask(b"Hg3ea").startswith(b"E")               # no such thread yet
    assert c.ask(b"Z0,40220b,1") == b"OK"                 # main.compute
    r = c.ask(b"vCont;c")
    assert r.startswith(b"T05swbreak:;thread:3ea;")         # on m2, which handoffp started
    assert threads(c) == [b"3e8", b"3e9", b"3ea"]
    assert b"m2: g2" == bytes.fromhex(c.ask(b"qThreadExtraInfo,3ea").decode())
    end(s, c)


def test_catch_syscall_in_the_world_stops_before_the_kernel_and_after():
    s, c = session(*PIPE)
    assert c.ask(b"QCatchSyscalls:1;0") == b"OK"
    r = c.ask(b"vCont;c")
    assert r.startswith(b"T05syscall_entry:0;thread:3e8;")
    assert b"10:2e10400000000000;" in r                    # at the SYSCALL
    assert "read(fd=3" not in c.console                    # the kernel model has not run
    r = c.ask(b"vCont;c")
    assert r.startswith(b"T05syscall_return:0;thread:3e8;")
    assert b"10:3010400000000000;" in r                    # the instruction after it
    assert "host timer at t=5000000 ns: write(4" in c.console   # the read blocked until the timer
    assert c.ask(b"Hg3e8") == b"OK" and c.ask(b"p0") == (8).to_bytes(8, "little").hex().encode()
    assert c.ask(b"QCatchSyscalls:0") == b"OK"
    assert c.ask(b"vCont;c") == b"W08"
    end(s, c)


def test_stepping_a_blocked_thread_waits_for_its_syscall():
    s, c = session(*PIPE)
    c.ask(b"Z0,40102e,1")
    assert c.ask(b"vCont;c").startswith(b"T05swbreak:;thread:3e8;")
    c.ask(b"z0,40102e,1")
    assert c.ask(b"vCont;s:3e8;c").startswith(b"T05thread:3e8;")    # into the kernel: blocks
    r = c.ask(b"vCont;s:3e8;c")                                      # returns when data came
    assert r.startswith(b"T05thread:3e8;") and b"10:3010400000000000;" in r
    assert "⇐ read(3, \"wake up\\n\", 8) = 8" in c.console
    end(s, c)


def test_a_world_waiting_forever_ends_at_its_time_budget():
    s, c = session("read", "fd:pipe", "buf:8", "8", "--time-budget", "1s")   # nobody writes the pipe
    assert c.ask(b"vCont;c").startswith(b"T18")           # SIGXCPU, as RLIMIT_CPU would
    assert "virtual-time budget of 1 s reached" in c.console
    assert c.ask(b"C18") == b"X18"                        # passing it on ends the process
    assert c.ask(b"vCont;c") == b"X18"
    end(s, c)


def test_ctrl_c_stops_the_world():
    s, c = session("read", "fd:pipe@1s", "buf:8", "8", "--runnable", "1", "--compute", "1000000")
    c.raw(frame(b"vCont;c"))
    time.sleep(0.3)
    t0 = time.monotonic()
    c.raw(b"\x03")
    assert c.reply().startswith(b"T02")
    assert time.monotonic() - t0 < 5
    end(s, c)
