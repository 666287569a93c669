"""`gosyscall diff`: the first differing step in words, context, a summary; exit 0/1/2."""
import copy

import pytest
from tracehelp import recorded, run_cmd

from emu.trace.diff import compare
from emu.trace.formats import load_trace, parse_text, render_trace


def text_of(rec, events=None, name="t"):
    return parse_text(render_trace(events if events is not None else rec.events, rec.header, "text"), name)


def without_r11_at_syscall(events):
    """The events as they would be had the SYSCALL hook not set R11."""
    events = copy.deepcopy(events)
    for ev in events:
        if ev.kind == "insn" and ev.data["intel"] == "syscall":
            ev.data["regs"] = [r for r in ev.data["regs"] if r[0] != "r11"]
            return events, ev.step
    raise AssertionError("no SYSCALL in the trace")


@pytest.fixture(scope="module")
def rec():
    return recorded()


def test_same_trace_is_the_same(rec):
    c = compare(text_of(rec), text_of(rec), "a", "b")
    assert c.same and c.report() == "a and b are the same (19 steps)"


def test_a_missing_register_change_is_named_with_its_step(rec):
    events, step = without_r11_at_syscall(rec.events)
    c = compare(text_of(rec), text_of(rec, events), "the golden", "this run")
    assert c.differing == [step]
    assert c.headline() == f"step {step}: r11 0x0→0x202 in the golden; unchanged in this run"
    report = c.report().splitlines()
    assert report[0] == f"first divergence: step {step}: r11 0x0→0x202 in the golden; unchanged in this run"
    assert report[1] == "context (the same in both):"
    assert [l.split()[0] for l in report[2:5]] == [str(step - 3), str(step - 2), str(step - 1)]
    assert report[-1] == ("1 of 19 steps differs (step 11); syscalls, Go trace events and state "
                          "transitions: the same in both")


def test_a_different_value_says_became(rec):
    events = copy.deepcopy(rec.events)
    ev = next(e for e in events if e.kind == "insn" and e.data["intel"] == "syscall")
    ev.data["regs"] = [[n, a, b + 2 if n == "rcx" else b] for n, a, b in ev.data["regs"]]
    c = compare(text_of(rec), text_of(rec, events), "a", "b")
    assert c.headline() == "step 11: rcx became 0x401030 in a, 0x401032 in b"


def test_other_syscalls_and_transitions_are_summarised():
    a, b = recorded("getpid"), recorded("getppid", "--stub", "RawSyscall")
    c = compare(text_of(a), text_of(b), "a", "b")
    assert not c.same and c.header_differs and c.first > 0     # the title lines differ, and steps
    summary = c.summary()
    assert "only in a: " in summary and "GoSysCall" in summary and "g1 _Grunning → _Gsyscall" in summary
    assert "syscall getpid()" in summary and "only in b: syscall getppid()" in summary


def test_a_shorter_trace_ends_before_the_step(rec):
    t = text_of(rec)
    shorter = copy.deepcopy(t)
    del shorter.steps[15:]
    c = compare(t, shorter, "a", "b")
    assert c.differing[0] == 15 and c.headline().startswith("step 15: b ends before it; a runs 0x")


def test_cli_jsonl_against_text_of_the_same_run_is_the_same(tmp_path):
    g = ["-c", "from emu.cli.main import entry; entry()"]
    for f in ("a.jsonl", "a.trace"):
        assert run_cmd([*g, "trace", "-o", f], tmp_path).returncode == 0
    assert run_cmd([*g, "trace", "getpid", "-o", "b.trace"], tmp_path).returncode == 0
    same = run_cmd([*g, "diff", "a.jsonl", "a.trace"], tmp_path)
    assert (same.returncode, same.stdout) == (0, "a.jsonl and a.trace are the same (19 steps)\n")
    other = run_cmd([*g, "diff", "a.jsonl", "b.trace"], tmp_path)
    assert other.returncode == 1 and other.stdout.startswith("first divergence: step 4: ")
    assert "\nthe header differs too: a.jsonl: 'gosyscall · profile go1.10 · syscall.Syscall(trap=0" in other.stdout
    assert "only in a.jsonl: syscall read(fd=3, buf=0xc000040000, count=0x40)" in other.stdout
    assert "only in b.trace: syscall getpid()" in other.stdout
    trouble = run_cmd([*g, "diff", "a.jsonl", "missing.trace"], tmp_path)
    assert trouble.returncode == 2 and trouble.stderr.startswith("gosyscall: ") and \
        len(trouble.stderr.splitlines()) == 1
    assert load_trace(tmp_path / "a.jsonl").steps[11].regs["r11"] == (0, 0x202)


def test_a_changed_argument_names_the_header_and_the_first_differing_step():
    """`count=0x40` vs `count=0x10`: the title differs, and so do the steps from the MOV that
    loads DX; the syscall lines differ too, and the summary says so."""
    a = recorded("read", "fd:/hello.txt", "buf:64", "64")
    b = recorded("read", "fd:/hello.txt", "buf:64", "16")
    c = compare(text_of(a), text_of(b), "a", "b")
    report = c.report().splitlines()
    assert report[0] == "first divergence: step 6: rdx became 0x40 in a, 0x10 in b"
    assert report[1].startswith("the header differs too: a: 'gosyscall · profile go1.10 · "
                                "syscall.Syscall(trap=0 SYS_READ, a1=fd:/hello.txt, a2=buf:64, a3=64)'")
    assert "step 6 in a:" in report and "step 6 in b:" in report
    summary = report[-1]
    assert "the same in both" not in summary
    assert "only in a: syscall read(fd=3, buf=0xc000040000, count=0x40)" in summary
    assert "only in b: syscall read(fd=3, buf=0xc000040000, count=0x10)" in summary
    assert 'returned read(3, "Hello from the e", 16) = 16' in summary


def test_only_a_header_difference_is_still_reported_before_the_first_step(rec):
    t = text_of(rec)
    other = copy.deepcopy(t)
    other.steps[0].after[0] = (other.steps[0].after[0][0], other.steps[0].after[0][1] + " ·")
    c = compare(t, other, "a", "b")
    assert c.differing == [0] and c.headline().startswith("before the first step: a: 'gosyscall")
    assert "the header differs too" not in c.report()


def test_a_syscall_result_line_that_differs_is_not_the_same_in_both(rec):
    events = copy.deepcopy(rec.events)
    ev = next(e for e in events if e.kind == "sysret")
    ev.data["text"] = ev.data["text"].replace("= 32", "= 31")
    c = compare(text_of(rec), text_of(rec, events), "a", "b")
    assert "the same in both" not in c.summary() and "= 31" in c.summary()
