"""Helpers for the gdbserver tests: a server on a thread, a raw protocol client, real gdb.

The server is built *inside* its thread (the thread world's greenlets belong to the thread
that made them) from ``gosyscall gdbserver``'s own argument parser, listens on a free
loopback port and serves one connection. Every wait is bounded.
"""
from __future__ import annotations

import queue
import shutil
import socket
import subprocess
import tempfile
import threading

import pytest

from emu.cli.main import build_parser
from emu.gdbserver.conn import Connection
from emu.gdbserver.listen import accept_one, open_listener
from emu.gdbserver.packets import PacketReader, frame
from emu.gdbserver.server import Server
from emu.gdbserver.setup import open_target

GDB = shutil.which("gdb")
needs_gdb = pytest.mark.skipif(GDB is None, reason="gdb is not installed (Debian: apt-get install gdb; "
                                                   ".ci/run installs it)")
JOIN = 30.0


class Served:
    """``with Served("read", "fd:/hello.txt", ...) as s:`` — s.port, s.server, s.target."""

    def __init__(self, *argv: str):
        self.ns = build_parser(["gdbserver"]).parse_args(["gdbserver", *argv])
        self.dir = tempfile.mkdtemp(prefix="gosyscall-gdb-test-")
        self.ready: queue.Queue = queue.Queue()
        self.server = self.target = None
        self.error: BaseException | None = None
        self.how = None
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        close = None
        try:
            self.target, _lines, close = open_target(self.ns, self.dir)
            listener = open_listener("127.0.0.1", 0)
            self.ready.put(listener.getsockname()[1])
            self.server = Server(self.target, Connection(accept_one(listener, JOIN)))
            self.how = self.server.serve()
        except BaseException as e:          # reported by __exit__
            self.error = e
            self.ready.put(None)
        finally:
            if close is not None:
                close()

    def __enter__(self):
        self.thread.start()
        self.port = self.ready.get(timeout=JOIN)
        if self.port is None:
            raise self.error
        return self

    def __exit__(self, *exc):
        self.thread.join(JOIN)
        shutil.rmtree(self.dir, ignore_errors=True)
        assert not self.thread.is_alive(), "the server did not end after the client left"
        if self.error is not None and exc[0] is None:
            raise self.error
        if self.server is not None:
            assert self.server.internal_errors == 0


class Client:
    """A protocol client: sends packets, acknowledges replies, collects ``O`` console text."""

    def __init__(self, port: int, timeout: float = 10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.reader = PacketReader(limit=1 << 20)
        self.items: list = []
        self.console = ""

    def raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def item(self):
        while not self.items:
            data = self.sock.recv(65536)
            if not data:
                return None
            self.items.extend(self.reader.feed(data))
        return self.items.pop(0)

    def reply(self) -> bytes | None:
        """The next packet (acknowledged); ``O`` packets are gathered into ``console``."""
        while True:
            it = self.item()
            if it is None:
                return None
            if it.kind != "packet":
                continue
            self.raw(b"+")
            if it.payload.startswith(b"O") and it.payload != b"OK":
                self.console += bytes.fromhex(it.payload[1:].decode()).decode()
                continue
            return it.payload

    def ask(self, payload: bytes) -> bytes | None:
        self.raw(frame(payload))
        return self.reply()

    def close(self):
        self.sock.close()


def run_gdb(port: int, *commands: str, timeout: float = 60.0) -> str:
    """gdb in batch mode against the server: its stdout and stderr together."""
    argv = [GDB, "-nx", "-batch", "-ex", "set width 0", "-ex", "set height 0",
            "-ex", f"target remote 127.0.0.1:{port}"]
    for c in commands:
        argv += ["-ex", c]
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL)
    return done.stdout
