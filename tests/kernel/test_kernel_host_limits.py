"""The host's limits stay out of the model, and path lookups are charged like Linux bounds them.

- An open file of the mount holds no host fd: the guest meets EMFILE at its own NOFILE (1024)
  whatever the host's ``ulimit -n``, and a path 800 directories deep needs one host fd.
- A file or directory the guest holds open is held by its identity: if the host renames or
  replaces it, the guest's next use is ESTALE (as on NFS), never another file at that name.
- Every component walked is charged: a lookup Linux allows (40 symlinks, 4 KiB a path) but
  that walks tens of thousands of components ends the run at the instruction budget.

The ``ulimit`` cases run in a subprocess with ``RLIMIT_NOFILE`` lowered (the test process
keeps its own limit).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from emu.cli.main import main
from emu.kernel.errno import EMFILE, ESTALE
from emu.kernel.vfs import O_DIRECTORY

ROOT = Path(__file__).resolve().parent.parent.parent
DEPTH = 800


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _deep(root: Path, depth: int = DEPTH) -> Path:
    """root/a/a/…/a (``depth`` levels) with x.txt at the bottom, made without long host paths."""
    fd = os.open(root, os.O_RDONLY)
    for _ in range(depth):
        os.mkdir("a", dir_fd=fd)
        nfd = os.open("a", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    with os.fdopen(os.open("x.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "wb") as f:
        f.write(b"at the bottom\n")
    os.close(fd)
    return root


# Opens guest paths in a kernel with /mnt = argv[2], under RLIMIT_NOFILE = argv[1].
UNDER_ULIMIT = """\
import resource, sys
sys.path.insert(0, sys.argv[3])
resource.setrlimit(resource.RLIMIT_NOFILE, (int(sys.argv[1]), resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
from emu.kernel import VFS, Kernel
from tests.kernel.conftest import Guest
g = Guest(Kernel(fs=VFS(sys.argv[2])))
mode = sys.argv[4]
if mode == "loop":
    n = 0
    while (fd := g.open("/mnt/data.txt")) >= 0:
        n += 1
    print(n, -fd)
else:
    fd = g.open(mode)
    print(fd, g.read(fd).decode() if fd >= 0 else "")
"""


def _under_ulimit(limit: int, mount: Path, what: str) -> str:
    p = subprocess.run([sys.executable, "-c", UNDER_ULIMIT, str(limit), str(mount), str(ROOT), what],
                       capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    return p.stdout


# -- host fds ---------------------------------------------------------------------------------------
def test_an_open_file_of_the_mount_holds_no_host_fd(mounted):
    g = mounted()
    mnt = Path(g.k.vfs.mount)
    for i in range(20):
        (mnt / f"f{i}").write_bytes(b"%d\n" % i)
    before = _fds()
    fds = [g.open(f"/mnt/f{i}") for i in range(20)]
    assert all(fd >= 3 for fd in fds) and _fds() == before
    assert [g.read(fd) for fd in fds] == [b"%d\n" % i for i in range(20)] and _fds() == before


def test_emfile_comes_at_the_models_limit_whatever_the_hosts_ulimit(tmp_path):
    (tmp_path / "data.txt").write_bytes(b"x")
    n, err = _under_ulimit(64, tmp_path, "loop").split()
    assert (int(n), int(err)) == (1024 - 3, EMFILE)         # fds 3 … 1023, then the model's EMFILE


def test_a_path_800_directories_deep_needs_one_host_fd(tmp_path):
    _deep(tmp_path)
    out = _under_ulimit(64, tmp_path, "/mnt/" + "a/" * DEPTH + "x.txt")
    assert out == "3 at the bottom\n\n"


# -- identity, not name ------------------------------------------------------------------------------
def _replace(f: Path) -> None:
    (f.parent / "other").write_bytes(b"NEW CONTENTS\n")
    os.rename(f.parent / "other", f)


@pytest.mark.parametrize("change", [_replace, Path.unlink], ids=["replaced", "deleted"])
def test_a_file_replaced_or_deleted_on_the_host_reads_estale_not_another_file(mounted, change):
    g = mounted()
    f = Path(g.k.vfs.mount) / "f"
    f.write_bytes(b"old contents\n")
    fd = g.open("/mnt/f")
    assert g.read(fd, 4) == b"old "
    change(f)
    assert g.ret("read", fd, g.BUF, 100) == -ESTALE
    assert g.ret("close", fd) == 0


def test_an_unchanged_file_reads_on_from_its_offset(mounted):
    g = mounted()
    mnt = Path(g.k.vfs.mount)
    (mnt / "f").write_bytes(b"0123456789")
    fd = g.open("/mnt/f")
    assert g.read(fd, 4) == b"0123"
    (mnt / "g").write_bytes(b"unrelated")
    assert g.read(fd, 100) == b"456789"


def test_a_directory_fd_does_not_follow_its_name_to_another_directory(mounted):
    g = mounted()
    mnt = Path(g.k.vfs.mount)
    (mnt / "d").mkdir()
    (mnt / "d" / "x.txt").write_bytes(b"in the first d\n")
    d = g.open("/mnt/d", O_DIRECTORY)
    assert g.read(g.ret("openat", d, g.path("x.txt"), 0, 0)) == b"in the first d\n"
    os.rename(mnt / "d", mnt / "e")
    (mnt / "d").mkdir()
    (mnt / "d" / "x.txt").write_bytes(b"IN THE SECOND D\n")
    assert g.ret("openat", d, g.path("x.txt"), 0, 0) == -ESTALE


# -- path lookups are charged -------------------------------------------------------------------------
def test_a_lookup_is_charged_one_unit_per_component(mounted):
    g = mounted()
    mnt = Path(g.k.vfs.mount)
    (mnt / "sub").mkdir()
    (mnt / "data.txt").write_bytes(b"x")
    meter = g.k.vfs.meter
    meter.start(None)
    assert g.open("/mnt/sub/../data.txt") >= 0
    assert meter.used == 4                                   # mnt, sub, .., data.txt


def test_the_deep_tree_and_4k_symlink_attack_ends_at_the_budget(tmp_path, capsys):
    """800 levels and a 4 KB link of a/…/a/../…/..: each follow walks 1600 components; 39 of them
    in one open are 62 400 components for one SYSCALL — charged, so the budget ends it."""
    _deep(tmp_path)
    os.symlink("a/" * DEPTH + "../" * DEPTH, tmp_path / "L")   # 4000 bytes: down 800, back up
    (tmp_path / "top.txt").write_bytes(b"top\n")
    path = "/mnt/" + "L/" * 39 + "top.txt"
    code = main(["run", "open", f"str:{path}", "0", "0", "--fs", str(tmp_path), "--quiet", "--budget", "50000"])
    out, err = capsys.readouterr()
    assert code == 4 and err.count("\n") == 1
    assert err.startswith("gosyscall: instruction budget of 50000 exhausted by path lookups: 50001 path "
                          "components walked in this run (each is charged as one instruction), the last in open")


def test_the_same_lookup_within_the_budget_succeeds(tmp_path, capsys):
    _deep(tmp_path, 50)
    os.symlink("a/" * 50 + "../" * 50, tmp_path / "L")      # down 50 and back up: the mount's root
    (tmp_path / "top.txt").write_bytes(b"top\n")
    path = "/mnt/" + "L/" * 39 + "top.txt"
    assert main(["run", "open", f"str:{path}", "0", "0", "--fs", str(tmp_path), "--quiet"]) == 0
    assert "r1 = 3," in capsys.readouterr().out
