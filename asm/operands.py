"""asm/operands.py — does Keystone's encoding of a line mean what the line says?

Keystone 0.9.2 can assemble a line into an instruction that is not the one written: an
absolute memory operand such as ``mov rbx, qword ptr [0x5a2000]`` comes out RIP-relative
(``48 8b 1d 00 20 5a 00`` is ``mov rbx, qword ptr [rip + 0x5a2000]``), and an immediate too
big for its field can be cut. So every line is disassembled again (Capstone) and its
operands are compared with the ones the line spells out: registers by name, immediates by
value (within the field's size), memory by segment, base, index, scale, displacement and
size. A mismatch is an :class:`OperandMismatch` naming what differs.

One mismatch is repaired, because it can be repaired exactly: an absolute operand that
Keystone made RIP-relative is re-encoded with the SIB form that has no base and no index
(ModRM ``mod=00 rm=100``, SIB ``0x25``, then the address as a sign-extended disp32), which
is what GNU as emits; the repaired bytes are checked like any others. An address that does
not fit in a sign-extended 32-bit displacement cannot be written that way: the error says
to load it into a register first.

``display`` is the Intel text of bytes as they will run: Capstone's, with the spaces inside
``[...]`` dropped (``[rsp+0x10]``, the notation of the built-in stubs) and a branch or call
target named by its label or symbol (``jbe ok``, ``call runtime.entersyscall``).
"""
from __future__ import annotations

import ast
import functools
import operator
import re
from dataclasses import dataclass

SIZES = {"byte": 1, "word": 2, "dword": 4, "qword": 8, "fword": 6, "tbyte": 10, "tword": 10,
         "xmmword": 16, "oword": 16, "ymmword": 32, "zmmword": 64}
_PREFIXES = {"lock", "rep", "repe", "repz", "repne", "repnz", "data16", "addr32", "notrack", "bnd"}
_SHIFTS = {"rol", "ror", "rcl", "rcr", "shl", "sal", "shr", "sar"}     # "shl rax" is "shl rax, 1"
_STRING_OPS = re.compile(r"(movs|cmps|stos|lods|scas|ins|outs)[bwdq]?$")
_SIZE = re.compile(r"^(%s)\s+ptr\s+" % "|".join(SIZES), re.I)
_SEG = re.compile(r"^([cdefgs]s)\s*:\s*", re.I)
_HEXH = re.compile(r"\b([0-9][0-9a-fA-F]*)[hH]\b")


class OperandMismatch(ValueError):
    """The encoded instruction is not the one the line says; the message says how."""


@dataclass(frozen=True)
class Mem:
    """A memory operand: [seg: base + index*scale + disp], ``size`` bytes (None: not said)."""

    seg: str | None
    base: str | None
    index: str | None
    scale: int
    disp: int
    size: int | None = None

    def text(self) -> str:
        parts = [p for p in (self.base, f"{self.index}*{self.scale}" if self.index else None) if p]
        if self.disp or not parts:
            parts.append(f"{self.disp:#x}" if self.disp >= 0 or not parts else f"-{-self.disp:#x}")
        inner = "+".join(parts).replace("+-", "-")
        return (f"{self.seg}:" if self.seg else "") + f"[{inner}]"


@functools.lru_cache(maxsize=1)
def _cs():
    import capstone       # imported here: a cached image is used without Capstone
    cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    cs.detail = True
    return cs


@functools.lru_cache(maxsize=1)
def _registers() -> frozenset:
    from capstone import x86_const
    return frozenset(n[len("X86_REG_"):].lower() for n in dir(x86_const)
                     if n.startswith("X86_REG_") and n not in ("X86_REG_INVALID", "X86_REG_ENDING"))


def decode(data: bytes, addr: int):
    """Capstone's instruction for ``data`` at ``addr`` (None when it is no instruction)."""
    return next(iter(_cs().disasm(data, addr, 1)), None)


