"""emu/cpu/regs.py — x86-64 registers by name, read and written in batches.

``uc.reg_read`` costs about 2 µs per register and the public ``reg_read_batch`` is no
faster (DESIGN "Performance rules"), so a batch is one direct call of
``uc_reg_read_batch`` in the C library with arrays prepared once. That reaches into the
binding's private ``uclib``/``_uch`` (unicorn 2.1.4, pinned); if either is missing the
public API is used instead, with the same results. ``RegBatch.fast`` says which ran.
"""
from __future__ import annotations

import ctypes
import struct

from unicorn import x86_const as X

GPRS = ("rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
        "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15")
TRACE_REGS = GPRS + ("rip", "rflags")          # the 18 registers a trace diffs
SYSCALL_ARG_REGS = ("rdi", "rsi", "rdx", "r10", "r8", "r9")   # Linux x86-64 entry registers

REG_IDS = {name: getattr(X, f"UC_X86_REG_{name.upper()}") for name in TRACE_REGS}
REG_IDS.update(fs_base=X.UC_X86_REG_FS_BASE, gs_base=X.UC_X86_REG_GS_BASE)

try:   # the C entry points behind the public binding (see module docstring)
    from unicorn.unicorn_py3.unicorn import uclib as _uclib
except ImportError:       # pragma: no cover - a different binding layout
    _uclib = None


class RegBatch:
    """A fixed list of registers read or written together."""

    def __init__(self, uc, names: tuple[str, ...]):
        self.uc, self.names = uc, tuple(names)
        n = len(self.names)
        self._ids = (ctypes.c_int * n)(*(REG_IDS[r] for r in self.names))
        self._vals = (ctypes.c_uint64 * n)()
        self._ptrs = (ctypes.c_void_p * n)(*(ctypes.addressof(self._vals) + 8 * i for i in range(n)))
        self._n = n
        self._unpack = struct.Struct(f"<{n}Q").unpack     # array → tuple, faster than tuple()
        self._uch = getattr(uc, "_uch", None)
        self.fast = _uclib is not None and self._uch is not None

    def read(self) -> tuple[int, ...]:
        """Current values, in the order of ``names``."""
        if self.fast:
            if _uclib.uc_reg_read_batch(self._uch, self._ids, self._ptrs, self._n) == 0:
                return self._unpack(self._vals)
            self.fast = False           # the C call refused: fall back for good
        return tuple(self.uc.reg_read(REG_IDS[r]) for r in self.names)

    def write(self, values) -> None:
        """Set every register of the batch, in the order of ``names``."""
        if self.fast:
            for i, v in enumerate(values):
                self._vals[i] = v & 0xFFFFFFFFFFFFFFFF
            if _uclib.uc_reg_write_batch(self._uch, self._ids, self._ptrs, self._n) == 0:
                return
            self.fast = False
        for r, v in zip(self.names, values):
            self.uc.reg_write(REG_IDS[r], v & 0xFFFFFFFFFFFFFFFF)


def parse_reg(name: str) -> str:
    """``$RAX``/``rax``/``eflags`` → ``rax``/``rflags``; ValueError for anything else."""
    n = name.strip().lstrip("$").lower()
    n = {"eflags": "rflags", "pc": "rip", "sp": "rsp", "fp": "rbp"}.get(n, n)
    if n not in REG_IDS:
        raise ValueError(f"no register {name!r}")
    return n
