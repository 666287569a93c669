"""Random and damaged trace files through every reader: a correct parse or one line naming the
file (and line), never a traceback, never a hang.

The inputs are random bytes, and real traces (the project's goldens, and recorded runs as
JSON Lines) damaged the ways files get damaged: cut short, a byte flipped, a digit changed, a line
inserted, deleted or duplicated, a JSON value replaced by another of any type. They go to the readers
(``parse_jsonl``/``read_jsonl``, ``parse_text``/``read_text``, ``load_trace``), to the golden
comparison (``golden.check`` against a damaged golden, ``golden.describe`` of a damaged
pending file), and end to end through ``emu.cli.main.main``: ``gosyscall diff A B`` (exit 0 or 1
with a report, or 2 and one line naming the damaged file) and ``gosyscall review``.
Each example runs under a wall-clock alarm: running out of it fails the example as a hang.
"""
from __future__ import annotations

import contextlib
import io
import json
import re
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from emu.cli.main import build_parser, main
from emu.trace import golden
from emu.trace.formats import TraceError, load_trace, read_jsonl, read_text, render_trace
from emu.trace.formats.jsonl import parse_jsonl
from emu.trace.formats.text import parse_text
from emu.trace.recorder import record
from tests.props.alarm import deadline

HANG_S = 10
GOLDENS = sorted((Path(__file__).resolve().parent.parent / "golden").glob("*.trace"))
RUNS = ([], ["getpid", "--stub", "RawSyscall"], ["close", "99", "--stub", "Syscall6"])
FIT = settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# -- the inputs --------------------------------------------------------------------------
_json = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats()
                     | st.text(max_size=12),
                     lambda kids: st.lists(kids, max_size=3) | st.dictionaries(st.text(max_size=5), kids, max_size=3),
                     max_leaves=8)
_line = st.one_of(
    st.binary(max_size=60),
    st.text(max_size=60).map(str.encode),
    st.sampled_from([b"   5  0x0040119a  main.callSyscall  CALL  call x", b"   1  0xZZ", b"<<<<<<< HEAD",
                     b"=======", b"# end \xc2\xb7 1 steps \xc2\xb7 1 lines", b"# regs rax=0x1 rbx=zz",
                     b'{"end":{"events":3}}', b'{"kind":"insn","step":1,"t":0,"tid":1}', b"{}", b"[]",
                     b'{"kind":"note","step":0,"t":0,"tid":0,"text":"a\\nb"}',
                     b'{"format":"gosyscall-trace","version":1}', b"\x00", b"\r", b""]),
    _json.map(lambda v: json.dumps(v).encode()),
    st.sampled_from([b"[", b"9", b'{"a":', b"x"]).map(lambda piece: piece * 5000),   # too deep, too long
)
_mutation = st.one_of(
    st.tuples(st.just("cut"), st.integers(0, 1 << 16)),
    st.tuples(st.just("flip"), st.integers(0, 1 << 16), st.integers(1, 255)),
    st.tuples(st.just("digit"), st.integers(0, 1 << 16), st.sampled_from(b"0123456789abcdef")),
    st.tuples(st.just("insert"), st.integers(0, 1000), _line),
    st.tuples(st.just("delete"), st.integers(0, 1000)),
    st.tuples(st.just("copy"), st.integers(0, 1000), st.integers(0, 1000)),
    st.tuples(st.just("json"), st.integers(0, 1000), st.lists(st.integers(0, 100), min_size=1, max_size=4),
              st.one_of(st.just(KeyError), _json)),
)
# which real trace (an index, taken modulo the number there are), and what happens to it
_damaged = st.tuples(st.integers(0, 100), st.lists(_mutation, max_size=3))


def _replace(obj, path: list[int], new):
    """``obj`` with the value at ``path`` (indices into keys/items, modulo their number)
    replaced by ``new``, or deleted when ``new`` is KeyError."""
    if not isinstance(obj, (dict, list)) or not obj:
        return obj if new is KeyError else new
    keys = list(obj) if isinstance(obj, dict) else list(range(len(obj)))
    k = keys[path[0] % len(keys)]
    obj = dict(obj) if isinstance(obj, dict) else list(obj)
    if len(path) > 1 and isinstance(obj[k], (dict, list)) and obj[k]:
        obj[k] = _replace(obj[k], path[1:], new)
    elif new is KeyError:
        del obj[k]
    else:
        obj[k] = new
    return obj


_DIGITS = frozenset(b"0123456789abcdef")


