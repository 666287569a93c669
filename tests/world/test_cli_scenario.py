"""``gosyscall scenario``: tables, JSON, timeline, plot, one-line errors."""
import json
import sys

import pytest

from emu.cli.main import main


def test_threads_table_and_json(capsys):
    assert main(["scenario", "threads", "--n", "1,5", "--gomaxprocs", "2", "--duration", "5ms"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("threads · read: N goroutines blocked in Syscall(SYS_READ)")
    assert "peak Ms" in out and "Ms over virtual time:" in out
    assert main(["scenario", "threads", "--variant", "raw", "--n", "6", "--gomaxprocs", "2",
                 "--duration", "2ms", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res[0]["goroutines_started"] == 2 and res[0]["m_series"][0] == [0, 1]


def test_block_single_case_prints_what_happened(capsys):
    assert main(["scenario", "block", "--block", "2ms", "--runnable", "1", "--gomaxprocs", "1",
                 "--compute", "3ms"]) == 0
    out = capsys.readouterr().out
    assert "no P: exitsyscall0" in out and "what happened, in order (virtual time since the program started" in out
    assert "runtime.exitsyscall0(gp=g1)" in out


def test_retake_prints_a_distribution(capsys):
    assert main(["scenario", "retake", "--mode", "idle", "--trials", "3", "--max-gap", "1ms"]) == 0
    out = capsys.readouterr().out
    assert "retake · idle" in out and "trials" in out and "█" in out


def test_timeline_is_chrome_json_with_one_track_per_m(tmp_path, capsys):
    path = tmp_path / "t.json"
    assert main(["scenario", "threads", "--n", "3", "--gomaxprocs", "1", "--duration", "2ms",
                 "--timeline", str(path)]) == 0
    doc = json.loads(path.read_text())
    names = {e["args"]["name"] for e in doc["traceEvents"] if e["name"] == "thread_name"}
    assert "m0 (thread 1000)" in names and len(names) == 6
    spans = {e["name"] for e in doc["traceEvents"] if e["ph"] == "X"}
    assert {"g1", "g2 read", "sleep"} <= spans


def test_plot_writes_a_png(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    path = tmp_path / "m.png"
    assert main(["scenario", "threads", "--n", "2,4", "--gomaxprocs", "1", "--duration", "1ms",
                 "--plot", str(path)]) == 0
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_says_what_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)      # import matplotlib → ImportError
    assert main(["scenario", "threads", "--n", "2", "--gomaxprocs", "1", "--duration", "1ms",
                 "--plot", str(tmp_path / "m.png")]) == 2
    err = capsys.readouterr().err
    assert "--plot needs matplotlib: pip install 'gosyscall[plot]'" in err and err.count("\n") == 1


@pytest.mark.parametrize("argv, msg", [
    (["scenario", "threads", "--variant", "sleepy"], "no variant 'sleepy'"),
    (["scenario", "threads", "--n", "25000"], "at most 19999 goroutines"),
    (["scenario", "threads", "--n", "1,2", "--timeline", "x.json"], "--timeline writes one run's"),
    (["scenario", "retake", "--mode", "fast"], "no mode 'fast'"),
    (["scenario", "block", "--block", "soon"], "not a duration"),
    (["scenario", "threads", "--gomaxprocs", "0", "--n", "1"], "GOMAXPROCS must be 1 to 256"),
])
def test_errors_are_one_line(capsys, argv, msg):
    assert main(argv) != 0
    err = capsys.readouterr().err
    assert msg in err and err.count("\n") == 1
