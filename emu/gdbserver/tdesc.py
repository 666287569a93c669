"""emu/gdbserver/tdesc.py — the x86-64 target description gdb reads (``qXfer:features:read``).

gdb's own description of an amd64 Linux process has four features, in this register order
(gdb/features/i386/: 64bit-core.xml, 64bit-sse.xml, 64bit-linux.xml, 64bit-segments.xml):

    0–15   rax rbx rcx rdx rsi rdi rbp rsp r8–r15     org.gnu.gdb.i386.core
    16–23  rip eflags cs ss ds es fs gs
    24–39  st0–st7 (80-bit), fctrl fstat ftag fiseg fioff foseg fooff fop
    40–56  xmm0–xmm15, mxcsr                          org.gnu.gdb.i386.sse
    57     orig_rax                                    org.gnu.gdb.i386.linux
    58–59  fs_base gs_base                             org.gnu.gdb.i386.segments

gdb requires the x87 registers in the core feature and takes ``catch syscall`` (its syscall
names) only from the GNU/Linux OS ABI, which needs ``orig_rax``; so all four are served.
``g``/``G`` carry the registers in this order, each little-endian in its own width.
"""
from __future__ import annotations

from dataclasses import dataclass

from emu.gdbserver.packets import hexdata


@dataclass(frozen=True)
class Reg:
    name: str
    bits: int
    type: str
    group: str | None = None


GPR_TYPES = {"rbp": "data_ptr", "rsp": "data_ptr"}
CORE = ([Reg(n, 64, GPR_TYPES.get(n, "int64")) for n in
         ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
          "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15")]
        + [Reg("rip", 64, "code_ptr"), Reg("eflags", 32, "i386_eflags")]
        + [Reg(n, 32, "int32") for n in ("cs", "ss", "ds", "es", "fs", "gs")]
        + [Reg(f"st{i}", 80, "i387_ext") for i in range(8)]
        + [Reg(n, 32, "int", "float") for n in
           ("fctrl", "fstat", "ftag", "fiseg", "fioff", "foseg", "fooff", "fop")])
SSE = [Reg(f"xmm{i}", 128, "vec128") for i in range(16)] + [Reg("mxcsr", 32, "i386_mxcsr", "vector")]
LINUX = [Reg("orig_rax", 64, "int")]
SEGMENTS = [Reg("fs_base", 64, "int"), Reg("gs_base", 64, "int")]
FEATURES = (("org.gnu.gdb.i386.core", CORE), ("org.gnu.gdb.i386.sse", SSE),
            ("org.gnu.gdb.i386.linux", LINUX), ("org.gnu.gdb.i386.segments", SEGMENTS))
REGS: tuple[Reg, ...] = tuple(r for _, regs in FEATURES for r in regs)
INDEX = {r.name: i for i, r in enumerate(REGS)}

EFLAGS = ((0, "CF"), (1, ""), (2, "PF"), (4, "AF"), (6, "ZF"), (7, "SF"), (8, "TF"), (9, "IF"),
          (10, "DF"), (11, "OF"), (14, "NT"), (16, "RF"), (17, "VM"), (18, "AC"), (19, "VIF"),
          (20, "VIP"), (21, "ID"))                      # Intel SDM vol. 1, §3.4.3
MXCSR = ((0, "IE"), (1, "DE"), (2, "ZE"), (3, "OE"), (4, "UE"), (5, "PE"), (6, "DAZ"), (7, "IM"),
         (8, "DM"), (9, "ZM"), (10, "OM"), (11, "UM"), (12, "PM"), (15, "FZ"))   # SDM §10.2.3
VECTORS = (("v4f", "ieee_single", 4, "v4_float"), ("v2d", "ieee_double", 2, "v2_double"),
           ("v16i8", "int8", 16, "v16_int8"), ("v8i16", "int16", 8, "v8_int16"),
           ("v4i32", "int32", 4, "v4_int32"), ("v2i64", "int64", 2, "v2_int64"))   # views of an XMM


def _flags(ident: str, bits) -> list[str]:
    return ([f'  <flags id="{ident}" size="4">']
            + [f'    <field name="{n}" start="{b}" end="{b}"/>' for b, n in bits] + ["  </flags>"])


def _regs(regs: list[Reg], first: int) -> list[str]:
    out = []
    for i, r in enumerate(regs):
        group = f' group="{r.group}"' if r.group else ""
        out.append(f'  <reg name="{r.name}" bitsize="{r.bits}" type="{r.type}" regnum="{first + i}"{group}/>')
    return out


def target_xml() -> str:
    """The whole description as one document (no ``xi:include``: one read serves it)."""
    lines = ['<?xml version="1.0"?>', '<!DOCTYPE target SYSTEM "gdb-target.dtd">', "<target>",
             "<architecture>i386:x86-64</architecture>", "<osabi>GNU/Linux</osabi>"]
    n = 0
    for name, regs in FEATURES:
        lines.append(f'<feature name="{name}">')
        if name.endswith(".core"):
            lines += _flags("i386_eflags", EFLAGS)
        if name.endswith(".sse"):
            lines += [f'  <vector id="{i}" type="{t}" count="{c}"/>' for i, t, c, _ in VECTORS]
            lines += ['  <union id="vec128">'] + [f'    <field name="{f}" type="{i}"/>' for i, _, _, f in VECTORS]
            lines += ['    <field name="uint128" type="uint128"/>', "  </union>"]
            lines += _flags("i386_mxcsr", MXCSR)
        lines += _regs(regs, n)
        n += len(regs)
        lines.append("</feature>")
    lines.append("</target>")
    return "\n".join(lines) + "\n"


def encode_one(reg: Reg, v: int | None) -> bytes:
    """One register little-endian in its width; ``xx`` bytes if it is not available (gdb
    shows ``<unavailable>``)."""
    n = reg.bits // 8
    return b"xx" * n if v is None else (v & ((1 << reg.bits) - 1)).to_bytes(n, "little").hex().encode()


def encode(values: list[int | None]) -> bytes:
    """``g``'s reply body: every register in the description's order."""
    return b"".join(encode_one(reg, v) for reg, v in zip(REGS, values))


def decode(body: bytes) -> list[int | None]:
    """``G``'s body back into values (None where it says ``xx``); ValueError if malformed."""
    if len(body) != sum(r.bits // 4 for r in REGS):
        raise ValueError(f"G carries {len(body)} hex digits, not {sum(r.bits // 4 for r in REGS)}")
    out, pos = [], 0
    for reg in REGS:
        chunk = body[pos:pos + reg.bits // 4]
        pos += reg.bits // 4
        out.append(None if chunk == b"x" * len(chunk) else decode_one(reg, chunk))
    return out


def decode_one(reg: Reg, chunk: bytes) -> int:
    """One register's hex (``p``/``P``) as a number."""
    data = hexdata(chunk)
    if len(data) != reg.bits // 8:
        raise ValueError(f"{reg.name} is {reg.bits // 8} bytes, not {len(data)}")
    return int.from_bytes(data, "little")
