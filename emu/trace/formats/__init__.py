"""emu/trace/formats — one trace, five ways to write it, two ways to read it back.

Each format is a :class:`~emu.trace.formats.base.TraceWriter` in ``WRITERS``, fed one event
at a time: ``open_trace(path, fmt)`` gives a writer onto a file (written through
``emu.atomic.open_output``: whole or not at all, never replacing a device, FIFO or symlink)
or standard output (``-``), so a run's trace streams out while the run makes it.
``render_trace``/``write_trace`` do the same for events already held (a scenario's
EventLog). ``read_jsonl`` gives back the exact events; ``load_trace`` reads a JSON Lines or
text trace as a :class:`~emu.trace.formats.text.TextTrace` for diffing.
"""
from __future__ import annotations

import contextlib
import io
import os
import sys
from typing import Iterator

from emu.atomic import open_output
from emu.trace.events import Event
from emu.trace.formats.base import FORMAT_NAME, TraceError, TraceWriter, make_header
from emu.trace.formats.chrome import ChromeWriter
from emu.trace.formats.jsonl import JsonlWriter, parse_jsonl, read_jsonl
from emu.trace.formats.strace import StraceWriter
from emu.trace.formats.tenet import TenetWriter
from emu.trace.formats.text import TextTrace, TextWriter, parse_text, read_text, render_text
from emu.trace.render import TextRenderer

WRITERS = {"text": TextWriter, "jsonl": JsonlWriter, "strace": StraceWriter,
           "tenet": TenetWriter, "chrome": ChromeWriter}
FORMATS = tuple(WRITERS)
_BY_EXTENSION = {".trace": "text", ".txt": "text", ".jsonl": "jsonl", ".strace": "strace",
                 ".tenet": "tenet", ".json": "chrome"}

__all__ = ["FORMATS", "FORMAT_NAME", "TraceError", "TraceWriter", "TextTrace", "make_header",
           "render_trace", "write_trace", "open_trace", "writer_for", "read_jsonl", "read_text",
           "load_trace", "format_for_path"]


def format_for_path(path: str) -> str:
    """The format a file name asks for by its extension; text when it says nothing."""
    return _BY_EXTENSION.get(os.path.splitext(path)[1].lower(), "text")


def writer_for(fmt: str, out) -> TraceWriter:
    """A writer of format ``fmt`` onto the text stream ``out``."""
    if fmt not in WRITERS:
        raise ValueError(f"no trace format {fmt!r}; choose one of: {', '.join(FORMATS)}")
    return WRITERS[fmt](out)


@contextlib.contextmanager
def open_trace(path, fmt: str) -> Iterator[TraceWriter]:
    """A writer of ``fmt`` onto ``path`` (``-``: standard output). The file takes effect when
    the block ends normally; call ``begin`` … ``end`` on the writer inside it."""
    writer_for(fmt, None)                         # an unknown format: before anything is opened
    if os.fspath(path) == "-":
        yield writer_for(fmt, sys.stdout)
        sys.stdout.flush()
        return
    with open_output(path) as raw:
        out = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False)
        try:
            yield writer_for(fmt, out)
            out.flush()
        finally:
            out.detach()                          # open_output closes the file


def _write_all(w: TraceWriter, events: list[Event], header: dict) -> None:
    w.begin(header)
    for ev in events:
        w.event(ev)
    w.end()


def render_trace(events: list[Event], header: dict, fmt: str) -> str:
    out = io.StringIO()
    _write_all(writer_for(fmt, out), events, header)
    return out.getvalue()


def write_trace(events: list[Event], header: dict, fmt: str, path) -> None:
    """Write ``events`` under ``header`` as ``fmt`` to ``path`` (``-``: standard output)."""
    with open_trace(path, fmt) as w:
        _write_all(w, events, header)


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
