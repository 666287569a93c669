"""A corrupt or truncated trace or golden gives one clear error naming the file and the line."""
import pytest
from tracehelp import recorded, run_cmd

from emu.trace import golden
from emu.trace.formats import TraceError, load_trace, read_jsonl, read_text, render_trace


@pytest.fixture(scope="module")
def rec():
    return recorded()


@pytest.fixture
def jsonl(rec, tmp_path):
    path = tmp_path / "t.jsonl"
    path.write_text(render_trace(rec.events, rec.header, "jsonl"))
    return path


@pytest.fixture
def text(rec, tmp_path):
    path = tmp_path / "t.trace"
    path.write_text(render_trace(rec.events, rec.header, "text"))
    return path


def error(read, path) -> TraceError:
    with pytest.raises(TraceError) as e:
        read(path)
    assert str(e.value).startswith(f"{path}:{e.value.line}: ")
    return e.value


def edit(path, fn):
    lines = path.read_text().split("\n")
    path.write_text("\n".join(fn(lines)))


# -- JSON Lines -------------------------------------------------------------------------
def test_jsonl_cut_in_the_middle_of_a_line(jsonl):
    data = jsonl.read_bytes()
    cut = data.index(b"\n", data.index(b'"step":5')) - 10       # inside line 6 (header = line 1)
    jsonl.write_bytes(data[:cut])
    e = error(read_jsonl, jsonl)
    assert e.line == data[:cut].count(b"\n") + 1
    assert "not JSON" in e.msg and "cut short or damaged" in e.msg


def test_jsonl_cut_between_two_lines(jsonl):
    edit(jsonl, lambda lines: lines[:10])
    e = error(read_jsonl, jsonl)
    assert (e.line, e.msg) == (10, "truncated: the trace stops here without its end line")


def test_jsonl_with_a_lost_line(jsonl):
    edit(jsonl, lambda lines: lines[:3] + lines[4:])
    e = error(read_jsonl, jsonl)
    assert "end line counts" in e.msg and "lines were lost or added" in e.msg


def test_jsonl_with_a_broken_event_and_a_foreign_header(jsonl, tmp_path):
    edit(jsonl, lambda lines: lines[:4] + ['{"step": 3}'] + lines[5:])
    assert error(read_jsonl, jsonl).line == 5
    other = tmp_path / "other.jsonl"
    other.write_text('{"format": "something-else", "version": 1}\n')
    assert "not a gosyscall trace" in error(read_jsonl, other).msg
    newer = tmp_path / "newer.jsonl"
    newer.write_text('{"format": "gosyscall-trace", "version": 99}\n{"end": {"events": 0}}\n')
    assert "newer than this gosyscall reads" in error(read_jsonl, newer).msg


def test_binary_garbage_names_its_line(jsonl):
    data = jsonl.read_bytes().split(b"\n")
    data[7] = b"\xff\xfe garbage"
    jsonl.write_bytes(b"\n".join(data))
    assert error(read_jsonl, jsonl).line == 8


# -- text -------------------------------------------------------------------------------
def test_text_cut_short(text):
    data = text.read_bytes()
    text.write_bytes(data[:len(data) // 2])
    e = error(read_text, text)
    assert "truncated" in e.msg and e.line == data[:len(data) // 2].count(b"\n") + 1


def test_text_with_a_lost_line(text):
    edit(text, lambda lines: lines[:6] + lines[7:])
    e = error(read_text, text)
    assert "lines were lost or added" in e.msg


def test_text_with_a_damaged_step_line(text):
    edit(text, lambda lines: lines[:8] + ["   5  0xZZ  nonsense"] + lines[9:])
    e = error(read_text, text)
    assert (e.line, e.msg[:22]) == (9, "a damaged step line: '")


def test_text_with_steps_out_of_order(text):
    edit(text, lambda lines: [l.replace("   4  0x", "  44  0x") for l in lines])
    e = error(read_text, text)
    assert e.msg == "step 44 follows step 3: steps are missing or out of order"


def test_text_with_a_merge_conflict(text):
    edit(text, lambda lines: lines[:9] + ["<<<<<<< HEAD"] + lines[10:])
    assert "merge-conflict marker" in error(read_text, text).msg


def test_text_that_is_not_a_trace(tmp_path):
    other = tmp_path / "notes.trace"
    other.write_text("hello\n")
    e = error(read_text, other)
    assert e.line == 1 and "not a gosyscall text trace" in e.msg


# -- a damaged golden in a golden test, and in `gosyscall diff` -------------------------
def test_damaged_golden_fails_naming_file_and_line_and_is_not_overwritten(rec, tmp_path):
    gold = tmp_path / "read.trace"
    good = render_trace(rec.events, rec.header, "text")
    damaged = good[:len(good) * 2 // 3]
    gold.write_text(damaged)
    with pytest.raises(golden.GoldenFailure) as e:
        golden.check(gold, good, show=lambda p: p.name)
    first = str(e.value).splitlines()[0]
    assert first == f"read.trace:{damaged.count(chr(10)) + 1}: truncated: the trace stops here without " \
                    "its last line '# end · N steps · M lines'"
    assert gold.read_text() == damaged                       # the golden is left as it was
    assert (tmp_path / "read.trace.new").read_text() == good


def test_diff_of_a_damaged_file_is_one_line_and_exit_2(text, tmp_path):
    edit(text, lambda lines: lines[:5])
    out = run_cmd(["-c", "from emu.cli.main import entry; entry()", "diff", str(text), str(text)], tmp_path)
    assert out.returncode == 2
    assert out.stderr == f"gosyscall: {text}:5: truncated: the trace stops here without its last " \
                         "line '# end · N steps · M lines'\n"
    with pytest.raises(TraceError):
        load_trace(text)
