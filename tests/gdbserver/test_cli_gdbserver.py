"""``gosyscall gdbserver`` as a user starts it: a process, its printed port, one line per error."""
import re
import socket
import subprocess
import sys

import pytest

from emu.cli.main import main
from tests.gdbserver.gdbhelp import needs_gdb, run_gdb

GOSYSCALL = [sys.executable, "-m", "emu"]


@pytest.mark.parametrize("listen, why", [("127.0.0.1:99999", "port from 0 to 65535"),
                                         ("127.0.0.1:http", "port from 0 to 65535"),
                                         ("no.such.host.invalid:0", "cannot resolve")])
def test_bad_listen_is_one_line(listen, why, capsys):
    assert main(["gdbserver", "--listen", listen]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("gosyscall: ") and why in err


def test_a_busy_port_is_one_line(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        assert main(["gdbserver", "--listen", f"127.0.0.1:{port}"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Address already in use" in err


def test_waiting_for_gdb_is_bounded(capsys):
    assert main(["gdbserver", "getpid", "--listen", "127.0.0.1:0", "--wait", "100ms"]) == 2
    assert capsys.readouterr().err == "gosyscall: no gdb connected within 0.1 s (--wait sets how long)\n"


def test_bad_call_is_reported_before_listening(capsys):
    assert main(["gdbserver", "nosuchcall"]) == 2
    assert "nosuchcall" in capsys.readouterr().err


@needs_gdb
def test_the_command_serves_gdb_and_says_how_it_ended(tmp_path):
    proc = subprocess.Popen(GOSYSCALL + ["gdbserver", "getpid", "--listen", "127.0.0.1:0",
                                         "--symbols", str(tmp_path)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        lines = []
        while not lines or not lines[-1].startswith("listening on"):
            lines.append(proc.stdout.readline())
            assert lines[-1], "".join(lines)
        port = int(re.search(r"listening on 127\.0\.0\.1:(\d+);", lines[-1]).group(1))
        assert lines[0].startswith("gosyscall · profile go1.10 · syscall.Syscall(trap=39 SYS_GETPID")
        assert f"symbols: {tmp_path}/image.elf" in "".join(lines)
        out = run_gdb(port, "info threads", "c")
        rest = proc.communicate(timeout=30)[0]
    finally:
        proc.kill()
    assert re.search(r"\* 1\s+Thread 1000 \(m0, g1\)\s+main\.callSyscall \(\) at driver:2", out)
    assert "exited with code 0350]" in out                     # getpid = 1000; 1000 & 0xff = 0o350
    assert rest.strip() == "the process exited with status 232; gdb disconnected"
    assert proc.returncode == 0
    assert (tmp_path / "asm_linux_amd64.s").exists()           # --symbols keeps the files
