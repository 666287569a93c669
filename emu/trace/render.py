"""emu/trace/render.py — the text view: what ``gosyscall run`` prints and golden files hold.

One line per event. An instruction line: step, PC, where (function+offset), the Go
line, the Intel text, then the registers it changed (``old→new``) and memory it wrote.
Lines caused by an instruction (syscall, runtime call, state change) follow it,
indented under an arrow. Colour only marks; the text is the same without it.
"""
from __future__ import annotations

import os
import sys

from emu.trace.events import Event

_COLORS = {"step": "\x1b[2m", "go": "\x1b[36m", "reg": "\x1b[33m", "sys": "\x1b[35;1m",
           "rt": "\x1b[32m", "state": "\x1b[32;1m", "err": "\x1b[31;1m", "reset": "\x1b[0m"}


def want_color(flag_no_color: bool, stream=sys.stdout) -> bool:
    """Colour when writing to a terminal, unless ``--no-color`` or ``NO_COLOR`` is set."""
    return not flag_no_color and "NO_COLOR" not in os.environ and stream.isatty()


def hexv(v: int) -> str:
    return f"{v:#x}"


def _mem(addr: int, hexbytes: str) -> str:
    data = bytes.fromhex(hexbytes)
    if len(data) in (1, 2, 4, 8):
        return f"[{addr:#x}]←{int.from_bytes(data, 'little'):#x}"
    return f"[{addr:#x}]←{hexbytes}"


# Arguments that are times or durations: decimal (ns, µs), never hex.
_DECIMAL = frozenset({"now", "ns", "usec", "delay", "when", "until_ns"})


def _val(v, key: str = "") -> str:
    """Small ints in decimal, addresses and big values in hex, times in decimal, the rest as is."""
    if isinstance(v, bool) or not isinstance(v, int):
        return str(v)
    return str(v) if v <= 9 or key in _DECIMAL else f"{v:#x}"


def _go_col(ev: Event) -> str:
    go = " ".join(ev.data.get("go", "").split("//")[0].split())
    return go


# Calls whose effect the next line already shows (casgstatus → the gstatus line) or that
# only guard the model (locks): the text view leaves them out; JSON keeps every event.
FOLDED_CALLS = frozenset({"lock", "unlock", "noteclear", "runqempty", "readgstatus", "casgstatus",
                          "systemstack", "acquirem", "releasem", "mcount", "checkmcount"})


# Widths of an instruction line's function, Go and Intel columns: wide enough for go1.10's
# stubs; a release whose names are longer (``runtime/internal/syscall.Syscall6+0x2b``) widens
# them for its whole trace (columns_for), so every line of one trace lines up.
COLUMNS = (24, 32, 34)


LINE_COLUMN = 16      # a binary's trace (emu/binary) shows each instruction's file:line too


def columns_for(image) -> tuple[int, ...]:
    """The column widths for traces of ``image``: its longest function+offset, Go and Intel
    texts, and never narrower than COLUMNS. An image that shows source lines (a real
    binary's) gets a fourth width, its file:line column, after the function."""
    where = go = intel = line = 0
    for i in image.insns.values():
        where = max(where, len(i.where))
        go = max(go, len(" ".join(i.go.split("//")[0].split())))
        intel = max(intel, len(i.intel))
        line = max(line, len(i.loc))
    widths = (max(COLUMNS[0], where), max(COLUMNS[1], go), max(COLUMNS[2], intel))
    if getattr(image, "show_lines", False):
        return widths[:1] + (max(LINE_COLUMN, line),) + widths[1:]
    return widths


def column_titles(columns: tuple[int, ...]) -> str:
    """The title line over a trace's instruction lines."""
    w, *line, g, i = columns
    src = f"{'line':<{line[0]}} " if line else ""
    return f"{'step':>4}  {'pc':<10}  {'function':<{w}} {src}{'Go (Plan 9)':<{g}} {'Intel':<{i}} changes"


