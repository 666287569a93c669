"""emu/toolchain/check.py — a profile's code and layout held against a binary the real toolchain built.

Three checks, each returning a list of ``Mismatch`` (empty: the profile agrees):

* ``check_code``: each listed function's bytes equal the binary's, instruction by
  instruction, at the same offsets, with the same total size. **Masked** are only bytes
  that encode an address outside the function, and only after the address itself is
  checked symbolically:
  - the 4-byte rel32 of a ``CALL``/``JMP`` whose target lies outside the function
    (``E8 xx xx xx xx``): where the linker put the callee differs between the binary and
    gosyscall's address map; instead the binary's target must be the *entry* of the
    symbol the listing calls (``runtime.entersyscall``, not ``+0x4``);
  - the disp32 of a RIP-relative operand (``LEAQ x(SB)``, ``MOVQ x(SB)``): likewise, the
    binary's referent must be the symbol the listing names, when the listing's address is
    one of the image's symbols.
  Everything else is compared exactly: opcodes, ModRM/SIB, immediates, frame offsets,
  and the rel8/rel32 of jumps that stay inside the function (same layout, same bytes).
* ``check_lines``: the file:line of every instruction equals the binary's line table
  (DWARF, or the pclntab when asked), the file by its ``-trimpath`` path.
* ``check_layout``: struct member offsets (and sizes, where given) equal the binary's
  DWARF; ``dwarf_layouts`` hands the binary's ``runtime.g``/``m``/``p`` tables to
  whoever checks a runtime profile's layout module.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from asm.image import Image
from emu.toolchain.gobinary import GoBinary

RUNTIME_STRUCTS = ("runtime.g", "runtime.m", "runtime.p", "runtime.schedt")


@dataclass(frozen=True)
class Mismatch:
    where: str            # "syscall.Syscall+0x1c" or "runtime.g.sched.sp"
    what: str             # "bytes", "call target", "size", "line", "offset", "missing"
    expected: str
    got: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}: profile {self.expected}, binary {self.got}"


def _cs():
    import capstone
    cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    cs.detail = True
    return cs


def address_fields(data: bytes, addr: int, func_lo: int, func_hi: int, cs=None) -> list[tuple[int, int, int]]:
    """The (offset, size, target) of each field of one instruction that encodes an address
    outside [func_lo, func_hi): an out-of-function branch's rel32, a RIP-relative disp32."""
    import capstone.x86 as X
    cs = cs or _cs()
    insn = next(cs.disasm(data, addr, 1), None)
    if insn is None:
        return []
    out = []
    for op in insn.operands:
        if op.type == X.X86_OP_IMM and insn.group(X.X86_GRP_BRANCH_RELATIVE):
            if not func_lo <= op.imm < func_hi and insn.imm_size == 4:
                out.append((insn.imm_offset, 4, op.imm))
        elif op.type == X.X86_OP_MEM and op.mem.base == X.X86_REG_RIP:
            out.append((insn.disp_offset, insn.disp_size, insn.address + insn.size + op.mem.disp))
    return out


def _masked(data: bytes, fields) -> bytes:
    b = bytearray(data)
    for off, size, _ in fields:
        b[off:off + size] = b"\0" * size
    return bytes(b)


def _functions(image: Image, binary: GoBinary, names, out: list):
    """(name, binary symbol, the image's instructions in order) of each function both have;
    a function the binary lacks is reported in ``out``."""
    for name in names or list(image.stubs):
        sym = binary.symbols.get(name)
        if sym is None:
            out.append(Mismatch(name, "missing", "a function", "no such symbol"))
            continue
        yield name, sym, sorted((i for i in image.insns.values() if i.stub == name), key=lambda i: i.addr)


