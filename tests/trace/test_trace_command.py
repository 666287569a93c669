"""`gosyscall trace`: the same call arguments as `run`, any format, written atomically."""
import json

from emu.cli.main import main
from emu.trace.formats import read_jsonl, read_text


def test_format_follows_the_extension(tmp_path, capsys):
    for name, first in (("t.trace", "# gosyscall-trace text v1"), ("t.jsonl", '{"format":"gosyscall-trace"'),
                        ("t.strace", "getpid() = 1000"), ("t.tenet", "rax=0x0,"), ("t.json", '{"traceEvents":[')):
        assert main(["trace", "getpid", "-o", str(tmp_path / name)]) == 0
        assert (tmp_path / name).read_text().startswith(first), name
    out = capsys.readouterr()
    assert "t.jsonl: jsonl, 19 steps" in out.out and out.err == ""
    assert not list(tmp_path.glob(".gosyscall-*"))          # no temporary files left behind


def test_format_flag_and_standard_output(capsys):
    assert main(["trace", "close", "-1", "--stub", "RawSyscall", "--format", "strace"]) == 0
    assert capsys.readouterr().out == "close(-1) = -1 EBADF (Bad file descriptor)\n"
    assert main(["trace", "getpid", "--format", "chrome"]) == 0
    assert "traceEvents" in json.loads(capsys.readouterr().out)


def test_a_run_that_stops_early_still_leaves_its_trace(tmp_path, capsys):
    out = tmp_path / "short.jsonl"
    assert main(["trace", "getpid", "--budget", "5", "-o", str(out)]) == 4        # BudgetExceeded
    assert "instruction budget of 5 exhausted" in capsys.readouterr().err
    header, events = read_jsonl(out)
    assert sum(ev.kind == "insn" for ev in events) == 5
    text = tmp_path / "short.trace"
    assert main(["trace", "getpid", "--budget", "5", "-o", str(text)]) == 4
    assert len(read_text(text).steps) == 6


def test_bad_arguments_are_one_line(capsys):
    assert main(["trace", "getpid", "--format", "xml"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
