"""Debian's gdb, in batch mode, against ``gosyscall gdbserver``: each answer asserted.

The call is the README's: Syscall(SYS_READ, fd:/hello.txt, buf:64, 64) through go1.10's
``syscall.Syscall`` (asm_linux_amd64.s: line 18 CALL entersyscall, 25 MOVQ trap, 26 SYSCALL,
27 CMPQ). Nine stepi from the breakpoint reach the SYSCALL: the CALL, the trampoline's RET,
six loads of the argument registers, the load of AX.
"""
import re

from tests.gdbserver.gdbhelp import Served, needs_gdb, run_gdb

pytestmark = needs_gdb

SYSCALL_PC = 0x40102E           # syscall.Syscall+46, asm_linux_amd64.s:26


def test_break_step_to_syscall_and_over_it():
    with Served("read", "fd:/hello.txt", "buf:64", "64") as s:
        out = run_gdb(s.port, "b syscall.Syscall", "c", "stepi 9", "p $pc", "x/i $pc",
                      "info registers rax rdi rsi rdx", "stepi", "p/x $pc", "p/x $rcx", "p/x $r11",
                      "p/x $eflags", "p/x $rax", "x/s 0xc000040000", "kill")
    assert "Breakpoint 1 at 0x401000: file asm_linux_amd64.s, line 18." in out
    assert "Breakpoint 1, syscall.Syscall () at asm_linux_amd64.s:18" in out
    # the runtime model speaks on gdb's console while the CALL to entersyscall runs
    assert "g1 _Grunning → _Gsyscall" in out and "p0 _Prunning → _Psyscall" in out
    assert f"$1 = (void (*)()) {SYSCALL_PC:#x} <syscall.Syscall+46>" in out
    assert re.search(r"=> 0x40102e <syscall\.Syscall\+46>:\s+syscall", out)
    regs = dict(re.findall(r"^(rax|rdi|rsi|rdx)\s+(0x[0-9a-f]+)", out, flags=re.M))
    assert regs == {"rax": "0x0", "rdi": "0x3", "rsi": "0xc000040000", "rdx": "0x40"}   # read(3, buf, 64)
    assert "⇒ kernel: read(fd=3, buf=0xc000040000, count=0x40)" in out
    assert "$2 = 0x401030" in out                      # after the SYSCALL: the next instruction
    assert "$3 = 0x401030" in out                      # RCX = that next RIP
    assert "$4 = 0x202" in out and "$5 = 0x202" in out   # R11 = RFLAGS (IF and bit 1)
    assert "$6 = 0x20" in out                          # RAX = 32 bytes read
    assert '0xc000040000:\t"Hello from the emulated kernel!\\n"' in out


def test_catch_syscall_stops_at_entry_and_return():
    with Served("read", "fd:/hello.txt", "buf:64", "64") as s:
        out = run_gdb(s.port, "catch syscall read", "c", "p/x $pc", "p/x $rax", "x/8xb 0xc000040000",
                      "c", "p/x $pc", "p/x $rax", "p $orig_rax", "x/s 0xc000040000", "kill")
    assert "Catchpoint 1 (syscall 'read' [0])" in out
    entry = out.index("Catchpoint 1 (call to syscall read), syscall.Syscall () at asm_linux_amd64.s:26")
    ret = out.index("Catchpoint 1 (returned from syscall read), syscall.Syscall () at asm_linux_amd64.s:27")
    kernel = out.index("⇒ kernel: read(fd=3")
    assert entry < kernel < ret                        # the kernel model ran between the two stops
    assert "$1 = 0x40102e" in out and "$2 = 0x0" in out          # at the SYSCALL, RAX = 0 = read
    assert "0xc000040000:\t0x00\t0x00\t0x00\t0x00\t0x00\t0x00\t0x00\t0x00" in out   # nothing read yet
    assert "$3 = 0x401030" in out and "$4 = 0x20" in out and "$5 = 0" in out   # orig_rax = read
    assert '"Hello from the emulated kernel!\\n"' in out


def test_monitor_prints_the_repls_text():
    with Served("read", "fd:/hello.txt", "buf:64", "64") as s:
        out = run_gdb(s.port, "b *0x401005", "c", "monitor g", "monitor p", "monitor abi",
                      "monitor stepi", "kill")
    assert "── goroutines (runtime.allgs)" in out
    assert re.search(r"\*g1\s+_Gsyscall\s+m0", out)
    assert re.search(r"p0\s+_Psyscall", out)
    assert "Why R10: SYSCALL writes the return address into RCX" in out
    assert '"stepi" is not a monitor command' in out


def test_call_end_is_a_process_exit_with_r1():
    with Served("getpid") as s:
        out = run_gdb(s.port, "c")
    assert "result: r1 = 1000" in out                   # the model's pid
    assert f"exited with code 0{1000 & 0xff:o}]" in out  # r1 & 0xff, which gdb prints in octal


def test_thread_world_lists_every_m():
    with Served("read", "fd:pipe@5ms", "buf:8", "8", "--runnable", "1", "--warm") as s:
        out = run_gdb(s.port, "b main.compute", "c", "info threads", "thread 1", "p/x $pc", "kill")
    assert "[New Thread 1002]" in out
    assert re.search(r"Thread 3 hit Breakpoint 1, main\.compute \(\) at programs\.s:\d+", out)
    rows = re.findall(r"^[* ] (\d)\s+Thread (\d+) \((m\d)(, sysmon)?: ([^)]*)\)", out, flags=re.M)
    assert [(r[1], r[2], r[3]) for r in rows] == [("1000", "m0", ""), ("1001", "m1", ", sysmon"),
                                                  ("1002", "m2", "")]
    assert rows[0][4].startswith("g1 in read")         # m0 is blocked in the pipe read
    assert rows[2][4] == "g2"                           # m2 runs the computing goroutine
    assert re.search(r"^\* 3\s+Thread 1002", out, flags=re.M)
    assert "$1 = 0x401030" in out                       # m0 waits after its SYSCALL, as on Linux


def test_register_abi_profile_through_the_compiled_path():
    with Served("--profile", "go1.22", "read", "fd:/hello.txt", "buf:64", "64") as s:
        out = run_gdb(s.port, "catch syscall read", "c", "bt", "c", "p/x $rcx", "c")
    assert ("Catchpoint 1 (call to syscall read), runtime/internal/syscall.Syscall6 () at "
            "asm_linux_amd64.s:35") in out
    frames = re.findall(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(\S+) \(\)", out, flags=re.M)
    assert frames == ["runtime/internal/syscall.Syscall6", "syscall.RawSyscall6", "syscall.Syscall",
                      "main.callSyscall"]
    assert "$1 = 0x40116e" in out                       # RCX: the instruction after that SYSCALL
    assert "exited with code 040]" in out
