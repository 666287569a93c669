"""asm/stub.py — the source form of a stub: Intel lines paired with the Go lines they stand for."""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """One source line: an instruction (``intel``) or a label (``label``).

    ``go`` is the Go Plan 9 text the line stands for and ``loc`` where it comes from
    (``asm_linux_amd64.s:18`` for a built-in stub, ``mystub.s:3`` for a user's file).
    For compiled Go, ``go`` is the instruction as ``go tool objdump`` prints it and
    ``loc`` the Go source line the compiler attributed it to (``syscall_linux.go:82``).

    ``raw``: the exact bytes, for the few instructions Keystone encodes differently from
    Go's assembler (Go's 4-byte ``NOPL 0(AX)`` is ``0f 1f 40 00``; Keystone turns
    ``nop dword ptr [rax]`` into ``0f 18 20``). The assembler emits them after checking
    that Capstone decodes them to ``intel``; they may not hold an address.
    """

    intel: str
    go: str
    loc: str
    label: str | None = None
    raw: bytes | None = None


@dataclass(frozen=True)
class ABI:
    """How a function takes its arguments and returns its results.

    ``ABI0``: on the stack, in the caller's frame (``args``/``results`` empty here; see
    ``Stub.fp_offset``). ``ABIInternal`` (Go's register ABI, linux/amd64 since go1.17):
    integer arguments in AX, BX, CX, DI, SI, R8, R9, R10, R11 in order, results in the
    same sequence; ``g`` in R14, X15 zero; the caller reserves a spill slot per register
    argument at the bottom of its outgoing area, so argument i may be spilled to
    ``8*i+8(SP)`` at entry — ``Stub.fp_offset`` gives those slots.
    """

    name: str                       # "ABI0" or "ABIInternal"
    args: tuple[str, ...] = ()      # registers holding the arguments, in order
    results: tuple[str, ...] = ()   # registers holding the results, in order

    def reg_of(self, stub: "Stub", slot: str) -> str | None:
        """The register that carries argument or result ``slot`` (``a1`` → ``BX``)."""
        if slot in stub.args and stub.args.index(slot) < len(self.args):
            return self.args[stub.args.index(slot)]
        if slot in stub.results and stub.results.index(slot) < len(self.results):
            return self.results[stub.results.index(slot)]
        return None


GO_INT_REGS = ("AX", "BX", "CX", "DI", "SI", "R8", "R9", "R10", "R11")   # go1.17+ internal ABI, amd64


@dataclass(frozen=True)
class Stub:
    """A function in the image: its symbol, its Go frame and its lines.

    ``args``/``results`` name the ABI0 argument words in frame order, so that
    ``name+8*i(FP)`` is hardware ``8*i+8(RSP)`` at entry (a NOSPLIT $0-N function has no frame of its own).

    Register-ABI functions (go1.17+) say so in ``abi``; ``frame_size`` is what their
    prologue reserves (``SUBQ $n, SP``, the saved BP not counted); ``source`` is the
    file as the toolchain's line table names it under ``-trimpath``
    (``syscall/syscall_linux.go``); ``align`` is where the linker starts the function
    (Go aligns every function to 32 bytes on amd64, and the compiler's jump padding
    assumes it).
    """

    name: str
    frame: str
    args: tuple[str, ...]
    results: tuple[str, ...]
    lines: tuple[Line, ...]
    calls_runtime: bool = True
    doc: str = ""
    abi: ABI | None = None          # None: ABI0
    frame_size: int = 0
    source: str = ""
    align: int = 1

    @property
    def slots(self) -> tuple[str, ...]:
        return self.args + self.results

    def fp_offset(self, slot: str) -> int:
        """Offset of a frame slot from FP (``a1`` → 8)."""
        return 8 * self.slots.index(slot)


def go_listing(name: str, frame: str, args, results, text_line: int, file: str,
               body: list[tuple[str, str]], calls_runtime: bool = True, doc: str = "") -> Stub:
    """Build a stub from ``(go, intel)`` pairs whose first pair sits at ``text_line + 1``.

    A pair whose Go text ends in ``:`` is a label; every other pair is one instruction.
    """
    lines = []
    for i, (go, intel) in enumerate(body):
        loc = f"{file}:{text_line + 1 + i}"
        if go.endswith(":"):
            lines.append(Line(intel="", go=go, loc=loc, label=go[:-1]))
        else:
            lines.append(Line(intel=intel, go=go, loc=loc))
    return Stub(name=name, frame=frame, args=tuple(args), results=tuple(results),
                lines=tuple(lines), calls_runtime=calls_runtime, doc=doc)


def listing(name: str, frame: str, args, results, source: str, rows, *, abi: ABI | None = None,
            frame_size: int = 0, align: int = 1, calls_runtime: bool = True, doc: str = "") -> Stub:
    """A stub from rows ``(line, go, intel)`` or ``(line, go, intel, raw_hex)``, each with
    its own source line number (compiled code jumps between lines; asm has comment lines).

    ``loc`` is ``<file name of source>:<line>``. A row whose Go text ends in ``:`` is a label.
    """
    base = os.path.basename(source)
    lines = []
    for row in rows:
        line, go, intel = row[:3]
        raw = bytes.fromhex(row[3]) if len(row) > 3 and row[3] else None
        loc = f"{base}:{line}"
        if go.endswith(":"):
            lines.append(Line(intel="", go=go, loc=loc, label=go[:-1]))
        else:
            lines.append(Line(intel=intel, go=go, loc=loc, raw=raw))
    return Stub(name=name, frame=frame, args=tuple(args), results=tuple(results), lines=tuple(lines),
                calls_runtime=calls_runtime, doc=doc, abi=abi, frame_size=frame_size, source=source,
                align=align)
