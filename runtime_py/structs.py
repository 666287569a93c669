"""runtime_py/structs.py: the small runtime structs and constants every release modeled spells the same.

mutex {key} and note {key} (runtime2.go; note_other.go in go1.27), stack {lo, hi}
(runtime2.go), sysmontick (proc.go: the same four fields; go1.27.3 declares the two ticks
first), stackPreempt (stack.go: uintptrMask & -1314), and the model's mcache placeholder.
Each profile's runtime2.py re-exports them beside its own g, m, p, schedt and gobuf, which do
differ between releases.
"""

from __future__ import annotations

from dataclasses import dataclass

# stack.go: a value above any SP, so any stack-bound check (CMPQ SP, stackguard0) traps into
# morestack: 0xfffffffffffffade on amd64 in every release modeled.
stackPreempt = 0xFFFFFFFFFFFFFADE


@dataclass(eq=False)
class mutex:
    """runtime2.go mutex. key: 0 unlocked, 1 locked (the model never sleeps on a mutex)."""

    key: int = 0
    name: str = ""  # not in Go: what the lock protects, for traces ("sched.lock")


@dataclass(eq=False)
class note:
    """runtime2.go note: one-time sleep/wakeup event; key 0 = not yet woken, 1 = woken."""

    key: int = 0
    name: str = ""  # not in Go: whose note it is, for traces ("m1.park", "sched.sysmonnote")


@dataclass(eq=False)
class stack:
    """runtime2.go stack: the stack memory [lo, hi)."""

    lo: int = 0
    hi: int = 0


@dataclass(eq=False)
class mcache:
    """A per-P allocation cache; here only a placeholder object whose identity is checked."""

    owner: int = 0  # not in Go: id of the P it belongs to, for repr

    def __repr__(self) -> str:
        return f"<mcache p{self.owner}>"


@dataclass(eq=False)
class sysmontick:
    """proc.go sysmontick: the last ticks sysmon saw on a P, and when."""

    schedtick: int = 0
    schedwhen: int = 0
    syscalltick: int = 0
    syscallwhen: int = 0


_Gscan = 0x1000  # runtime2.go: OR-ed onto a G status while the GC scans the stack


def statusname(names: dict[int, str], s: int) -> str:
    """Go's name for status s in a release's table of G or P statuses: 2 -> "_Grunning",
    a _Gscan status 0x1003 -> "_Gscansyscall", an unknown one "status(0x..)"."""
    if s & _Gscan and (s & ~_Gscan) in names:
        return "_Gscan" + names[s & ~_Gscan][2:]
    return names.get(s, f"status({s:#x})")
