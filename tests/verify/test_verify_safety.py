"""The native side runs only harmless calls; it cannot hang; bad input is one line."""
import pytest

from emu.cli.main import main
from emu.cpu import layout as L
from emu.verify.compare import run_case
from emu.verify.native import Plan, run_native
from tests.verify.conftest import jmp_loop_plan


def _stub(tmp_path, body: str):
    src = tmp_path / "s.s"
    src.write_text(body)
    return str(src)


def test_a_harmful_syscall_is_refused_before_it_runs(native, tmp_path, capsys):
    marker = tmp_path / "marker.txt"
    marker.write_text("keep me")
    code = main(["verify", "unlink", f"str:{marker}", "--stub", "RawSyscall"])
    out = capsys.readouterr().out
    assert code == 1 and "refused" in out and "syscall 87 (unlink)" in out
    assert marker.read_text() == "keep me"


def test_the_32_bit_gate_is_refused(native, tmp_path, capsys):
    code = main(["verify", "--asm", _stub(tmp_path, "mov eax, 20\nint 0x80\nret\n"), "getpid"])
    assert code == 1 and "int 0x80" in capsys.readouterr().out


@pytest.mark.parametrize("words", [["read", "7", "buf:8", "8"], ["write", "0", "data:x", "1"],
                                   ["exit_group", "0"], ["334"]])
def test_outside_the_prepared_fds_and_known_harmless_numbers_nothing_runs(native, words):
    r = run_case(words, "RawSyscall")
    assert r.refused and not r.identical


def test_a_native_run_that_would_hang_is_stopped(native):
    """A two-instruction loop runs into the step limit; a long sleep into the timeout."""
    loop = jmp_loop_plan(max_steps=500)
    run = run_native(loop)
    assert run.end == "limit" and len(run.steps) == 500
    text, stack = loop.regions
    regs = list(loop.regs)
    # nanosleep({1000 s, 0}) : mov eax, 35; mov rdi, rsp; xor esi, esi; syscall
    code = b"\xb8\x23\x00\x00\x00\x48\x89\xe7\x31\xf6\x0f\x05\xcc"
    stack_data = (1000).to_bytes(8, "little").ljust(L.STACK_HI - L.STACK_LO - 0x100, b"\0").rjust(
        L.STACK_HI - L.STACK_LO, b"\0")
    regs[7] = L.STACK_LO + 0x100
    run = run_native(Plan([(*text[:3], code.ljust(0x1000, b"\xcc")), (*stack[:3], stack_data)],
                          tuple(regs), L.TEXT_BASE + 100, b"", [], timeout_s=1))
    assert run.end == "timeout"


def test_fd_paths_and_fs_are_one_line_errors(capsys):
    assert main(["verify", "read", "fd:/hello.txt", "buf:8", "8"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("gosyscall: fd:/hello.txt")
    assert main(["verify", "--fs", "/tmp"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "--fs" in err


def test_a_fault_in_both_runs_at_the_same_step_is_agreement(native, tmp_path):
    from asm.userstub import load_user_stub
    stub = load_user_stub(_stub(tmp_path, "mov rax, qword ptr [0x10]\nret\n"))
    r = run_case(["getpid"], stub.name, extra_stubs=[stub])
    assert r.native_end.startswith("signal 11") and "guest fault" in r.emulated_end
    assert r.identical


def test_an_int3_in_the_stub_ends_both_runs_after_it(native, tmp_path):
    from asm.userstub import load_user_stub
    stub = load_user_stub(_stub(tmp_path, "mov rax, 1\nint3\nret\n"))
    r = run_case(["getpid"], stub.name, extra_stubs=[stub])
    assert r.native_end.startswith("signal 5") and "int3" in r.emulated_end
    assert r.identical and len(r.native) == 4            # start, call, mov, int3


def test_running_out_of_budget_on_both_sides_is_agreement(native, capsys):
    assert main(["verify", "getpid", "--stub", "Syscall", "--budget", "5"]) == 0
    out = capsys.readouterr().out
    assert " identical          5  both stopped: instruction budget of 5 exhausted" in out
    assert main(["verify", "--budget", "-1"]) == 2
    assert capsys.readouterr().err.startswith("gosyscall: argument --budget: an instruction budget is at least 1")
