"""Every bad input prints one clear line, and the session goes on."""
import pytest

from tests.repl.conftest import answers, run_script

BAD = {
    "stpi": 'Undefined command: "stpi". Did you mean "stepi"?',
    "contnue": 'Undefined command: "contnue". Did you mean "continue"?',
    "frobnicate": 'Undefined command: "frobnicate". Try "help".',
    "p $rax +": "A syntax error in expression, near `'.",
    "p 1 +* (": "A syntax error in expression, near `'.",
    "p $nosuch": "Invalid register `nosuch'",
    "p nosuch": 'No symbol "nosuch" in current context.',
    "p 1/0": "Division by zero",
    "x/4gx 0x10": "Cannot access memory at address 0x10",
    "x/s 0": "Cannot access memory at address 0x0",
    "x/4q $rsp": 'Invalid number "4q".',
    "b nosuch": 'Function "nosuch" not defined.',
    "b *": "Argument required (expression to compute).",
    "tbreak *$nope": "Invalid register `nope'",
    "restart 99": "No checkpoint number 99.",
    "restart x": 'Invalid number "x".',
    "delete 7": "No breakpoint number 7.",
    "catch syscall nosuchcall": "Unknown syscall name 'nosuchcall'.",
    "catch": "Usage: catch syscall [NAME|NR ...]",
    "info": '"info" must be followed by the name of an info command: registers, breakpoints, '
            'checkpoints, display, frame',
    "info nonsense": 'Undefined info command: "nonsense".  Try "help info".',
    "i r nosuch": "no register 'nosuch'",
    "set rax = 1": 'No symbol "rax" in current context.  (registers are written $rax)',
    "set $rax": "Usage: set $REG = EXPR  or  set *ADDR = EXPR",
    "set *0x10 = 1": "Cannot access memory at address 0x10",
    "undisplay 3": "No display number 3.",
    "si 0": "count 0: give 1 to 1000000",
    "rsi": "No more reverse-execution history.",
    "finish": '"finish" not meaningful in the outermost frame.',
    "help nosuch": 'Undefined command: "nosuch". Try "help".',
}


@pytest.mark.parametrize("command", sorted(BAD))
def test_one_line_then_the_session_goes_on(command):
    out = answers(run_script(f"{command}\np $pc\nquit\n"))
    lines = out[command].splitlines()
    if command == "rsi":       # the message, then the context view of where we are
        assert lines[0] == BAD[command]
    else:
        assert lines == [BAD[command]]
    assert out["p $pc"].strip().endswith("= 0x40119a <main.callSyscall>")


def test_a_finished_call_says_how_to_go_on():
    out = answers(run_script("c\nsi\nc\nrsi\np $pc\nquit\n"))
    msg = "The call has returned; `run` or `restart` starts it again, `rsi` goes back."
    assert out["si"].strip() == msg and out["c"].strip() == msg
    assert out["p $pc"].strip() == "$1 = 0x401070 <syscall.Syscall+0x70>"


def test_a_guest_fault_is_reported_and_can_be_stepped_back_from():
    out = answers(run_script("set $rsp = 0x10\nsi\nsi\nrsi\np $rsp\nquit\n"))
    assert out["si"].startswith("The guest faulted")
    transcript = run_script("set $rsp = 0x10\nsi\nquit\n")
    assert "guest fault: write to unmapped memory at 0x8" in transcript
    assert out["p $rsp"].strip() == "$1 = 0x10"
