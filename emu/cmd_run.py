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
    session = Session(profile=ns.profile, fs=ns.fs, strict=ns.strict, extra_stubs=extra)
    words = [ns.syscall] + ns.args if ns.syscall is not None else list(DEFAULT_CALL)
    trap = lookup(words[0])
    args = [parse_arg(a, session) for a in words[1:]]
    stub = ns.stub or (extra[0].name if extra else ("Syscall6" if len(args) > 3 else "Syscall"))
    session.resolve_stub(stub)
    return session, stub, trap, args


def header(session: Session, stub: str, trap: int, args) -> list[str]:
    s = session.resolve_stub(stub)
    name = session.kernel.name_of(trap)
    shown = ", ".join(f"{n}={a.text}" for n, a in zip(s.args[1:], args))
    lines = [f"gosyscall · profile {session.profile} · {s.name}(trap={trap} SYS_{name.upper()}"
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


def run(ns) -> int:
    session, stub, trap, args = build(ns)
    out = sys.stdout
    r = TextRenderer(color=want_color(ns.no_color, out))
    if not ns.quiet:
        session.machine.attach_tracer(Tracer(session.machine))
        for line in header(session, stub, trap, args):
            print(line, file=out)
        session.log.listeners.append(lambda ev: _print(r, ev, out))
    res = session.call(stub, trap, [a.value for a in args], budget=ns.budget or DEFAULT_BUDGET)
    if ns.quiet:
        print(r.line(session.log.events[-1]), file=out)
    for a in args:
        if a.buf:
            addr, size = a.buf
            data = session.machine.mem.read(addr, size)
            n = res.r1 if res.err == 0 and 0 <= res.r1 <= size else size
            print(f"{a.text} at {addr:#x}: {bytes(data[:n])!r}", file=out)
    for fd, data in ((1, session.kernel.stdout), (2, session.kernel.stderr)):
        if data:
            print(f"guest {'stdout' if fd == 1 else 'stderr'}: {data!r}", file=out)
    return 0


def _print(r: TextRenderer, ev, out) -> None:
    line = r.line(ev)
    if line is not None:
        print(line, file=out)
