"""asm/assembler.py — Keystone, one line at a time, with labels and symbols resolved by us.

Keystone pitfalls this module avoids (style-anchors "Keystone pitfalls"): no
``sym_resolver`` (it switches the radix to 16 and lands PC-relative targets 4 bytes
off), so every symbol and label is substituted as an absolute hex address before
assembling; Go's ``·`` is mapped to ``.``; an empty result is an error, and each line
must be exactly one instruction. Names may hold ``/`` (``runtime/internal/syscall.Syscall6``).
Keystone's bytes are then disassembled and compared with the line's operands
(asm/operands.py): an absolute address it made RIP-relative is re-encoded, any other
difference is an error naming the line. The image's Intel text is the disassembly of the
bytes that run, not the line as written.

Where Keystone would pick another encoding than Go's assembler, a line gives its exact
bytes (``Line.raw``): they are emitted as they are, once Capstone has decoded them to
the line's Intel text. A stub with ``align`` > 1 starts at the next multiple of it; the
gap is filled with INT3 (0xcc), as Go's linker fills the gaps between functions.
"""
from __future__ import annotations

import functools
import re

from .image import Image, Insn
from .operands import OperandMismatch, check, display
from .stub import Stub


class AsmError(Exception):
    """An assembly error naming the stub, the file:line and the text."""


_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:[./·][A-Za-z_][A-Za-z0-9_]*)*")
PAD = b"\xcc"          # INT3: what Go's linker puts between functions on amd64


def go_name(name: str) -> str:
    """``runtime·entersyscall`` → ``runtime.entersyscall`` (Keystone encodes ASCII only)."""
    return name.replace("·", ".")


def _ks():
    import keystone   # imported here: running the cached built-in image needs no Keystone
    return keystone.Ks(keystone.KS_ARCH_X86, keystone.KS_MODE_64), keystone.KsError


def _substitute(intel: str, names: dict[str, int]) -> str:
    def repl(m):
        tok = go_name(m.group(0))
        return f"{names[tok]:#x}" if tok in names else m.group(0)
    return _TOKEN.sub(repl, intel.replace("·", "."))


def assemble(stubs: list[Stub], base: int, externs: dict[str, int]) -> Image:
    """Lay ``stubs`` out from ``base`` and assemble them against ``externs`` (name → address).

    Sizes are found by iterating to a fixed point: a forward jump is first assumed to
    be short, then re-assembled with the real target until no size changes.
    """
    ks, KsError = _ks()
    items = [(s, ln) for s in stubs for ln in s.lines]
    sizes = [0 if ln.label else 2 for _, ln in items]
    for _ in range(8):
        addrs, names, starts, local = _layout(stubs, items, sizes, base)
        names.update({go_name(k): v for k, v in externs.items()})
        encoded = []
        for (stub, ln), addr in zip(items, addrs):
            if ln.label:
                encoded.append(b"")
                continue
            if ln.raw is not None:
                encoded.append(_exact(stub, ln))
                continue
            scope = {**names, **local[stub.name]}     # a bare label means this stub's own
            encoded.append(_one(ks, KsError, stub, ln, _substitute(ln.intel, scope), addr))
        new = [len(e) for e in encoded]
        if new == sizes:
            break
        sizes = new
    else:
        raise AsmError("assembly did not settle: jump sizes keep changing")
    return _image(stubs, items, addrs, encoded, names, starts, base)


def _layout(stubs, items, sizes, base):
    """Addresses of every line; symbols (functions, ``stub.label``); labels per stub."""
    addrs, names, starts, local = [], {}, {}, {s.name: {} for s in stubs}
    addr, current = base, None
    for (stub, ln), size in zip(items, sizes):
        if stub is not current:
            current = stub
            addr = -(-addr // stub.align) * stub.align if stub.align > 1 else addr
            starts[stub.name] = addr
            names[stub.name] = addr
        if ln.label:
            names[f"{stub.name}.{ln.label}"] = addr
            local[stub.name][ln.label] = addr
        addrs.append(addr)
        addr += size
    return addrs, names, starts, local


def _one(ks, KsError, stub: Stub, ln, text: str, addr: int) -> bytes:
    where = f"{stub.name} ({ln.loc}: {ln.go.strip() or ln.intel})"
    try:
        enc, count = ks.asm(text, addr)
    except KsError as e:
        raise AsmError(f"{where}: cannot assemble {ln.intel!r}: {e}") from None
    if not enc:
        raise AsmError(f"{where}: {ln.intel!r} assembled to nothing")
    if count != 1:
        raise AsmError(f"{where}: {ln.intel!r} is {count} instructions; write one per line")
    try:
        return check(text, bytes(enc), addr)
    except (OperandMismatch, ValueError) as e:
        raise AsmError(f"{where}: {ln.intel!r}: {e}") from None


def _exact(stub: Stub, ln) -> bytes:
    """``ln.raw``, once Capstone agrees it is the instruction ``ln.intel`` and holds no address."""
    problem = _check_exact(ln.raw, " ".join(ln.intel.split()))
    if problem:
        raise AsmError(f"{stub.name} ({ln.loc}: {ln.go.strip() or ln.intel}): {problem}")
    return ln.raw


@functools.lru_cache(maxsize=256)
def _check_exact(raw: bytes, intel: str) -> str | None:
    import capstone   # only stubs with exact bytes need it
    cs = capstone.Cs(capstone.CS_ARCH_X86, capstone.CS_MODE_64)
    got = list(cs.disasm(raw, 0))
    if len(got) != 1 or got[0].size != len(raw):
        return f"bytes {raw.hex()} are not one instruction"
    text = " ".join(f"{got[0].mnemonic} {got[0].op_str}".split())
    if text != intel:
        return f"bytes {raw.hex()} are {text!r}, not {intel!r}"
    if got[0].mnemonic.startswith(("j", "call", "loop")) or "rip" in got[0].op_str:
        return f"exact bytes may not hold an address ({text!r})"
    return None


def _image(stubs, items, addrs, encoded, names, starts, base) -> Image:
    insns, callsites, labels = {}, [], {}
    functions = {}                     # address → name shown for a branch target
    for name, addr in names.items():
        if name in starts or "." in name and name.rsplit(".", 1)[0] not in starts:
            functions.setdefault(addr, name)
    local = {s.name: {} for s in stubs}
    for (stub, ln), addr in zip(items, addrs):
        if ln.label:
            local[stub.name].setdefault(addr, ln.label)
    for (stub, ln), addr, data in zip(items, addrs, encoded):
        if ln.label:
            labels[addr] = ln.label
            continue
        insns[addr] = Insn(addr=addr, data=data, intel=display(data, addr, {**functions, **local[stub.name]}),
                           go=ln.go, loc=ln.loc, stub=stub.name, offset=addr - starts[stub.name])
        m = re.match(r"\s*call\s+([A-Za-z_][\w./·]*)\s*$", ln.intel)
        if m:
            callsites.append((addr, go_name(m.group(1))))
    code = bytearray()
    for addr, data in zip(addrs, encoded):
        code += PAD * (addr - base - len(code))            # alignment gap before a stub
        code += data
    code = bytes(code)
    symbols = {k: v for k, v in names.items() if "." in k or k in starts}
    return Image(base=base, code=code, symbols=symbols, insns=insns,
                 stubs={s.name: s for s in stubs}, callsites=callsites, labels=labels)
