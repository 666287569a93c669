"""asm/userstub.py — a learner's own stub from a ``.s`` file (``gosyscall run|repl --asm FILE.s``).

The file is Intel syntax, one instruction per line::

    TEXT ·MySyscall(SB),NOSPLIT,$0-56      ; optional: names the stub and its frame
        call runtime·entersyscall          ; CALL runtime·entersyscall(SB)
        mov rdi, qword ptr [rsp+0x10]      ; MOVQ a1+8(FP), DI
    ok:                                    # a label (a label may also start a line)
        ret

A comment (``;`` or ``#`` to the end of the line) is shown as the line's Go column, so a
learner can write the Plan 9 line each instruction stands for. ``runtime·entersyscall``,
``runtime·exitsyscall`` and ``runtime·entersyscallblock`` are available as in the built-in
stubs. The frame is ``Syscall``'s (trap, a1, a2, a3 → r1, r2, err; ``$0-56``) unless the
``TEXT`` line says ``$0-80`` (``Syscall6``'s: trap, a1 … a6 → r1, r2, err). Without a
``TEXT`` line the stub is called ``main.userstub``.

Errors name the file and line: ``mystub.s:3: cannot assemble 'movq rax': ...``.
"""
from __future__ import annotations

import os
import re

from .assembler import AsmError, assemble, go_name
from .go1_10.asm_linux_amd64 import RES, SYS3, SYS6
from .stub import Line, Stub

DEFAULT_NAME = "main.userstub"
FRAMES = {56: SYS3, 80: SYS6}          # args size → argument slots (results are always RES)
# Where the validation pass puts the runtime's functions; the session assembles the stub
# again at its real addresses. Any address works here: it only has to be defined.
_CHECK_BASE = 0x401000
_CHECK_EXTERNS = {"runtime.entersyscall": 0x42C000, "runtime.exitsyscall": 0x42C020,
                  "runtime.entersyscallblock": 0x42C040}

# Checked before anything is assembled (Keystone takes minutes and gigabytes on a file of
# megabytes, only for the image to be refused as too big): the text pages hold 8 KiB of code
# (emu/cpu/layout.py TEXT_SIZE), and an instruction takes at least one byte, so a stub of more
# instructions cannot fit; a file of more bytes than that many generous lines is not a stub.
MAX_INSTRUCTIONS = 0x2000
MAX_SOURCE_BYTES = 256 * 1024

_TEXT = re.compile(r"^TEXT\s+([^\s(,]*)(?:\(SB\))?\s*(?:,\s*([A-Z|]+)\s*)?(?:,\s*\$(-?\d+)-(\d+))?\s*$")
_LABEL = re.compile(r"^([A-Za-z_.][\w.·]*):\s*(.*)$")


class UserStubError(AsmError, ValueError):
    """A user's stub cannot be read or assembled; the message starts with ``file:line:``."""


def _split_comment(text: str) -> tuple[str, str]:
    cut = min((i for i in (text.find(";"), text.find("#")) if i >= 0), default=-1)
    if cut < 0:
        return text.strip(), ""
    return text[:cut].strip(), text[cut + 1:].strip()


def _text_line(code: str, loc: str) -> tuple[str, int]:
    """``TEXT ·name(SB),NOSPLIT,$0-56`` → (Go dot name, args size)."""
    m = _TEXT.match(code)
    if not m:
        raise UserStubError(f"{loc}: cannot read the TEXT line {code!r} "
                            "(write e.g. TEXT ·MySyscall(SB),NOSPLIT,$0-56)")
    raw = m.group(1) or ""
    name = go_name("main" + raw if raw.startswith("·") else raw) or DEFAULT_NAME
    if "." not in name:
        name = "main." + name
    size = int(m.group(4)) if m.group(4) else 56
    if size not in FRAMES:
        raise UserStubError(f"{loc}: frame $…-{size}: a user stub has Syscall's frame ($0-56) "
                            "or Syscall6's ($0-80)")
    return name, size


def parse_user_stub(text: str, filename: str) -> Stub:
    """Build the stub from the file's text; ``filename`` is how its lines are named."""
    name, size, lines = DEFAULT_NAME, 56, []
    for no, raw in enumerate(text.splitlines(), 1):
        loc = f"{filename}:{no}"
        code, comment = _split_comment(raw)
        if not code:
            continue
        if code.startswith("TEXT"):
            name, size = _text_line(code, loc)
            continue
        m = _LABEL.match(code)
        if m:
            lines.append(Line(intel="", go=f"{m.group(1)}:", loc=loc, label=m.group(1)))
            code = m.group(2).strip()
            if not code:
                continue
        lines.append(Line(intel=code, go=comment, loc=loc))
    if not any(ln.label is None for ln in lines):
        raise UserStubError(f"{filename}: no instructions (one Intel instruction per line)")
    count = sum(ln.label is None for ln in lines)
    if count > MAX_INSTRUCTIONS:
        raise UserStubError(f"{filename}: {count} instructions; a stub has at most {MAX_INSTRUCTIONS} "
                            f"(the text pages hold {MAX_INSTRUCTIONS} bytes of code)")
    calls = any(re.search(r"\bruntime[·.]entersyscall\b", ln.intel) for ln in lines)
    return Stub(name=name, frame=f"$0-{size}", args=FRAMES[size], results=RES, lines=tuple(lines),
                calls_runtime=calls, doc=f"your stub from {filename}")


def load_user_stub(path: str) -> Stub:
    """Read, parse and check-assemble ``path``; :class:`UserStubError` says what is wrong.

    Trace lines name the file by its base name (``mystub.s:3``: the same trace wherever it
    is run from); error messages name it as the user wrote it (``../stubs/mystub.s:3``)."""
    filename = os.path.basename(path)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_SOURCE_BYTES + 1)        # never more, whatever the file is
        if len(data) > MAX_SOURCE_BYTES:
            raise UserStubError(f"{path}: more than {MAX_SOURCE_BYTES} bytes; a stub file is at most "
                                f"{MAX_SOURCE_BYTES} (the text pages hold {MAX_INSTRUCTIONS} bytes of code)")
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as e:
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise UserStubError(f"{path}: cannot read it: {why}") from None
    try:
        stub = parse_user_stub(text, filename)
        assemble([stub], _CHECK_BASE, _CHECK_EXTERNS)
    except UserStubError as e:
        raise UserStubError(_with_path(str(e), filename, path)) from None
    except AsmError as e:
        raise UserStubError(_with_path(_at_line(stub, str(e)), filename, path)) from None
    return stub


def _with_path(msg: str, filename: str, path: str) -> str:
    """``mystub.s:3: why`` → ``dir/mystub.s:3: why``."""
    return path + msg[len(filename):] if msg.startswith(filename + ":") else msg


def _at_line(stub: Stub, msg: str) -> str:
    """Rewrite the assembler's ``stub (file:line: text): why`` as ``file:line: why``."""
    for ln in stub.lines:
        where = f"{stub.name} ({ln.loc}: {ln.go.strip() or ln.intel})"
        if msg.startswith(where + ": "):
            return f"{ln.loc}: {msg[len(where) + 2:]}"
    return f"{stub.lines[0].loc.split(':')[0]}: {msg}"
