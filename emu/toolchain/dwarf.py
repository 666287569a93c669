"""emu/toolchain/dwarf.py — what gosyscall reads from a Go binary's DWARF (pyelftools).

Go's linker writes one compile unit per package (``runtime``, ``syscall``, …) — DWARF 4
in go1.22.10's binaries, DWARF 5 in go1.27.3's — its sections zlib-compressed
(``SHF_COMPRESSED``, which pyelftools inflates). Two things are read:

* the line program of the unit that holds an address (``.debug_line``): rows
  (address, file, line); with ``-trimpath`` a file is ``syscall/syscall_linux.go``;
* struct layouts (``DW_TAG_structure_type`` named ``runtime.g`` …): member → (offset,
  size), members of struct type flattened with dots (``sched.sp``).

Callers wrap pyelftools' own exceptions; this module only raises ``KeyError`` for a
struct that is not there.
"""
from __future__ import annotations

import bisect

MAX_DEPTH = 6          # nesting of flattened struct members (g.sched.sp is depth 2)


class LineTable:
    """The rows of every compile unit's line program, loaded unit by unit as asked."""

    def __init__(self, dwarf):
        self.dwarf = dwarf
        self._units = None            # [(lo, hi, cu)] from each unit's ranges
        self._rows = {}               # cu offset -> (sorted addrs, rows)

    def _ranges(self):
        if self._units is None:
            units = []
            for cu in self.dwarf.iter_CUs():
                top = cu.get_top_DIE()
                for lo, hi in _die_ranges(self.dwarf, cu, top):
                    units.append((lo, hi, cu))
            units.sort(key=lambda u: u[0])
            self._units = units
        return self._units

    def unit_rows(self, addr: int):
        for lo, hi, cu in self._ranges():
            if lo <= addr < hi:
                if cu.cu_offset not in self._rows:
                    rows = _program_rows(self.dwarf, cu)
                    self._rows[cu.cu_offset] = ([r[0] for r in rows], rows)
                return self._rows[cu.cu_offset]
        return None

    def at(self, addr: int) -> tuple[str, int] | None:
        """(file, line) of the row that covers ``addr``, or None."""
        got = self.unit_rows(addr)
        if not got:
            return None
        addrs, rows = got
        i = bisect.bisect_right(addrs, addr) - 1
        if i < 0 or rows[i][3]:           # before the first row, or past an end_sequence
            return None
        return rows[i][1], rows[i][2]


def _die_ranges(dwarf, cu, die):
    a = die.attributes
    if "DW_AT_low_pc" in a and "DW_AT_high_pc" in a:
        lo = a["DW_AT_low_pc"].value
        hi = a["DW_AT_high_pc"].value
        if a["DW_AT_high_pc"].form not in ("DW_FORM_addr", "DW_FORM_addrx"):
            hi += lo                      # DWARF 4+: high_pc may be a length
        return [(lo, hi)]
    if "DW_AT_ranges" in a:
        rl = dwarf.range_lists()
        if rl is None:
            return []
        base = a["DW_AT_low_pc"].value if "DW_AT_low_pc" in a else 0
        out = []
        for e in rl.get_range_list_at_offset(a["DW_AT_ranges"].value, cu=cu):
            if hasattr(e, "begin_offset"):
                b, en = e.begin_offset, e.end_offset
                if not getattr(e, "is_absolute", False):
                    b, en = b + base, en + base
                out.append((b, en))
            elif hasattr(e, "base_address"):
                base = e.base_address
        return out
    return []


def _program_rows(dwarf, cu):
    """[(address, file, line, end_sequence)] of one unit, in address order."""
    lp = dwarf.line_program_for_CU(cu)
    if lp is None:
        return []
    hdr = lp.header
    v5 = hdr["version"] >= 5
    dirs = [d.decode("utf-8", "replace") if isinstance(d, bytes) else str(d)
            for d in hdr["include_directory"]]
    files = []
    for fe in hdr["file_entry"]:
        name = fe.name.decode("utf-8", "replace") if isinstance(fe.name, bytes) else str(fe.name)
        di = fe.dir_index
        d = dirs[di] if v5 and di < len(dirs) else (dirs[di - 1] if not v5 and 0 < di <= len(dirs) else "")
        files.append(name if not d or d == "." or name.startswith("/") else f"{d}/{name}")
    rows = []
    for entry in lp.get_entries():
        st = entry.state
        if st is None:
            continue
        idx = st.file if v5 else st.file - 1
        fname = files[idx] if 0 <= idx < len(files) else "?"
        rows.append((st.address, fname, st.line, st.end_sequence))
    rows.sort(key=lambda r: (r[0], not r[3]))   # an end_sequence sorts before a new start at its address
    return rows


class Types:
    """Struct types by name, found in the units' DIEs (loaded once, on first use)."""

    def __init__(self, dwarf):
        self.dwarf = dwarf
        self._structs = None

    def _index(self):
        if self._structs is None:
            found = {}
            for cu in self.dwarf.iter_CUs():
                for die in cu.iter_DIEs():
                    if die.tag == "DW_TAG_structure_type" and "DW_AT_name" in die.attributes:
                        name = die.attributes["DW_AT_name"].value
                        name = name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)
                        found.setdefault(name, die)
            self._structs = found
        return self._structs

    def layout(self, name: str) -> dict[str, tuple[int, int]]:
        """member → (offset, size) for struct ``name``; nested struct members flattened.

        ``""`` maps to (0, size of the whole struct). Raises KeyError if there is no
        such struct.
        """
        die = self._index()[name]
        out = {"": (0, _byte_size(die))}
        _members(die, "", 0, out, 0)
        return out

    def names(self) -> list[str]:
        return sorted(self._index())


def _strip(die):
    """Follow typedefs/qualifiers to the type that has the size."""
    for _ in range(16):
        if die.tag in ("DW_TAG_typedef", "DW_TAG_const_type", "DW_TAG_volatile_type") and \
                "DW_AT_type" in die.attributes:
            die = die.get_DIE_from_attribute("DW_AT_type")
        else:
            break
    return die


def _byte_size(die) -> int:
    a = die.attributes
    if "DW_AT_byte_size" in a:
        return a["DW_AT_byte_size"].value
    if die.tag == "DW_TAG_pointer_type":      # Go writes pointer types without a size
        return die.cu.header["address_size"]
    return 0


def _member_offset(attr) -> int:
    v = attr.value
    if isinstance(v, int):
        return v
    # a location expression: Go uses DW_OP_plus_uconst <uleb128>
    if v and v[0] == 0x23:
        n = shift = 0
        for b in v[1:]:
            n |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                break
        return n
    raise ValueError(f"unsupported member location {v!r}")


def _members(die, prefix: str, base: int, out: dict, depth: int) -> None:
    for child in die.iter_children():
        if child.tag != "DW_TAG_member" or "DW_AT_name" not in child.attributes:
            continue
        raw = child.attributes["DW_AT_name"].value
        name = prefix + (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw))
        off = base + _member_offset(child.attributes["DW_AT_data_member_location"]) \
            if "DW_AT_data_member_location" in child.attributes else base
        t = _strip(child.get_DIE_from_attribute("DW_AT_type")) if "DW_AT_type" in child.attributes else None
        out[name] = (off, _byte_size(t) if t is not None else 0)
        if t is not None and t.tag == "DW_TAG_structure_type" and depth < MAX_DEPTH:
            _members(t, name + ".", off, out, depth + 1)
