"""emu/trace/diff.py — two traces compared step by step: the first divergence, then a summary.

Steps are compared by number: step n's instruction line (pc, function, instruction,
the registers it changed, the memory it wrote) and the lines that follow it (the
syscall, runtime calls, state transitions, the result). Step 0 is the header, what comes
before the first instruction: the initial registers and the run's title lines. The
report names the first differing step and says what differs in words ("r11 0x0→0x202 in
the golden; unchanged in this run"), shows a few steps before it and both sides of it,
then counts the differing steps and lists the syscalls (each whole line: the call with its
arguments, and its result), Go trace events and state transitions that appear on one side
only. A header difference (any changed argument changes the title) is reported on its own
line and never hides the first differing step after it.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from emu.trace.formats.text import Step, TextTrace

CONTEXT = 3            # steps shown before the first divergence
SHOWN_AFTER = 8        # lines shown after a divergent step's instruction line

_SYSCALL = re.compile(r"⇒ kernel: (\w+\(.*)$")
_SYSRET = re.compile(r"⇐ (\w+\(.*)$")
_GOEVENT = re.compile(r"Go trace event (\w+)")
_STATE = re.compile(r"[gpm]\d+ _?\w+ → _?\w+$")


@dataclass
class Comparison:
    a: TextTrace
    b: TextTrace
    la: str
    lb: str
    differing: list[int]

    @property
    def same(self) -> bool:
        return not self.differing

    @property
    def first(self) -> int | None:
        """The first differing step; 0 (the header) only when no step differs."""
        steps = [n for n in self.differing if n]
        return steps[0] if steps else (0 if self.differing else None)

    @property
    def header_differs(self) -> bool:
        return 0 in self.differing

    def headline(self) -> str:
        if self.same:
            return f"{self.la} and {self.lb} are the same ({len(self.a.steps) - 1} steps)"
        n = self.first
        where = f"step {n}" if n else "before the first step"
        return f"{where}: {self._explain(n)[0]}"

    def report(self, lead: str = "first divergence:") -> str:
        """The full report; its first line is ``lead`` and the headline, then the header's
        difference (if the first differing step is a later one)."""
        if self.same:
            return self.headline()
        n = self.first
        sa, sb = self._step(self.a, n), self._step(self.b, n)
        out = [f"{lead} {self.headline()}"]
        if n and self.header_differs:
            out += [f"the header differs too: {m}" for m in self._explain(0)]
        context = self.a.steps[max(1, n - CONTEXT):n]
        if context:
            out.append("context (the same in both):")
            out += [f"  {s.line}" for s in context]
        for label, s in ((self.la, sa), (self.lb, sb)):
            out.append(f"{_name(n)} in {label}:" if s else f"{label} has no {_name(n)}")
            if s:
                out += [f"  {line}" for line in _shown(s)]
        more = self._explain(n)[1:]
        if more:
            out.append("also at this step:")
            out += [f"  {m}" for m in more]
        out.append(self.summary())
        return "\n".join(out)

    def summary(self) -> str:
        total = max(len(self.a.steps), len(self.b.steps)) - 1
        steps = [n for n in self.differing if n]
        text = f"{len(steps)} of {total} steps {'differs' if len(steps) == 1 else 'differ'}"
        if steps:
            listed = ", ".join(map(str, steps[:5])) + (f", … {steps[-1]}" if len(steps) > 5 else "")
            text += f" ({'steps' if len(steps) > 1 else 'step'} {listed})"
        if 0 in self.differing:
            text += ", and the header (what comes before step 1)"
        ma, mb = milestones(self.a), milestones(self.b)
        only = [(label, c) for label, c in ((self.la, ma - mb), (self.lb, mb - ma)) if c]
        if not only:
            return text + "; syscalls, Go trace events and state transitions: the same in both"
        return text + "".join(f"; only in {label}: {_counted(c)}" for label, c in only)

    def _explain(self, n: int) -> list[str]:
        return explain(self._step(self.a, n), self._step(self.b, n), n, self.la, self.lb,
                       regs=(self.a.regs, self.b.regs))

    @staticmethod
    def _step(t: TextTrace, n: int) -> Step | None:
        return t.steps[n] if n < len(t.steps) else None


def compare(a: TextTrace, b: TextTrace, la: str | None = None, lb: str | None = None) -> Comparison:
    n = max(len(a.steps), len(b.steps))
    differing = [i for i in range(n) if explain(Comparison._step(a, i), Comparison._step(b, i), i,
                                                "", "", regs=(a.regs, b.regs))]
    return Comparison(a, b, la or a.name, lb or b.name, differing)


def explain(sa: Step | None, sb: Step | None, n: int, la: str, lb: str, regs=None) -> list[str]:
    """What differs at step ``n``, most telling first; empty when nothing does."""
    if sa is None or sb is None:
        have, lack, s = (lb, la, sb) if sa is None else (la, lb, sa)
        return [f"{lack} ends before it; {have} runs {s.pc:#x} {s.insn}"]
    out = []
    if n == 0 and regs is not None:
        out += _regs_initial(*regs, la, lb)
    if sa.pc != sb.pc:
        out.append(f"{la} runs {sa.pc:#x} {sa.insn}; {lb} runs {sb.pc:#x} {sb.insn}")
    elif sa.insn != sb.insn:
        out.append(f"the instruction differs: {la} {sa.insn!r}; {lb} {sb.insn!r}")
    for reg in dict.fromkeys([*sa.regs, *sb.regs]):
        if sa.regs.get(reg) != sb.regs.get(reg):
            out.append(_reg(reg, sa.regs.get(reg), sb.regs.get(reg), la, lb))
    if sa.mem != sb.mem:
        out.append(f"memory written: {_mem(sa)} in {la}; {_mem(sb)} in {lb}")
    ta, tb = sa.after_text(), sb.after_text()
    if ta != tb:
        i = next((i for i, (x, y) in enumerate(zip(ta, tb)) if x != y), min(len(ta), len(tb)))
        out.append(f"{la}: {_quote(ta, i)}; {lb}: {_quote(tb, i)}")
    if not out and sa.line != sb.line:
        out.append(f"the line differs: {la} {sa.line.strip()!r}; {lb} {sb.line.strip()!r}")
    return out


def _regs_initial(ra, rb, la, lb) -> list[str]:
    ra, rb = ra or {}, rb or {}
    return [f"initial {r} is {_hex(ra.get(r))} in {la}, {_hex(rb.get(r))} in {lb}"
            for r in dict.fromkeys([*ra, *rb]) if ra.get(r) != rb.get(r)]


def _reg(reg: str, va, vb, la: str, lb: str) -> str:
    if va is None:
        return f"{reg} unchanged in {la}; {vb[0]:#x}→{vb[1]:#x} in {lb}"
    if vb is None:
        return f"{reg} {va[0]:#x}→{va[1]:#x} in {la}; unchanged in {lb}"
    if va[0] == vb[0]:
        return f"{reg} became {va[1]:#x} in {la}, {vb[1]:#x} in {lb}"
    return f"{reg} {va[0]:#x}→{va[1]:#x} in {la}, {vb[0]:#x}→{vb[1]:#x} in {lb}"


def _hex(v) -> str:
    return "absent" if v is None else f"{v:#x}"


def _mem(s: Step) -> str:
    return "  ".join(f"[{a:#x}]←{v}" for a, v in s.mem) or "nothing"


def _quote(lines: list[str], i: int) -> str:
    return repr(lines[i]) if i < len(lines) else "nothing more"


def _name(n: int) -> str:
    return f"step {n}" if n else "before the first step"


def _shown(s: Step) -> list[str]:
    lines = ([s.line] if s.line else []) + [t for _, t in s.after[:SHOWN_AFTER]]
    extra = len(s.after) - SHOWN_AFTER
    return lines + ([f"… {extra} more lines"] if extra > 0 else [])


def milestones(t: TextTrace) -> Counter:
    """The syscalls (the call with its arguments, and what it returned: whole lines), Go
    trace events and state transitions a trace shows, counted."""
    c = Counter()
    for s in t.steps:
        for line in s.after_text():
            m = _SYSCALL.search(line) or _SYSRET.search(line)
            if m:
                c[("syscall " if m.re is _SYSCALL else "returned ") + " ".join(m.group(1).split())] += 1
                continue
            m = _GOEVENT.search(line)
            if m:
                c[m.group(1)] += 1
            elif _STATE.search(line):
                c[line] += 1
    return c


def _counted(c: Counter) -> str:
    """In the order the trace shows them."""
    return ", ".join(k if n == 1 else f"{k} ×{n}" for k, n in c.items())
