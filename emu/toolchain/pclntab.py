"""emu/toolchain/pclntab.py — Go's own line table (``.gopclntab``), go1.18 and later.

Every Go binary carries it, even one built with ``-ldflags=-w`` (no DWARF): the runtime
needs it for tracebacks. Layout as in ``src/runtime/symtab.go`` (``pcHeader``,
``pcvalue``, ``step``), ``src/runtime/runtime2.go`` (``_func``: go1.22.10 line 936,
go1.27.3 line 1074) and ``src/cmd/link/internal/ld/pcln.go``:

* header: magic (``0xfffffff0`` go1.18–go1.19, ``0xfffffff1`` go1.20+), two zero bytes,
  ``minLC`` (instruction size quantum, 1 on amd64), ``ptrSize``, then ``nfunc``,
  ``nfiles``, ``textStart`` and the offsets of the name, cu, file, pc and func tables,
  each one pointer-sized word (go1.27.3 leaves ``textStart`` 0, ``symtab.go:384``:
  entries are then offsets from ``runtime.text``);
* the func table: ``nfunc + 1`` pairs of uint32 ``(entryOff, funcOff)``, entry offsets
  from ``textStart``; ``funcOff`` points at a ``_func`` whose uint32 fields are
  ``entryOff, nameOff, args, deferreturn, pcsp, pcfile, pcln, npcdata, cuOffset`` …;
* a pc-value table is a sequence of (zig-zag varint value delta, uvarint pc delta ×
  ``minLC``) pairs starting from value −1 at the entry, ended by a zero value delta
  (after the first pair); ``pcfile`` values index ``cutab[cuOffset + i]``, a uint32
  offset of a NUL-terminated name in the file table.

Only what gosyscall needs: the (file, line) of every pc of a function. Every malformed
table raises ``PclntabError``; nothing here reads outside the given bytes.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

MAGICS = {0xFFFFFFF0: "go1.18", 0xFFFFFFF1: "go1.20"}
_FUNC_FIELDS = 9          # entryOff nameOff args deferreturn pcsp pcfile pcln npcdata cuOffset
MAX_ROWS = 1 << 20        # bound on one function's pc-value rows


class PclntabError(ValueError):
    """The table is not a go1.18+ pclntab or is damaged (the message says where)."""


@dataclass(frozen=True)
class FuncInfo:
    name: str
    entry: int           # absolute address
    end: int             # next function's entry
    pcfile: int
    pcln: int
    cu_offset: int


class Pclntab:
    """A parsed ``.gopclntab``: function entries and, on demand, their line rows."""

    def __init__(self, data: bytes, text_start: int = 0):
        """``text_start``: address of ``runtime.text``, used when the header leaves it 0
        (go1.26+ stores no text start there: go1.27.3 ``runtime/symtab.go`` pcHeader)."""
        self.data = data
        if len(data) < 8:
            raise PclntabError("pclntab shorter than its header")
        magic = struct.unpack_from("<I", data, 0)[0]
        if magic not in MAGICS:
            raise PclntabError(f"pclntab magic {magic:#x} is not go1.18+ (0xfffffff0/0xfffffff1)")
        self.min_lc, self.ptr_size = data[6], data[7]
        if self.ptr_size != 8 or self.min_lc != 1:
            raise PclntabError(f"pclntab for ptrSize {self.ptr_size}, minLC {self.min_lc}: not amd64")
        words = self._u64s(8, 8)
        (self.nfunc, self.nfiles, self.text_start, self._funcname, self._cutab,
         self._filetab, self._pctab, self._functab) = words
        self.text_start = self.text_start or text_start
        if self.nfunc > len(data) // 8:
            raise PclntabError(f"pclntab claims {self.nfunc} functions, more than fit in it")
        self._pairs = self._u32s(self._functab, 2 * (self.nfunc + 1))

    # -- bounds-checked reads -------------------------------------------------------
    def _u64s(self, off: int, n: int) -> tuple[int, ...]:
        if off < 0 or off + 8 * n > len(self.data):
            raise PclntabError(f"pclntab read at {off:#x} past its end")
        return struct.unpack_from(f"<{n}Q", self.data, off)

    def _u32s(self, off: int, n: int) -> tuple[int, ...]:
        if off < 0 or off + 4 * n > len(self.data):
            raise PclntabError(f"pclntab read at {off:#x} past its end")
        return struct.unpack_from(f"<{n}I", self.data, off)

    def _cstring(self, off: int) -> str:
        if not 0 <= off < len(self.data):
            raise PclntabError(f"pclntab string at {off:#x} past its end")
        end = self.data.find(b"\0", off)
        if end < 0:
            raise PclntabError(f"pclntab string at {off:#x} not terminated")
        return self.data[off:end].decode("utf-8", "replace")

    # -- functions -------------------------------------------------------------------
    def func_index(self, addr: int) -> int | None:
        """Index of the function whose [entry, next entry) holds ``addr`` (binary search)."""
        off = addr - self.text_start
        lo, hi = 0, self.nfunc
        if self.nfunc == 0 or off < self._pairs[0] or off >= self._pairs[2 * self.nfunc]:
            return None
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if self._pairs[2 * mid] <= off:
                lo = mid
            else:
                hi = mid
        return lo

    def func(self, i: int) -> FuncInfo:
        if not 0 <= i < self.nfunc:
            raise PclntabError(f"no function {i} in the pclntab")
        entry, foff = self._pairs[2 * i], self._pairs[2 * i + 1]
        f = self._u32s(self._functab + foff, _FUNC_FIELDS)
        if f[0] != entry:
            raise PclntabError(f"pclntab function {i}: _func.entryOff {f[0]:#x} != functab {entry:#x}")
        name = self._cstring(self._funcname + struct.unpack("<i", struct.pack("<I", f[1]))[0])
        return FuncInfo(name, self.text_start + entry, self.text_start + self._pairs[2 * i + 2],
                        f[5], f[6], f[8])

    def funcs(self):
        """Every function, in address order."""
        for i in range(self.nfunc):
            yield self.func(i)

    # -- pc-value tables ---------------------------------------------------------------
    def pcvalue(self, off: int, entry: int, end: int) -> list[tuple[int, int]]:
        """Rows (pc, value) of the table at ``pctab + off`` for a function [entry, end)."""
        if off == 0:
            return []
        p, pc, val, rows, first = self._pctab + off, entry, -1, [], True
        d = self.data
        while pc < end:
            delta, p = _uvarint(d, p)
            if delta == 0 and not first:
                break
            first = False
            val += -(delta >> 1) - 1 if delta & 1 else delta >> 1   # zig-zag
            step, p = _uvarint(d, p)
            rows.append((pc, val))
            pc += step * self.min_lc
            if len(rows) > MAX_ROWS:
                raise PclntabError("pc-value table does not end")
        return rows

    def lines(self, i: int) -> list[tuple[int, str, int]]:
        """(pc, file, line) at each pc where a function's file or line changes."""
        f = self.func(i)
        files = self.pcvalue(f.pcfile, f.entry, f.end)
        lines = self.pcvalue(f.pcln, f.entry, f.end)
        out, fi = [], 0
        for pc, line in lines:
            while fi + 1 < len(files) and files[fi + 1][0] <= pc:
                fi += 1
            out.append((pc, self.file_name(f.cu_offset, files[fi][1]) if files else "?", line))
        return out

    def file_name(self, cu_offset: int, index: int) -> str:
        (off,) = self._u32s(self._cutab + 4 * (cu_offset + index), 1)
        if off == 0xFFFFFFFF:
            return "?"
        return self._cstring(self._filetab + off)


def _uvarint(d: bytes, p: int) -> tuple[int, int]:
    v = shift = 0
    while True:
        if p >= len(d):
            raise PclntabError("pc-value table runs past the pclntab")
        b = d[p]
        p += 1
        v |= (b & 0x7F) << shift
        if b < 0x80:
            return v, p
        shift += 7
        if shift > 63:
            raise PclntabError("varint longer than 64 bits in the pclntab")