# -- what the line says -------------------------------------------------------------------
def split_line(text: str) -> tuple[str, list[str]]:
    """``"rep movsb"`` → ("rep movsb", []); ``"mov rax, qword ptr [rsp+8]"`` → ("mov", [...])."""
    words = text.strip().split(None, 1)
    mnem, rest = words[0].lower(), (words[1] if len(words) > 1 else "")
    while mnem in _PREFIXES and rest:
        nxt = rest.split(None, 1)
        mnem, rest = f"{mnem} {nxt[0].lower()}", (nxt[1] if len(nxt) > 1 else "")
    ops, depth, cur = [], 0, ""
    for ch in rest:
        depth += (ch == "[") - (ch == "]")
        if ch == "," and depth == 0:
            ops.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        ops.append(cur.strip())
    return mnem, ops


def parse_operand(text: str):
    """One operand as written: a register name (str), an immediate (int) or a :class:`Mem`.
    ValueError when it is none of these in a form that can be checked."""
    t = text.strip()
    size = None
    m = _SIZE.match(t)
    if m:
        size, t = SIZES[m.group(1).lower()], t[m.end():]
    seg = None
    m = _SEG.match(t)
    if m:
        seg, t = m.group(1).lower(), t[m.end():]
    if t.startswith("["):
        if not t.endswith("]"):
            raise ValueError(f"cannot read the memory operand {text!r}")
        inner = t[1:-1].strip()
        m = _SEG.match(inner)
        if m:
            if seg:
                raise ValueError(f"two segments in {text!r}")
            seg, inner = m.group(1).lower(), inner[m.end():]
        return _mem(inner, seg, size, text)
    if seg or size:                                  # fs:0x28, qword ptr 0x10: an absolute address
        return Mem(seg, None, None, 1, _value(t, text), size)
    low = t.lower()
    if low in _registers() or low.replace("(", "").replace(")", "") in _registers():
        return low.replace("(", "").replace(")", "")
    return _value(t, text)


def _mem(inner: str, seg, size, text: str) -> Mem:
    """``rbx + rcx*8 - 0x10`` → base rbx, index rcx, scale 8, disp -0x10."""
    regs, scaled, disp = [], None, []
    for sign, term in re.findall(r"([+-]?)\s*([^+-]+)", inner.replace(" ", "")):
        low = term.lower()
        if "*" in low:
            a, _, b = low.partition("*")
            reg, num = (a, b) if a in _registers() else (b, a)
            if reg in _registers():
                if sign == "-" or scaled is not None:
                    raise ValueError(f"cannot read the memory operand {text!r}")
                scaled = (reg, _value(num, text))
                continue
        if low in _registers():
            if sign == "-":
                raise ValueError(f"a register cannot be subtracted in {text!r}")
            regs.append(low)
            continue
        disp.append(f"{sign}{term}")
    if len(regs) + (scaled is not None) > 2:
        raise ValueError(f"too many registers in {text!r}")
    base = regs[0] if regs else None
    index, scale = (scaled if scaled else (regs[1], 1) if len(regs) > 1 else (None, 1))
    if scale not in (1, 2, 4, 8):
        raise ValueError(f"scale {scale} in {text!r}: x86 scales by 1, 2, 4 or 8")
    return Mem(seg, base, index, scale, _value("".join(disp), text) if disp else 0, size)


_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
        ast.FloorDiv: operator.floordiv, ast.Div: operator.floordiv, ast.LShift: operator.lshift,
        ast.RShift: operator.rshift, ast.BitOr: operator.or_, ast.BitAnd: operator.and_,
        ast.BitXor: operator.xor}


def _value(expr: str, text: str) -> int:
    """An integer expression as Keystone reads it (decimal, 0x…, …h, + - * / << >> | & ^ ~)."""
    src = _HEXH.sub(lambda m: "0x" + m.group(1), expr.strip())
    try:
        return _eval(ast.parse(src, mode="eval").body)
    except (SyntaxError, ValueError, TypeError, ZeroDivisionError, RecursionError):
        raise ValueError(f"cannot read {text.strip()!r} as a register, a number or "
                         "[base+index*scale+disp]") from None


def _eval(node) -> int:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Invert)):
        v = _eval(node.operand)
        return -v if isinstance(node.op, ast.USub) else ~v if isinstance(node.op, ast.Invert) else v
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        a, b = _eval(node.left), _eval(node.right)
        if isinstance(node.op, ast.LShift) and b > 64:
            raise ValueError("shift too large")
        return _OPS[type(node.op)](a, b)
    raise ValueError("not an integer expression")


