"""``gosyscall run``: the default example, arguments, and one-line errors."""
import pytest

from emu.cli.main import main


def run(capsys, *argv):
    code = main(["run", "--no-color", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_default_run_reads_the_embedded_file_through_syscall(capsys):
    code, out, err = run(capsys)
    assert code == 0 and err == ""
    assert "syscall.Syscall(trap=0 SYS_READ" in out
    assert "g1 _Grunning → _Gsyscall" in out and "p0 _Prunning → _Psyscall" in out
    assert "g1 _Gsyscall → _Grunning" in out and "p0 _Psyscall → _Prunning" in out
    assert 'read(3, "Hello from the emulated kernel!\\n", 64) = 32' in out
    assert "result: r1 = 32, r2 = 64, err = 0" in out
    assert "b'Hello from the emulated kernel!\\n'" in out
    lines = out.splitlines()
    enter = next(i for i, l in enumerate(lines) if "runtime.entersyscall(" in l)
    sysc = next(i for i, l in enumerate(lines) if " SYSCALL " in l)
    exit_ = next(i for i, l in enumerate(lines) if "runtime.exitsyscall(" in l)
    assert enter < sysc < exit_


def test_two_runs_print_the_same_bytes(capsys):
    assert run(capsys)[1] == run(capsys)[1]


def test_error_path_shows_errno(capsys):
    code, out, _ = run(capsys, "close", "-1")
    assert code == 0 and "err = 9 (EBADF)" in out and "r1 = 18446744073709551615 (-1)" in out


def test_syscall_by_number_and_stub_choice(capsys):
    code, out, _ = run(capsys, "39", "--stub", "RawSyscall")
    assert code == 0 and "syscall.RawSyscall(" in out and "entersyscall" not in out


def test_write_goes_to_the_captured_stdout(capsys):
    code, out, _ = run(capsys, "write", "1", "data:hi\\n", "3")
    assert "guest stdout: b'hi\\n'" in out


def test_six_arguments_pick_syscall6(capsys):
    code, out, _ = run(capsys, "getpid", "1", "2", "3", "4", "5", "6", "--quiet")
    assert code == 0 and out.startswith("result: r1 = 1000")


@pytest.mark.parametrize("argv,needle", [
    (["gepid"], "did you mean getpid"),
    (["read", "0xZZ"], "not a number"),
    (["read", "buf:99999999"], "buffers hold"),
    (["--fs", "/nonexistent-dir-xyz"], "nonexistent-dir-xyz"),
    (["getpid", "--stub", "Nope"], "no stub 'Nope'"),
    (["getpid", "--profile", "go9.99"], "supported: go1.10"),
    (["getpid", "--budget", "3"], "budget of 3"),
    (["read", "fd:/missing.txt", "buf:8", "8"], "ENOENT"),
    (["getpid", "1", "2", "3", "4", "--stub", "Syscall"], "takes 3 arguments"),
    (["--bogus-flag"], "unrecognized arguments"),
])
def test_bad_input_is_one_line_and_nonzero(capsys, argv, needle):
    code, out, err = run(capsys, *argv)
    assert code != 0
    assert needle in err, err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_strict_makes_unknown_syscalls_an_error(capsys):
    code, _out, err = run(capsys, "999", "--strict")
    assert code != 0 and "--strict: unknown syscall 999" in err


def test_a_reader_that_leaves_early_gets_no_traceback():
    """`gosyscall run | head -1`: the pipe closes mid-trace; the run ends quietly, status 0.
    The pipe is shrunk to one page first, so the trace cannot fit in it before we leave."""
    import fcntl
    import os
    import subprocess
    import sys
    r, w = os.pipe()
    fcntl.fcntl(w, 1031, 4096)                    # F_SETPIPE_SZ
    p = subprocess.Popen([sys.executable, "-m", "emu", "run", "--no-color"],
                         stdout=w, stderr=subprocess.PIPE)
    os.close(w)
    with os.fdopen(r, "rb") as out:
        out.readline()
    err = p.stderr.read().decode()
    assert p.wait(timeout=60) == 0 and err == "", err
