"""The whole file.Read path driven by a script: break at SYSCALL, look, step, go back."""
import re

from tests.repl.conftest import answers, run_script

SCRIPT = """\
break *{syscall}
continue
syscall-args
si
info registers rcx r11
p/x $rax
x/s $rsi
rsi
info registers rcx r11 rax
x/s $rsi
si
x/s $rsi
quit
"""


def reg(block: str, name: str) -> int:
    m = re.search(rf"^{name}\s+(0x[0-9a-f]+)", block, re.M)
    assert m, (name, block)
    return int(m.group(1), 16)


def test_break_at_syscall_step_and_step_back():
    script = SCRIPT.format(syscall="syscall.Syscall+0x2e").replace("*syscall", "*syscall")
    out = answers(run_script(script))
    assert "Breakpoint 1, 0x40102e in syscall.Syscall+0x2e (asm_linux_amd64.s:26)" in out["continue"]
    args = out["syscall-args"]
    assert re.search(r"fd\s+\$rdi\s+0x3\s+3", args)
    assert re.search(r"buf\s+\$rsi\s+0xc000040000", args)
    assert re.search(r"count\s+\$rdx\s+0x40\s+64", args)
    regs_after = out["info registers rcx r11"]
    assert reg(regs_after, "rcx") == 0x401030            # the address after the 2-byte SYSCALL
    assert reg(regs_after, "r11") == 0x202               # RFLAGS of a Linux user process
    assert out["p/x $rax"].strip() == "$1 = 0x20"        # 32 bytes read
    back = out["info registers rcx r11 rax"]
    assert reg(back, "rcx") == 0 and reg(back, "r11") == 0 and reg(back, "rax") == 0


def test_memory_and_the_file_offset_are_undone_too():
    out = run_script(SCRIPT.format(syscall="syscall.Syscall+0x2e"))
    shown = re.findall(r'^0xc000040000:\t(".*")$', out, re.M)
    # after the read, after rsi (buffer empty again), after reading again from offset 0
    assert shown == ['"Hello from the emulated kernel!\\n"', '""', '"Hello from the emulated kernel!\\n"']


def test_the_context_view_marks_changes_without_colour():
    out = answers(run_script("b *0x40102e\nc\nsi\nquit\n"))
    ctx = out["si"]
    assert re.search(r"^\*rax\s+0x0000000000000020", ctx, re.M)
    assert re.search(r"\*rcx\s+0x0000000000401030", ctx)
    assert re.search(r"\*r11\s+0x0000000000000202", ctx)
    assert re.search(r" {2}rbx {4}0x0", ctx)                      # unchanged: no mark
    assert re.search(r"^ → 0x401030 <\+0x30>\s+cmp rax, -0xfff\s+CMPQ AX, \$0xfffffffffffff001", ctx, re.M)
    assert "a1+8(FP)     arg    [0xc000038f08] = 3" in ctx
    assert "trap+0(FP)   arg    [0xc000038f00] = 0                  (SYS_READ)" in ctx
    assert "\x1b[" not in ctx


def test_catch_syscall_uses_gdbs_wording():
    out = answers(run_script("catch syscall read\nc\nc\nc\nquit\n"))
    assert out["catch syscall read"].strip() == "Catchpoint 1 (syscall 'read' [0])"
    transcript = run_script("catch syscall read\nc\nc\nc\nquit\n")
    assert "Catchpoint 1 (call to syscall read), 0x40102e in syscall.Syscall+0x2e" in transcript
    assert "Catchpoint 1 (returned from syscall read)" in transcript
    assert "result: r1 = 32, r2 = 64, err = 0" in transcript


def test_reverse_continue_goes_back_to_the_breakpoint():
    out = answers(run_script("b *0x40102e\nc\nc\nrc\np $pc\nrc\nquit\n"))
    assert out["p $pc"].strip() == "$1 = 0x40102e <syscall.Syscall+0x2e>"
    assert "No more reverse-execution history." in out["rc"]


def test_finish_shows_the_go_results():
    out = answers(run_script("si 4\nfinish\nquit\n"))
    assert "Run till exit from syscall.Syscall" in out["finish"]
    assert "Value returned (the caller's frame): r1 = 32, r2 = 64, err = 0" in out["finish"]


def test_checkpoint_and_restart():
    out = answers(run_script("si 3\ncheckpoint\nsi 5\nrestart 1\np $pc\ninfo checkpoints\nrestart\np $pc\nquit\n"))
    assert out["checkpoint"].startswith("Checkpoint 1 at 0x401005 in syscall.Syscall+0x5")
    assert out["p $pc"].strip() == "$2 = 0x40119a <main.callSyscall>"
    assert "1  0x401005 in syscall.Syscall+0x5" in out["info checkpoints"]


def test_an_example_session_names_the_runtime_state():
    out = answers(run_script("si 3\ng\np\nm\nsched\nquit\n"))
    assert re.search(r"\*g1\s+_Gsyscall\s+m0", out["g"])
    assert re.search(r"p0\s+_Psyscall\s+-", out["p"])
    assert re.search(r"m0\s+g1\s+p0", out["m"])
    assert "npidle" in out["sched"]
