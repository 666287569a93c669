"""emu/toolchain/gobinary.py — a Go linux/amd64 ELF executable, read with pyelftools.

What gosyscall needs of a Go binary, and nothing more:

* what it is: ELF class and machine, static or dynamic, PIE, cgo, stripped, whether
  it has DWARF; its Go release from the build info (the ``\\xff Go buildinf:`` blob in
  ``.go.buildinfo``: go1.18+ writes the version and module info inline as
  length-prefixed strings, older releases two pointers to Go strings) or, failing
  that, the string ``runtime.buildVersion``; the build settings (``-trimpath``,
  ``CGO_ENABLED``, ``GOAMD64``) from the module info;
* its symbols (``.symtab``: name → address, size) and the bytes at any mapped address;
* its line table: file:line of an address, from DWARF ``.debug_line`` when present,
  else from Go's own ``.gopclntab`` (go1.18+; see pclntab.py) — both are kept so they
  can be compared;
* DWARF struct layouts (``runtime.g`` …: member → (offset, size), nested members flattened).

``GoBinary(path)`` accepts any readable x86-64 ELF64 file and refuses everything else
with a ``BinaryError`` of one line; ``usable()`` then says whether gosyscall can run it
(static, not PIE, no cgo, symbols present, a Go release with a profile). No exception of
pyelftools ever leaves this module: each access to it is guarded.
"""
from __future__ import annotations

import bisect
import io
import os
import re
import struct
from contextlib import contextmanager
from dataclasses import dataclass

from emu.toolchain.errors import BinaryError

MAX_FILE = 1 << 30              # a Go executable is tens of MB; refuse to read more than 1 GiB
MAX_INFLATED = 256 << 20        # bound on one compressed DWARF section's declared size
BUILDINFO_MAGIC = b"\xff Go buildinf:"
EM_X86_64 = 62
ET_EXEC, ET_DYN = 2, 3
SHF_COMPRESSED = 0x800
_MACHINES = {3: "x86 (i386)", 40: "ARM", 183: "AArch64", 8: "MIPS", 20: "PowerPC", 21: "PowerPC64",
             22: "S390", 243: "RISC-V", 258: "LoongArch"}
_CGO_SYMBOLS = ("x_cgo_init", "crosscall2")     # C code of runtime/cgo (``_cgo_init`` is in every binary)


@dataclass(frozen=True)
class Symbol:
    name: str
    addr: int
    size: int


def parse_release(version: str) -> tuple[int, ...] | None:
    """``go1.22.10`` → (1, 22, 10); ``go1.23rc1`` → (1, 23); ``devel go1.24-abc`` → (1, 24)."""
    m = re.search(r"go(\d+)\.(\d+)(?:\.(\d+))?", version)
    if not m:
        return None
    return tuple(int(x) for x in m.groups() if x is not None)


