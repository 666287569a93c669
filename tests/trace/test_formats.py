"""The five trace formats: what each holds, and that JSON Lines reads back to the same events."""
import json

import pytest
from tracehelp import recorded

from emu.cli.main import main
from emu.trace.formats import FORMATS, read_jsonl, render_trace, write_trace
from emu.trace.formats.tenet import REGS as TENET_REGS

CALLS = [("read", "fd:/hello.txt", "buf:64", "64"), ("close", "-1"), ("999", "--stub", "RawSyscall6"),
         ("write", "1", "data:hi\\n", "3", "--stub", "RawSyscall")]


@pytest.fixture(scope="module")
def hello():
    return recorded()                         # the default: the seed's file.Read


@pytest.mark.parametrize("words", CALLS, ids=lambda w: "_".join(w[:2]))
def test_text_body_is_exactly_what_run_prints(words, capsys):
    rec = recorded(*words)
    assert main(["run", "--no-color", *words]) == 0
    printed = capsys.readouterr().out.splitlines()
    lines = render_trace(rec.events, rec.header, "text").splitlines()
    assert lines[0] == "# gosyscall-trace text v1 · profile go1.10"
    assert lines[1].startswith("# regs rax=0x0 ")
    assert lines[2:-1] == printed                                       # the run's own lines
    assert lines[-1] == f"# end · {rec.steps} steps · {len(printed)} lines"


def test_header_has_the_initial_register_dump(hello):
    regs = hello.header["regs"]
    assert list(regs) == ["rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10",
                          "r11", "r12", "r13", "r14", "r15", "rip", "rflags"]
    first = next(ev for ev in hello.events if ev.kind == "insn")
    assert regs["rip"] == first.data["pc"] and regs["rflags"] == 0x202 and regs["rcx"] == 0
    assert hello.header["format"] == "gosyscall-trace" and hello.header["version"] == 1
    assert hello.header["profile"] == "go1.10"


@pytest.mark.parametrize("words", CALLS, ids=lambda w: "_".join(w[:2]))
def test_jsonl_reads_back_the_same_events(words, tmp_path):
    rec = recorded(*words)
    path = tmp_path / "t.jsonl"
    write_trace(rec.events, rec.header, "jsonl", path)
    header, events = read_jsonl(path)
    assert header == rec.header
    assert events == rec.events
    end = {"end": {"events": len(events), "final_regs": rec.header["final_regs"]}}   # known last
    assert path.read_text().splitlines()[-1] == json.dumps(end, separators=(",", ":"))
    assert "final_regs" not in json.loads(path.read_text().splitlines()[0])


def test_strace_lines_are_the_kernel_models(hello):
    assert render_trace(hello.events, hello.header, "strace") == \
        'read(3, "Hello from the emulated kernel!\\n", 64) = 32\n'
    rec = recorded("close", "-1")
    assert render_trace(rec.events, rec.header, "strace") == "close(-1) = -1 EBADF (Bad file descriptor)\n"


def test_tenet_replays_to_the_final_registers(hello):
    lines = render_trace(hello.events, hello.header, "tenet").splitlines()
    assert len(lines) == hello.steps + 1                   # the full dump, then one line a step
    state = dict(kv.split("=") for kv in lines[0].split(","))
    assert list(state) == list(TENET_REGS)                 # every register, rip included; no rflags
    writes = 0
    for line in lines[1:]:
        parts = line.split(",")
        assert any(p.startswith("rip=0x") for p in parts)  # PC on every line
        for p in parts:
            key, value = p.split("=")
            if key == "mw":
                addr, data = value.split(":")
                assert int(addr, 16) and len(data) % 2 == 0
                writes += 1
            else:
                state[key] = value
    final = hello.header["final_regs"]
    assert {r: int(v, 16) for r, v in state.items()} == {r: final[r] for r in TENET_REGS}
    assert writes == sum(len(ev.data["mem"]) for ev in hello.events if ev.kind == "insn")


def test_tenet_line_after_syscall_has_rcx_r11_and_the_next_pc(hello):
    lines = render_trace(hello.events, hello.header, "tenet").splitlines()
    syscall = next(ev for ev in hello.events if ev.kind == "insn" and ev.data["intel"] == "syscall")
    assert lines[syscall.step] == f"rax=0x20,rcx={syscall.data['pc'] + 2:#x},r11=0x202,rip={syscall.data['pc'] + 2:#x}"


def test_chrome_trace_opens_as_trace_events(hello):
    doc = json.loads(render_trace(hello.events, hello.header, "chrome"))
    evs = doc["traceEvents"]
    assert doc["displayTimeUnit"] == "ns" and doc["otherData"]["profile"] == "go1.10"
    assert {e["name"] for e in evs if e["ph"] == "M"} == {"process_name", "thread_name"}
    for e in evs:
        assert {"name", "ph", "pid", "tid"} <= set(e) and (e["ph"] == "M" or "ts" in e)
    stack = []                                   # B/E nest properly on the one thread
    for e in evs:
        if e["ph"] == "B":
            stack.append(e["name"])
        elif e["ph"] == "E":
            assert stack.pop() == e["name"]
    assert stack == []
    spans = [e["name"] for e in evs if e["ph"] == "B"]
    assert spans == ["main.callSyscall", "syscall.Syscall", "runtime.entersyscall", "read",
                     "runtime.exitsyscall"]
    begin, end = (next(e for e in evs if e["name"] == "read" and e["ph"] == ph) for ph in "BE")
    assert (begin["ts"], end["ts"]) == (0, 0.1)        # µs of virtual time: the syscall's cost
    assert end["args"]["strace"].startswith("read(3, ")
    instants = [e["name"] for e in evs if e["ph"] == "i"]
    assert "GoSysCall" in instants and "g1 _Grunning → _Gsyscall" in instants
    assert any(e["ph"] == "X" and e["name"] == "runtime.reentersyscall" for e in evs)


def test_every_format_renders_an_empty_trace():
    for fmt in FORMATS:
        render_trace([], {"profile": "go1.10"}, fmt)


def test_unknown_format_is_one_clear_error(hello):
    with pytest.raises(ValueError, match="no trace format 'xml'; choose one of: text, jsonl"):
        render_trace(hello.events, hello.header, "xml")