def mutate(data: bytes, mutations) -> bytes:
    for m in mutations:
        lines = data.split(b"\n")
        if m[0] == "cut":
            data = data[:m[1] % (len(data) + 1)]
        elif m[0] == "flip" and data:
            i = m[1] % len(data)
            data = data[:i] + bytes([data[i] ^ m[2]]) + data[i + 1:]
        elif m[0] == "digit":             # a value changed: the next digit from there on
            i = next((i for i in range(m[1] % (len(data) + 1), len(data)) if data[i] in _DIGITS), None)
            if i is not None:
                data = data[:i] + bytes([m[2]]) + data[i + 1:]
        elif m[0] == "insert":
            lines.insert(m[1] % (len(lines) + 1), m[2])
            data = b"\n".join(lines)
        elif m[0] == "delete":
            del lines[m[1] % len(lines)]
            data = b"\n".join(lines)
        elif m[0] == "copy":
            lines.insert(m[2] % (len(lines) + 1), lines[m[1] % len(lines)])
            data = b"\n".join(lines)
        elif m[0] == "json":
            i = m[1] % len(lines)
            try:
                obj = json.loads(lines[i])
            except (ValueError, RecursionError):
                continue
            lines[i] = json.dumps(_replace(obj, m[2], m[3]), ensure_ascii=False).encode()
            data = b"\n".join(lines)
    return data


@pytest.fixture(scope="module")
def sources() -> "Sources":
    """Real traces: (extension, bytes) — every golden, and recorded runs as JSON Lines and text."""
    out = Sources((".trace", p.read_bytes()) for p in GOLDENS)
    for words in RUNS:
        rec = record(build_parser().parse_args(["run", *words]))
        out += [(ext, render_trace(rec.events, rec.header, fmt).encode())
                for ext, fmt in ((".jsonl", "jsonl"), (".trace", "text"))]
    return out


class Sources(list):
    def __repr__(self):                        # Hypothesis prints a failing example's arguments
        return f"<{len(self)} real traces>"


def damaged(sources, pick) -> tuple[str, bytes, bytes]:
    """(extension, original, damaged) for a ``_damaged`` draw."""
    ext, data = sources[pick[0] % len(sources)]
    return ext, data, mutate(data, pick[1])


# -- the property ------------------------------------------------------------------------
def check_error(e: TraceError, name: str, data: bytes) -> None:
    """One line that names the file and a line that is in it (or just after its end)."""
    text = str(e)
    assert "\n" not in text and "\r" not in text, text
    assert text.startswith(f"{name}:{e.line}: ") and e.msg, text
    assert 1 <= e.line <= data.count(b"\n") + 2, (e.line, text)
    event(f"error: {re.sub(r'[0-9]+', 'N', e.msg.split(':')[0])[:50]}")


def read_or_error(read, data: bytes, name: str):
    """``read(data)``: the parse, or None after checking the error; nothing else may escape."""
    with deadline(HANG_S, f"{read.__name__} of {len(data)} bytes"):
        try:
            return read(data)
        except TraceError as e:
            check_error(e, name, data)
    return None


def check_jsonl(data: bytes, name: str = "t.jsonl") -> None:
    got = read_or_error(lambda d: parse_jsonl(d, name), data, name)
    if got is not None:                   # a correct parse: what it gives writes back the same
        header, events = got
        assert parse_jsonl(render_trace(events, header, "jsonl"), name) == got
        event("jsonl parsed")


def check_text(data: bytes, name: str = "t.trace") -> None:
    got = read_or_error(lambda d: parse_text(d, name), data, name)
    if got is not None:                   # a correct parse: steps 0, 1, 2, ... each where it says
        assert [s.n for s in got.steps] == list(range(len(got.steps)))
        lines = data.decode().replace("\r\n", "\n").split("\n")
        assert all(lines[s.lineno - 1].rstrip() == s.line for s in got.steps[1:])
        event("text parsed")


@FIT
@given(data=st.one_of(st.binary(max_size=2000), st.text(max_size=500).map(str.encode)))
def test_random_bytes_through_the_readers(data):
    check_jsonl(data)
    check_text(data)
    for magic in (b"# gosyscall-trace text v1\n", b'{"format":"gosyscall-trace","version":1}\n'):
        check_jsonl(magic + data)
        check_text(magic + data)


@FIT
@given(pick=_damaged)
@example(pick=(len(GOLDENS), [("json", 1, [4], 0.0)]))        # found: a float pc (ValueError in render)
@example(pick=(0, [("insert", 0, b"[" * 5000)]))             # found: RecursionError in json
def test_damaged_traces_through_the_readers(sources, tmp_path_factory, pick):
    ext, good, data = damaged(sources, pick)
    (check_jsonl if ext == ".jsonl" else check_text)(data)
    path = tmp_path_factory.mktemp("t") / f"damaged{ext}"
    path.write_bytes(data)
    reader = read_jsonl if ext == ".jsonl" else read_text
    if data == good:
        assert reader(path) is not None and load_trace(path) is not None
        return
    for read in (reader, load_trace):
        read_or_error(lambda _: read(path), data, str(path))


