"""emu/world/setup.py — giving a world its files and its program before it boots.

Pipes are made by the kernel model (pipe2), as os.Pipe would; a *timed* pipe's write end is
written by a host-side timer of the world — at a fixed virtual time (``write_at``: the
``fd:pipe@50ms`` of ``gosyscall run``), or a fixed delay after each read of it begins
(``write_after_read``: a slow device answering every request after the same time).
"""
from __future__ import annotations

import struct

from emu.kernel.sysnum import SYS
from emu.world.programs import funcval, put_global

TIMER_DATA = b"wake up\n"          # what a timed pipe's writer writes each time


def make_pipe(w) -> tuple[int, int]:
    """pipe2(fds, 0) in the guest's kernel: (read fd, write fd)."""
    buf = w.session.alloc(8)
    res = w.kernel.syscall(w.mem, SYS["pipe2"], (buf, 0), tid=0)
    if res.ret < 0:
        raise ValueError(f"pipe2 failed: {res.errno}")
    return struct.unpack("<ii", w.mem.read(buf, 8))


def host_write(w, wfd: int, data: bytes) -> None:
    """The host-side writer: write(wfd, data) through the kernel model, as a note in the trace;
    readers waiting on the pipe wake up."""
    buf = w.session.alloc(len(data), data)
    res = w.kernel.syscall(w.mem, SYS["write"], (wfd, buf, len(data)), tid=0)
    if w.log.active:
        w.log.emit("note", w.clock.now_ns, 0, text=f"host timer at t={w.clock.now_ns} ns: "
                   f"{w.kernel.describe(w.mem, res)}")
    w.after_result(res)


def write_at(w, wfd: int, t_ns: int, data: bytes = TIMER_DATA) -> None:
    """A timer of the world writes ``data`` to ``wfd`` at virtual time ``t_ns``."""
    w.add_timer(t_ns, lambda: host_write(w, wfd, data))


def write_after_read(w, rfd: int, wfd: int, delay_ns: int, data: bytes = TIMER_DATA) -> None:
    """Each time a read of ``rfd`` blocks, a timer writes ``data`` ``delay_ns`` later."""
    pipe = w.kernel.fds.get(rfd).pipe
    w.pipe_hooks[id(pipe)] = lambda th: write_at(w, wfd, w.clock.now_ns + delay_ns, data)


def timespec(w, ns: int) -> int:
    """A struct timespec in the user heap; its address."""
    return w.session.alloc(16, struct.pack("<qq", *divmod(ns, 1_000_000_000)))


def set_timespec(w, name: str, ns: int) -> None:
    """Package variable ``name`` (a timespec) = ns."""
    sec, nsec = divmod(ns, 1_000_000_000)
    put_global(w, name, sec)
    put_global(w, name, nsec, 1)


def main_program(w, *, workers: int = 0, worker: str = "main.reader",
                 wait: tuple[int, int, int, int] = (35, 0, 0, 0), pre_ns: int | None = None) -> int:
    """Configure main.main: optionally sleep pre_ns first (so its P has made a syscall),
    start ``workers`` goroutines running ``worker``, then make the syscall ``wait``
    (trap, a1, a2, a3) and exit. Returns main.main's entry PC."""
    put_global(w, "main.nworkers", workers)
    put_global(w, "main.workerfn", funcval(w, worker))
    for name, v in zip(("main.waittrap", "main.wait1", "main.wait2", "main.wait3"), wait):
        put_global(w, name, v)
    put_global(w, "main.pre", 1 if pre_ns is not None else 0)
    if pre_ns is not None:
        set_timespec(w, "main.prets", pre_ns)
    return w.image.symbols["main.main"]


class WorldFiles:
    """Mixin of World: what emu/bridge/argspec.py asks of a session (alloc, open_for_setup), plus
    ``pipe_at`` for ``fd:pipe@T``. ``pipes`` describes each timed pipe for the run's header."""

    def alloc(self, size: int, data: bytes = b"") -> int:
        return self.session.alloc(size, data)

    def open_for_setup(self, path: str) -> int:
        return self.session.open_for_setup(path)

    def pipe_at(self, spec: str) -> int:
        """``50ms`` / ``1ms,50ms`` / ``""``: a pipe whose write end a timer writes at each of
        those virtual times (never for ""); returns the read end's fd."""
        import argparse

        from emu.bridge.argspec import parse_duration
        times = []
        for part in filter(None, spec.split(",")):
            try:
                times.append(parse_duration(part))
            except argparse.ArgumentTypeError as e:
                raise ValueError(f"fd:pipe@{spec}: {e}") from None
        rfd, wfd = make_pipe(self)
        for t in times:
            write_at(self, wfd, t)
        from emu.world.report import dur
        when = ", ".join(dur(t) for t in times) or "never"
        self.pipes.append(f"fd {rfd} = read end of a pipe; a timer writes {TIMER_DATA!r} to its write "
                          f"end (fd {wfd}) at t = {when}")
        return rfd
