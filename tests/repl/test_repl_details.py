"""Smaller things a user of the REPL tripped on (hardening round 2)."""
import re

from tests.repl.conftest import answers, run_script

STUB = """TEXT ·Mine(SB),NOSPLIT,$0-56
    mov rax, 39
    syscall
    cmp rax, -0xfff
    jbe ok
    ret
ok: ret
"""


def test_x_i_keeps_the_intel_and_go_columns_apart():
    got = answers(run_script("ctx off\nx/3i $pc\nquit\n"))["x/3i $pc"].splitlines()
    starts = set()
    for line in got:
        intel_and_go = line.split("\t", 1)[1]
        m = re.search(r"\S( {2,})([A-Z]+)", intel_and_go)                 # at least two spaces apart
        assert m, line
        starts.add(m.start(2))
    assert len(starts) == 1, got                                        # the Go column lines up
    assert "call syscall.Syscall6" in got[2] and got[2].rstrip().endswith("CALL syscall·Syscall6(SB)")


def test_step_numbers_after_a_continue_are_runs_numbers():
    """`run` numbers the SYSCALL of the default call step 11; so does the REPL after `c`."""
    got = answers(run_script("ctx off\nb *0x40102e\nc\nsi\nquit\n"))
    assert got["si"].split()[0] == "11", got["si"]


def test_finish_says_where_it_runs_from_before_the_steps():
    got = answers(run_script("ctx off\nsi 3\nfinish\nquit\n"))["finish"].splitlines()
    assert got[0] == "Run till exit from syscall.Syscall"
    assert got[1].split()[0] == "4"


def test_explain_at_a_syscall_says_the_kernel_lines_are_a_dry_run():
    out = answers(run_script("ctx off\nb *0x40102e\nc\nexplain\nquit\n"))["explain"]
    i = out.index("What it will do (a dry run, undone: the call has not happened yet):")
    assert "⇒ kernel: read(" in out[i:]


def test_a_label_means_the_current_functions_with_or_without_a_star(tmp_path):
    p = tmp_path / "mine.s"
    p.write_text(STUB)
    got = answers(run_script("ctx off\nb ok\nb *ok\nb syscall.Syscall.ok\nquit\n", "getpid", "--asm", str(p)))
    assert got["b ok"] == got["b *ok"].replace("Breakpoint 2", "Breakpoint 1")
    assert "(mine.s:7)" in got["b ok"] and "asm_linux_amd64.s" in got["b syscall.Syscall.ok"]


def test_a_file_line_without_an_instruction_says_so():
    got = answers(run_script("ctx off\nb asm_linux_amd64.s:999\nb nosuch.s:3\nquit\n"))
    assert got["b asm_linux_amd64.s:999"].strip() == 'No line 999 in file "asm_linux_amd64.s" holds an instruction.'
    assert got["b nosuch.s:3"].strip() == "No source file named nosuch.s."


def test_reverse_continue_stops_at_the_returned_from_syscall_catchpoint():
    t = run_script("ctx off\ncatch syscall read\nc\nc\nc\nrc\nrc\nrc\nquit\n")
    rcs = [line for line in t.splitlines() if "Catchpoint 1 (" in line or "No more" in line][2:]
    assert rcs[-3:] == ["Catchpoint 1 (returned from syscall read)",
                        "Catchpoint 1 (call to syscall read), 0x40102e in syscall.Syscall+0x2e (asm_linux_amd64.s:26)",
                        "No more reverse-execution history."], rcs


def test_the_repl_budget_says_why_it_differs_from_runs(tmp_path):
    p = tmp_path / "loop.s"
    p.write_text("top:\njmp top\nret\n")
    out = answers(run_script("ctx off\nc\nquit\n", "getpid", "--asm", str(p), "--budget", "5000"))["c"]
    assert "instruction budget of 5000 used up" in out and "REPL's budget" not in out
    from emu.cli.repl import BUDGET_NOTE, REPL_BUDGET
    assert f"{REPL_BUDGET:,}" in BUDGET_NOTE and "run's is 1,000,000" in BUDGET_NOTE


def test_info_threads_says_each_wait_once_and_ne_help_says_what_it_does():
    got = answers(run_script("ctx off\ninfo threads\nhelp ne\nquit\n",
                             "read", "fd:pipe@5ms", "buf:8", "8", "--runnable", "1", "--warm"))
    sysmon = next(line for line in got["info threads"].splitlines() if "(sysmon)" in line)
    assert sysmon.count("pselect6 sleep of 20000 ns") == 1, sysmon
    assert "runs until it enters the kernel, blocks or ends" in got["help ne"]


def test_a_continue_counts_exactly_up_to_its_limit(tmp_path, monkeypatch):
    p = tmp_path / "loop.s"
    p.write_text("top:\njmp top\nret\n")
    got = answers(run_script("ctx off\nc\nsi\nquit\n", "getpid", "--asm", str(p), "--budget", "1000"))
    assert got["si"].split()[0] == "1002"               # the CALL, 1000 jumps, this one
    from emu.repl import debugger
    monkeypatch.setattr(debugger, "COUNT_LIMIT", 100)
    got = answers(run_script("ctx off\nc\nquit\n", "getpid", "--asm", str(p), "--budget", "1000"))
    assert "ran past 100 instructions unnumbered: step numbers from here on are lower than run's" in got["c"]