class TextRenderer:
    """Turns events into lines; ``color`` adds ANSI colour around the same text."""

    def __init__(self, color: bool = False, threads: dict[int, str] | None = None,
                 columns: tuple[int, int, int] = COLUMNS):
        self.color = color
        self.threads = threads      # thread world: tid -> "m2"; each line starts with it
        self.columns = tuple(columns)

    def c(self, key: str, text: str) -> str:
        return f"{_COLORS[key]}{text}{_COLORS['reset']}" if self.color else text

    def line(self, ev: Event) -> str | None:
        fn = getattr(self, f"_{ev.kind}", None)
        text = fn(ev) if fn else None
        if text is None or self.threads is None:
            return text
        return f"{self.threads.get(ev.tid, 'host' if ev.tid == 0 else str(ev.tid)):<5}{text}"

    def _insn(self, ev: Event) -> str:
        d = ev.data
        changes = [f"{n} {hexv(a)}→{hexv(b)}" for n, a, b in d["regs"]]
        changes += [_mem(a, h) for a, h in d["mem"]]
        w, *line, g, i = self.columns
        src = f"{d.get('loc', ''):<{line[0]}} " if line else ""
        return (f"{self.c('step', f'{ev.step:>4}')}  {d['pc']:#010x}  {d['where']:<{w}} {src}"
                f"{self.c('go', f'{_go_col(ev):<{g}}')} {d['intel']:<{i}} "
                f"{self.c('reg', '  '.join(changes))}").rstrip()

    def _syscall(self, ev: Event) -> str:
        d = ev.data
        args = ", ".join(f"{n}={v:#x}" if v > 9 else f"{n}={v}" for n, _r, v in d["args"])
        return f"{'':>18}{self.c('sys', '⇒ kernel: ' + d['name'])}({args})  nr={d['nr']} in rax"

    def _sysret(self, ev: Event) -> str:
        d = ev.data
        if "rcx" not in d:          # a syscall the runtime model made: no guest registers
            return f"{'':>18}{self.c('sys', '⇐ ' + d['text'])}"
        return (f"{'':>18}{self.c('sys', '⇐ ' + d['text'])}  "
                f"(rax={d['ret'] & 0xFFFFFFFFFFFFFFFF:#x}, rcx={d['rcx']:#x}, r11={d['r11']:#x})")

    def _call(self, ev: Event) -> str | None:
        if ev.data["fn"] in FOLDED_CALLS:
            return None
        args = ", ".join(f"{k}={_val(v, k)}" for k, v in ev.data["args"].items())
        return f"{'':>18}{self.c('rt', '↳ runtime.{}({})'.format(ev.data['fn'], args))}"

    def _gstatus(self, ev: Event) -> str:
        d = ev.data
        name = d.get("name") or f"g{d['g']}"
        return f"{'':>20}{self.c('state', '{} {} → {}'.format(name, d['old'], d['new']))}"

    def _pstatus(self, ev: Event) -> str:
        d = ev.data
        return f"{'':>20}{self.c('state', 'p{} {} → {}'.format(d['p'], d['old'], d['new']))}"

    def _go(self, ev: Event) -> str:
        extra = " ".join(f"{k}={_val(v, k)}" for k, v in ev.data["args"].items())
        return f"{'':>20}Go trace event {ev.data['name']}" + (f" {extra}" if extra else "")

    def _note(self, ev: Event) -> str:
        return f"{'':>20}· {ev.data['text']}"

    def _thread(self, ev: Event) -> str:
        return f"{'':>18}thread {ev.tid}: {ev.data.get('text', '')}"

    def _exit(self, ev: Event) -> str:
        return exit_text(ev.data.get("name", "exit_group"), ev.data["status"])

    def _result(self, ev: Event) -> str:
        d = ev.data
        if d.get("entry"):            # a function of a binary (--entry): its result registers
            vals = ", ".join(f"{r.upper().lstrip('R')} = {_val(v)}" for r, v in zip(d["regs"], (d["r1"], d["r2"], d["err"])))
            return f"result: {vals}   (the function's result registers)"
        err = f"{d['err']} ({d['errname']})" if d.get("errname") else str(d["err"])
        r1 = d["r1"]
        r1s = f"{r1} (-1)" if r1 == 0xFFFFFFFFFFFFFFFF else str(r1)
        how = ("as the call returned them in AX, BX, CX" if d.get("regs") == ["rax", "rbx", "rcx"]
               else "as Go's caller reads them from the frame")
        return f"result: r1 = {r1s}, r2 = {d['r2']}, err = {err}   ({how})"

    def _output(self, ev: Event) -> str:
        d = ev.data
        at = f" at {d['addr']:#x}" if d.get("addr") is not None else ""
        if d.get("decoded"):              # a struct the kernel wrote: its fields, not its bytes
            return f"{d['label']}{at}: {d['decoded']}  ({len(d['data']) // 2} bytes written)"
        return f"{d['label']}{at}: {bytes.fromhex(d['data'])!r}"


def exit_text(name: str, status: int) -> str:
    """What the end of the process by ``name`` (exit or exit_group) is called everywhere."""
    how = "its only thread exited" if name == "exit" else "exit_group ended every thread"
    return f"the process exited with status {status} ({how}; the call does not return)"


def print_event(r: TextRenderer, ev: Event, out, kinds=None) -> None:
    """Print ``ev``'s line (if it has one) to ``out``; with ``kinds``, only events of those kinds."""
    if kinds is not None and ev.kind not in kinds:
        return
    line = r.line(ev)
    if line is not None:
        print(line, file=out)
