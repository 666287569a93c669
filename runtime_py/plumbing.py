"""runtime_py/plumbing.py: what every profile's Runtime shares that is not Go.

The observer seam (observe.py) and the stores that report state changes. Go writes
`casgstatus(gp, old, new)` or `atomic.Store(&pp.status, new)`; the model's mirrors call
`_gstore`/`_pstore`/`_pcas`/`_cas` there, so every change reaches the observer from one place.
Nothing here is a Go function: the mirrors in go1_*/ keep Go's names and statement order.
"""

from __future__ import annotations

from typing import Any

from runtime_py.observe import Observer


class Plumbing:
    """Mixin of every profile's Runtime: the observer calls and the reporting stores."""

    observer: Observer

    def _call(self, fn: str, /, **args: Any) -> None:
        self.observer.call(fn, **args)

    def _traceev(self, name: str, /, **args: Any) -> None:
        self.observer.traceev(name, **args)

    def _note(self, msg: str) -> None:
        self.observer.note(msg)

    def _gstore(self, gp: Any, new: int) -> None:
        """Store gp.atomicstatus and tell the observer (every change goes through here)."""
        old = gp.atomicstatus
        gp.atomicstatus = new
        self.observer.gstatus(gp, old, new)

    def _pstore(self, pp: Any, new: int) -> None:
        """Store pp.status (Go: a plain or atomic.Store) and tell the observer."""
        old = pp.status
        pp.status = new
        self.observer.pstatus(pp, old, new)

    def _pcas(self, pp: Any, old: int, new: int) -> bool:
        """atomic.Cas(&pp.status, old, new)."""
        if pp.status != old:
            return False
        self._pstore(pp, new)
        return True

    def _cas(self, obj: Any, attr: str, old: Any, new: Any) -> bool:
        """atomic.Cas on obj.attr: ints compare by value, pointers by identity."""
        cur = getattr(obj, attr)
        if cur is not old and not (type(cur) is int and type(old) is int and cur == old):
            return False
        setattr(obj, attr, new)
        return True
