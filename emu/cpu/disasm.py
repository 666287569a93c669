"""emu/cpu/disasm.py — the Intel text of guest bytes outside the image (Capstone, imported only
when something disassembles), in the same notation as the image's own (asm/operands.py)."""
from __future__ import annotations

from asm.operands import decode, display


def disasm_one(code: bytes, addr: int) -> tuple[str, str]:
    """(hex bytes, Intel text) of the first instruction in ``code``."""
    insn = decode(code, addr)
    if insn is None:
        return code[:1].hex(), "(bad)"
    return bytes(insn.bytes).hex(), display(bytes(insn.bytes), addr)
