"""runtime_py/gstruct.py: pack a model `g` into the bytes guest code sees, for any profile.

Each profile's layout.py declares its release's `type g struct` as a table of
field -> (offset, size); this turns the table into one `struct.Struct` and the model's values
into the integers to pack. Pointer fields hold model objects (or None); the emulator supplies
their guest addresses. A Go string field is {ptr, len}.
"""

from __future__ import annotations

import operator
import struct
from typing import Any, Callable, Iterable, Mapping

_FMT = {1: "B", 2: "H", 4: "I", 8: "Q"}
_SFMT = {1: "b", 2: "h", 4: "i", 8: "q"}


class GStruct:
    """The guest view of a release's g: `.struct` packs `.values(gp, addr_of)`."""

    def __init__(self, fields: Mapping[str, tuple[int, int]], *, pointers: Iterable[str] = (),
                 strings: Iterable[str] = (), signed: Iterable[str] = ()):
        self.fields = dict(fields)
        names = tuple(self.fields)
        pointers, strings, signed = set(pointers), set(strings), set(signed)
        for n in pointers | strings | signed:
            if n not in self.fields:
                raise ValueError(f"GStruct: {n!r} is not a field")
        self._get = operator.attrgetter(*names)      # "stack.lo" is a dotted path as is
        self._ptr_at = tuple(i for i, n in enumerate(names) if n in pointers)
        # strings expand to two words; expand from the last so earlier indexes stay valid
        self._str_at = tuple(sorted((i for i, n in enumerate(names) if n in strings), reverse=True))
        fmt, pos, slots = "<", 0, []
        for name, (off, size) in self.fields.items():
            if off < pos:
                raise ValueError(f"GStruct: {name!r} at {off} overlaps the field before it")
            if name in strings:
                if size != 16:
                    raise ValueError(f"GStruct: string {name!r} is 16 bytes, not {size}")
                fmt += "x" * (off - pos) + "QQ"
                slots += [(off, 8), (off + 8, 8)]
            else:
                fmt += "x" * (off - pos) + (_SFMT if name in signed else _FMT)[size]
                slots.append((off, size))
            pos = off + size
        self.struct = struct.Struct(fmt)
        self._slots = tuple(slots)

    def values(self, gp: Any, addr_of: Callable[[Any], int]) -> list[int]:
        """gp's mirrored fields as guest integers, in table order (a string as ptr, len)."""
        vals = list(self._get(gp))
        for i in self._ptr_at:
            v = vals[i]
            vals[i] = 0 if v is None else addr_of(v)
        for i in self._str_at:
            s = vals[i]
            vals[i:i + 1] = [addr_of(s) if s else 0, len(s.encode())]
        return vals                      # bools pack as 0/1; signed fields use signed formats

    def words(self, gp: Any, addr_of: Callable[[Any], int]) -> list[tuple[int, int, int]]:
        """What to write into guest memory for gp: [(offset, size, value), ...]."""
        return [(off, size, int(v) & ((1 << (8 * size)) - 1))
                for (off, size), v in zip(self._slots, self.values(gp, addr_of))]