def check_code(image: Image, binary: GoBinary, names=None) -> list[Mismatch]:
    """Compare the image's functions ``names`` (default: all) with the binary's, byte by byte."""
    cs = _cs()
    out = []
    for name, sym, insns in _functions(image, binary, names, out):
        start = image.symbols[name]
        size = insns[-1].addr + insns[-1].size - start if insns else 0
        if size != sym.size:
            out.append(Mismatch(name, "size", f"{size:#x} bytes", f"{sym.size:#x} bytes"))
        for ins in insns:
            where = f"{name}+{ins.offset:#x}" if ins.offset else name
            got = binary.read_or_none(sym.addr + ins.offset, ins.size)
            if got is None or ins.offset + ins.size > sym.size:
                out.append(Mismatch(where, "bytes", ins.data.hex(), "past the function's end"))
                continue
            theirs = address_fields(got, sym.addr + ins.offset, sym.addr, sym.addr + sym.size, cs)
            ours = address_fields(ins.data, ins.addr, start, start + size, cs)
            if [f[:2] for f in theirs] != [f[:2] for f in ours]:
                out.append(Mismatch(where, "bytes", f"{ins.data.hex()} ({ins.intel})", got.hex()))
                continue
            if _masked(ins.data, ours) != _masked(got, theirs):
                out.append(Mismatch(where, "bytes", f"{ins.data.hex()} ({ins.intel})", got.hex()))
                continue
            for (_, _, mine), (_, _, their) in zip(ours, theirs):
                want = image.symbolize(mine) or _extern_name(image, mine)
                have = binary.symbolize(their) or f"{their:#x}"
                if want is not None and want != have:
                    out.append(Mismatch(where, "call target", want, have))
    return out


def _extern_name(image: Image, addr: int) -> str | None:
    """The name a call site of the image gave to ``addr`` (an external, e.g. runtime.entersyscall)."""
    for site, target in image.callsites:
        ins = image.at(site)
        if ins is not None and ins.addr + ins.size + int.from_bytes(ins.data[1:5], "little", signed=True) == addr:
            return target
    return None


def expected_file(stub, loc: str) -> str:
    """The line-table path of a listing's ``loc``: ``syscall_linux.go:82`` in a stub whose
    source is ``syscall/syscall_linux.go`` → ``syscall/syscall_linux.go``."""
    base = loc.rsplit(":", 1)[0]
    d = os.path.dirname(stub.source) if stub.source else ""
    return f"{d}/{base}" if d else base


def check_lines(image: Image, binary: GoBinary, names=None, source: str = "auto") -> list[Mismatch]:
    """Compare each instruction's file:line with the binary's line table."""
    out = []
    for name, sym, insns in _functions(image, binary, names, out):
        stub = image.stubs[name]
        for ins in insns:
            where = f"{name}+{ins.offset:#x}" if ins.offset else name
            want = f"{expected_file(stub, ins.loc)}:{ins.loc.rsplit(':', 1)[1]}"
            got = binary.line_at(sym.addr + ins.offset, source)
            have = f"{got[0]}:{got[1]}" if got else "no line"
            if want != have:
                out.append(Mismatch(where, "line", want, have))
    return out


def dwarf_layouts(binary: GoBinary, structs=RUNTIME_STRUCTS) -> dict[str, dict[str, tuple[int, int]]]:
    """``{"runtime.g": {"sched.sp": (56, 8), …}, …}`` from the binary's DWARF."""
    return {s: binary.struct_layout(s) for s in structs}


def check_layout(expected: dict, binary: GoBinary, struct: str) -> list[Mismatch]:
    """Compare ``expected`` (member → offset, or → (offset, size)) with struct ``struct``.

    Member names are Go's, nested ones dotted (``sched.sp``); a name that differs only
    in case (``CURG`` for ``curg``, from a constant ``M_CURG``) is matched too.
    """
    real = binary.struct_layout(struct)
    folded = {k.lower(): k for k in real}
    out = []
    for member, want in expected.items():
        key = member if member in real else folded.get(member.lower())
        where = f"{struct}.{member}"
        if key is None:
            out.append(Mismatch(where, "missing", "a member", "no such member in DWARF"))
            continue
        off, size = real[key]
        w_off, w_size = (want if isinstance(want, tuple) else (want, None))
        if w_off != off:
            out.append(Mismatch(where, "offset", str(w_off), str(off)))
        elif w_size is not None and w_size != size:
            out.append(Mismatch(where, "size", str(w_size), str(size)))
    return out


def constants_layout(namespace, prefix: str) -> dict[str, int]:
    """``{"curg": 192, …}`` from constants ``M_CURG = 192`` … of a layout module (``prefix`` ``M_``)."""
    return {k[len(prefix):].lower(): v for k, v in vars(namespace).items()
            if k.startswith(prefix) and isinstance(v, int)}
