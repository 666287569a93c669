"""`gosyscall repl` in the thread world: stepping events until sysmon takes the P away,
the world's state listing, threads, breakpoints, catchpoints, the end, and what world mode
refuses (reverse execution, checkpoints, restart)."""
from tests.repl.conftest import answers, run_script

WORLD = ("read", "fd:pipe@5ms", "buf:8", "8", "--runnable", "1", "--warm", "--gomaxprocs", "1")


def test_ne_reaches_sysmons_retake_and_sched_shows_the_taken_p():
    script = "ne\nne 2\nsched\ninfo threads\ng\np\nbogus\nrsi\ncheckpoint\nrestart 1\nc\nsi\n"
    out = run_script(script, *WORLD)
    assert "thread world: GOMAXPROCS=1, sysmon on its own M, 1 runnable goroutine(s)" in out
    a = answers(out)
    assert "m0                     ⇒ kernel: read(fd=3, buf=0xc000040010, count=8)" in a["ne"]
    retake = a["ne 2"]
    assert "m1                     ↳ runtime.retake(now=154200)" in retake     # sysmon's M, run's view
    assert "m1                       p0 _Psyscall → _Pidle" in retake
    assert "m1                     ↳ runtime.handoffp(_p_=p0)" in retake
    sched = a["sched"]
    assert "  p0  _Pidle     -" in sched                   # taken: idle, no M
    assert "g1     _Gsyscall on m0" in sched and "g2     _Grunnable" in sched
    assert "sysmon: m1 blocked, next wake at" in sched
    lines = a["info threads"].splitlines()
    assert len(lines) - 1 >= 3 and lines[1].startswith("* m0   1000    blocked")
    assert "(sysmon)" in a["info threads"] and "read on pipe with no data" in lines[1]
    assert a["g"].splitlines()[1] == "Gs:" and "p0  _Pidle" in a["p"]
    assert a["bogus"] == 'Undefined command: "bogus". Try "help".\n'
    for cmd in ("rsi", "checkpoint", "restart 1"):
        assert len(a[cmd].splitlines()) == 1 and "not available in world mode" in a[cmd]
        assert "cannot be snapshotted cheaply" in a[cmd]
    end = a["c"]
    assert 'host timer at t=5000000 ns: write(4, "wake up\\n", 8) = 8' in end
    assert "m0   result: r1 = 8, r2 = 8, err = 0" in end
    assert "[syscall.Syscall returned to its caller on m0 (thread 1000) g1]" in end
    assert a["si"].startswith("The call has returned")


def test_si_breakpoint_catchpoint_and_registers_of_the_current_thread():
    script = "si\nb *0x401030\ninfo breakpoints\nc\np $rax\ninfo registers rip\ndelete\n"
    a = answers(run_script(script, *WORLD))
    assert a["si"].startswith("m0     20  0x0040119a  main.callSyscall         CALL syscall·Syscall(SB)")
    assert "m0 (thread 1000) g1: one instruction; now at 0x401000 in syscall.Syscall" in a["si"]
    assert "1       breakpoint" in a["info breakpoints"]
    assert a["p $rax"] == "$1 = 8\n"                        # at the breakpoint: read returned 8
    assert a["info registers rip"].startswith("rip            0x401030")


def test_breakpoint_stops_continue_before_the_instruction():
    a = answers(run_script("b *0x401030\nc\n", *WORLD))
    assert "Breakpoint 1, 0x401030 in syscall.Syscall+0x30 (asm_linux_amd64.s:27) on m0 (thread 1000) g1" in a["c"]
    assert "── current thread: m0 (thread 1000) g1, its clock t = 5002" in a["c"]


def test_catch_syscall_stops_at_the_call_and_at_its_return():
    out = run_script("catch syscall read\nc\nc\n", *WORLD)
    assert "Catchpoint 1 (syscall 'read' [0])" in out
    assert "Catchpoint 1 (call to syscall read) on m0 (thread 1000) g1" in out
    end = out.split("Catchpoint 1 (call to syscall read)")[1]
    assert "Catchpoint 1 (returned from syscall read) on m0 (thread 1000) g1" in end
    assert "[syscall.Syscall returned to its caller on m0 (thread 1000) g1]" in end