class GoBinary:
    """A Go ELF executable for linux/amd64 (see the module docstring)."""

    def __init__(self, path: str):
        self.path = path
        self.name = os.path.basename(path)
        self.data = self._read(path)
        self._check_header()
        from elftools.elf.elffile import ELFFile      # imported here: only --binary pays for it
        with self._guard("its ELF headers"):
            self.elf = ELFFile(io.BytesIO(self.data))
            self._sections = {s.name: s for s in self.elf.iter_sections()}
            self._segments = [s for s in self.elf.iter_segments()]
        self._check_extents()
        self._symbols = None
        self._sorted = None
        self._dwarf = None
        self._lines = None
        self._types = None
        self._pclntab = None
        self.version, self.modinfo = self._build_info()
        self.release = parse_release(self.version) if self.version else None
        self.settings = _build_settings(self.modinfo)

    # -- guarded access ------------------------------------------------------------------
    @contextmanager
    def _guard(self, what: str):
        """Turn anything pyelftools raises while reading ``what`` into one BinaryError line."""
        try:
            yield
        except BinaryError:
            raise
        except RecursionError:
            raise BinaryError(f"{self.name}: cannot read {what}: nested too deeply (damaged?)") from None
        except Exception as e:            # pyelftools raises many kinds on damaged input
            msg = str(e).splitlines()[0][:120] if str(e) else type(e).__name__
            raise BinaryError(f"{self.name}: cannot read {what}: damaged or truncated ({msg})") from None

    def _read(self, path: str) -> bytes:
        try:
            if not os.path.isfile(path):
                raise BinaryError(f"{path}: no such file" if not os.path.exists(path) else f"{path}: not a regular file")
            if os.path.getsize(path) > MAX_FILE:
                raise BinaryError(f"{path}: larger than {MAX_FILE >> 20} MB; not a program gosyscall reads")
            with open(path, "rb") as f:
                return f.read(MAX_FILE + 1)
        except OSError as e:
            raise BinaryError(f"{path}: {e.strerror}") from None

    def _check_header(self) -> None:
        d = self.data
        if d[:4] != b"\x7fELF":
            raise BinaryError(f"{self.name}: not an ELF file")
        if len(d) < 64:
            raise BinaryError(f"{self.name}: truncated ELF (its header is cut short at {len(d)} bytes)")
        if d[4] == 1:
            raise BinaryError(f"{self.name}: a 32-bit ELF; gosyscall runs 64-bit linux/amd64 programs")
        if d[4] != 2:
            raise BinaryError(f"{self.name}: ELF class {d[4]} is neither 32- nor 64-bit")
        if d[5] != 1:
            raise BinaryError(f"{self.name}: a big-endian ELF; gosyscall runs linux/amd64 programs")
        machine = struct.unpack_from("<H", d, 18)[0]
        if machine != EM_X86_64:
            arch = _MACHINES.get(machine, f"machine {machine}")
            raise BinaryError(f"{self.name}: an ELF for {arch}, not x86-64 (linux/amd64)")
        # The header tables pyelftools reads first must lie in the file (Elf64_Ehdr fields).
        phoff, shoff = struct.unpack_from("<QQ", d, 32)
        phentsize, phnum, shentsize, shnum, shstrndx = struct.unpack_from("<HHHHH", d, 54)
        for what, off, n, size in (("program header table", phoff, phnum, phentsize),
                                   ("section header table", shoff, shnum, shentsize)):
            if n and off + n * size > len(d):
                raise BinaryError(f"{self.name}: truncated: its {what} ends at byte {off + n * size}, "
                                  f"the file has {len(d)}")
        if shnum and shstrndx < shnum and shentsize >= 64:
            off, size = struct.unpack_from("<QQ", d, shoff + shstrndx * shentsize + 24)
            if off + size > len(d):
                raise BinaryError(f"{self.name}: truncated: its section names end at byte {off + size}, "
                                  f"the file has {len(d)}")

    def _check_extents(self) -> None:
        """Every section and segment must lie inside the file (a truncated copy fails here)."""
        size = len(self.data)
        with self._guard("its section headers"):
            for s in self._sections.values():
                if s["sh_type"] != "SHT_NOBITS" and s["sh_offset"] + s["sh_size"] > size:
                    raise BinaryError(f"{self.name}: truncated: section {s.name or '?'} ends at byte "
                                      f"{s['sh_offset'] + s['sh_size']}, the file has {size}")
                if s["sh_flags"] & SHF_COMPRESSED and s["sh_size"] >= 24:
                    inflated = struct.unpack_from("<Q", self.data, s["sh_offset"] + 8)[0]
                    if inflated > MAX_INFLATED:
                        raise BinaryError(f"{self.name}: section {s.name} claims {inflated} bytes "
                                          "uncompressed; damaged")
            for p in self._segments:
                if p["p_offset"] + p["p_filesz"] > size:
                    raise BinaryError(f"{self.name}: truncated: a {p['p_type']} segment ends at byte "
                                      f"{p['p_offset'] + p['p_filesz']}, the file has {size}")

    # -- what it is ---------------------------------------------------------------------
    arch = "x86-64"
    elfclass = 64

    @property
    def pie(self) -> bool:
        return self.elf["e_type"] == "ET_DYN"

    @property
    def dynamic(self) -> bool:
        return any(p["p_type"] in ("PT_INTERP", "PT_DYNAMIC") for p in self._segments)

    @property
    def static(self) -> bool:
        return not self.dynamic

    @property
    def stripped(self) -> bool:
        return ".symtab" not in self._sections

    @property
    def has_dwarf(self) -> bool:
        return ".debug_info" in self._sections or ".zdebug_info" in self._sections

    @property
    def cgo(self) -> bool:
        if self.settings.get("CGO_ENABLED") == "1":
            return True
        if self.stripped:
            return False
        iscgo = self.symbols.get("runtime.iscgo")         # set by runtime/cgo's init
        return any(n in self.symbols for n in _CGO_SYMBOLS) or \
            bool(iscgo and self.read_or_none(iscgo.addr, 1) == b"\x01")

    def problems(self, supported: tuple[str, ...] | None = None) -> list[str]:
        """Why gosyscall cannot run this binary (empty: it can), one short phrase each.

        ``supported``: profile names (``go1.22``, ``go1.27``) the release must match.
        """
        out = []
        if not self.version:
            out.append("not a Go program (no Go build info, no runtime.buildVersion)")
        if self.stripped:
            out.append("stripped of its symbol table (built with -ldflags=-s)")
        if self.pie:
            out.append("a PIE (built with -buildmode=pie); rebuild as a plain static executable")
        elif self.dynamic:
            out.append("dynamically linked; gosyscall runs static binaries (CGO_ENABLED=0)")
        if self.cgo:
            out.append("built with cgo; rebuild with CGO_ENABLED=0")
        if supported is not None and self.release and self.profile_name() not in supported:
            out.append(f"built by {self.version}, a release with no profile (profiles: {', '.join(supported)})")
        return out

    def check_usable(self, supported: tuple[str, ...] | None = None) -> "GoBinary":
        """``self`` if gosyscall can run it, else a BinaryError naming the first problem."""
        p = self.problems(supported)
        if p:
            raise BinaryError(f"{self.name}: {p[0]}")
        return self

    def profile_name(self) -> str | None:
        """``go1.22`` for a go1.22.10 binary."""
        return f"go{self.release[0]}.{self.release[1]}" if self.release and len(self.release) >= 2 else None

    # -- Go build info ------------------------------------------------------------------
    def _build_info(self) -> tuple[str | None, str]:
        sec = self._sections.get(".go.buildinfo")
        blob_at = None
        if sec is not None and sec["sh_type"] != "SHT_NOBITS":
            if self.data[sec["sh_offset"]:sec["sh_offset"] + 14] == BUILDINFO_MAGIC:
                blob_at = sec["sh_offset"]
        if blob_at is None:
            i = self.data.find(BUILDINFO_MAGIC)
            blob_at = i if i >= 0 and i % 16 == 0 else None
        if blob_at is not None:
            got = self._parse_buildinfo(blob_at)
            if got:
                return got
        return self._build_version_symbol(), ""

    def _parse_buildinfo(self, at: int) -> tuple[str, str] | None:
        d = self.data
        if at + 32 > len(d):
            return None
        ptr_size, flags = d[at + 14], d[at + 15]
        if flags & 2:                                   # go1.18+: inline varint-prefixed strings
            version, p = _varint_bytes(d, at + 32)
            if version is None:
                return None
            mod, _ = _varint_bytes(d, p)
            return version.decode("utf-8", "replace"), _unwrap_modinfo(mod or b"")
        if ptr_size != 8:
            return None
        vptr, mptr = struct.unpack_from("<QQ", d, at + 16)   # older: pointers to Go string headers
        version = self._go_string_at(vptr)
        mod = self._go_string_at(mptr, raw=True) or b""
        return (version, _unwrap_modinfo(mod)) if version else None

    def _go_string_at(self, addr: int, raw: bool = False):
        hdr = self.read_or_none(addr, 16)
        if hdr is None:
            return None
        ptr, n = struct.unpack("<QQ", hdr)
        if n > 1 << 16:
            return None
        got = self.read_or_none(ptr, n)
        return got if raw or got is None else got.decode("utf-8", "replace")

    def _build_version_symbol(self) -> str | None:
        if self.stripped:
            return None
        sym = self.symbols.get("runtime.buildVersion")
        s = self._go_string_at(sym.addr) if sym else None
        return s if s and parse_release(s) else None

    # -- symbols and bytes --------------------------------------------------------------
    @property
    def symbols(self) -> dict[str, Symbol]:
        """name → Symbol for every named symbol in ``.symtab`` (empty if stripped)."""
        if self._symbols is None:
            out = {}
            tab = self._sections.get(".symtab")
            if tab is not None:
                with self._guard("its symbol table"):
                    for s in tab.iter_symbols():
                        if s.name and s["st_shndx"] != "SHN_UNDEF":
                            out.setdefault(s.name, Symbol(s.name, s["st_value"], s["st_size"]))
            self._symbols = out
        return self._symbols

    def symbol(self, name: str) -> Symbol:
        sym = self.symbols.get(name)
        if sym is None:
            why = " (the binary is stripped)" if self.stripped else ""
            raise BinaryError(f"{self.name}: no symbol {name}{why}")
        return sym

    def symbolize(self, addr: int) -> str | None:
        """``syscall.Syscall+0x1c`` for an address inside a sized symbol."""
        if self._sorted is None:
            self._sorted = sorted((s.addr, s.size, s.name) for s in self.symbols.values() if s.size)
        i = bisect.bisect_right(self._sorted, (addr, 1 << 64)) - 1
        if i >= 0:
            a, size, name = self._sorted[i]
            if a <= addr < a + size:
                return f"{name}+{addr - a:#x}" if addr != a else name
        return None

    def read_or_none(self, addr: int, size: int) -> bytes | None:
        """The file bytes mapped at [addr, addr+size) by one PT_LOAD segment, or None."""
        for p in self._segments:
            if p["p_type"] == "PT_LOAD" and p["p_vaddr"] <= addr and addr + size <= p["p_vaddr"] + p["p_filesz"]:
                off = p["p_offset"] + addr - p["p_vaddr"]
                return self.data[off:off + size]
        return None

    def read(self, addr: int, size: int) -> bytes:
        got = self.read_or_none(addr, size)
        if got is None:
            raise BinaryError(f"{self.name}: {size} bytes at {addr:#x} are not in the file")
        return got

    def code(self, name: str) -> bytes:
        """The bytes of function ``name`` (its symbol's size)."""
        sym = self.symbol(name)
        return self.read(sym.addr, sym.size)

    def segments(self) -> list[tuple[int, int, bytes, str]]:
        """Every PT_LOAD segment: (vaddr, memsz, file bytes, flags ``rwx``) — what a loader maps."""
        out = []
        for p in self._segments:
            if p["p_type"] == "PT_LOAD":
                f = p["p_flags"]
                flags = ("r" if f & 4 else "-") + ("w" if f & 2 else "-") + ("x" if f & 1 else "-")
                out.append((p["p_vaddr"], p["p_memsz"],
                            self.data[p["p_offset"]:p["p_offset"] + p["p_filesz"]], flags))
        return out

    @property
    def entry(self) -> int:
        return self.elf["e_entry"]

    # -- line tables ----------------------------------------------------------------------
    def line_at(self, addr: int, source: str = "auto") -> tuple[str, int] | None:
        """(file, line) of the instruction at ``addr``: ``source`` is ``dwarf``, ``pclntab`` or
        ``auto`` (DWARF if the binary has it, else the pclntab)."""
        if source == "auto":
            source = "dwarf" if self.has_dwarf else "pclntab"
        if source == "dwarf":
            with self._guard("its DWARF line table"):
                return self._line_table().at(addr)
        if source == "pclntab":
            return self._pcln_at(addr)
        raise ValueError(f"unknown line source {source!r}")

    def _line_table(self):
        if self._lines is None:
            from emu.toolchain.dwarf import LineTable
            self._lines = LineTable(self._dwarf_info())
        return self._lines

    def _dwarf_info(self):
        if not self.has_dwarf:
            raise BinaryError(f"{self.name}: has no DWARF (built with -ldflags=-w)")
        if self._dwarf is None:
            with self._guard("its DWARF"):
                self._dwarf = self.elf.get_dwarf_info()
        return self._dwarf

    def pclntab(self):
        """Go's own line table (go1.18+ format)."""
        if self._pclntab is None:
            from emu.toolchain.pclntab import Pclntab, PclntabError
            sec = self._sections.get(".gopclntab")
            if sec is None:
                raise BinaryError(f"{self.name}: no .gopclntab section")
            try:
                text = self.symbols.get("runtime.text")
                start = text.addr if text else self._sections[".text"]["sh_addr"] if ".text" in self._sections else 0
                self._pclntab = Pclntab(self.data[sec["sh_offset"]:sec["sh_offset"] + sec["sh_size"]], start)
            except PclntabError as e:
                raise BinaryError(f"{self.name}: {e}") from None
        return self._pclntab

    def _pcln_at(self, addr: int) -> tuple[str, int] | None:
        from emu.toolchain.pclntab import PclntabError
        tab = self.pclntab()
        try:
            i = tab.func_index(addr)
            if i is None:
                return None
            rows = tab.lines(i)
        except PclntabError as e:
            raise BinaryError(f"{self.name}: {e}") from None
        best = None
        for pc, file, line in rows:
            if pc > addr:
                break
            best = (file, line)
        return best

    # -- DWARF types ------------------------------------------------------------------------
    def struct_layout(self, name: str) -> dict[str, tuple[int, int]]:
        """``member → (offset, size)`` of struct ``name`` (``runtime.g``), from DWARF.

        Members of struct type are flattened (``sched.sp``); ``""`` is the whole struct.
        """
        if self._types is None:
            from emu.toolchain.dwarf import Types
            self._types = Types(self._dwarf_info())
        with self._guard(f"the DWARF type {name}"):
            try:
                return self._types.layout(name)
            except KeyError:
                raise BinaryError(f"{self.name}: its DWARF has no struct {name}") from None