@FIT
@given(pick=_damaged)
def test_a_damaged_golden_or_pending_file_is_named_and_left_alone(sources, tmp_path_factory, pick):
    _, _, data = damaged(sources, pick)
    good = next(d for ext, d in sources if ext == ".trace")
    d = tmp_path_factory.mktemp("g")
    gold = d / "x.trace"
    gold.write_bytes(data)
    with deadline(HANG_S, "golden.check"):
        try:
            assert golden.check(gold, good.decode()) == "same" and data == good
        except golden.GoldenFailure as e:
            assert "Traceback" not in str(e)
            assert (d / "x.trace.new").read_bytes() == good
    assert gold.read_bytes() == data                              # a golden is never written
    pending = d / "y.trace.new"
    pending.write_bytes(data)
    (d / "y.trace").write_bytes(good)
    read_or_error(lambda _: golden.describe(pending), data, str(pending))


# -- end to end: gosyscall diff, gosyscall review -----------------------------------------
def run_cli(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with deadline(HANG_S, f"gosyscall {' '.join(argv)}"), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err), _stdin(stdin):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def _stdin(text: str):
    old, sys.stdin = sys.stdin, io.StringIO(text)
    try:
        yield
    finally:
        sys.stdin = old


@pytest.fixture
def scratch(tmp_path_factory, monkeypatch):
    d = tmp_path_factory.mktemp("cli")
    monkeypatch.chdir(d)
    return d


@FIT
@given(a=_damaged, b=st.one_of(_damaged, st.tuples(st.just("A"), st.lists(_mutation, max_size=3)),
                               st.tuples(st.just("bytes"), st.binary(max_size=300))))
@example(a=(0, []), b=("A", [("digit", 57, ord("1"))]))   # found: only `# regs` differs (IndexError)
def test_gosyscall_diff_of_damaged_files(sources, scratch, a, b):
    """B: another damaged trace, A's trace damaged another way (a golden and a run), or bytes."""
    ea, _, da = damaged(sources, a)
    if b[0] == "bytes":
        eb, db = ".trace", b[1]
    else:
        eb, _, db = damaged(sources, (a[0], b[1]) if b[0] == "A" else b)
    fa, fb = f"a{ea}", f"b{eb}"
    Path(scratch, fa).write_bytes(da)
    Path(scratch, fb).write_bytes(db)
    code, out, err = run_cli(["diff", fa, fb])
    assert "Traceback" not in out + err
    if err:
        assert code == 2 and not out, (code, out, err)
        assert err.count("\n") == 1 and re.match(rf"gosyscall: ({re.escape(fa)}|{re.escape(fb)}):\d+: \S", err), err
        event(f"exit 2: {'A' if err.startswith('gosyscall: ' + fa) else 'B'} damaged")
    else:
        assert code in (0, 1) and out.strip(), (code, out)
        event(f"exit {code}")


_golden_of = st.sampled_from(["none", "good", "same", "damaged"])
_answers = st.sampled_from([[], ["--accept-all"], ["--reject-all"]])


@FIT
@given(pick=_damaged, other=_damaged, beside=_golden_of, flags=_answers, answer=st.sampled_from(["a\n", "r\n", "s\n", "x\n", ""]))
@example(pick=(0, []), other=(0, []), beside="same", flags=[], answer="s\n")   # found: StopIteration
def test_gosyscall_review_of_damaged_pending_files(sources, scratch, pick, other, beside, flags, answer):
    _, good, data = damaged(sources, pick)
    for left in scratch.iterdir():           # the directory outlives an example
        left.unlink()
    pending = Path(scratch, "t.trace.new")
    pending.write_bytes(data)
    gold = {"none": None, "good": good, "same": data, "damaged": damaged(sources, other)[2]}[beside]
    if gold is not None:
        Path(scratch, "t.trace").write_bytes(gold)
    code, out, err = run_cli(["review", ".", *flags], stdin=answer)
    assert "Traceback" not in out + err
    if err:                                  # the pending file cannot be read: named, left alone
        assert code == 2 and re.fullmatch(r"gosyscall: t\.trace\.new:\d+: .* — left alone\n", err), err
        assert pending.read_bytes() == data
        event("exit 2: pending file damaged")
    else:
        assert code == 0 and out.splitlines()[0].startswith("[1/1] "), out
        what = next(w for w in ("accepted", "rejected", "skipped") if f"{w}: " in out)
        assert pending.exists() == (what == "skipped")
        after = Path(scratch, "t.trace").read_bytes() if Path(scratch, "t.trace").exists() else None
        assert after == (data if what == "accepted" else gold)
        event(what)
