"""emu/gdbserver/conn.py — one gdb connection: acknowledgements, bounded waits, Ctrl-C.

Reads are bounded in size (PacketReader) and in time: once a packet has begun, the rest
must arrive within ``PACKET_TIMEOUT`` or the connection is closed (a client that died
mid-packet); between packets the server waits for the user's next command as long as it
takes. Writes time out after ``SEND_TIMEOUT``. In acknowledgement mode a good packet is
answered ``+`` and a bad one ``-``; a ``-`` from gdb resends the last packet; more than
``MAX_STRIKES`` bad packets or resends in a row close the connection.

While the target runs, :meth:`Connection.watching` reads the socket on a helper thread
(the only reader then; nothing is sent until the run is over): gdb sends nothing then but
Ctrl-C (0x03), and a closed connection also stops the target.
"""
from __future__ import annotations

import contextlib
import os
import select
import socket
import threading
from collections import deque

from emu.gdbserver.packets import Item, PacketReader, frame

PACKET_TIMEOUT = 5.0       # seconds for the rest of a packet once its $ arrived
SEND_TIMEOUT = 10.0
MAX_STRIKES = 20           # bad packets / resend requests in a row before hanging up
TOO_LONG = b"\0too-long"   # next_packet's stand-in for an oversized packet (no real payload has NUL first)
POLL = 0.05                # seconds between the watcher's looks while the target runs


class Connection:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.reader = PacketReader()
        self.items: deque[Item] = deque()
        self.noack = False
        self.closed: str | None = None          # why the connection ended, once it has
        self._last = b""
        self._strikes = 0

    # -- reading ------------------------------------------------------------------------------
    def next_packet(self) -> bytes | None:
        """The next good packet's payload (acknowledged); None once the connection is closed."""
        while self.closed is None:
            item = self._next_item()
            if item is None:
                return None
            if item.kind == "packet":
                self._strikes = 0
                if not self.noack:
                    self._raw(b"+")
                return item.payload
            if item.kind == "nack":
                self._strike("gdb asked for too many resends")
                if self._last and self.closed is None:
                    self._raw(self._last)
            elif item.kind == "bad-checksum":
                self._strike("too many damaged packets")
                if not self.noack and self.closed is None:
                    self._raw(b"-")
            elif item.kind == "too-long":
                self._strike("too many oversized packets")
                if self.closed is None:
                    if not self.noack:
                        self._raw(b"+")
                    return TOO_LONG             # the server answers it with an error
            # "ack" needs nothing; "interrupt" while stopped is ignored (the target is stopped)
        return None

    def _strike(self, why: str) -> None:
        self._strikes += 1
        if self._strikes > MAX_STRIKES:
            self.close(why)

    def _next_item(self) -> Item | None:
        while not self.items:
            if self.closed is not None:
                return None
            try:
                self.sock.settimeout(PACKET_TIMEOUT if self.reader.in_packet else None)
                data = self.sock.recv(4096)
            except socket.timeout:
                self.close("the connection stalled in the middle of a packet")
                return None
            except OSError as e:
                self.close(f"connection error: {e.strerror or e}")
                return None
            if not data:
                self.close("gdb closed the connection" + (" in the middle of a packet"
                                                          if self.reader.in_packet else ""))
                return None
            self.items.extend(self.reader.feed(data))
        return self.items.popleft()

    # -- writing ------------------------------------------------------------------------------
    def send(self, payload: bytes) -> None:
        self._last = frame(payload)
        self._raw(self._last)

    def _raw(self, data: bytes) -> None:
        if self.closed is not None:
            return
        try:
            self.sock.settimeout(SEND_TIMEOUT)
            self.sock.sendall(data)
        except OSError as e:
            self.close(f"cannot send to gdb: {getattr(e, 'strerror', None) or e}")

    def close(self, why: str) -> None:
        if self.closed is None:
            self.closed = why
        with contextlib.suppress(OSError):
            self.sock.close()

    # -- while the target runs ----------------------------------------------------------------
    @contextlib.contextmanager
    def watching(self, interrupt):
        """Call ``interrupt()`` when gdb sends Ctrl-C or goes away, until the block ends;
        once asked, again every POLL seconds (a request that came just before the target
        began to run is not lost). Other bytes are kept for after the run. The block's end
        wakes the helper through a pipe, so a short run (one stepi) waits for nothing."""
        done = threading.Event()
        asked = threading.Event()
        wake_r, wake_w = os.pipe()

        def watch():
            while not done.is_set():
                if asked.is_set():
                    interrupt()
                if self.closed is not None:
                    asked.set()
                    select.select([wake_r], [], [], POLL)
                    continue
                try:
                    ready, _, _ = select.select([self.sock, wake_r], [], [], POLL)
                    if self.sock not in ready:
                        continue
                    data = self.sock.recv(4096, socket.MSG_DONTWAIT)
                except BlockingIOError:
                    continue
                except (OSError, ValueError):      # ValueError: the socket was closed
                    data = b""
                if not data:
                    self.closed = self.closed or "gdb closed the connection while the target ran"
                    asked.set()
                    continue
                items = self.reader.feed(data)
                if any(i.kind == "interrupt" for i in items):
                    asked.set()
                    interrupt()
                self.items.extend(i for i in items if i.kind != "interrupt")

        t = threading.Thread(target=watch, name="gdb-ctrl-c", daemon=True)
        t.start()
        try:
            yield asked
        finally:
            done.set()
            os.write(wake_w, b"x")
            t.join()
            os.close(wake_r)
            os.close(wake_w)
