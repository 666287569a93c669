"""emu/gdbserver/dwarf.py — the DWARF 4 a debugger needs for names and lines, written out.

Three sections (DWARF 4, 32-bit format, 8-byte addresses; the DWARF 4 standard's section
and figure numbers below):

* ``.debug_abbrev``: two abbreviations, a compile unit and a subprogram (§7.5.3);
* ``.debug_info``: one compile unit per function, holding that function as a subprogram
  with its name, entry and size (§7.5.1.1, ``DW_AT_high_pc`` as an offset, §2.17.2);
* ``.debug_line``: one line-number program per compile unit (§6.2): for each instruction
  ``DW_LNS_advance_pc`` / ``DW_LNS_advance_line`` / ``DW_LNS_copy``, then
  ``DW_LNE_end_sequence`` past the function's last byte.

One unit per function keeps every unit's address range contiguous (a file's functions need
not be), so no ``.debug_ranges`` is needed. pyelftools reads DWARF but does not write it,
hence this module.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

DW_TAG_compile_unit, DW_TAG_subprogram = 0x11, 0x2E
DW_AT_name, DW_AT_stmt_list, DW_AT_low_pc, DW_AT_high_pc = 0x03, 0x10, 0x11, 0x12
DW_AT_language, DW_AT_comp_dir, DW_AT_producer, DW_AT_external = 0x13, 0x1B, 0x25, 0x3F
DW_FORM_addr, DW_FORM_data2, DW_FORM_data8, DW_FORM_string = 0x01, 0x05, 0x07, 0x08
DW_FORM_sec_offset, DW_FORM_flag_present = 0x17, 0x19
DW_LANG_Go = 0x16                     # what Go's linker writes for every package, asm included
DW_LNS_copy, DW_LNS_advance_pc, DW_LNS_advance_line = 0x01, 0x02, 0x03
DW_LNE_end_sequence, DW_LNE_set_address = 0x01, 0x02
OPCODE_BASE = 13                      # standard opcodes 1..12 (DWARF 4)
STD_OPCODE_LENGTHS = bytes((0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1))
ABBREV_CU, ABBREV_SUB = 1, 2


def uleb128(v: int) -> bytes:
    if v < 0:
        raise ValueError("uleb128 of a negative number")
    out = bytearray()
    while True:
        byte, v = v & 0x7F, v >> 7
        out.append(byte | (0x80 if v else 0))
        if not v:
            return bytes(out)


def sleb128(v: int) -> bytes:
    out = bytearray()
    while True:
        byte, v = v & 0x7F, v >> 7
        done = (v == 0 and not byte & 0x40) or (v == -1 and byte & 0x40)
        out.append(byte | (0 if done else 0x80))
        if done:
            return bytes(out)


def cstr(text: str) -> bytes:
    return text.encode("utf-8") + b"\0"


@dataclass(frozen=True)
class Function:
    """A function for the debugger: its name, where it is, and the source line of each
    instruction (``lines``: (address, line) in address order, all in ``file``)."""

    name: str
    addr: int
    size: int
    file: str | None = None
    lines: tuple[tuple[int, int], ...] = ()


def abbrev() -> bytes:
    def decl(code: int, tag: int, children: bool, attrs) -> bytes:
        body = uleb128(code) + uleb128(tag) + bytes((1 if children else 0,))
        for at, form in attrs:
            body += uleb128(at) + uleb128(form)
        return body + b"\0\0"
    return (decl(ABBREV_CU, DW_TAG_compile_unit, True, [
        (DW_AT_producer, DW_FORM_string), (DW_AT_language, DW_FORM_data2),
        (DW_AT_name, DW_FORM_string), (DW_AT_comp_dir, DW_FORM_string),
        (DW_AT_stmt_list, DW_FORM_sec_offset), (DW_AT_low_pc, DW_FORM_addr),
        (DW_AT_high_pc, DW_FORM_data8)])
        + decl(ABBREV_SUB, DW_TAG_subprogram, False, [
            (DW_AT_name, DW_FORM_string), (DW_AT_external, DW_FORM_flag_present),
            (DW_AT_low_pc, DW_FORM_addr), (DW_AT_high_pc, DW_FORM_data8)])
        + b"\0")


def line_program(fn: Function) -> bytes:
    """One ``.debug_line`` unit: header (one file, no directories), then the rows."""
    header = (bytes((1, 1, 1)) + struct.pack("<bBB", -5, 14, OPCODE_BASE) + STD_OPCODE_LENGTHS
              + b"\0"                                        # include_directories: none
              + cstr(fn.file or "?") + uleb128(0) + uleb128(0) + uleb128(0) + b"\0")
    prog = bytearray(b"\0" + uleb128(9) + bytes((DW_LNE_set_address,)) + struct.pack("<Q", fn.addr))
    pc, line = fn.addr, 1
    for addr, ln in fn.lines:
        if addr != pc:
            prog += bytes((DW_LNS_advance_pc,)) + uleb128(addr - pc)
            pc = addr
        if ln != line:
            prog += bytes((DW_LNS_advance_line,)) + sleb128(ln - line)
            line = ln
        prog.append(DW_LNS_copy)
    prog += bytes((DW_LNS_advance_pc,)) + uleb128(fn.addr + fn.size - pc)
    prog += b"\0" + uleb128(1) + bytes((DW_LNE_end_sequence,))
    after_length = struct.pack("<H", 4) + struct.pack("<I", len(header)) + header + bytes(prog)
    return struct.pack("<I", len(after_length)) + after_length


def compile_unit(fn: Function, stmt_list: int, comp_dir: str, producer: str) -> bytes:
    dies = (uleb128(ABBREV_CU) + cstr(producer) + struct.pack("<H", DW_LANG_Go)
            + cstr(fn.file or fn.name) + cstr(comp_dir) + struct.pack("<IQQ", stmt_list, fn.addr, fn.size)
            + uleb128(ABBREV_SUB) + cstr(fn.name) + struct.pack("<QQ", fn.addr, fn.size)
            + b"\0")                                          # end of the unit's children
    after_length = struct.pack("<HIB", 4, 0, 8) + dies        # version, abbrev offset, address size
    return struct.pack("<I", len(after_length)) + after_length


def sections(functions: list[Function], comp_dir: str, producer: str) -> dict[str, bytes]:
    """``.debug_abbrev``, ``.debug_info`` and ``.debug_line`` for ``functions`` (one without
    lines gets a line program with no rows: gdb still names it from the unit, Go-style)."""
    info, line = bytearray(), bytearray()
    for fn in functions:
        off = len(line)
        line += line_program(fn)
        info += compile_unit(fn, off, comp_dir, producer)
    return {".debug_abbrev": abbrev(), ".debug_info": bytes(info), ".debug_line": bytes(line)}
