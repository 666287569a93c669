"""emu/trace/formats/jsonl.py — JSON Lines: the header, one event a line, an end line.

    {"format":"gosyscall-trace","version":1,"profile":"go1.10","title":[…],"regs":{…},…}
    {"kind":"insn","step":1,"t":0,"tid":1000,"pc":4198810,"bytes":"e8…","regs":[["rsp",…]],…}
    …
    {"end":{"events":35,"final_regs":{…}}}

``read_jsonl(path)`` gives back ``(header, events)`` equal to what was written. The end
line says how many events precede it, so a file cut anywhere — even between two lines —
is reported, with the file name and line, never read as a shorter trace. The registers
when the run stopped are known only at its end, so they are in the end line (a trace is
written while the run makes it); reading puts them back in the header as ``final_regs``.
"""
from __future__ import annotations

import json

from emu.trace.events import Event
from emu.trace.formats.base import FORMAT_NAME, TraceError, TraceWriter, check_version, decode_lines

_EVENT_KEYS = ("kind", "step", "t", "tid")


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


class JsonlWriter(TraceWriter):
    def begin(self, header: dict) -> None:
        super().begin(header)
        self.n = 0
        self.out.write(_dump({k: v for k, v in header.items() if k != "final_regs"}) + "\n")

    def event(self, ev: Event) -> None:
        self.n += 1
        self.out.write(_dump(ev.to_json()) + "\n")

    def end(self, final_regs: dict | None = None) -> None:
        end = {"events": self.n}
        final = self.final(final_regs)
        if final is not None:
            end["final_regs"] = dict(final)
        self.out.write(_dump({"end": end}) + "\n")


def read_jsonl(path, name: str | None = None) -> tuple[dict, list[Event]]:
    with open(path, "rb") as f:
        data = f.read()
    return parse_jsonl(data, name or str(path))


def parse_jsonl(data: bytes | str, name: str) -> tuple[dict, list[Event]]:
    lines = decode_lines(data.encode() if isinstance(data, str) else data, name)
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise TraceError(name, 1, "empty: a JSON Lines trace starts with its header line")
    header = _object(lines[0], 1, name)
    if header.get("format") != FORMAT_NAME:
        raise TraceError(name, 1, f"not a gosyscall trace: the header's format should be "
                                  f"{FORMAT_NAME!r}, not {header.get('format')!r}")
    check_version(header.get("version"), name, 1, "trace format")
    events, end = [], None
    for i, line in enumerate(lines[1:], 2):
        obj = _object(line, i, name)
        if "end" in obj:
            end = (i, obj["end"])
            if i != len(lines):
                raise TraceError(name, i + 1, "lines after the end line: the file is damaged")
            break
        missing = [k for k in _EVENT_KEYS if k not in obj]
        if missing:
            raise TraceError(name, i, f"not an event: no {', '.join(missing)}")
        events.append(Event.from_json(obj))
    if end is None:
        raise TraceError(name, len(lines), "truncated: the trace stops here without its end line")
    count = end[1].get("events") if isinstance(end[1], dict) else None
    if count != len(events):
        raise TraceError(name, end[0], f"the end line counts {count} events but {len(events)} "
                                       "precede it: lines were lost or added")
    final = end[1].get("final_regs")
    if final is not None:
        if not isinstance(final, dict):
            raise TraceError(name, end[0], "the end line's final_regs are not register names with numbers")
        header["final_regs"] = final
    return header, events


def _object(line: str, i: int, name: str) -> dict:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise TraceError(name, i, f"not JSON ({e.msg} at column {e.colno}): the line is cut "
                                  "short or damaged") from None
    except (ValueError, RecursionError):       # an integer of thousands of digits, nesting too deep
        raise TraceError(name, i, "not a trace line: a number too long or lists nested too "
                                  "deep (the file is damaged)") from None
    if not isinstance(obj, dict):
        raise TraceError(name, i, "not a JSON object")
    return obj
