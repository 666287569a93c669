"""emu/cpu/imagecache.py — assembled images cached on disk, so a run needs no Keystone.

The key is a hash of everything the bytes depend on: every stub's lines, the base, the
external symbols and the assembler's own source (asm/assembler.py and asm/operands.py, which
checks and repairs Keystone's bytes and writes the Intel text). Any change to a stub or to the
assembler misses the cache and reassembles, so a cached image always matches its
sources. The cache lives in ``$GOSYSCALL_CACHE_DIR``, else ``$XDG_CACHE_HOME/gosyscall``,
else ``~/.cache/gosyscall``; an unwritable or corrupt cache only costs the assembly.
"""
from __future__ import annotations

import hashlib
import json
import os

import asm.assembler
import asm.operands
from asm.assembler import assemble
from asm.image import Image, Insn
from asm.stub import Stub
from emu.atomic import write_atomic

FORMAT = 2


def cache_dir() -> str:
    """Where cached images live (os.path, not pathlib: importing pathlib costs start-up time)."""
    if os.environ.get("GOSYSCALL_CACHE_DIR"):
        return os.environ["GOSYSCALL_CACHE_DIR"]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "gosyscall")


def key(stubs: list[Stub], base: int, externs: dict[str, int]) -> str:
    src = b""
    for mod in (asm.assembler, asm.operands):
        with open(mod.__file__, "rb") as f:
            src += f.read()
    parts = [FORMAT, base, sorted(externs.items()), hashlib.sha256(src).hexdigest(),
             [[s.name, s.frame, s.args, s.results, s.align,
               [[l.intel, l.go, l.loc, l.label, l.raw.hex() if l.raw else None] for l in s.lines]]
              for s in stubs]]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]


def _dump(img: Image) -> str:
    return json.dumps({
        "format": FORMAT, "base": img.base, "code": img.code.hex(), "symbols": img.symbols,
        "insns": [[i.addr, i.data.hex(), i.intel, i.go, i.loc, i.stub, i.offset] for i in img.insns.values()],
        "callsites": img.callsites, "labels": [[a, n] for a, n in img.labels.items()]})


def _load(text: str, stubs: list[Stub]) -> Image:
    d = json.loads(text)
    if d.get("format") != FORMAT:
        raise ValueError("old cache format")
    insns = {a: Insn(a, bytes.fromhex(h), intel, go, loc, stub, off)
             for a, h, intel, go, loc, stub, off in d["insns"]}
    return Image(base=d["base"], code=bytes.fromhex(d["code"]), symbols=d["symbols"], insns=insns,
                 stubs={s.name: s for s in stubs}, callsites=[tuple(c) for c in d["callsites"]],
                 labels={a: n for a, n in d["labels"]})


def load_or_assemble(stubs: list[Stub], base: int, externs: dict[str, int]) -> Image:
    """The image of ``stubs``: from the cache when its key matches, else assembled (and cached)."""
    path = os.path.join(cache_dir(), f"image-{key(stubs, base, externs)}.json")
    try:
        with open(path, encoding="utf-8") as f:
            return _load(f.read(), stubs)
    except (OSError, ValueError, KeyError, TypeError):
        pass                                    # missing, unreadable or corrupt: assemble
    img = assemble(stubs, base, externs)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomic(path, _dump(img))
    except OSError:
        pass                                    # a read-only home: run without a cache
    return img
