"""Bad binaries through ``gosyscall run --binary``: each one line on stderr, a non-zero exit,
never a traceback — and the releases that run with a note, or are refused by name.

Real builds where the toolchain can make the case (stripped, PIE, cgo), copies of the
go1.22.10 probe with one thing changed otherwise (its Go version, a header field).
"""
import shutil
import struct

import pytest

from emu.cli.main import main

HELLO = "package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\"hi\\n\") }\n"


def gosyscall(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_line_error(capsys, *argv) -> str:
    code, out, err = gosyscall(capsys, *argv)
    assert code != 0, out
    assert err.count("\n") == 1 and err.startswith("gosyscall: "), err
    assert "Traceback" not in err
    return err.strip()


def copy(go, tmp_path, old: bytes = b"", new: bytes = b"", at: int | None = None, name="prog"):
    return go.patched(tmp_path, old if at is None else at, new, name)


@pytest.mark.parametrize("at,data,says", [
    (0, b"\x7fELG", "prog: not an ELF file"),
    (4, b"\x01", "prog: a 32-bit ELF; gosyscall runs 64-bit linux/amd64 programs"),
    (18, struct.pack("<H", 183), "prog: an ELF for AArch64, not x86-64 (linux/amd64)"),
])
def test_not_a_linux_amd64_elf(go, tmp_path, capsys, at, data, says):
    assert one_line_error(capsys, "run", "--binary", copy(go, tmp_path, new=data, at=at)) == f"gosyscall: {says}"


def test_truncated(go, tmp_path, capsys):
    raw = open(go.probe("1.22.10"), "rb").read()
    (tmp_path / "cut").write_bytes(raw[:len(raw) // 3])
    assert one_line_error(capsys, "run", "--binary", str(tmp_path / "cut")).startswith("gosyscall: cut: truncated")


def test_not_a_file(tmp_path, capsys):
    assert one_line_error(capsys, "run", "--binary", str(tmp_path / "nope")).endswith("nope: no such file")
    (tmp_path / "script").write_text("#!/bin/sh\n")
    assert one_line_error(capsys, "run", "--binary", str(tmp_path / "script")) == "gosyscall: script: not an ELF file"


@pytest.mark.parametrize("name,flags,env,says", [
    ("stripped", ("-ldflags=-s -w",), None, "stripped of its symbol table (built with -ldflags=-s)"),
    ("pie", ("-buildmode=pie",), None, "a PIE (built with -buildmode=pie); rebuild as a plain static executable"),
    ("cgo", (), {"CGO_ENABLED": "1"}, "dynamically linked; gosyscall runs static binaries (CGO_ENABLED=0)"),
])
def test_builds_gosyscall_cannot_run(go, capsys, name, flags, env, says):
    src = HELLO
    if name == "cgo":
        if not shutil.which("gcc") and not shutil.which("cc"):
            pytest.skip("no C compiler for a cgo build")
        src = 'package main\n\n// int two(void) { return 2; }\nimport "C"\n\nfunc main() { println(C.two()) }\n'
    prog = go.build("1.22.10", src, name, flags=flags, env=env)
    err = one_line_error(capsys, "run", "--binary", prog, "getpid")
    assert err.endswith(f": {says}"), err


def test_cgo_by_its_build_settings(go, tmp_path, capsys):
    err = one_line_error(capsys, "run", "--binary", copy(go, tmp_path, b"CGO_ENABLED=0", b"CGO_ENABLED=1"))
    assert err == "gosyscall: prog: built with cgo; rebuild with CGO_ENABLED=0"


def test_a_release_no_profile_models(go, tmp_path, capsys):
    err = one_line_error(capsys, "run", "--binary", copy(go, tmp_path, b"go1.22.10", b"go1.15.10"))
    assert err == ("gosyscall: prog: built by go1.15.10, a release no profile models "
                   "(profiles: go1.10, go1.22, go1.27)")


def test_a_release_without_its_own_profile_runs_with_the_nearest_and_says_so(go, tmp_path, capsys):
    code, out, err = gosyscall(capsys, "run", "--binary", copy(go, tmp_path, b"go1.22.10", b"go1.24.10"),
                               "getpid", "--no-color")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith("gosyscall · prog (go1.24.10) · profile go1.22 · syscall.Syscall(")
    assert lines[1] == ("note: prog was built by go1.24.10: no profile of its own, so the nearest with the "
                        "same syscall path and scheduler runs it, go1.22")
    assert "result: r1 = 1000, r2 = 0, err = 0" in out


def test_a_layout_that_does_not_fit_the_profile_is_named(go, tmp_path, capsys):
    """A go1.22 binary claiming go1.27: the go1.27 profile's g (no gobuf.ret) meets go1.22's DWARF."""
    err = one_line_error(capsys, "run", "--binary", copy(go, tmp_path, b"go1.22.10", b"go1.27.10"))
    assert err.startswith("gosyscall: prog: built by go1.27.10, but the go1.27 profile's layout does not "
                          "fit it: runtime.g.sched.lr: offset: profile 88, binary 96 (and "), err


def test_a_profile_that_does_not_fit_the_binary(go, capsys):
    err = one_line_error(capsys, "run", "--binary", go.probe("1.22.10"), "--profile", "go1.27")
    assert err.endswith(" was built by go1.22.10: profile go1.22 runs it, not go1.27"), err


def test_options_that_do_not_go_with_a_binary(go, tmp_path, capsys):
    probe = go.probe("1.22.10")
    (tmp_path / "s.s").write_text("syscall\nret\n")
    assert "--asm and --binary" in one_line_error(capsys, "run", "--binary", probe, "--asm", str(tmp_path / "s.s"))
    assert "thread world" in one_line_error(capsys, "run", "--binary", probe, "read", "fd:pipe@1ms", "buf:8", "8")
    assert one_line_error(capsys, "run", "--binary", probe, "--entry", "main.nosuch", "1") == \
        "gosyscall: " + probe.rsplit("/", 1)[1] + ": no function main.nosuch"
    assert "plain function name" in one_line_error(capsys, "run", "--binary", probe, "--entry", "os.(*File).Read", "1")
    assert "(that symbol is not code)" in one_line_error(capsys, "run", "--binary", probe, "--entry",
                                                         "runtime.m0", "1")
    assert "argument words" in one_line_error(capsys, "run", "--binary", probe, "--entry", "syscall.write")
