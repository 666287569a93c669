"""emu/trace/formats — one trace, five ways to write it, two ways to read it back.

``write_trace(events, header, fmt, path)`` writes any run's or scenario's events (an
``EventLog``'s ``events``) in one of ``FORMATS``; every file goes through
``emu.atomic.write_atomic``. ``read_jsonl`` gives back the exact events; ``load_trace``
reads a JSON Lines or text trace as a :class:`~emu.trace.formats.text.TextTrace` for diffing.
"""
from __future__ import annotations

import os
import sys

from emu.atomic import write_atomic
from emu.trace.events import Event
from emu.trace.formats.base import FORMAT_NAME, TraceError, make_header
from emu.trace.formats.chrome import render_chrome
from emu.trace.formats.jsonl import parse_jsonl, read_jsonl, render_jsonl
from emu.trace.formats.strace import render_strace
from emu.trace.formats.tenet import render_tenet
from emu.trace.formats.text import TextTrace, parse_text, read_text, render_text
from emu.trace.render import TextRenderer

RENDERERS = {"text": render_text, "jsonl": render_jsonl, "strace": render_strace,
             "tenet": render_tenet, "chrome": render_chrome}
FORMATS = tuple(RENDERERS)
_BY_EXTENSION = {".trace": "text", ".txt": "text", ".jsonl": "jsonl", ".strace": "strace",
                 ".tenet": "tenet", ".json": "chrome"}

__all__ = ["FORMATS", "FORMAT_NAME", "TraceError", "TextTrace", "make_header", "render_trace",
           "write_trace", "read_jsonl", "read_text", "load_trace", "format_for_path"]


def format_for_path(path: str) -> str:
    """The format a file name asks for by its extension; text when it says nothing."""
    return _BY_EXTENSION.get(os.path.splitext(path)[1].lower(), "text")


def render_trace(events: list[Event], header: dict, fmt: str) -> str:
    if fmt not in RENDERERS:
        raise ValueError(f"no trace format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return RENDERERS[fmt](header, events)


def write_trace(events: list[Event], header: dict, fmt: str, path) -> None:
    """Write ``events`` under ``header`` as ``fmt`` to ``path`` (``-``: standard output)."""
    text = render_trace(events, header, fmt)
    if os.fspath(path) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        write_atomic(path, text)


def load_trace(path, name: str | None = None) -> TextTrace:
    """A JSON Lines or text trace, as text-trace steps (what ``diff`` compares)."""
    name = name or str(path)
    with open(path, "rb") as f:
        data = f.read()
    head = data.lstrip()[:1]
    if data.lstrip().startswith(b'{"traceEvents"'):       # the chrome format: not one event a line
        raise TraceError(name, 1, "a Chrome trace-event file: diff reads the jsonl and text formats")
    if head == b"{":
        return _jsonl_as_text(data, name)
    if head == b"#":
        return parse_text(data, name)
    raise TraceError(name, 1, "not a gosyscall trace: diff reads the jsonl and text formats")


def _jsonl_as_text(data: bytes, name: str) -> TextTrace:
    """A JSON Lines trace as text-trace steps. What JSON reads but the text view cannot show
    (a field of the wrong type, steps out of order) is named by its line in the JSON Lines
    file: the header is line 1, event i is line i + 2, the end line follows the events."""
    header, events = parse_jsonl(data, name)
    _check_header(header, name)
    r, origin = TextRenderer(color=False), []          # origin: the JSON line of each event line
    for i, ev in enumerate(events, 2):
        try:
            line = r.line(ev)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
            what = f"no {e.args[0]!r}" if isinstance(e, KeyError) else f"a value of the wrong type ({e})"
            what = " ".join(what.split())[:120]               # one line, and not a page of it
            raise TraceError(name, i, f"a damaged {str(ev.kind)[:20]!r} event: {what}") from None
        if line is not None:
            origin += [i] * (line.count("\n") + 1)
    text = render_text(header, events)
    origin = [1] * (text.count("\n") - len(origin) - 1) + origin + [len(events) + 2]
    try:
        return parse_text(text, name)
    except TraceError as e:
        raise TraceError(name, origin[min(e.line, len(origin)) - 1], e.msg) from None


def _check_header(header: dict, name: str) -> None:
    """The header fields the text view prints, each of a type and form it can print on its line."""
    profile, title, regs = header.get("profile", "?"), header.get("title", []), header.get("regs") or {}
    if not (isinstance(profile, str) and profile and not any(c.isspace() for c in profile)):
        raise TraceError(name, 1, f"the header's profile {str(profile)[:20]!r} is not a Go release name")
    if not (isinstance(title, list) and all(isinstance(t, str) and "\n" not in t for t in title)):
        raise TraceError(name, 1, "the header's title is not a list of one-line strings")
    if not (isinstance(regs, dict) and all(k.isidentifier() and isinstance(v, int) for k, v in regs.items())):
        raise TraceError(name, 1, "the header's regs are not register names with numbers")
