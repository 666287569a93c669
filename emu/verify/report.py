"""emu/verify/report.py — what ``gosyscall verify`` prints: verdicts, steps, the first divergence.

Nothing host-specific is printed: no paths, no process ids (a pid is shown as ``pid``), no
times, so the verdicts of an all-identical run read the same on every machine. (The ``--steps``
table shows real values: after getpid the flags a CMP computes depend on the pid.)
"""
from __future__ import annotations

from emu.cpu.regs import TRACE_REGS
from emu.kernel.errno import errno_name
from emu.verify.compare import NORMALISATIONS, CaseResult, native_end_text

HEADER = f"{'stub':<12} {'call':<40} {'verdict':<14} {'steps':>5}  result"


def verdict(r: CaseResult) -> str:
    if r.identical:
        return "identical"
    return "refused" if r.refused else "not comparable" if r.incomparable else "DIFFERS"


def verdict_line(r: CaseResult) -> str:
    steps = len(r.native) - 1
    return f"{r.stub:<12} {r.call:<40} {verdict(r):<14} {steps:>5}  {result_text(r)}".rstrip()


def result_text(r: CaseResult) -> str:
    """r1/r2/err as the emulated caller read them; a process id is shown as ``pid``/``tid``.
    A run that did not return says how each side ended."""
    if r.refused or r.incomparable:
        return r.refused or r.incomparable
    frame = r.frame[1] if r.frame else None
    if frame is None:
        if r.native_end == "ok":
            return f"emulated run stopped: {r.emulated_end}"
        if r.native_end.split()[0] == "limit" and r.identical:
            return f"both stopped: {r.emulated_end}"
        lead = "both stopped: " if r.identical else ""
        return f"{lead}native {native_end_text(r.native_end)}; emulated {r.emulated_end}"
    r1, r2, err = frame
    shown = _h(r1, r) if r1 == r.pid else (str(r1 - (1 << 64)) if r1 >> 63 else str(r1))
    text = f"r1={shown} r2={r2} err={err}"
    return text + (f" {errno_name(err)}" if err else "")


def step_lines(r: CaseResult) -> list[str]:
    """One line per step: the instruction and the registers it changed natively (RIP only at the
    start: the next line's pc shows it); ``≠`` marks a register whose emulated value differs,
    native value first. A process id is shown as ``pid``."""
    out = [f"  {'step':>4}  {'pc':<10}  {'function':<26} {'Go (Plan 9)':<32} "
           "registers after (native≠emulated)"]
    rip = TRACE_REGS.index("rip")
    for i in range(max(len(r.native), len(r.emulated))):
        nat = r.native[i] if i < len(r.native) else (None,) * len(TRACE_REGS)
        emu = r.emulated[i] if i < len(r.emulated) else (None,) * len(TRACE_REGS)
        prev = r.native[i - 1] if 0 < i <= len(r.native) else (0,) * len(TRACE_REGS)
        cells = []
        for k, name in enumerate(TRACE_REGS):
            a, b = nat[k], emu[k]
            if a != b:
                cells.append(f"{name}={_h(a, r)}≠{_h(b, r)}")
            elif a != prev[k] and (k != rip or i == 0):
                cells.append(f"{name}={_h(a, r)}")
        pc, where, go, _loc = r.insns[i - 1] if i else (None, "(start)", "", "")
        head = f"  {i:>4}  {'' if pc is None else f'{pc:#010x}':<10}  {where:<26} {go:<32}"
        out.append(f"{head} {' '.join(cells)}".rstrip())
    return out


def divergence_lines(r: CaseResult) -> list[str]:
    d = r.diff
    if d is None:
        return []
    if d.step is None:
        head = {"end": "the runs ended differently", "frame": "r1/r2/err in the caller's frame differ",
                "memory": "memory differs at the end", "output": "output differs at the end"}[d.what]
    elif d.step == 0:
        head = "the starting registers differ"
    else:
        pc, where, go, loc = r.insns[d.step - 1]
        head = (f"step {d.step}, after {pc:#010x} {where}  {go}" + (f"  ({loc})" if loc else ""))
        if d.what == "steps":
            native_first = len(r.native) < len(r.emulated)
            ended = (f"the native run ended ({native_end_text(r.native_end)})" if native_first
                     else f"the emulated run ended ({r.emulated_end})")
            head = f"step {d.step}: {ended}; the {'emulated' if native_first else 'native'} one went on"
    lines = [f"  first divergence: {head}", f"    {'':<16} {'native':<34} emulated"]
    lines += [f"    {name:<16} {a:<34} {b}" for name, a, b in d.rows]
    if d.what == "registers" and d.step:
        lines.append(f"    (all {len(TRACE_REGS)} registers were identical after step {d.step - 1})")
    return lines


def summary_lines(results: list[CaseResult]) -> list[str]:
    same = sum(r.identical for r in results)
    refused = sum(r.refused is not None for r in results)
    apart = sum(r.incomparable is not None for r in results)
    differ = len(results) - same - refused - apart
    line = f"{len(results)} case{'s' if len(results) != 1 else ''}: {same} identical to the native run"
    line += f", {differ} differ" if differ else ""
    line += f", {refused} refused" if refused else ""
    line += f", {apart} not comparable" if apart else ""
    used = sorted({n for r in results for n in r.normalised})
    lines = [line, "compared: rax..r15, rip, rflags at the start and after every instruction; r1/r2/err; "
             "the goroutine stack and user heap bytes; fd 1/2 output; the pipe's contents"]
    lines += [f"normalised ({n}): {NORMALISATIONS[n]}" for n in used]
    return lines


def _h(v: int | None, r: CaseResult) -> str:
    """A register value in hex; the native child's process id, which differs from run to run,
    as ``pid`` (or ``tid`` after gettid) once the call has fetched it."""
    if v is None:
        return "—"
    if v == r.pid and {"getpid", "gettid"} & set(r.syscalls):
        return "pid" if "getpid" in r.syscalls else "tid"
    return f"{v:#x}"
