"""emu/formats — one trace, five ways to write it, two ways to read it back.

``write_trace(events, header, fmt, path)`` writes any run's or scenario's events (an
``EventLog``'s ``events``) in one of ``FORMATS``; every file goes through
``emu.atomic.write_atomic``. ``read_jsonl`` gives back the exact events; ``load_trace``
reads a JSON Lines or text trace as a :class:`~emu.formats.text.TextTrace` for diffing.
"""
from __future__ import annotations

import os
import sys

from emu.atomic import write_atomic
from emu.events import Event
from emu.formats.base import FORMAT_NAME, TraceError, make_header
from emu.formats.chrome import render_chrome
from emu.formats.jsonl import parse_jsonl, read_jsonl, render_jsonl
from emu.formats.strace import render_strace
from emu.formats.tenet import render_tenet
from emu.formats.text import TextTrace, parse_text, read_text, render_text

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
    if head == b"{":
        header, events = parse_jsonl(data, name)
        return parse_text(render_text(header, events), name)
    if head == b"#":
        return parse_text(data, name)
    raise TraceError(name, 1, "not a gosyscall trace: diff reads the jsonl and text formats")