# -- what the bytes say -------------------------------------------------------------------
def _actual(insn) -> list:
    """Capstone's operands in the same shapes as :func:`parse_operand` gives."""
    from capstone import x86_const as X
    out = []
    for op in insn.operands:
        if op.type == X.X86_OP_REG:
            out.append(insn.reg_name(op.reg))
        elif op.type == X.X86_OP_IMM:
            out.append((op.imm, op.size))
        else:
            m = op.mem
            name = lambda r: insn.reg_name(r) if r else None   # noqa: E731
            out.append(Mem(name(m.segment), name(m.base), name(m.index), m.scale or 1, m.disp, op.size))
    return out


def check(text: str, data: bytes, addr: int) -> bytes:
    """``data`` (Keystone's bytes for ``text`` at ``addr``), repaired if an absolute operand
    came out RIP-relative; OperandMismatch if the bytes mean something else."""
    insn = decode(data, addr)
    if insn is None or insn.size != len(data):
        raise OperandMismatch(f"Keystone's bytes {data.hex()} are not one instruction")
    mnem, written = split_line(text)
    want = [parse_operand(o) for o in written]
    got = _actual(insn)
    fixed = _absolute_fix(insn, data, want, got)
    if fixed is not None:
        insn = decode(fixed, addr)
        got, data = _actual(insn), fixed
    why = _differs(mnem, want, got, insn)
    if why:
        shown = f"{insn.mnemonic} {insn.op_str}".strip()
        raise OperandMismatch(f"Keystone encoded it as {shown!r} ({data.hex()}): {why}")
    return data


def _differs(mnem: str, want: list, got: list, insn) -> str | None:
    """Why the operands differ, or None when they are the same."""
    if len(got) == len(want) + 1 and got and got[-1] == (1, got[-1][1]) and mnem.split()[-1] in _SHIFTS:
        got = got[:-1]                                   # shl rax = shl rax, 1
    if not want and got and _STRING_OPS.match(insn.mnemonic.split()[-1]):
        return None                                      # movsb: [rdi], [rsi] are implicit
    if (len(want) == 2 and len(got) == 3 and isinstance(want[1], int) and got[0] == got[1]
            and mnem == "imul"):
        got = [got[0], got[2]]                           # imul rax, 5 = imul rax, rax, 5
    if len(got) != len(want):
        return f"{len(got)} operands where the line has {len(want)}"
    for i, (w, g) in enumerate(zip(want, got), 1):
        why = _one(w, g)
        if why:
            return f"operand {i}: {why}"
    return None


def _one(w, g) -> str | None:
    if isinstance(w, str):
        return None if g == w else f"{_show(g)} where the line has the register {w}"
    if isinstance(w, int):
        if not isinstance(g, tuple):
            return f"{_show(g)} where the line has the number {w:#x}"
        value, size = g
        bits = 8 * size
        if not -(1 << (bits - 1)) <= w < (1 << bits):
            return f"{w:#x} does not fit in the instruction's {bits}-bit immediate"
        mask = (1 << bits) - 1
        return None if (w & mask) == (value & mask) else f"{value & mask:#x} where the line has {w:#x}"
    if not isinstance(g, Mem):
        return f"{_show(g)} where the line has the memory operand {w.text()}"
    if g.base == "rip" and w.base != "rip":
        return f"{g.text()} is RIP-relative where the line has {w.text()}"
    if (w.seg, w.base, w.index) != (g.seg, g.base, g.index) or (w.index and w.scale != g.scale):
        return f"{g.text()} where the line has {w.text()}"
    if (w.disp - g.disp) % (1 << 64):
        why = f"displacement {g.disp:#x} where the line has {w.disp:#x}"
        if w.base is None and w.index is None and not _fits32(w.disp):
            why += (" (an absolute address beyond ±2 GiB fits only `mov rax, [ADDR]`; "
                    "for other registers load the address first: mov rbx, ADDR; mov rbx, [rbx])")
        return why
    if w.size is not None and w.size != g.size:
        return f"a {g.size}-byte access where the line has {w.size} bytes"
    return None


