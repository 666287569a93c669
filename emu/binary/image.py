"""emu/binary/image.py — a Go binary as the tracer and the REPL read it: an ``asm.image.Image``.

The drivers (``main.call<Stub>``, assembled into a region of their own) are the image's
own code, as in a built-in session; everything else is the binary's. Its functions are
disassembled with Capstone a whole function at a time — the syscall path at once, any
other function the first time something asks about one of its addresses (a step into
``runtime.morestack``, ``x/i`` anywhere) — and kept, so each address is decoded once.
Each instruction carries:

* its Intel text (Capstone) and its Go text (``plan9.py``, as ``go tool objdump`` prints it);
* ``loc``: the binary's own ``file:line`` from its line table — Go's ``.gopclntab``, which
  every Go binary since go1.18 has (DWARF where it does not) — written with the file's
  base name as ``go tool objdump`` does (``syscall_linux.go:82``);
* the function it belongs to and its offset there (``syscall.Syscall+0x14``).

``line_address`` finds ``FILE:LINE`` for ``b FILE:LINE``: the lowest address the line
table gives that line, FILE being the file's name or any tail of its path; a bare file
name matches the functions already decoded first (``syscall_linux.go:87`` is in
``syscall`` and in ``internal/runtime/syscall/linux`` in go1.27: the path's one wins).
"""
from __future__ import annotations

import bisect
import os

from asm.image import Image, Insn
from emu.binary.plan9 import Plan9
from emu.toolchain.errors import BinaryError

MAX_FUNCTION = 1 << 20        # bytes of one function gosyscall disassembles


class BinaryImage(Image):
    """The drivers' image plus the binary's functions, decoded as they are needed."""

    show_lines = True          # traces of it show each instruction's file:line

    def __init__(self, loaded, drivers: Image, roots=()):
        super().__init__(base=drivers.base, code=drivers.code, symbols=dict(drivers.symbols),
                         insns=dict(drivers.insns), stubs=dict(drivers.stubs),
                         callsites=list(drivers.callsites), labels=dict(drivers.labels))
        self.loaded = loaded
        self.gb = loaded.binary
        self._sized = sorted((s.addr, s.size, s.name) for s in self.gb.symbols.values() if s.size)
        self._starts: dict[int, str] = {}
        for addr, _size, name in self._sized:
            self._starts.setdefault(addr, name)
        for addr, _size, name in self._sized:
            self.symbols.setdefault(name, addr)
        self._text = [(lo, lo + size) for lo, size, _d, flags in self.gb.segments() if "x" in flags]
        self._done: set[int] = set()
        self._cs = None
        self._plan9 = None
        for name in roots:
            self.function(name)

    # -- addresses ---------------------------------------------------------------------------
    def _containing(self, addr: int):
        i = bisect.bisect_right(self._sized, (addr, 1 << 64)) - 1
        while i >= 0:
            a, size, name = self._sized[i]
            if a <= addr < a + size:
                return a, size, name
            if a + MAX_FUNCTION < addr:
                break
            i -= 1
        return None

    def name_at(self, addr: int) -> tuple[str, int] | None:
        """(symbol, offset) of the binary symbol holding ``addr``."""
        got = self._containing(addr)
        return (got[2], addr - got[0]) if got else None

    def in_text(self, addr: int) -> bool:
        return any(lo <= addr < hi for lo, hi in self._text)

    def symbolize(self, addr: int) -> str | None:
        if self.base <= addr < self.end():
            return super().symbolize(addr)
        got = self.name_at(addr)
        if got is None:
            return None
        name, off = got
        return f"{name}+{off:#x}" if off else name

    def at(self, addr: int) -> Insn | None:
        insn = self.insns.get(addr)
        if insn is None and self.in_text(addr):
            got = self._containing(addr)
            if got is not None and got[0] not in self._done:
                self._decode(*got)
                insn = self.insns.get(addr)
        return insn

    # -- functions -----------------------------------------------------------------------------
    def function(self, name: str) -> list[Insn]:
        """The instructions of the binary's function ``name``, decoded now if not yet."""
        sym = self.gb.symbols.get(name)
        if sym is None or not sym.size:
            raise BinaryError(f"{self.gb.name}: no function {name}")
        if sym.addr not in self._done:
            self._decode(sym.addr, sym.size, name)
        return sorted((i for i in self.insns.values() if i.stub == name), key=lambda i: i.addr)

    def _decode(self, start: int, size: int, name: str) -> None:
        self._done.add(start)
        if size > MAX_FUNCTION:
            return
        code = self.gb.read_or_none(start, size)
        if code is None:
            return
        cs, p9 = self._capstone()
        lines = self._lines(start, size)
        for i in cs.disasm(code, start):
            loc = _line_before(lines, i.address)
            self.insns[i.address] = Insn(addr=i.address, data=bytes(i.bytes), intel=self._intel(i),
                                         go=p9.text(i), loc=loc, stub=name, offset=i.address - start)

    def _intel(self, i) -> str:
        """Capstone's text; a direct CALL or JMP to a function's start names it, as the
        built-in stubs' Intel lines do (``call runtime.entersyscall``)."""
        text = f"{i.mnemonic} {i.op_str}".strip()
        if i.mnemonic in ("call", "jmp") and i.op_str.startswith("0x"):
            name = self._starts.get(int(i.op_str, 16))
            if name is not None:
                return f"{i.mnemonic} {name}"
        return text

    def _capstone(self):
        if self._cs is None:
            import capstone
            cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
            cs.detail = True
            self._cs = cs
            self._plan9 = Plan9(cs, self.name_at, self._starts.get)
        return self._cs, self._plan9

    def _lines(self, start: int, size: int) -> list[tuple[int, str]]:
        """(pc, ``file:line``) wherever the line changes in [start, start+size)."""
        try:
            tab = self.gb.pclntab()
            i = tab.func_index(start)
            rows = tab.lines(i) if i is not None else []
            return [(pc, f"{os.path.basename(f)}:{ln}") for pc, f, ln in rows]
        except Exception:             # no go1.18+ pclntab (older release) or a damaged one
            pass
        out = []
        if self.gb.has_dwarf:
            try:
                for addr in range(start, start + size):
                    got = self.gb.line_at(addr, "dwarf")
                    if got and (not out or out[-1][1] != f"{os.path.basename(got[0])}:{got[1]}"):
                        out.append((addr, f"{os.path.basename(got[0])}:{got[1]}"))
            except BinaryError:
                return out
        return out

    # -- FILE:LINE ------------------------------------------------------------------------------
    def line_address(self, loc: str) -> int | None:
        """The lowest address of source line ``loc`` (``FILE:LINE``; FILE a base name or a
        tail of the path the line table holds), or None."""
        file, sep, line = loc.rpartition(":")
        if not sep or not line.isdigit() or not file:
            return None
        want = int(line)
        if "/" not in file:             # a base name: the path's own lines first (it is what is shown)
            hits = [a for a, i in self.insns.items() if i.loc == f"{file}:{want}"]
            if hits:
                return min(hits)
        best = None
        try:
            tab = self.gb.pclntab()
            for i in range(tab.nfunc):
                for pc, f, ln in tab.lines(i):
                    if ln == want and (f == file or f.endswith("/" + file)) and (best is None or pc < best):
                        best = pc
        except Exception:              # no usable pclntab: the lines decoded so far
            hits = [a for a, i in self.insns.items() if i.loc == f"{os.path.basename(file)}:{want}"]
            best = min(hits) if hits else None
        if best is not None:
            self.at(best)
        return best


def _line_before(rows: list[tuple[int, str]], addr: int) -> str:
    i = bisect.bisect_right(rows, (addr, "\uffff")) - 1
    return rows[i][1] if i >= 0 else ""
