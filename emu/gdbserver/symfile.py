"""emu/gdbserver/symfile.py — an ELF file of the emulated image, for gdb to load.

gdb names code from an executable's symbol table and lines from its DWARF; the emulated
process has neither (its image is assembled in memory). So the server writes one: an
ELF64 x86-64 executable (System V gABI, "ELF-64 Object File Format" 1.5) whose loadable
segments hold the text pages as they are in guest memory, with

* ``.symtab``: every function of the image and each runtime trampoline (``STT_FUNC``,
  global, with its size), under Go's names (``syscall.Syscall``, ``runtime.entersyscall``);
* ``.debug_info``/``.debug_line``/``.debug_abbrev`` (emu/gdbserver/dwarf.py): each
  instruction's Go source line (``asm_linux_amd64.s:26``);
* beside it, each source file as a *listing*: the Go line each instruction stands for at
  its own line number, so gdb's ``list`` and its stop lines show the Go text.

The server hands gdb the file's path through ``qXfer:exec-file:read``; gdb opens it
locally (this stub does not serve ``vFile``), so gdb and the server share a filesystem —
otherwise pass the path to gdb's ``file`` command.
"""
from __future__ import annotations

import os
import struct
from dataclasses import dataclass

from emu.atomic import write_atomic
from emu.gdbserver.dwarf import Function, sections

PRODUCER = "gosyscall gdbserver"
PAGE = 0x1000
SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB = 1, 2, 3
SHF_ALLOC, SHF_EXECINSTR = 0x2, 0x4
STB_GLOBAL, STT_FUNC = 1, 2
PT_LOAD, PF_X, PF_R = 1, 1, 4
ET_EXEC, EM_X86_64 = 2, 62


@dataclass(frozen=True)
class Code:
    """A text region: its section name, address and bytes."""

    name: str
    addr: int
    data: bytes


class _Strings:
    def __init__(self):
        self.data = bytearray(b"\0")
        self._at: dict[str, int] = {"": 0}

    def add(self, s: str) -> int:
        if s not in self._at:
            self._at[s] = len(self.data)
            self.data += s.encode("utf-8") + b"\0"
        return self._at[s]


def build_elf(code: list[Code], functions: list[Function], entry: int, comp_dir: str) -> bytes:
    """The ELF file's bytes: one PT_LOAD and one section per code region, the symbols, DWARF."""
    shstr, symstr = _Strings(), _Strings()
    body = bytearray()
    shdrs: list[tuple] = [(0, 0, 0, 0, 0, 0, 0, 0, 0, 0)]
    phdrs: list[tuple] = []
    ehdr_size, phdr_size, shdr_size = 64, 56, 64
    start = ehdr_size + phdr_size * len(code)

    def place(data: bytes, align: int, addr: int = 0) -> int:
        """Append data at a file offset ≡ addr (mod align); its offset."""
        off = start + len(body)
        pad = (addr - off) % align
        body.extend(b"\0" * pad)
        body.extend(data)
        return off + pad

    sec_of: list[tuple[int, int, int]] = []               # (section index, addr, end) per region
    for c in code:
        off = place(c.data, PAGE, c.addr)
        phdrs.append((PT_LOAD, PF_R | PF_X, off, c.addr, c.addr, len(c.data), len(c.data), PAGE))
        sec_of.append((len(shdrs), c.addr, c.addr + len(c.data)))
        shdrs.append((shstr.add(c.name), SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, c.addr, off,
                      len(c.data), 0, 0, 16, 0))
    for name, data in sections(functions, comp_dir, PRODUCER).items():
        shdrs.append((shstr.add(name), SHT_PROGBITS, 0, 0, place(data, 1), len(data), 0, 0, 1, 0))
    syms = bytearray(b"\0" * 24)
    for fn in sorted(functions, key=lambda f: (f.addr, f.name)):
        shndx = next((i for i, lo, hi in sec_of if lo <= fn.addr < hi), 0xFFF1)   # else SHN_ABS
        syms += struct.pack("<IBBHQQ", symstr.add(fn.name), STB_GLOBAL << 4 | STT_FUNC, 0, shndx,
                            fn.addr, fn.size)
    strtab_index = len(shdrs) + 1
    shdrs.append((shstr.add(".symtab"), SHT_SYMTAB, 0, 0, place(bytes(syms), 8), len(syms),
                  strtab_index, 1, 8, 24))                 # sh_info: the first global symbol
    shdrs.append((shstr.add(".strtab"), SHT_STRTAB, 0, 0, place(bytes(symstr.data), 1),
                  len(symstr.data), 0, 0, 1, 0))
    shstrndx = len(shdrs)
    name = shstr.add(".shstrtab")
    shdrs.append((name, SHT_STRTAB, 0, 0, place(bytes(shstr.data), 1), len(shstr.data), 0, 0, 1, 0))
    shoff = place(b"", 8)
    ident = b"\x7fELF" + bytes((2, 1, 1, 0)) + b"\0" * 8    # 64-bit, little-endian, version 1, System V
    ehdr = ident + struct.pack("<HHIQQQIHHHHHH", ET_EXEC, EM_X86_64, 1, entry, ehdr_size, shoff, 0,
                               ehdr_size, phdr_size, len(phdrs), shdr_size, len(shdrs), shstrndx)
    out = bytearray(ehdr)
    for ph in phdrs:
        out += struct.pack("<IIQQQQQQ", *ph)
    out += body
    for sh in shdrs:
        out += struct.pack("<IIQQQQIIQQ", *sh)
    return bytes(out)


