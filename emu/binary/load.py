"""emu/binary/load.py — what a run of a real Go binary needs, read from the binary alone.

``load(path)`` opens a static linux/amd64 Go executable (``emu.toolchain.gobinary``:
every bad file — not ELF, 32-bit, another architecture, truncated, stripped, dynamic,
PIE, cgo — is a one-line ``BinaryError``) and returns a :class:`Loaded`:

* the profile of its Go release (``profile_for``): the release's own (go1.10.x →
  go1.10, go1.22.x → go1.22, go1.27.x → go1.27), else the one whose syscall path and
  scheduler have the same shape, with a note; no such profile is an error naming them;
* the profile's layout of ``runtime.g``, ``m``, ``p`` and ``schedt`` checked against the
  binary's DWARF (``emu.toolchain.check``) — a moved field is an error naming it; the
  verdict is cached per binary and profile (reading the DWARF types takes ~0.6 s);
* its PT_LOAD segments, the entry points of the profile that it has (``syscall.Syscall``
  …), its ``runtime.entersyscall``/``runtime.exitsyscall`` (hooked into the model) and
  ``runtime.m0``/``runtime.g0`` (where the model's m0 and g0 live, as in the process).

Nothing here touches Unicorn: the gdb server and the tests call it on its own.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field

from emu import profile as profiles
from emu.atomic import write_atomic
from emu.cpu.imagecache import cache_dir
from emu.toolchain.errors import BinaryError
from emu.toolchain.gobinary import GoBinary, Symbol

HOOKED = ("runtime.entersyscall", "runtime.exitsyscall")   # the model runs in their place
NEEDED = HOOKED + ("runtime.m0", "runtime.g0")
MAX_SEGMENTS = 48 << 20        # bytes of PT_LOAD a run maps (the guest's cap is 64 MiB)
CHECK_FORMAT = 1

# Releases whose syscall path and scheduler have one shape, and the profile that models it
# (Go's minor release → profile): go1.9–go1.11 keep m.p through the syscall with asm stubs
# (go1.12 added m.oldp); go1.19–go1.25 compile Syscall and park the P as _Psyscall; go1.26
# retired _Psyscall. go1.12–go1.18 (asm stubs with m.oldp; go1.17–go1.18's ABI0 wrappers)
# and releases before go1.9 (another g layout) have no profile.
ERAS = ((9, 11, "go1.10"), (19, 25, "go1.22"), (26, None, "go1.27"))


@dataclass
class Loaded:
    """A Go binary gosyscall can run, and the addresses a run needs."""

    path: str
    binary: GoBinary
    profile: str                               # "go1.22"
    notes: list[str] = field(default_factory=list)
    entries: dict[str, Symbol] = field(default_factory=dict)   # the profile's entry points it has
    hooks: dict[str, int] = field(default_factory=dict)         # runtime.entersyscall → address
    m0: int = 0
    g0: int = 0

    @property
    def name(self) -> str:
        return self.binary.name

    @property
    def version(self) -> str:
        return self.binary.version or "?"

    def function(self, name: str) -> Symbol:
        """A function of the binary by Go name (``·`` or ``.``), for ``--entry``."""
        sym = self.binary.symbols.get(name.replace("·", "."))
        if sym is None or not sym.size or not self.in_text(sym.addr):
            raise BinaryError(f"{self.name}: no function {name}"
                              + ("" if sym is None else " (that symbol is not code)"))
        return sym

    def in_text(self, addr: int) -> bool:
        return any(lo <= addr < lo + size and "x" in flags for lo, size, _d, flags in self.binary.segments())


def profile_for(binary: GoBinary) -> tuple[str, str | None]:
    """(profile, note): the release's own profile, or the nearest with the same shape and a
    note saying so; a BinaryError naming the supported profiles if none fits."""
    supported = profiles.names()
    rel = binary.release
    if not rel or len(rel) < 2 or rel[0] != 1:
        raise BinaryError(f"{binary.name}: built by {binary.version}, a Go release gosyscall does not "
                          f"know (profiles: {', '.join(supported)})")
    own = f"go{rel[0]}.{rel[1]}"
    if own in supported:
        return own, None
    for lo, hi, name in ERAS:
        if lo <= rel[1] and (hi is None or rel[1] <= hi) and name in supported:
            return name, (f"{binary.name} was built by {binary.version}: no profile of its own, so the "
                          f"nearest with the same syscall path and scheduler runs it, {name}")
    raise BinaryError(f"{binary.name}: built by {binary.version}, a release no profile models "
                      f"(profiles: {', '.join(supported)})")


def load(path: str, profile: str | None = None) -> Loaded:
    """The binary at ``path``, ready for a session; ``profile`` forces one (it must fit)."""
    gb = GoBinary(path).check_usable()
    chosen, note = profile_for(gb)
    if profile is not None and profile != chosen:
        raise BinaryError(f"{gb.name} was built by {gb.version}: profile {chosen} runs it, not {profile}")
    got = Loaded(path, gb, chosen, [note] if note else [])
    prof = profiles.load(chosen)
    syms = gb.symbols
    for name in NEEDED:
        if name not in syms:
            raise BinaryError(f"{gb.name}: no symbol {name}; not a Go program gosyscall can run")
    got.hooks = {n: syms[n].addr for n in HOOKED}
    got.m0, got.g0 = syms["runtime.m0"].addr, syms["runtime.g0"].addr
    got.entries = {n: syms[n] for n in prof.entry_points if n in syms and syms[n].size}
    _check_segments(gb)
    got.notes += check_layout(gb, prof)
    return got


def _check_segments(gb: GoBinary) -> None:
    total = 0
    for lo, size, _data, _flags in gb.segments():
        total += size
        if lo < 0x10000 or lo + size > 1 << 47:
            raise BinaryError(f"{gb.name}: a segment at {lo:#x} lies outside user space")
    if total > MAX_SEGMENTS:
        raise BinaryError(f"{gb.name}: its segments need {total >> 20} MiB; gosyscall maps at most "
                          f"{MAX_SEGMENTS >> 20} MiB of a program")


def expected_layouts(prof) -> dict[str, dict]:
    """What the profile says about the structs the guest can see: g's mirrored fields and
    size, and the m, p and schedt offsets its code names (``M_TLS`` → ``runtime.m.tls``)."""
    from emu.toolchain.check import constants_layout
    lay = prof.layout
    g = dict(lay.G_FIELDS)
    g[""] = (0, lay.SIZEOF_G)
    return {"runtime.g": g, "runtime.m": constants_layout(lay, "M_"),
            "runtime.p": constants_layout(lay, "P_"), "runtime.schedt": constants_layout(lay, "SCHED_")}


def check_layout(gb: GoBinary, prof) -> list[str]:
    """Hold the profile's layout against the binary's DWARF: a BinaryError on the first
    mismatch; notes (no DWARF: nothing to check against). Cached per binary and profile."""
    if not gb.has_dwarf:
        return [f"{gb.name} has no DWARF (built with -ldflags=-w): the {prof.name} offsets of g, m "
                "and p are used unchecked"]
    want = expected_layouts(prof)
    key = hashlib.sha256(gb.data + json.dumps([CHECK_FORMAT, prof.name, want], sort_keys=True).encode())
    path = os.path.join(cache_dir(), "binary-checks", key.hexdigest()[:32] + ".json")
    try:
        with open(path, encoding="utf-8") as f:
            verdict = json.load(f)["mismatch"]
    except (OSError, ValueError, KeyError, TypeError):
        verdict = _mismatch(gb, prof, want)
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            write_atomic(path, json.dumps({"mismatch": verdict}))
        except OSError:
            pass                                  # a read-only home: check again next time
    if verdict:
        raise BinaryError(verdict)
    return []


def _mismatch(gb: GoBinary, prof, want: dict) -> str | None:
    from emu.toolchain.check import check_layout as held
    found = []
    for struct, members in want.items():
        found += held({k: v for k, v in members.items() if k}, gb, struct) if members else []
        if "" in members:
            size = gb.struct_layout(struct)[""][1]
            if size != members[""][1]:
                found.append(f"{struct}: size: profile {members[''][1]}, binary {size}")
    if not found:
        return None
    more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
    return (f"{gb.name}: built by {gb.version}, but the {prof.name} profile's layout does not fit it: "
            f"{found[0]}{more}")
