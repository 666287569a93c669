"""``gosyscall verify``: every built-in stub × path is identical to the real CPU."""
import pytest

from asm.go1_10 import STUBS
from emu.cli.main import main
from emu.verify.cases import CASES
from emu.verify.compare import run_case

STUB_NAMES = [n.split(".")[-1] for n in STUBS]


@pytest.mark.parametrize("stub", STUB_NAMES)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_builtin_case_is_identical_to_the_native_run(native, stub, case):
    r = run_case(case.words, stub)
    assert r.identical, (r.diff, r.refused, r.native_end, r.emulated_end)
    assert r.native_end == "ok" and r.emulated_end == "ok"
    assert len(r.native) == len(r.emulated) > 10        # every step was compared
    nat, emu = r.frame
    assert nat == emu
    err = emu[2]
    expected = {"ENOSYS": 38, "EFAULT": 14, "error (EBADF)": 9}.get(case.path, 0)
    assert err == expected


def test_paths_reach_the_results_linux_gives(native):
    """The success cases return what Linux returns (not just the same as the model)."""
    assert run_case(["read", "3", "buf:96", "96"], "Syscall").frame[0][0] == 65   # all of FILE
    assert run_case(["write", "5", "data:abc", "3"], "Syscall6").frame[0][0] == 3
    r = run_case(["getpid"], "RawSyscall6")
    assert r.frame[0][0] == r.pid and r.normalised == ["pid"]


def test_the_cli_reports_every_builtin_case_identical(native, capsys):
    assert main(["verify"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    verdicts = [l for l in out.splitlines() if l.split()[:1] and l.split()[0] in STUB_NAMES]
    assert len(verdicts) == len(STUB_NAMES) * len(CASES)
    assert all(" identical " in l for l in verdicts)
    assert f"{len(verdicts)} cases: {len(verdicts)} identical to the native run" in out
    assert "normalised (pid):" in out


def test_the_cli_output_is_the_same_on_every_run(native, capsys):
    """No pid, path or time in the verdicts: two runs print the same bytes."""
    outs = []
    for _ in range(2):
        main(["verify", "--stub", "Syscall"])
        outs.append(capsys.readouterr().out)
    assert outs[0] == outs[1] and "r1=pid" in outs[0]


def test_steps_table_shows_every_instruction(native, capsys):
    assert main(["verify", "--steps", "close", "-1", "--stub", "RawSyscall"]) == 0
    out = capsys.readouterr().out
    assert "SYSCALL" in out and "rcx=0x" in out and "r11=0x202" in out
    steps = [l for l in out.splitlines() if l[:6].strip().isdigit()]
    assert [int(l.split()[0]) for l in steps] == list(range(len(steps)))   # 0 = the start


def test_a_users_asm_stub_is_verified(native, tmp_path, capsys):
    src = tmp_path / "mystub.s"
    src.write_text("TEXT ·MySyscall(SB),NOSPLIT,$0-56\n"
                   "    mov rax, qword ptr [rsp+0x8]    ; MOVQ trap+0(FP), AX\n"
                   "    mov rdi, qword ptr [rsp+0x10]   ; MOVQ a1+8(FP), DI\n"
                   "    mov rsi, qword ptr [rsp+0x18]   ; MOVQ a2+16(FP), SI\n"
                   "    mov rdx, qword ptr [rsp+0x20]   ; MOVQ a3+24(FP), DX\n"
                   "    syscall\n"
                   "    mov qword ptr [rsp+0x28], rax   ; MOVQ AX, r1+32(FP)\n"
                   "    mov qword ptr [rsp+0x30], rcx   ; what the kernel left in RCX\n"
                   "    mov qword ptr [rsp+0x38], r11   ; and in R11\n"
                   "    ret\n")
    assert main(["verify", "--asm", str(src)]) == 0
    out = capsys.readouterr().out
    assert out.count("MySyscall ") == len(CASES)
    assert f"{len(CASES)} cases: {len(CASES)} identical" in out
