"""asm/stub.py — the source form of a stub: Intel lines paired with the Go lines they stand for."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """One source line: an instruction (``intel``) or a label (``label``).

    ``go`` is the Go Plan 9 text the line stands for and ``loc`` where it comes from
    (``asm_linux_amd64.s:18`` for a built-in stub, ``mystub.s:3`` for a user's file).
    """

    intel: str
    go: str
    loc: str
    label: str | None = None


@dataclass(frozen=True)
class Stub:
    """A function in the image: its symbol, its Go frame and its lines.

    ``args``/``results`` name the ABI0 argument words in frame order, so that
    ``name+8*i(FP)`` is hardware ``8*i+8(RSP)`` at entry (a NOSPLIT $0-N function has no frame of its own).
    """

    name: str
    frame: str
    args: tuple[str, ...]
    results: tuple[str, ...]
    lines: tuple[Line, ...]
    calls_runtime: bool = True
    doc: str = ""

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
