"""emu/cpu/disasm.py — Capstone, imported only when something disassembles; cached by address."""
from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1)
def _cs():
    import capstone
    cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    return cs


def disasm_one(code: bytes, addr: int) -> tuple[str, str]:
    """(hex bytes, Intel text) of the first instruction in ``code``."""
    for i in _cs().disasm(code, addr, 1):
        return i.bytes.hex(), f"{i.mnemonic} {i.op_str}".strip()
    return code[:1].hex(), "(bad)"


def disasm_all(code: bytes, addr: int) -> list[tuple[int, str, str]]:
    """Every instruction in ``code``: (address, hex bytes, Intel text)."""
    return [(i.address, i.bytes.hex(), f"{i.mnemonic} {i.op_str}".strip())
            for i in _cs().disasm(code, addr)]