def _varint_bytes(d: bytes, p: int) -> tuple[bytes | None, int]:
    """A uvarint length and that many bytes at ``p`` (None if they do not fit)."""
    n = shift = 0
    while p < len(d) and shift < 64:
        b = d[p]
        p += 1
        n |= (b & 0x7F) << shift
        shift += 7
        if b < 0x80:
            if n > 1 << 20 or p + n > len(d):
                return None, p
            return d[p:p + n], p + n
    return None, p


def _build_settings(modinfo: str) -> dict[str, str]:
    """``{"CGO_ENABLED": "0", "-trimpath": "true", …}`` from the ``build\tKEY=VALUE`` lines."""
    out = {}
    for ln in modinfo.splitlines():
        kind, _, setting = ln.partition("\t")
        key, eq, value = setting.partition("=")
        if kind == "build" and eq:
            out[key] = value
    return out


def _unwrap_modinfo(mod: bytes) -> str:
    """Module info without the 16-byte sentinels the linker puts around it (go1.18+ buildinfo)."""
    if len(mod) >= 33 and mod[-17:-16] == b"\n":
        mod = mod[16:-16]
    return mod.decode("utf-8", "replace")


def open_go_binary(path: str, supported: tuple[str, ...] | None = None) -> GoBinary:
    """A Go binary gosyscall can run, or a BinaryError saying in one line why not."""
    return GoBinary(path).check_usable(supported)
