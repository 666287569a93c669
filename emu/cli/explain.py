"""emu/cli/explain.py — ``gosyscall explain [SYSCALL]``: a lesson on the whole path of one call.

Each instruction with its Go line, what it does, the registers before and after, the
kernel and runtime events and the runtime state, as terminal text, Markdown, or one
self-contained HTML page with a step slider (``--format``; ``-o FILE`` writes atomically).
A syscall named without arguments gets a small example call (``write`` writes a line to
stdout); with arguments, they are ``run``'s.
"""
from __future__ import annotations

import sys

from emu.atomic import write_atomic
from emu.bridge.call import DEFAULT_CALL, build, header

EXAMPLES = {   # syscall → arguments a lesson uses when none are given
    "read": DEFAULT_CALL[1:],
    "write": ["1", "data:hello, gopher\\n", "14"],
    "open": ["str:/hello.txt", "0", "0"],
    "close": ["-1"],
    "nanosleep": ["data:\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\x00\\xe8\\x03\\x00\\x00\\x00\\x00\\x00\\x00", "0"],
}


def add_parser(sub, h) -> None:
    p = sub.add_parser("explain", help="a lesson: every instruction of the path, explained")
    h.call_args(p)
    h.common(p)
    p.add_argument("--format", default="text", choices=("text", "markdown", "html"),
                   help="text (default), markdown, or html (one self-contained page)")
    p.add_argument("-o", dest="output", metavar="FILE", help="write the lesson to FILE")


def run(ns) -> int:
    from emu.lesson.build import build_lesson
    from emu.lesson.render import render
    if ns.syscall is not None and not ns.args:
        ns.args = list(EXAMPLES.get(ns.syscall.lower(), []))
    session, stub, trap, args = build(ns)
    head = header(session, stub, trap, args)[:-1]
    lesson = build_lesson(session, stub, trap, [a.value for a in args], head, budget=ns.budget)
    text = render(lesson, ns.format)
    if ns.output:
        write_atomic(ns.output, text)
        print(f"wrote {ns.format} lesson ({len(lesson.steps)} steps) to {ns.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
