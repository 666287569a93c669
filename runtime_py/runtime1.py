"""runtime_py/runtime1.py: systemstack, acquirem and releasem, the same in every release modeled.

acquirem/releasem are runtime1.go's (go1.22.10 :579/:586, go1.27.3 :612/:619; go1.10 has the same
statements); systemstack is the assembly behind stubs.go's declaration (go1.22.10 stubs.go:58,
go1.27.3 :67): run fn on the M's g0 stack.
"""

from __future__ import annotations

from typing import Any, Callable

from runtime_py.structs import stackPreempt


class Runtime1:
    """Mixin of every profile's Runtime."""

    os: Any

    def systemstack(self, fn: Callable[[], None]) -> None:
        """stubs.go systemstack (asm_amd64.s) — run fn on this M's g0 stack: the TLS g is g0
        while fn runs, then the calling g again. Called on g0, it just calls fn."""
        self._call("systemstack", fn=getattr(fn, "__name__", "func"))
        gp = self.os.getg()
        mp = gp.m
        if gp is mp.g0:
            fn()
            return
        self.os.setg(mp.g0)
        fn()
        self.os.setg(gp)

    def acquirem(self) -> Any:
        """runtime1.go acquirem — disable preemption; return the current m."""
        self._call("acquirem")
        gp = self.os.getg()
        gp.m.locks += 1
        return gp.m

    def releasem(self, mp: Any) -> None:
        """runtime1.go releasem."""
        self._call("releasem")
        gp = self.os.getg()
        mp.locks -= 1
        if mp.locks == 0 and gp.preempt:
            # restore the preemption request in case we've cleared it in newstack
            gp.stackguard0 = stackPreempt
