"""emu/repl/views.py — gdb's formats: ``info registers``, ``p/FMT``, ``x/NFU``, ``info breakpoints``.

Each function returns lines of text; none prints. Layouts follow gdb 13 so fingers and
eyes trained there feel at home (``rax            0x20                32``,
``0xc000038ef8:	0x000000000040119f	0x0000000000000003``), with symbols written
``<syscall.Syscall+0x2e>`` (hex offsets, as everywhere else in gosyscall).
"""
from __future__ import annotations

import re
import struct

from emu.cpu.disasm import disasm_one
from emu.cpu.regs import REG_IDS, TRACE_REGS
from emu.kernel.memory import Fault
from emu.kernel.strace import quote
from emu.repl.expr import ExprError

FLAG_BITS = (("CF", 0), ("PF", 2), ("AF", 4), ("ZF", 6), ("SF", 7), ("TF", 8), ("IF", 9),
             ("DF", 10), ("OF", 11))
UNITS = {"b": 1, "h": 2, "w": 4, "g": 8}
PER_LINE = {1: 8, 2: 8, 4: 4, 8: 2}          # gdb's values per line by unit size
POINTER_REGS = ("rip", "rsp", "rbp")
INFO_REGS = TRACE_REGS + ("fs_base", "gs_base")


def flags(v: int) -> str:
    return "[ " + " ".join(n for n, bit in FLAG_BITS if v >> bit & 1) + " ]"


def sym(dbg, v: int) -> str:
    s = dbg.symbolize(v)
    return f" <{s}>" if s else ""


def signed(v: int, size: int = 8) -> int:
    bits = 8 * size
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def fmt_value(dbg, v: int, fmt: str, size: int = 8) -> str:
    """One value in a gdb print format (x d u o t a c; '' = natural)."""
    v &= (1 << 8 * size) - 1
    if fmt == "x":
        return f"{v:#x}"
    if fmt == "d":
        return str(signed(v, size))
    if fmt == "u":
        return str(v)
    if fmt == "o":
        return f"0{v:o}" if v else "0"
    if fmt == "t":
        return f"{v:b}"
    if fmt == "a":
        return f"{v:#x}{sym(dbg, v)}"
    if fmt == "c":
        b = v & 0xFF
        return f"{signed(b, 1)} {quote(bytes([b])).replace(chr(34), chr(39))}"
    raise ExprError(f"Undefined output format \"{fmt}\".")


def info_registers(dbg, names: list[str]) -> list[str]:
    """gdb's ``info registers``: name, hex, natural."""
    regs = dbg.regs()
    out = []
    for n in names:
        v = regs[n] if n in regs else dbg.m.uc.reg_read(REG_IDS[n])
        if n == "rflags":
            natural = flags(v)
        elif n == "rip":
            natural = f"{v:#x}{sym(dbg, v)}"
        elif n in POINTER_REGS or n.endswith("_base"):
            natural = f"{v:#x}"
        else:
            natural = str(signed(v))
        out.append(f"{n:<15}{v:<#19x}{natural}")
    return out


def print_value(dbg, expr: str, v: int, fmt: str) -> str:
    """The text after ``$N = `` for ``p[/FMT] EXPR``."""
    if fmt:
        return fmt_value(dbg, v, fmt)
    reg = expr.strip().lstrip("$").lower()
    if reg in ("rip", "pc") or (re.fullmatch(r"[A-Za-z_][\w.·]*", expr.strip()) and dbg.symbolize(v)):
        return f"{v:#x}{sym(dbg, v)}"
    if reg in ("rsp", "sp", "rbp", "fp"):
        return f"{v:#x}"
    if reg in ("rflags", "eflags"):
        return flags(v)
    return str(signed(v))


_XSPEC = re.compile(r"^(\d*)([xduotacsi]?)([bhwg]?)([xduotacsi]?)$")


def parse_xspec(spec: str, last: tuple[str, int]) -> tuple[int, str, int]:
    """``8gx`` → (8, 'x', 8); format and unit default to the last ones used (gdb)."""
    m = _XSPEC.match(spec)
    if not m:
        raise ExprError(f"Invalid number \"{spec}\".")
    count = int(m.group(1) or 1)
    fmt = m.group(2) or m.group(4) or last[0]
    unit = UNITS[m.group(3)] if m.group(3) else (8 if fmt == "a" else 1 if fmt == "c" else last[1])
    return count, fmt, unit


