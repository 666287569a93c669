"""emu/world/options.py — the thread world's options of ``run``/``repl``, and whether a call
needs the world. Kept free of the world's own imports: ``gosyscall run`` on the one-thread
path parses these options without loading the world (start-up time).
"""
from __future__ import annotations

SPIN_TURN = 62                      # instructions per turn of main.spin (asm/go1_10/programs.py)


def wanted(ns) -> bool:
    """Does this ``run`` need the thread world?"""
    words = ([ns.syscall] if ns.syscall else []) + list(ns.args or [])
    return (bool(getattr(ns, "runnable", 0)) or getattr(ns, "gomaxprocs", None) is not None
            or any(w.startswith("fd:pipe") for w in words))


def add_arguments(p) -> None:
    """The thread world's options of ``gosyscall run`` (and ``repl``)."""
    p.add_argument("--runnable", type=int, default=0, metavar="N",
                   help="thread world: N goroutines computing, runnable before the call")
    p.add_argument("--gomaxprocs", type=int, default=None, metavar="P",
                   help="thread world: number of Ps (default 1)")
    p.add_argument("--compute", type=int, default=1, metavar="TURNS",
                   help=f"thread world: turns of each runnable goroutine's loop ({SPIN_TURN} instructions each)")
    p.add_argument("--warm", action="store_true",
                   help="thread world: g1 first sleeps 1 µs through syscall.Syscall, so the call is "
                        "not its P's first syscall (sysmon retakes a P's first syscall at its first look)")
