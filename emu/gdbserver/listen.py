"""emu/gdbserver/listen.py — the listening socket: loopback unless the user names an address.

``--listen HOST:PORT`` (``127.0.0.1:1234``, ``[::1]:1234``, ``:1234`` = loopback); port 0
lets the system pick one, and the chosen port is printed so a script can read it. One
connection is served; the socket stops listening as soon as gdb has connected.
"""
from __future__ import annotations

import socket

DEFAULT_HOST = "127.0.0.1"


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` → (host, port); ValueError with a one-line reason otherwise."""
    host, sep, port = text.rpartition(":")
    if not sep:
        host, port = "", text
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    host = host or DEFAULT_HOST
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"--listen {text!r}: give HOST:PORT with a port from 0 to 65535 (0: any free port)")
    return host, int(port)


def open_listener(host: str, port: int) -> socket.socket:
    """A socket listening on (host, port) for one connection; ValueError if that fails."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as e:
        raise ValueError(f"--listen: cannot resolve {host!r}: {e.strerror}") from None
    family, _, _, _, addr = infos[0]
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(addr)
        sock.listen(1)
    except OSError as e:
        sock.close()
        raise ValueError(f"--listen {host}:{port}: {e.strerror or e}") from None
    return sock


def accept_one(listener: socket.socket, timeout: float | None = None) -> socket.socket:
    """Wait for gdb (at most ``timeout`` seconds if given); then stop listening."""
    listener.settimeout(timeout)
    try:
        conn, _ = listener.accept()
    except socket.timeout:
        raise TimeoutError(f"no gdb connected within {timeout:g} s (--wait sets how long)") from None
    finally:
        listener.close()
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn
