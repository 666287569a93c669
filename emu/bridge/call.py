"""emu/bridge/call.py — one call as the user writes it: ``read fd:/hello.txt buf:64 64``.

``build`` turns the words of ``gosyscall run`` (the syscall, its arguments, ``--stub``,
``--asm``, ``--profile`` ...) into a Session and the parsed call; ``header`` is the title
lines a run prints first; ``emit_outputs`` reports what the call left in its buffers and
on the guest's stdout/stderr. Every command that makes one call (run, repl, trace,
explain, verify, the thread world's run) shares them.
"""
from __future__ import annotations

from emu.bridge.argspec import parse_arg
from emu.bridge.session import Session, check_count
from emu.errors import GosyscallError
from emu.kernel.args import as_int
from emu.kernel.strace import OUT_STRUCTS, decode_struct
from emu.kernel.sysnum import lookup
from emu.trace.render import column_titles, columns_for

DEFAULT_CALL = ["read", "fd:/hello.txt", "buf:64", "64"]   # the seed's file.Read → Syscall(SYS_READ, ...)


def user_stubs(ns) -> list:
    """The stub of ``--asm FILE.s``, if given (assembled and checked)."""
    if not getattr(ns, "asm", None):
        return []
    from asm.userstub import load_user_stub
    return [load_user_stub(ns.asm)]


def words_of(ns) -> list[str]:
    """The call's words: the user's, or the seed's ``file.Read`` when none are given."""
    return [ns.syscall] + ns.args if ns.syscall is not None else list(DEFAULT_CALL)


def default_stub(ns, extra: list, nargs: int) -> str:
    """``--stub``, else the user's own stub, else Syscall (Syscall6 past three arguments)."""
    return ns.stub or (extra[0].name if extra else ("Syscall6" if nargs > 3 else "Syscall"))


def build(ns) -> tuple[Session, str, int, list]:
    """The session and the call that ``run``/``repl``/``trace`` share."""
    if getattr(ns, "binary", None):              # a real Go program's own code (emu/binary)
        from emu.binary.call import build as build_binary
        return build_binary(ns, words_of(ns))
    extra = user_stubs(ns)
    session = Session(profile=ns.profile, fs=ns.fs, strict=ns.strict, extra_stubs=extra,
                      time_budget_ns=getattr(ns, "time_budget", None))
    words = words_of(ns)
    trap = lookup(words[0])
    args = [parse_arg(a, session) for a in words[1:]]
    stub = default_stub(ns, extra, len(args))
    check_count(session.resolve_stub(stub), args)
    return session, stub, trap, args


def no_world_for_binary(ns) -> None:
    """The thread world runs built-in code only: say so when ``--binary`` meets its options."""
    if getattr(ns, "binary", None):
        raise GosyscallError("--binary runs in the single-thread run; the thread world's options "
                             "(fd:pipe@T, --runnable, --gomaxprocs, --warm) do not take a binary yet")


def header(session: Session, stub: str, trap: int, args) -> list[str]:
    """The lines a run prints before its trace: the call, files opened for it, column titles."""
    s = session.resolve_stub(stub)
    if s.args[:1] == ("trap",):
        name = session.kernel.name_of(trap)
        name = name if name.startswith("syscall_") else f"SYS_{name.upper()}"
        first = f"trap={trap} {name}"
    else:                                        # a function of a binary (--entry): registers
        first = f"{s.args[0]}={trap}"
    shown = ", ".join(f"{n}={a.text}" for n, a in zip(s.args[1:], args))
    lines = [f"gosyscall · {session.describe()} · {s.name}({first}" + (f", {shown}" if shown else "") + ")"]
    lines += session.notes()
    for fd, path in session.setup_files:
        lines.append(f"fd {fd} = {path}, opened before the run (as os.Open did)")
    lines.append(column_titles(columns_for(session.image)))
    return lines


def emit_outputs(session: Session, args, res) -> None:
    """What the call left for the user, as ``output`` events: each buffer argument, then what
    the guest wrote to stdout and stderr. A buffer shows what the kernel wrote into it: for
    a byte count returned (read) that many bytes; for a struct the kernel fills (timespec,
    utsname, int[2] ...) the struct, decoded; otherwise the whole buffer."""
    log, t, tid = session.log, session.kernel.clock.now_ns, session.machine.tid
    entry = session.kernel.table.get(as_int(session.trap)) if session.trap is not None else None
    for i, a in enumerate(args):
        if a.buf and res.exit_status is None:       # an exited process has no buffers left
            addr, size = a.buf
            data = bytes(session.machine.mem.read(addr, size))
            kind = entry.kinds[i] if entry is not None and i < len(entry.kinds) else None
            ok = res.err == 0
            extra = {}
            if ok and kind == "buf_out" and 0 <= res.r1 <= size:
                data = data[:res.r1]
            elif ok and kind in OUT_STRUCTS and size >= OUT_STRUCTS[kind]:
                data = data[:OUT_STRUCTS[kind]]
                extra["decoded"] = decode_struct(kind, data, verbose=True)
            log.emit("output", t, tid, label=a.text, addr=addr, data=data.hex(), **extra)
    for label, data in (("guest stdout", session.kernel.stdout), ("guest stderr", session.kernel.stderr)):
        if data:
            log.emit("output", t, tid, label=label, data=data.hex())
