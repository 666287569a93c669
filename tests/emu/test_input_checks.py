"""Bad input ends in one clear line and a non-zero status, before anything of the run prints."""
import os

import pytest

from emu.cli.main import main


def one_line_error(capsys, *argv) -> str:
    assert main(list(argv)) == 2
    out, err = capsys.readouterr()
    assert out == "", out                               # nothing of the run printed first
    assert err.startswith("gosyscall: ") and err.count("\n") == 1, err
    return err[len("gosyscall: "):].strip()


@pytest.mark.parametrize("number", ["1000000000000000000000", "0x10000000000000000027", "-9223372036854775809"])
def test_a_syscall_number_must_fit_in_rax(capsys, number):
    assert one_line_error(capsys, "run", number).endswith("does not fit in a 64-bit register")


@pytest.mark.parametrize("digits", ["0x" + "1" * 5000, "1" * 5000, "-" + "9" * 5000])
def test_thousands_of_digits_are_refused_in_a_short_line(capsys, digits):
    for argv in (["run", digits], ["run", "write", digits]):
        msg = one_line_error(capsys, *argv)
        assert "too long to be a 64-bit number" in msg and len(msg) < 200, msg


def test_numbers_fitting_rax_are_real_syscall_numbers(capsys):
    """Linux reads the number from EAX: 0x100000027 is getpid (the dispatcher models it)."""
    assert main(["run", "0x100000027", "--quiet"]) == 0
    assert "r1 = 1000" in capsys.readouterr().out


@pytest.mark.parametrize("budget, why", [("0", "at least 1, not 0"), ("-1", "at least 1, not -1"),
                                         ("lots", "not a whole number")])
def test_the_budget_is_a_positive_number(capsys, budget, why):
    assert why in one_line_error(capsys, "run", "getpid", "--budget", budget)


def test_too_many_arguments_are_refused_before_the_header(capsys):
    msg = one_line_error(capsys, "run", "read", "1", "2", "3", "4", "5", "6", "7", "8")
    assert msg == "syscall.Syscall6 takes 6 arguments after the syscall number, not 8"
    msg = one_line_error(capsys, "run", "read", "fd:pipe@5ms", "buf:8", "8", "1", "2", "3", "4",
                         "--runnable", "1")
    assert msg.endswith("not 7")


@pytest.mark.parametrize("text, value", [("0777", 0o777), ("0o777", 0o777), ("-0777", -0o777),
                                         ("0", 0), ("0x1ff", 0x1FF), ("0b11", 3), ("1_000", 1000)])
def test_numbers_are_read_as_c_and_go_write_them(text, value):
    from emu.bridge.argspec import parse_int
    assert parse_int(text) == value


def test_a_leading_zero_that_is_not_octal_says_so(capsys):
    assert "a leading 0 means octal, as in C and Go" in one_line_error(capsys, "run", "lseek", "0", "09", "0")


def surrogates(raw: bytes) -> str:
    """What Python makes of non-UTF-8 bytes on the command line."""
    return os.fsdecode(raw)


def test_non_utf8_bytes_in_data_and_str_are_passed_as_typed(capsys):
    assert main(["run", "write", "1", "data:" + surrogates(b"\xfe\xff"), "2", "--quiet"]) == 0
    assert "guest stdout: b'\\xfe\\xff'" in capsys.readouterr().out
    assert main(["run", "write", "1", "str:" + surrogates(b"a\xff"), "3", "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "a2=str:a\\xff" in out.splitlines()[0] and "guest stdout: b'a\\xff\\x00'" in out


def test_a_non_utf8_fd_path_is_looked_up_and_named_printably(capsys):
    msg = one_line_error(capsys, "run", "read", "fd:" + surrogates(b"/x\xff"), "buf:8", "8")
    assert msg == "fd:/x\\xff: cannot open it in the guest's filesystem (ENOENT)"


@pytest.mark.parametrize("argv, needle", [
    (["scenario", "threads", "--n", "-5"], "--n -5: a number of goroutines, 0 or more"),
    (["scenario", "block", "--block", "0s"], "--block: a duration is more than 0"),
    (["run", "getpid", "--time-budget", "0s"], "--time-budget: a duration is more than 0"),
    (["scenario", "block", "--plot", "x.png"], "--plot draws the M counts of `scenario threads`"),
    (["scenario", "retake", "--plot", "x.png"], "`scenario retake` has no such plot"),
])
def test_scenario_options_say_what_is_wrong_with_them(capsys, tmp_path, monkeypatch, argv, needle):
    monkeypatch.chdir(tmp_path)
    assert needle in one_line_error(capsys, *argv)
    assert not (tmp_path / "x.png").exists()
