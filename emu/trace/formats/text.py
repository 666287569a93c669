"""emu/trace/formats/text.py — the text trace: what `gosyscall run --no-color` prints, framed.

    # gosyscall-trace text v1 · profile go1.10
    # regs rax=0x0 rbx=0x0 … rip=0x40119a rflags=0x202
    gosyscall · profile go1.10 · syscall.Syscall(trap=39 SYS_GETPID)      ← the run's own lines
    step  pc          function …
       1  0x0040119a  main.callSyscall …
    …
    result: r1 = 1000, r2 = 0, err = 0 …
    # end · 19 steps · 36 lines

Between the first two lines and the last, the lines are exactly those `gosyscall run
--no-color` prints for the same call (golden files use this format). The last line counts
steps and lines, so a truncated file or a lost line is found and named; the reader checks
that step numbers go up one by one and reports the file and line of anything damaged.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from emu.trace.events import FORMAT_VERSION, Event
from emu.trace.formats.base import TraceError, TraceWriter, check_version, decode_lines
from emu.trace.render import COLUMNS, TextRenderer

MAGIC = "# gosyscall-trace text v"
# Numbers are bounded: int() refuses a decimal string of over 4300 digits, and no trace needs one.
_HEAD = re.compile(r"# gosyscall-trace text v(\d{1,9})(?: · profile (\S+))?$")
_END = re.compile(r"# end · (\d{1,18}) steps · (\d{1,18}) lines$")
_STEP_LIKE = re.compile(r" {0,4}\d")               # step lines: the number right-aligned in 4
_STEP = re.compile(r" *(\d{1,18})  0x([0-9a-f]{8,16})  (\S.*)$")
_REG = re.compile(r"\b([a-z][a-z0-9]*) (0x[0-9a-f]+)→(0x[0-9a-f]+)")
_MEM = re.compile(r"\[(0x[0-9a-f]+)\]←(\S+)")
_CONFLICT = ("<<<<<<< ", "=======", ">>>>>>> ")


class TextWriter(TraceWriter):
    """The text view; ``threads`` (tid → "m2") labels each line, for the thread world."""

    def __init__(self, out, threads: dict[int, str] | None = None):
        super().__init__(out)
        self.threads = threads

    def begin(self, header: dict) -> None:
        super().begin(header)
        self.r = TextRenderer(color=False, threads=self.threads, columns=tuple(header.get("columns", COLUMNS)))
        self.steps = self.lines = 0
        self.out.write(f"{MAGIC}{FORMAT_VERSION} · profile {header.get('profile', '?')}\n")
        if header.get("regs"):
            self.out.write("# regs " + " ".join(f"{n}={v:#x}" for n, v in header["regs"].items()) + "\n")
        for line in header.get("title", ()):
            self._body(line)

    def _body(self, line: str) -> None:
        self.out.write(line + "\n")
        self.lines += 1

    def event(self, ev: Event) -> None:
        self.steps += ev.kind == "insn"
        line = self.r.line(ev)
        if line is not None:
            for part in line.split("\n"):
                self._body(part)

    def end(self, final_regs: dict | None = None) -> None:
        self.out.write(f"# end · {self.steps} steps · {self.lines} lines\n")


def render_text(header: dict, events: list[Event], threads: dict[int, str] | None = None) -> str:
    """The text view of a whole trace held in memory (a golden's)."""
    out = io.StringIO()
    w = TextWriter(out, threads)
    w.begin(header)
    for ev in events:
        w.event(ev)
    w.end()
    return out.getvalue()


@dataclass
class Step:
    """One instruction line and the lines that follow it; step 0 holds what comes before step 1."""

    n: int
    lineno: int = 0
    line: str = ""
    pc: int | None = None
    insn: str = ""                                   # the columns between pc and the changes
    regs: dict[str, tuple[int, int]] = field(default_factory=dict)
    mem: list[tuple[int, str]] = field(default_factory=list)
    after: list[tuple[int, str]] = field(default_factory=list)   # (line number, line)

    def after_text(self) -> list[str]:
        """The lines that follow, without their indentation (what comparisons look at)."""
        return [t.strip() for _, t in self.after]


@dataclass
class TextTrace:
    name: str
    version: int
    profile: str
    regs: dict[str, int] | None
    steps: list[Step]                                # steps[n] is step n; steps[0] the prelude


def read_text(path, name: str | None = None) -> TextTrace:
    with open(path, "rb") as f:
        data = f.read()
    return parse_text(data, name or str(path))


def parse_text(data: bytes | str, name: str) -> TextTrace:
    """Parse a text trace; any damage raises TraceError naming ``name`` and the line."""
    lines = decode_lines(data.encode() if isinstance(data, str) else data, name)
    if lines and lines[-1] == "":
        lines.pop()                                  # the newline that ends the last line
    m = _HEAD.match(lines[0]) if lines else None
    if m is None:
        raise TraceError(name, 1, f"not a gosyscall text trace: the first line should start "
                                  f"with '{MAGIC}{FORMAT_VERSION}'")
    version, profile = int(m.group(1)), m.group(2) or "?"
    check_version(version, name, 1, "text trace")
    first, regs = 1, None
    if len(lines) > 1 and lines[1].startswith("# regs "):
        regs, first = _parse_regs(lines[1], name), 2
    end = _END.match(lines[-1]) if len(lines) > first else None
    if end is None:
        raise TraceError(name, len(lines), "truncated: the trace stops here without its last "
                                           "line '# end · N steps · M lines'")
    body = lines[first:-1]
    nsteps, nlines = int(end.group(1)), int(end.group(2))
    if nlines != len(body):
        raise TraceError(name, len(lines), f"the end line counts {nlines} lines but {len(body)} "
                                           "precede it: lines were lost or added")
    steps = _parse_body(body, first + 1, name)
    if len(steps) - 1 != nsteps:
        raise TraceError(name, len(lines), f"the end line counts {nsteps} steps but the trace "
                                           f"has {len(steps) - 1}")
    return TextTrace(name, version, profile, regs, steps)


def _parse_regs(line: str, name: str) -> dict[str, int]:
    regs = {}
    for tok in line[len("# regs "):].split():
        reg, eq, val = tok.partition("=")
        try:
            regs[reg] = int(val, 16)
        except ValueError:
            raise TraceError(name, 2, f"a damaged register dump: {tok!r} is not name=0xHEX") from None
    return regs


def _parse_body(body: list[str], lineno: int, name: str) -> list[Step]:
    steps = [Step(0)]
    for i, line in enumerate(body, lineno):
        if line.startswith(_CONFLICT):
            raise TraceError(name, i, "a merge-conflict marker: resolve the conflict, or "
                                      "regenerate the golden with --gosyscall-update")
        if not _STEP_LIKE.match(line):
            steps[-1].after.append((i, line.rstrip()))
            continue
        m = _STEP.match(line)
        if m is None:
            raise TraceError(name, i, f"a damaged step line: {line[:60]!r}")
        n = int(m.group(1))
        if n != len(steps):
            raise TraceError(name, i, f"step {n} follows step {len(steps) - 1}: steps are "
                                      "missing or out of order")
        steps.append(_step(n, i, line, int(m.group(2), 16), m.group(3)))
    return steps


def _step(n: int, lineno: int, line: str, pc: int, rest: str) -> Step:
    marks = [x.start() for x in (_REG.search(rest), _MEM.search(rest)) if x]
    cut = min(marks) if marks else len(rest)
    changes = rest[cut:]
    return Step(n, lineno, line.rstrip(), pc, " ".join(rest[:cut].split()),
                {r: (int(a, 16), int(b, 16)) for r, a, b in _REG.findall(changes)},
                [(int(a, 16), v) for a, v in _MEM.findall(changes)])
