"""emu/repl/context.py — the context view printed at every stop (pwndbg/GEF style).

Sections: registers (changed ones marked ``*`` — and coloured when colour is on — so the
mark survives ``--no-color``), the code around PC with the Go Plan 9 line beside each
Intel line and the current one marked ``→``, the Go frame of the stub by slot name, a few
stack words dereferenced, and at a SYSCALL the syscall's arguments.
"""
from __future__ import annotations

from emu.cpu.regs import TRACE_REGS
from emu.kernel.errno import errno_name
from emu.kernel.memory import Fault
from emu.kernel.strace import quote, render_arg
from emu.kernel.sysnum import name_of
from emu.repl.views import flags, insn_text

WIDTH = 78
BEFORE, AFTER = 3, 5            # instructions shown around PC


def rule(title: str) -> str:
    head = f"── {title} "
    return head + "─" * max(3, WIDTH - len(head))


def registers(dbg, paint, prev: dict | None) -> list[str]:
    regs = dbg.regs()
    cells = []
    for n in TRACE_REGS:
        v = regs[n]
        changed = prev is not None and prev.get(n) != v
        text = f"{'*' if changed else ' '}{n:<7}{v:#018x}"
        cells.append(paint.c("reg", text) if changed else text)
    out = [rule("registers (* changed since the last stop)")]
    for i in range(0, len(cells), 3):
        out.append("  ".join(cells[i:i + 3]))
    out[-1] += f"  {flags(regs['rflags'])}"
    return out


def function_range(dbg, pc: int) -> list[int]:
    """Addresses of the instructions of the function around ``pc`` (one, outside the image)."""
    insn = dbg.image.at(pc)
    if insn is None:
        return [pc]
    return sorted(a for a, i in dbg.image.insns.items() if i.stub == insn.stub)


def code(dbg, paint) -> list[str]:
    pc = dbg.pc
    addrs = function_range(dbg, pc)
    i = addrs.index(pc) if pc in addrs else 0
    shown = addrs[max(0, i - BEFORE): i + AFTER + 1]
    insn = dbg.image.at(pc)
    title = f"code: {dbg.function_of(pc) or hex(pc)}"
    if insn is not None:
        title += f" ({insn.loc.split(':')[0]})"
    out = [rule(title)]
    for a in shown:
        _size, intel, go = insn_text(dbg, a)
        i = dbg.image.at(a)
        label = dbg.image.labels.get(a)
        if label and i is not None:
            out.append(f"{'':>4}{label}:")
        off = f"<+{i.offset:#x}>" if i is not None else ""
        line = f" {'→' if a == pc else ' '} {a:#x} {off:<8} {intel:<34} {go:<32}"
        line += f" {i.loc.split(':')[-1]:>3}" if i is not None else ""
        out.append(paint.c("state", line.rstrip()) if a == pc else line.rstrip())
    return out


def stub_at(dbg, pc: int):
    """The stub whose Go frame is live at ``pc``: the stub itself, or the one that called a
    trampoline (the runtime's functions run with the stub's frame just above them)."""
    if pc in dbg.machine.trampolines.values():
        return dbg.stub
    insn = dbg.image.at(pc)
    if insn is not None:
        return dbg.session.stubs.get(insn.stub)
    return None


def frame(dbg) -> list[str]:
    """The Go frame by slot name: ``a1+8(FP) = 3``. FP = RSP+8 at the stub's own depth."""
    stub = stub_at(dbg, dbg.pc)
    if stub is None or not stub.slots:
        return []
    fp = dbg.session.frame_base()
    rsp = dbg.regs()["rsp"]
    mem = dbg.session.machine.mem
    depth = f"RSP+{fp - rsp:#x}" if fp >= rsp else f"RSP-{rsp - fp:#x}"
    out = [rule(f"Go frame of {stub.name} {stub.frame}: FP = {fp:#x} ({depth} here; RSP+8 at entry)")]
    for slot in stub.slots:
        off = stub.fp_offset(slot)
        try:
            v = mem.u64(fp + off)
        except Fault:
            continue
        note = ""
        if slot == "trap":
            note = f"(SYS_{name_of(v).upper()})"
        elif slot == "err" and v:
            note = f"({errno_name(v)})"
        elif slot == "r1" and v == 0xFFFFFFFFFFFFFFFF:
            note = "(-1)"
        kind = "result" if slot in stub.results else "arg"
        name = f"{slot}+{off}(FP)"
        out.append(f"  {name:<12} {kind:<6} [{fp + off:#x}] = {_val(v):<18} {note}".rstrip())
    return out


def _val(v: int) -> str:
    return str(v) if v < 10 else f"{v:#x}" if v > 0xFFFF else f"{v} ({v:#x})"


def deref(dbg, v: int) -> str:
    """What a word points at: a symbol, a string, or the word there."""
    s = dbg.symbolize(v)
    if s:
        return f"→ {s}"
    mem = dbg.session.machine.mem
    try:
        data = mem.read(v, 16)
    except Fault:
        return ""
    text = data.split(b"\0")[0]
    if len(text) >= 4 and all(32 <= b < 127 or b in (9, 10) for b in text):
        return f"→ {quote(text)}"
    return f"→ {int.from_bytes(data[:8], 'little'):#x}"


def stack(dbg, n: int = 4) -> list[str]:
    rsp = dbg.regs()["rsp"]
    mem = dbg.session.machine.mem
    stub = stub_at(dbg, dbg.pc)
    fp = dbg.session.frame_base()
    names = {fp + stub.fp_offset(s): f"{s}+{stub.fp_offset(s)}(FP)" for s in stub.slots} if stub else {}
    out = [rule("stack")]
    for i in range(n):
        a = rsp + 8 * i
        try:
            v = mem.u64(a)
        except Fault:
            out.append(f"  rsp+{8 * i:#04x} {a:#x}: (cannot access memory)")
            break
        label = names.get(a, "return address" if dbg.symbolize(v) else "")
        out.append(f"  rsp+{8 * i:#04x} {a:#x}: {v:#018x} {deref(dbg, v):<34} {label}".rstrip())
    return out


def syscall_args(dbg) -> list[str]:
    """GEF's ``syscall-args``: the call in RAX, each argument's name, register and value."""
    regs = dbg.regs()
    k, mem = dbg.session.kernel, dbg.session.machine.mem
    nr = regs["rax"]
    raw = [regs[r] for r in ("rdi", "rsi", "rdx", "r10", "r8", "r9")]
    entry = k.table.get(nr if nr < 1 << 31 else -1)
    head = f"syscall {k.name_of(nr)} (nr {nr} in rax)"
    if entry is not None:
        head += f": {entry.name}(" + ", ".join(entry.argnames) + ")"
    out = [rule(head), f"  {'Parameter':<11}{'Register':<10}{'Value':<20}Shows as"]
    for i, (name, reg, value, kind) in enumerate(k.named_args(nr, raw)):
        shown = render_arg(mem, entry, i, raw, None) if entry is not None else f"{value:#x}"
        if kind == "buf_out":
            shown += "  (the kernel fills it)"
        out.append(f"  {name:<11}${reg:<9}{raw[i]:<#20x}{shown}")
    if entry is None:
        out.append("  (not in the kernel model's table: the call returns -ENOSYS)")
    return out


def context(dbg, paint, prev: dict | None) -> list[str]:
    out = registers(dbg, paint, prev) + code(dbg, paint) + frame(dbg) + stack(dbg)
    if dbg.pc in dbg.syscall_sites and dbg.state == "stopped":
        out += syscall_args(dbg)
    return out + ["─" * WIDTH]

