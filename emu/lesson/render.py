"""emu/lesson/render.py — a :class:`~emu.lesson.build.Lesson` as text, Markdown or one HTML page.

The HTML page is self-contained: the template (``lesson.html``, beside this file) holds
the style and the script, the lesson is embedded as JSON, and nothing is fetched, so the
file opens from disk with no network. ``#step=N`` in its address opens step N.
"""
from __future__ import annotations

import html
import json
import textwrap
from importlib import resources

from emu.cpu.regs import TRACE_REGS

FORMATS = ("text", "markdown", "html")


def _changes(step) -> list[str]:
    return [f"{r} {step.before[r]:#x} → {step.after[r]:#x}" for r in step.changed if r != "rip"]


def _mem(step) -> list[str]:
    """What the instruction wrote (a value per store), then what the kernel wrote (bytes)."""
    out = [f"[{a:#x}] ← {int.from_bytes(bytes.fromhex(h), 'little'):#x}" for a, h in step.mem]
    for a, h in step.kernel_mem:
        data = bytes.fromhex(h)
        shown = repr(data[:32]) + ("…" if len(data) > 32 else "")
        out.append(f"by the kernel: {len(data)} bytes at {a:#x}: {shown}")
    return out


def text(lesson) -> str:
    out = [f"Lesson: {lesson.title}", *lesson.header, ""]
    for s in lesson.steps:
        go = f"  {s.go}" if s.go else ""
        out.append(f"Step {s.n}  {s.addr:#x}  {s.where}{go}" + (f"  ({s.loc})" if s.loc else ""))
        out.append(f"  Intel      {s.intel}")
        if s.note:
            out += textwrap.wrap(s.note, 96, initial_indent="  What       ", subsequent_indent=" " * 13)
        out.append("  Registers  " + ("; ".join(_changes(s)) or "none but RIP"))
        if s.mem or s.kernel_mem:
            out.append("  Memory     " + "; ".join(_mem(s)))
        out += [f"  Event      {e}" for e in s.events]
        out.append(f"  Runtime    {s.state}")
        out.append("")
    out.append(lesson.result)
    return "\n".join(out) + "\n"


def markdown(lesson) -> str:
    out = [f"# Lesson: {lesson.title}", "", *[f"- {h}" for h in lesson.header], ""]
    for s in lesson.steps:
        title = f"`{s.go}`" if s.go else f"`{s.intel}`"
        out += [f"## Step {s.n}: {title}", "",
                f"`{s.addr:#x}` {s.where}" + (f" ({s.loc})" if s.loc else "") + f" — Intel `{s.intel}`", ""]
        if s.note:
            out += [s.note, ""]
        if s.changed:
            out += ["| register | before | after |", "| --- | --- | --- |"]
            out += [f"| {r} | `{s.before[r]:#x}` | `{s.after[r]:#x}` |" for r in s.changed]
            out.append("")
        if s.mem or s.kernel_mem:
            out += [f"- memory: `{m}`" for m in _mem(s)]
        out += [f"- {e}" for e in s.events]
        out += [f"- runtime: {s.state}", ""]
    out.append(lesson.result)
    return "\n".join(out) + "\n"


def page(lesson) -> str:
    data = {"title": lesson.title, "header": lesson.header, "result": lesson.result,
            "regs": list(TRACE_REGS),
            "steps": [{"n": s.n, "addr": f"{s.addr:#x}", "where": s.where, "intel": s.intel, "go": s.go,
                       "loc": s.loc, "note": s.note, "changed": s.changed, "events": s.events,
                       "mem": _mem(s), "state": s.state,
                       "before": {r: f"{s.before[r]:#x}" for r in TRACE_REGS},
                       "after": {r: f"{s.after[r]:#x}" for r in TRACE_REGS}} for s in lesson.steps]}
    blob = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    template = resources.files("emu.lesson").joinpath("lesson.html").read_text(encoding="utf-8")
    return template.replace("{{TITLE}}", html.escape(lesson.title)).replace("{{DATA}}", blob)


def render(lesson, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return {"text": text, "markdown": markdown, "html": page}[fmt](lesson)
