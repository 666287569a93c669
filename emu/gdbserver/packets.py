"""emu/gdbserver/packets.py — the GDB Remote Serial Protocol's framing, with bounds.

A packet is ``$payload#cc``: ``cc`` is the sum of the payload's bytes modulo 256 in two
hex digits. In the payload ``}`` escapes the next byte (XOR 0x20); ``$``, ``#``, ``}``
and ``*`` are always escaped by the sender. ``*`` starts run-length encoding, which gdb
never sends to a stub and this stub never sends back (the protocol allows replies without
it). Outside a packet, ``+`` and ``-`` acknowledge, and a lone 0x03 byte is Ctrl-C.

:class:`PacketReader` is fed whatever the socket delivered and returns what it found; it
holds at most ``MAX_PACKET`` bytes of one packet, so a client that never sends ``#`` costs
bounded memory: the packet is dropped and reported as ``too-long``.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_PACKET = 0x4000          # the PacketSize this stub advertises: the longest payload it takes
INTERRUPT = 0x03


def checksum(payload: bytes) -> int:
    return sum(payload) & 0xFF


def escape(data: bytes) -> bytes:
    """Binary data for a reply: ``$ # } *`` sent as ``}`` + (byte ^ 0x20)."""
    out = bytearray()
    for b in data:
        if b in b"$#}*":
            out += bytes((0x7D, b ^ 0x20))
        else:
            out.append(b)
    return bytes(out)


def unescape(data: bytes) -> bytes:
    """The inverse of :func:`escape` (``X`` packets carry escaped binary); ValueError if
    the data ends in a lone ``}``."""
    out = bytearray()
    it = iter(data)
    for b in it:
        if b == 0x7D:
            nxt = next(it, None)
            if nxt is None:
                raise ValueError("binary data ends in an escape byte")
            out.append(nxt ^ 0x20)
        else:
            out.append(b)
    return bytes(out)


def frame(payload: bytes) -> bytes:
    """``$payload#cc``; the payload must already be escaped where it carries binary."""
    return b"$" + payload + b"#%02x" % checksum(payload)


@dataclass(frozen=True)
class Item:
    """One thing read off the wire: ``packet`` (with its payload), ``ack``, ``nack``,
    ``interrupt``, ``bad-checksum`` or ``too-long`` (the packet was dropped)."""

    kind: str
    payload: bytes = b""


class PacketReader:
    """Splits a byte stream into :class:`Item` s; keeps at most ``limit`` payload bytes."""

    def __init__(self, limit: int = MAX_PACKET):
        self.limit = limit
        self._buf = bytearray()
        self._state = "idle"        # idle, body (after $), sum1, sum2 (after #)
        self._sum = bytearray()
        self._overflow = False

    @property
    def in_packet(self) -> bool:
        """True between a ``$`` and the end of its checksum (a drop here is mid-packet)."""
        return self._state != "idle"

    def feed(self, data: bytes) -> list[Item]:
        items: list[Item] = []
        for b in data:
            st = self._state
            if st == "idle":
                if b == 0x24:                       # $
                    self._start()
                elif b == 0x2B:
                    items.append(Item("ack"))
                elif b == 0x2D:
                    items.append(Item("nack"))
                elif b == INTERRUPT:
                    items.append(Item("interrupt"))
                # anything else between packets is line noise: ignored, as gdbserver does
            elif st == "body":
                if b == 0x23:                       # #
                    self._state = "sum1"
                elif b == 0x24:                     # a new $ inside a packet: the old one was cut
                    items.append(Item("bad-checksum"))
                    self._start()
                elif len(self._buf) < self.limit:
                    self._buf.append(b)
                else:
                    self._overflow = True
            else:
                self._sum.append(b)
                if st == "sum1":
                    self._state = "sum2"
                    continue
                items.append(self._finish())
        return items

    def _start(self) -> None:
        self._state, self._overflow = "body", False
        self._buf.clear()
        self._sum.clear()

    def _finish(self) -> Item:
        self._state = "idle"
        payload = bytes(self._buf)
        self._buf.clear()
        if self._overflow:
            return Item("too-long")
        try:
            want = int(self._sum.decode("ascii"), 16)
        except (UnicodeDecodeError, ValueError):
            return Item("bad-checksum")
        if want != checksum(payload):
            return Item("bad-checksum")
        return Item("packet", payload)


# -- hex, as the protocol writes numbers and data ----------------------------------------------
_HEX = frozenset(b"0123456789abcdefABCDEF")


def _is_hex(text: bytes) -> bool:
    return all(b in _HEX for b in text)       # int()/fromhex() would also take 0x, _, spaces


def hexnum(text: bytes, limit_bits: int = 64) -> int:
    """A big-endian hex number (``1f``) of at most ``limit_bits``; ValueError otherwise."""
    if not text or len(text) > (limit_bits + 3) // 4 or not _is_hex(text):
        raise ValueError(f"not a hex number: {text[:32]!r}")
    return int(text, 16)


def hexdata(text: bytes) -> bytes:
    """Hex-encoded bytes (``48c7``); ValueError if the text is not an even run of hex digits."""
    if len(text) % 2 or not _is_hex(text):
        raise ValueError(f"not hex-encoded bytes: {text[:32]!r}")
    return bytes.fromhex(text.decode("ascii"))


def tohex(data: bytes) -> bytes:
    return data.hex().encode("ascii")
