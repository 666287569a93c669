"""exit and exit_group end the run as the process's exit, with its status.

Before, `gosyscall run exit_group 7` showed `= ?` and then `result: r1 = 0, r2 = 0, err = 0`
as if the stub had returned, with RAX/RCX/R11 set by a SYSCALL that never returns. Now the
run ends at the SYSCALL: no register changes, no result line, one line saying the process
exited with status 7. gosyscall itself exits 0: it ran what was asked (its own statuses
2-5 keep meaning bad input, a guest fault, a budget, --strict).
"""
import pytest

from emu.bridge.session import Session
from emu.cli.main import main
from emu.trace.tracer import Tracer


@pytest.mark.parametrize("name, nr, how", [("exit_group", 231, "exit_group ended every thread"),
                                           ("exit", 60, "its only thread exited")])
def test_the_run_ends_as_the_process_exit(capsys, name, nr, how):
    assert main(["run", name, "7", "--no-color"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == f"the process exited with status 7 ({how}; the call does not return)"
    assert not any(line.startswith("result:") for line in out)
    syscall = next(line for line in out if line.rstrip().endswith(" syscall"))
    assert "rax" not in syscall and "rcx" not in syscall          # the SYSCALL never returned
    assert out[-2].strip() == f"⇐ {name}(7) = ?"


def test_quiet_shows_the_exit_and_strace_ends_with_the_status(capsys):
    assert main(["run", "exit_group", "300", "--quiet"]) == 0
    assert capsys.readouterr().out == \
        "the process exited with status 44 (exit_group ended every thread; the call does not return)\n"
    assert main(["trace", "exit_group", "3", "--format", "strace", "-o", "-"]) == 0
    assert capsys.readouterr().out.endswith("exit_group(3) = ?\n+++ exited with 3 +++\n")


def test_the_session_reports_the_status_and_no_frame_results():
    s = Session()
    s.machine.attach_tracer(Tracer(s.machine))
    res = s.call("Syscall", 231, [7])
    assert res.exit_status == 7
    assert not [e for e in s.log.events if e.kind == "result"]
    assert [e.data for e in s.log.events if e.kind == "exit"] == [{"status": 7, "name": "exit_group"}]


def test_the_thread_world_says_the_same(capsys):
    assert main(["run", "exit_group", "7", "--runnable", "1", "--quiet"]) == 0
    assert capsys.readouterr().out.strip().endswith("the process exited with status 7 "
                                                    "(exit_group ended every thread; the call does not return)")