def examine(dbg, addr: int, count: int, fmt: str, unit: int) -> tuple[list[str], int]:
    """``x/NFU ADDR``: the lines, and the address after the last thing shown."""
    if fmt == "s":
        return _strings(dbg, addr, count)
    if fmt == "i":
        return _insns(dbg, addr, count)
    mem = dbg.session.machine.mem
    data = _read(mem, addr, count * unit)
    values = [int.from_bytes(data[i:i + unit], "little") for i in range(0, len(data), unit)]
    out, per = [], PER_LINE[unit]
    for i in range(0, len(values), per):
        a = addr + i * unit
        cells = [(f"{v:#0{2 + 2 * unit}x}" if fmt == "x" else fmt_value(dbg, v, fmt, unit))
                 for v in values[i:i + per]]
        out.append(f"{a:#x}{sym(dbg, a)}:\t" + "\t".join(cells))
    return out, addr + count * unit


def _read(mem, addr: int, n: int) -> bytes:
    try:
        return mem.read(addr, n)
    except Fault as f:
        raise ExprError(f"Cannot access memory at address {f.addr:#x}") from None


def _strings(dbg, addr: int, count: int) -> tuple[list[str], int]:
    mem, out = dbg.session.machine.mem, []
    for _ in range(count):
        data = bytearray()
        while len(data) < 200:
            try:
                b = mem.read(addr + len(data), 1)
            except Fault:
                if not data:
                    raise ExprError(f"Cannot access memory at address {addr + len(data):#x}") from None
                break
            if b == b"\0":
                break
            data += b
        out.append(f"{addr:#x}{sym(dbg, addr)}:\t{quote(bytes(data), len(data) == 200)}")
        addr += len(data) + 1
    return out, addr


def insn_text(dbg, addr: int) -> tuple[int, str, str]:
    """(size, Intel text, Go text) of the instruction at ``addr``."""
    insn = dbg.image.at(addr)
    if insn is not None:
        return insn.size, insn.intel, " ".join(insn.go.split("//")[0].split())
    code = _read(dbg.session.machine.mem, addr, 1)
    try:
        code = dbg.session.machine.mem.read(addr, 16)
    except Fault:
        pass
    hexbytes, text = disasm_one(code, addr)
    return len(hexbytes) // 2 or 1, text, ""


def _insns(dbg, addr: int, count: int) -> tuple[list[str], int]:
    out, pc = [], dbg.pc
    for _ in range(count):
        size, intel, go = insn_text(dbg, addr)
        mark = "=> " if addr == pc else "   "
        line = f"{mark}{addr:#x}{sym(dbg, addr)}:\t{intel:<34}"
        out.append(f"{line}  {go}".rstrip() if go else line.rstrip())   # two columns, apart
        addr += size
    return out, addr


def info_breakpoints(dbg) -> list[str]:
    if not dbg.breakpoints:
        return ["No breakpoints or catchpoints."]
    out = [f"{'Num':<8}{'Type':<15}{'Disp':<5}{'Enb':<4}{'Address':<19}What"]
    for bp in dbg.breakpoints.values():
        disp = "del" if bp.temp else "keep"
        enb = "y" if bp.enabled else "n"
        if bp.kind == "breakpoint":
            what = (dbg.symbolize(bp.addr) or "")
            insn = dbg.image.at(bp.addr)
            if insn is not None:
                what += f" at {insn.loc}"
            out.append(f"{bp.num:<8}{'breakpoint':<15}{disp:<5}{enb:<4}{bp.addr:<#19x}{what}")
        else:
            names = "" if bp.syscalls is None else " " + " ".join(
                f'"{dbg.session.kernel.name_of(n)}"' for n in sorted(bp.syscalls))
            kind = "syscalls" if bp.syscalls is not None and len(bp.syscalls) > 1 else "syscall"
            out.append(f"{bp.num:<8}{'catchpoint':<15}{disp:<5}{enb:<4}{'':<19}{kind}{names or ' <any syscall>'}")
        if bp.hits:
            out.append(f"\t{'catchpoint' if bp.kind == 'catchpoint' else 'breakpoint'} already hit "
                       f"{bp.hits} time{'s' if bp.hits != 1 else ''}")
    return out


def u64s(mem, addr: int, n: int) -> tuple[int, ...]:
    return struct.unpack(f"<{n}Q", _read(mem, addr, 8 * n))