def _fits32(addr: int) -> bool:
    """Whether ``addr`` is a sign-extended 32-bit displacement (as a 64-bit address)."""
    a = addr & ((1 << 64) - 1)
    return a < 1 << 31 or a >= (1 << 64) - (1 << 31)


def _show(g) -> str:
    if isinstance(g, tuple):
        return f"the number {g[0] & ((1 << (8 * g[1])) - 1):#x}"
    return g.text() if isinstance(g, Mem) else f"the register {g}"


def _absolute_fix(insn, data: bytes, want: list, got: list) -> bytes | None:
    """The same instruction with its RIP-relative operand made absolute, when the line
    wrote an absolute address there and the address fits a sign-extended disp32."""
    for w, g in zip(want, got):
        if not (isinstance(w, Mem) and isinstance(g, Mem) and g.base == "rip"
                and w.base is None and w.index is None):
            continue
        target = w.disp & ((1 << 64) - 1)
        if not _fits32(target):
            raise OperandMismatch(
                f"the absolute address {target:#x} does not fit in a 32-bit displacement and "
                "Keystone made it RIP-relative; load the address into a register first "
                f"(mov rbx, {target:#x}; then use [rbx])")
        off, size = insn.modrm_offset, insn.disp_size
        if size != 4 or insn.disp_offset != off + 1:
            return None                                   # not a form we know how to rewrite
        modrm = data[off]
        sib_modrm = (modrm & 0x38) | 0x04                 # mod=00, same reg field, rm=100: a SIB follows
        return (data[:off] + bytes([sib_modrm, 0x25])
                + (target & 0xFFFFFFFF).to_bytes(4, "little") + data[off + 1 + size:])
    return None


# -- what a reader sees -------------------------------------------------------------------
def display(data: bytes, addr: int, names: dict[int, str] | None = None) -> str:
    """The Intel text of ``data`` at ``addr`` as Capstone decodes it, in the notation of the
    built-in stubs: ``[rsp+0x10]`` (no spaces, displacements in hex), a sign-extended
    immediate as the negative number it is (``-1``, ``-0xfff``), a branch or call target by
    its name in ``names`` (``jbe ok``, ``call runtime.entersyscall``)."""
    insn = decode(data, addr)
    if insn is None:
        return "(bad)"
    texts = _split_ops(insn.op_str)
    if "{" in insn.op_str or len(texts) != len(insn.operands):
        return f"{insn.mnemonic} {insn.op_str}".strip()          # AVX-512 decorations: as is
    from capstone import x86_const as X
    out = []
    for text, op in zip(texts, insn.operands):
        if op.type == X.X86_OP_IMM:
            out.append(_imm_text(insn, op, names))
        elif op.type == X.X86_OP_MEM:
            m = op.mem
            reg = lambda r: insn.reg_name(r) if r else None      # noqa: E731
            out.append(text[:text.index("[")] + _mem_text(reg(m.base), reg(m.index), m.scale, m.disp))
        else:
            out.append(text)
    return f"{insn.mnemonic} {', '.join(out)}".strip()


def _split_ops(op_str: str) -> list[str]:
    return [o.strip() for o in op_str.split(", ")] if op_str else []


def _num(v: int) -> str:
    """Capstone's convention: decimal below 10, hex above."""
    return f"-{_num(-v)}" if v < 0 else str(v) if v < 10 else f"{v:#x}"


def _imm_text(insn, op, names) -> str:
    value = op.imm & ((1 << 64) - 1)
    if names and (insn.group(_grp("CALL")) or insn.group(_grp("JUMP"))) and value in names:
        return names[value]
    bits = 8 * op.size
    value &= (1 << bits) - 1
    if 0 < insn.imm_size < op.size and value >> (bits - 1):      # a sign-extended field
        return _num(value - (1 << bits))
    return _num(value)


def _mem_text(base, index, scale, disp) -> str:
    parts = ([base] if base else []) + ([f"{index}*{scale}"] if index else [])
    if not parts:
        return f"[{disp & ((1 << 64) - 1):#x}]"                   # an absolute address
    if disp:
        parts.append(f"{disp:#x}" if disp > 0 else f"-{-disp:#x}")
    return "[" + "+".join(parts).replace("+-", "-") + "]"


def _grp(name: str) -> int:
    import capstone
    return getattr(capstone, f"CS_GRP_{name}")