# -- the emulated image as code, functions and listings ------------------------------------------
def image_functions(image, trampolines: dict[str, int]) -> list[Function]:
    """Every function of ``image`` with its lines, and each trampoline (one RET, no lines)."""
    by_stub: dict[str, list] = {}
    for insn in image.insns.values():
        by_stub.setdefault(insn.stub, []).append(insn)
    out = []
    for name, insns in by_stub.items():
        insns.sort(key=lambda i: i.addr)
        start = image.symbols.get(name, insns[0].addr)
        file = insns[0].loc.rpartition(":")[0]
        lines = tuple((i.addr, int(i.loc.rpartition(":")[2])) for i in insns
                      if i.loc.rpartition(":")[0] == file and i.loc.rpartition(":")[2].isdigit())
        out.append(Function(name, start, insns[-1].addr + insns[-1].size - start, file or None, lines))
    for name, addr in trampolines.items():
        out.append(Function(name, addr, 1))
    return out


def listings(image, prefer=()) -> dict[str, str]:
    """Source file name → its listing: each instruction's Go text at its line number (the
    ``TEXT`` line just above a function's first line), every other line empty. Where two
    functions claim a line (the drivers all stand at ``driver:2``), those named in
    ``prefer`` — the call being debugged — are written last and win."""
    files: dict[str, dict[int, str]] = {}
    for stub in sorted(image.stubs.values(), key=lambda s: s.name in prefer):
        for ln in stub.lines:
            file, _, num = ln.loc.rpartition(":")
            if not num.isdigit():
                continue
            text = f"{ln.label}:" if ln.label else "\t" + ln.go
            files.setdefault(file, {})[int(num)] = text
        first = next((ln.loc.rpartition(":") for ln in stub.lines), None)
        if first is not None and first[2].isdigit() and int(first[2]) > 1:
            fn = stub.name.rpartition(".")[2]
            files[first[0]][int(first[2]) - 1] = f"TEXT\t·{fn}(SB),NOSPLIT,{stub.frame}"
    out = {}
    for file, lines in files.items():
        top = max(lines)
        lines.setdefault(1, f"// {file}: the lines of this file that the emulated image runs, "
                            "at their own line numbers")
        out[file] = "\n".join(lines.get(i, "") for i in range(1, top + 1)) + "\n"
    return out


def write_symbols(directory: str, image, code: list[Code], trampolines: dict[str, int], entry: int,
                  prefer=()) -> str:
    """Write ``image.elf`` and the listings into ``directory``; the ELF's path."""
    directory = os.path.abspath(directory)
    for file, text in listings(image, prefer).items():
        if os.sep in file or file in ("", ".", ".."):
            continue                          # a user's stub file name is a bare name; be sure
        write_atomic(os.path.join(directory, file), text.encode("utf-8"))
    path = os.path.join(directory, "image.elf")
    write_atomic(path, build_elf(code, image_functions(image, trampolines), entry, directory))
    return path
