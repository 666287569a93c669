"""tests/world/world_helpers.py: build a world running main.main with a few workers, and read
events back by kind."""
from __future__ import annotations

from emu.trace.events import EventLog
from emu.world.programs import put_global
from emu.world.setup import main_program, make_pipe, timespec
from emu.world.world import World

MS = 1_000_000


def readers(n: int = 2, procs: int = 1, sleep_ns: int = 5 * MS, check: bool = True,
            log: EventLog | None = None, **kw) -> World:
    """main starts n readers of a pipe nobody writes, then sleeps sleep_ns and exits."""
    w = World(gomaxprocs=procs, check=check, log=log, **kw)
    rfd, _ = make_pipe(w)
    put_global(w, "main.fd", rfd)
    w.boot(main_program(w, workers=n, worker="main.reader", wait=(35, timespec(w, sleep_ns), 0, 0)))
    return w


def kinds(log: EventLog, kind: str) -> list:
    return [e for e in log.events if e.kind == kind]


def first(log: EventLog, pred, start: int = 0) -> int:
    """Index of the first event from ``start`` on for which pred(event) holds."""
    return next(i for i, e in enumerate(log.events) if i >= start and pred(e))
