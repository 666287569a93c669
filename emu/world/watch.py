"""emu/world/watch.py — what the world hears from the runtime model, and passes on.

``WorldObserver`` forwards every notification to the event log (rtbridge.EventObserver, which
does nothing when no one listens) and feeds the world's own bookkeeping: a goroutine's end
frees its stack; every Go tracer event and note goes to the ``taps`` scenarios register
(entries of the runtime functions they name to the ``call_taps``);
threads are counted over virtual time (``mseries``).
"""
from __future__ import annotations

from runtime_py.observe import Observer


class WorldObserver(Observer):
    def __init__(self, world, inner):
        self.w, self.inner = world, inner
        self.mseries: list[tuple[int, int]] = []     # (t, threads existing from t on)

    def call(self, fn, /, **args):
        self.inner.call(fn, **args)
        taps = self.w.call_taps.get(fn)
        if taps:
            for tap in taps:
                tap(fn, args)

    def gstatus(self, gp, old, new):
        self.inner.gstatus(gp, old, new)
        if new == self.w.prof._Gdead and old != self.w.prof._Gidle:
            self.w.on_dead(gp)

    def pstatus(self, pp, old, new):
        self.inner.pstatus(pp, old, new)

    def traceev(self, name, /, **args):
        self.inner.traceev(name, **args)
        for tap in self.w.taps:
            tap(name, args)

    def note(self, msg):
        self.inner.note(msg)
        for tap in self.w.taps:
            tap("note", {"text": msg})

    def thread_created(self, th) -> None:
        w = self.w
        self.mseries.append((w.clock.now_ns, len(w.threads)))
        if th.tid != 1000 and w.log.active:
            w.log.emit("thread", w.clock.now_ns, w.cur.tid, text=f"clone → thread {th.tid} for {th.name}, "
                       f"first runs {w.costs.clone_ns} ns later (thread creation)")
        for tap in w.taps:
            tap("thread", {"tid": th.tid, "m": th.m})
