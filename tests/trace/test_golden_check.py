"""emu.trace.golden.check and the fixture's check(): when goldens and pending files are written."""
import pytest
from tracehelp import recorded

from emu.trace import golden
from emu.trace.formats import render_trace
from emu.trace.pytest_plugin import Golden


@pytest.fixture(scope="module")
def text():
    rec = recorded("getpid")
    return render_trace(rec.events, rec.header, "text")


def test_same_passes_and_clears_a_stale_pending_file(tmp_path, text):
    gold = tmp_path / "g.trace"
    gold.write_text(text)
    golden.pending_path(gold).write_text("stale")
    assert golden.check(gold, text) == "same"
    assert not golden.pending_path(gold).exists()


def test_only_the_update_flag_writes_a_golden(tmp_path, text):
    gold = tmp_path / "sub" / "g.trace"
    with pytest.raises(golden.GoldenFailure, match="no golden trace"):
        golden.check(gold, text)
    assert not gold.exists() and golden.pending_path(gold).read_text() == text
    assert golden.check(gold, text, update=True) == "written"
    assert gold.read_text() == text and not golden.pending_path(gold).exists()
    assert golden.check(gold, text, update=True) == "same"


def test_a_difference_outside_the_steps_names_the_line(tmp_path, text):
    gold = tmp_path / "g.trace"
    gold.write_text(text.replace("profile go1.10", "profile go1.11", 1))
    with pytest.raises(golden.GoldenFailure) as e:
        golden.check(gold, text, show=lambda p: p.name)
    assert str(e.value).splitlines()[0] == ("g.trace differs from this run — line 1: the golden "
                                            "'# gosyscall-trace text v1 · profile go1.11'; this run "
                                            "'# gosyscall-trace text v1 · profile go1.10'")


@pytest.mark.parametrize("name", ["../up", "a/b", "", ".hidden", "x.trace"])
def test_golden_names_are_plain_file_names(tmp_path, name):
    with pytest.raises(ValueError, match="golden name"):
        golden.golden_path(tmp_path, name)


def test_fixture_checks_events_recorded_any_way(tmp_path):
    """What a scenario test does: its own events and header, one call."""
    rec = recorded("getppid", "--stub", "RawSyscall")
    g = Golden(tmp_path, update=False, root=tmp_path, stats={"written": 0, "pending": set()})
    with pytest.raises(pytest.fail.Exception, match="no golden trace getppid.trace yet"):
        g.check("getppid", rec.events, rec.header)
    Golden(tmp_path, True, tmp_path, g.stats).check("getppid", rec.events, rec.header)
    g.check("getppid", rec.events, rec.header)                   # now it passes
    assert (tmp_path / "getppid.trace").read_text().startswith("# gosyscall-trace text v1")


def test_a_golden_without_its_last_newline_says_so(tmp_path, text):
    gold = tmp_path / "g.trace"
    gold.write_text(text.rstrip("\n"))
    with pytest.raises(golden.GoldenFailure) as e:
        golden.check(gold, text, show=lambda p: p.name)
    assert str(e.value).splitlines()[0].endswith("the golden nothing; this run ''")


def test_a_golden_recorded_with_other_arguments_names_the_header_and_the_step(tmp_path):
    """Any changed argument changes the title: the failure still names the first differing
    step, and the header difference beside it."""
    old = recorded("read", "fd:/hello.txt", "buf:64", "64")
    new = recorded("read", "fd:/hello.txt", "buf:64", "16")
    gold = tmp_path / "g.trace"
    gold.write_text(render_trace(old.events, old.header, "text"))
    with pytest.raises(golden.GoldenFailure) as e:
        golden.check(gold, render_trace(new.events, new.header, "text"), show=lambda p: p.name)
    lines = str(e.value).splitlines()
    assert lines[0] == "g.trace differs from this run — step 6: rdx became 0x40 in the golden, 0x10 in this run"
    assert lines[1].startswith("the header differs too: the golden: 'gosyscall · profile go1.10")
    assert "transitions: the same in both" not in str(e.value)
