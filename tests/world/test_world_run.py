"""``gosyscall run`` in the thread world: a 50 ms blocking read with a goroutine waiting
(issue 3 "Must show"), the fast path with no other work, byte-for-byte reproducibility."""
import json

import pytest
from world_helpers import first

from emu.cli.main import main
from emu.trace.events import EventLog
from emu.world.call import call
from emu.world.world import World

SYS_READ = 0


def world_read(pipe: str, runnable: int, procs: int = 1, warm: bool = False, check: bool = True):
    log = EventLog()
    w = World(gomaxprocs=procs, log=log, check=check, time_budget_ns=10**9)
    fd = w.pipe_at(pipe)
    buf = w.alloc(8)
    res = call(w, w.session.resolve_stub("Syscall"), SYS_READ, [fd, buf, 8], runnable, 1, warm)
    w.close()
    return log, res, w


def is_call(name):
    return lambda e: e.kind == "call" and e.data["fn"] == name


def test_blocked_read_with_a_runnable_goroutine_shows_the_whole_takeover_in_order():
    log, res, w = world_read("50ms", runnable=1, warm=True)
    assert (res.r1, res.err) == (8, 0)
    ev = log.events
    read = first(log, lambda e: e.kind == "syscall" and e.data["name"] == "read")
    enter = max(i for i in range(read) if ev[i].kind == "go" and ev[i].data["name"] == "GoSysCall")
    seen = first(log, lambda e: e.kind == "note" and "first sighting of p0" in e.data["text"], read)
    again = first(log, is_call("retake"), seen + 1)
    retaken = first(log, lambda e: e.kind == "pstatus" and e.data["new"] == "_Pidle", again)
    handoff = first(log, is_call("handoffp"), retaken)
    newm = first(log, is_call("newm"), handoff)
    other = first(log, lambda e: e.kind == "go" and e.data["name"] == "GoStart"
                  and e.data["args"]["g"] == "g2", newm)
    back = first(log, lambda e: e.kind == "sysret" and e.data["name"] == "read", other)
    fast = first(log, is_call("exitsyscallfast"), back)
    outcome = first(log, lambda e: e.kind == "call" and e.data["fn"] in
                    ("exitsyscallfast_pidle", "exitsyscall0", "exitsyscallfast_reacquired"), fast)
    assert enter < read < seen < again < retaken < handoff < newm < other < back < fast < outcome
    assert ev[outcome].data["fn"] == "exitsyscallfast_pidle"        # the old P was retaken
    assert ev[other].tid != ev[read].tid                               # another M ran g2
    assert ev[back].t >= 50_000_000
    # sysmon looked twice, a sleep (20 µs + 50 µs timer slack) apart
    assert ev[again].t - ev[seen].t == 72_000


def test_a_ps_first_syscall_is_retaken_at_sysmons_first_look():
    """go1.10: p.syscalltick and sysmontick.syscalltick both start at 0, so retake treats a P's
    first syscall as seen before (since t=0) and never notes a first sighting."""
    log, _, _ = world_read("50ms", runnable=1, warm=False)
    notes = [e.data["text"] for e in log.events if e.kind == "note"]
    assert not any("first sighting of p0" in n for n in notes)
    retakes = [e for e in log.events if e.kind == "call" and e.data["fn"] == "retake"]
    handoff = first(log, is_call("handoffp"))
    assert log.events[handoff].t == retakes[0].t                    # the very first look


def test_no_other_work_and_a_spare_p_keeps_the_same_p():
    log, res, _ = world_read("5ms", runnable=0, procs=2)
    calls = [e.data["fn"] for e in log.events if e.kind == "call"]
    assert "handoffp" not in calls
    assert "exitsyscallfast_reacquired" in calls and "exitsyscall0" not in calls
    assert res.r1 == 8


def test_the_same_run_twice_gives_the_same_events():
    a, _, _ = world_read("1ms", runnable=2, procs=2)
    b, _, _ = world_read("1ms", runnable=2, procs=2)
    dump = lambda log: [json.dumps(e.to_json(), sort_keys=True) for e in log.events]
    assert dump(a) == dump(b)


def test_virtual_time_never_goes_back_in_the_event_stream():
    log, _, _ = world_read("2ms", runnable=2, procs=2)
    times = [e.t for e in log.events if e.kind != "insn"]
    assert times == sorted(times)


def test_cli_run_in_the_world_prints_each_line_with_its_m(capsys):
    assert main(["run", "read", "fd:pipe@50ms", "buf:8", "8", "--runnable", "1", "--no-color"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("fd 3 = read end of a pipe; a timer writes b'wake up\\n'")
    assert any(line.startswith("m2 ") and "main.compute" in line for line in out)
    assert out[-1] == "m0   buf:8 at 0xc000040010: b'wake up\\n'"


@pytest.mark.parametrize("argv, msg", [
    (["run", "read", "fd:pipe@soon", "buf:8", "8"], "fd:pipe@soon: not a duration"),
    (["run", "read", "fd:pipe", "buf:8", "8", "--time-budget", "1s"], "virtual-time budget of 1 s reached"),
    (["run", "getpid", "--gomaxprocs", "0"], "GOMAXPROCS must be 1 to 256"),
    (["run", "getpid", "--runnable", "5000"], "--runnable 5000"),
])
def test_cli_run_errors_are_one_line(capsys, argv, msg):
    assert main(argv) != 0
    err = capsys.readouterr().err
    assert msg in err and err.count("\n") == 1
