"""emu/cli/run.py — ``gosyscall run``: one syscall through a Go stub, with its trace."""
from __future__ import annotations

import sys

from emu.bridge.call import build, emit_outputs, header, no_world_for_binary
from emu.cpu.machine import DEFAULT_BUDGET
from emu.trace.render import TextRenderer, columns_for, print_event, want_color
from emu.trace.tracer import Tracer


def add_parser(sub, h) -> None:
    p = sub.add_parser("run", help="run one syscall through a Go stub and print the annotated trace")
    h.call_args(p)
    h.common(p)
    p.add_argument("--quiet", action="store_true", help="print only the result, not the trace")
    from emu.world import options
    options.add_arguments(p)         # fd:pipe@T, --runnable, --gomaxprocs: the thread world


def run(ns) -> int:
    from emu.world import options
    if options.wanted(ns):
        no_world_for_binary(ns)
        return run_in_world(ns)
    session, stub, trap, args = build(ns)
    session.log.record = False           # each event is printed as it comes and let go
    out = sys.stdout
    r = TextRenderer(color=want_color(ns.no_color, out), columns=columns_for(session.image))
    if not ns.quiet:
        session.machine.attach_tracer(Tracer(session.machine))
        for line in header(session, stub, trap, args):
            print(line, file=out)
    shown = ("result", "output", "exit") if ns.quiet else None
    session.log.listeners.append(lambda ev: print_event(r, ev, out, shown))
    res = session.call(stub, trap, [a.value for a in args], budget=ns.budget or DEFAULT_BUDGET)
    emit_outputs(session, args, res)
    return 0


def run_in_world(ns) -> int:
    """``run`` with the thread world's options: the same call from g1 on m0, sysmon and other
    Ms around it; each trace line starts with the M that made it."""
    from emu.world.call import call, open_world, world_header
    w, stub, trap, args = open_world(ns)
    try:
        out = sys.stdout
        r = TextRenderer(color=want_color(ns.no_color, out), threads=w.names, columns=columns_for(w.image))
        shown = ("result", "output", "exit") if ns.quiet else None
        if not ns.quiet:
            w.machine.attach_tracer(Tracer(w.machine))
            print("\n".join(world_header(w, stub, trap, args, ns.runnable)), file=out)
        w.log.listeners.append(lambda ev: print_event(r, ev, out, shown))
        res = call(w, stub, trap, [a.value for a in args], ns.runnable, ns.compute, ns.warm)
        emit_outputs(w.session, args, res)
    finally:
        w.close()
    return 0
