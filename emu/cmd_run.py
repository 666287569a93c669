"""emu/cmd_run.py — ``gosyscall run``: one syscall through a Go stub, with its trace."""
from __future__ import annotations

import sys

from emu.argspec import parse_arg
from emu.kernel.sysnum import lookup
from emu.machine import DEFAULT_BUDGET
from emu.render import TextRenderer, want_color
from emu.session import Session
from emu.tracer import Tracer

DEFAULT_CALL = ["read", "fd:/hello.txt", "buf:64", "64"]   # the seed's file.Read → Syscall(SYS_READ, ...)


def build(ns) -> tuple[Session, str, int, list]:
    """The session and the call that ``run``/``repl``/``trace`` share."""
    extra = []
    if getattr(ns, "asm", None):
        from asm.userstub import load_user_stub
        extra.append(load_user_stub(ns.asm))
    session = Session(profile=ns.profile, fs=ns.fs, strict=ns.strict, extra_stubs=extra,
                      time_budget_ns=getattr(ns, "time_budget", None))
    words = [ns.syscall] + ns.args if ns.syscall is not None else list(DEFAULT_CALL)
    trap = lookup(words[0])
    args = [parse_arg(a, session) for a in words[1:]]
    stub = ns.stub or (extra[0].name if extra else ("Syscall6" if len(args) > 3 else "Syscall"))
    session.resolve_stub(stub)
    return session, stub, trap, args


def header(session: Session, stub: str, trap: int, args) -> list[str]:
    s = session.resolve_stub(stub)
    name = session.kernel.name_of(trap)
    name = name if name.startswith("syscall_") else f"SYS_{name.upper()}"
    shown = ", ".join(f"{n}={a.text}" for n, a in zip(s.args[1:], args))
    lines = [f"gosyscall · profile {session.profile} · {s.name}(trap={trap} {name}"
             + (f", {shown}" if shown else "") + ")"]
    for fd, path in session.setup_files:
        lines.append(f"fd {fd} = {path}, opened before the run (as os.Open did)")
    lines.append(f"{'step':>4}  {'pc':<10}  {'function':<24} {'Go (Plan 9)':<32} {'Intel':<34} changes")
    return lines


def add_parser(sub, h) -> None:
    p = sub.add_parser("run", help="run one syscall through a Go stub and print the annotated trace")
    h.call_args(p)
    h.common(p)
    p.add_argument("--quiet", action="store_true", help="print only the result, not the trace")
    from emu.world import options
    options.add_arguments(p)         # fd:pipe@T, --runnable, --gomaxprocs: the thread world


def emit_outputs(session: Session, args, res) -> None:
    """What the call left for the user, as ``output`` events: each buffer argument (as much
    as the call filled), then what the guest wrote to stdout and stderr."""
    log, t, tid = session.log, session.kernel.clock.now_ns, session.machine.tid
    for a in args:
        if a.buf:
            addr, size = a.buf
            data = session.machine.mem.read(addr, size)
            n = res.r1 if res.err == 0 and 0 <= res.r1 <= size else size
            log.emit("output", t, tid, label=a.text, addr=addr, data=bytes(data[:n]).hex())
    for label, data in (("guest stdout", session.kernel.stdout), ("guest stderr", session.kernel.stderr)):
        if data:
            log.emit("output", t, tid, label=label, data=data.hex())


def run(ns) -> int:
    from emu.world import options
    if options.wanted(ns):
        from emu.world import runcmd
        return runcmd.run(ns)
    session, stub, trap, args = build(ns)
    out = sys.stdout
    r = TextRenderer(color=want_color(ns.no_color, out))
    if not ns.quiet:
        session.machine.attach_tracer(Tracer(session.machine))
        for line in header(session, stub, trap, args):
            print(line, file=out)
    shown = ("result", "output") if ns.quiet else None
    session.log.listeners.append(lambda ev: _print(r, ev, out, shown))
    res = session.call(stub, trap, [a.value for a in args], budget=ns.budget or DEFAULT_BUDGET)
    emit_outputs(session, args, res)
    return 0


def _print(r: TextRenderer, ev, out, kinds=None) -> None:
    if kinds is not None and ev.kind not in kinds:
        return
    line = r.line(ev)
    if line is not None:
        print(line, file=out)
