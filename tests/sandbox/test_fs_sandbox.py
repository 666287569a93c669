"""``--fs`` end to end: ``gosyscall run`` and Session with a real mount and a marker outside it.

tests/kernel/test_kernel_sandbox.py checks path resolution in the kernel model call by
call; these go through the whole tool — the command line, argument notation, the stub on
the emulated CPU, the SYSCALL hook — and check what a user would see.

The tree is tests/kernel's sandbox tree (outside/secret.txt holds MARKER; mnt/ has data.txt,
abs_secret, rel_secret, up -> ../../.., ...) plus: outdir -> ../outside, zero -> /dev/zero
(resolved in the guest: the guest's own), tty -> /dev/tty.
"""
from __future__ import annotations

import hashlib
import os
import sys

import pytest

from emu.bridge.session import Session
from emu.cli.main import main
from emu.kernel.errno import ENAMETOOLONG, ENOENT, EROFS
from emu.kernel.vfs import O_CREAT, O_RDWR, O_TRUNC, O_WRONLY
from tests.kernel.test_kernel_sandbox import MARKER, _tree

AT_FDCWD = -100


@pytest.fixture
def tree(tmp_path):
    m = _tree(tmp_path)
    for name, target in (("outdir", "../outside"), ("zero", "/dev/zero"), ("tty", "/dev/tty")):
        os.symlink(target, m / name)
    return tmp_path


def _escapes(root) -> list[str]:
    host = str(root / "outside" / "secret.txt")
    return ["/mnt/../outside/secret.txt", "/mnt/../../../../outside/secret.txt", host, "/mnt/.." + host,
            "/mnt/abs_secret", "/mnt/rel_secret", "/mnt/outdir/secret.txt", "/mnt/up" + host,
            "/mnt/up/outside/secret.txt",
            "/proc/self/root" + host, "/mnt/up/proc/self/root" + host, "/proc/self/cwd/outside/secret.txt",
            "/mnt/./../mnt/../outside/secret.txt", "//mnt//..//outside//secret.txt"]


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["run", "--no-color", "--quiet", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _errno(out: str) -> int:
    return int(out.split("err = ")[1].split()[0])


def test_escapes_by_path_fail_with_enoent(tree, capsys):
    for path in _escapes(tree):
        code, out, err = _run(capsys, "open", f"str:{path}", "0", "0", "--fs", str(tree / "mnt"))
        assert code == 0 and err == "", path
        assert _errno(out) == ENOENT, (path, out)


def test_escapes_never_show_the_marker_when_read(tree, capsys):
    """``fd:PATH`` opens before the run and ``read`` shows the bytes: the marker never appears."""
    for path in _escapes(tree) + ["/mnt/zero", "/mnt/tty", "/mnt/data.txt"]:
        code, out, err = _run(capsys, "read", f"fd:{path}", "buf:64", "64", "--fs", str(tree / "mnt"))
        assert MARKER not in (out + err).encode(), path
        if code:
            assert err.count("\n") == 1 and err.startswith("gosyscall: fd:"), (path, err)
    code, out, _ = _run(capsys, "read", "fd:/mnt/data.txt", "buf:64", "64", "--fs", str(tree / "mnt"))
    assert code == 0 and "mounted data" in out          # the mount itself does work


def test_device_paths_reach_no_host_device(tree, capsys):
    for path in ("/dev/mem", "/dev/sda", "/dev/tty", "/dev/urandom", "/mnt/tty", "/sys/kernel"):
        code, out, _ = _run(capsys, "open", f"str:{path}", "0", "0", "--fs", str(tree / "mnt"))
        assert code == 0 and _errno(out) == ENOENT, path
    # a host symlink to /dev/zero resolves in the guest's namespace: the guest's own /dev/zero
    code, out, _ = _run(capsys, "read", "fd:/mnt/zero", "buf:8", "8", "--fs", str(tree / "mnt"))
    assert code == 0 and "r1 = 8" in out


def test_very_long_paths_are_enametoolong(tree, capsys):
    for path in ("/mnt/" + "a" * 300, "/mnt/" + "a/" * 3000, "/" + "x" * 5000):
        code, out, _ = _run(capsys, "open", f"str:{path}", "0", "0", "--fs", str(tree / "mnt"))
        assert code == 0 and _errno(out) == ENAMETOOLONG, len(path)


def _snapshot(d) -> dict:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() and not p.is_symlink() else None
            for p in sorted(d.rglob("*"))}


def test_the_guest_cannot_write_to_the_mount(tree, capsys):
    before = _snapshot(tree)
    for path, flags in (("/mnt/data.txt", O_WRONLY), ("/mnt/data.txt", O_RDWR),
                        ("/mnt/data.txt", O_WRONLY | O_TRUNC), ("/mnt/new.txt", O_WRONLY | O_CREAT),
                        ("/mnt/abs_secret", O_WRONLY), ("/mnt/up/escaped/x", O_CREAT | O_WRONLY)):
        code, out, _ = _run(capsys, "open", f"str:{path}", str(flags), "0o644", "--fs", str(tree / "mnt"))
        assert code == 0 and _errno(out) in (EROFS, ENOENT), (path, out)
    code, out, _ = _run(capsys, "openat", str(AT_FDCWD), "str:/mnt/made.txt", str(O_CREAT | O_WRONLY),
                        "0o600", "--fs", str(tree / "mnt"))
    assert _errno(out) == EROFS
    assert _snapshot(tree) == before


def test_without_fs_the_host_is_not_read(tree, capsys):
    """An audit hook sees every host open during the run: none under the test's directory."""
    opened: list[str] = []
    watch = str(tree)

    def hook(event, args):
        if event in ("open", "os.listdir", "os.scandir") and args and watch in str(args[0]):
            opened.append(str(args[0]))
    sys.addaudithook(hook)
    try:
        for path in (str(tree / "outside" / "secret.txt"), str(tree / "mnt" / "data.txt"), "/mnt/data.txt",
                     "/proc/self/root" + str(tree / "outside" / "secret.txt")):
            code, out, _ = _run(capsys, "open", f"str:{path}", "0", "0")
            assert code == 0 and _errno(out) == ENOENT, path
            code, _, err = _run(capsys, "read", f"fd:{path}", "buf:8", "8")
            assert code == 2 and "ENOENT" in err
    finally:
        watch = "\0never"                   # audit hooks cannot be removed: make it inert
    assert opened == []


def test_session_with_a_mount_through_both_stub_kinds(tree):
    s = Session(fs=str(tree / "mnt"))
    buf = s.alloc(64)

    def path(p: str) -> int:
        return s.alloc(len(p) + 1, p.encode() + b"\0")
    for stub in ("Syscall", "RawSyscall"):
        fd = s.call(stub, 2, [path("/mnt/data.txt"), 0, 0])
        assert fd.err == 0
        assert s.call(stub, 0, [fd.r1, buf, 64]).r1 == len(b"mounted data\n")
    dirfd = s.call("Syscall", 2, [path("/mnt"), 0o200000, 0]).r1          # O_DIRECTORY
    for rel in ("../outside/secret.txt", "rel_secret", "abs_secret", "outdir/secret.txt",
                "up/outside/secret.txt"):
        r = s.call("Syscall6", 257, [dirfd, path(rel), 0, 0, 0, 0])         # openat
        assert r.errname == "ENOENT", rel
    assert MARKER not in s.machine.mem.read(buf, 64)
    s.kernel.close_all()
