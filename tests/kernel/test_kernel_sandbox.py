"""tests/kernel/test_kernel_sandbox.py — a host directory mounted at /mnt, and nothing beyond it.

The tree under ``tmp_path``::

    outside/secret.txt       MARKER — must never be readable by the guest
    mnt/                     mounted at /mnt
        data.txt, sub/inner.txt
        up -> ../../..                (relative link climbing out)
        abs_secret -> <host path of outside/secret.txt>
        shadow -> /etc/shadow         (absolute link: the guest's /etc, not the host's)
        rel_secret -> ../outside/secret.txt
        guest_hello -> /hello.txt
        loop_a -> loop_b, loop_b -> loop_a
        fifo                          (a named pipe)
"""
from __future__ import annotations

import os
import signal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emu.kernel import VFS
from emu.kernel.errno import EACCES, EISDIR, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, EROFS
from emu.kernel.vfs import HELLO, O_CREAT, O_DIRECTORY, O_NOFOLLOW, O_RDWR, O_TRUNC, O_WRONLY, PASSWD

MARKER = b"MARKER-7f3c9a-outside-the-mount"


def _tree(root):
    (root / "outside").mkdir()
    secret = root / "outside" / "secret.txt"
    secret.write_bytes(MARKER)
    m = root / "mnt"
    m.mkdir()
    (m / "data.txt").write_bytes(b"mounted data\n")
    (m / "sub").mkdir()
    (m / "sub" / "inner.txt").write_bytes(b"inner\n")
    os.symlink("../../..", m / "up")
    os.symlink(str(secret), m / "abs_secret")
    os.symlink("/etc/shadow", m / "shadow")
    os.symlink("../outside/secret.txt", m / "rel_secret")
    os.symlink("/hello.txt", m / "guest_hello")
    os.symlink("loop_b", m / "loop_a")
    os.symlink("loop_a", m / "loop_b")
    os.mkfifo(m / "fifo")
    return m


@pytest.fixture
def sg(tmp_path, mounted):
    """A Guest with the tree above mounted at /mnt."""
    return mounted(_tree(tmp_path))


def _slurp(g, path: bytes | str) -> bytes | int:
    """The whole file at ``path`` as the guest reads it, or the negative errno of open or read."""
    fd = g.open(path)
    if fd < 0:
        return fd
    out = b""
    while (n := g.ret("read", fd, g.BUF, 4096)) > 0:
        out += g.mem.read(g.BUF, n)
    g.ret("close", fd)
    return out if n == 0 else n


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_mounting_a_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(ValueError, match="no such directory"):
        VFS(tmp_path / "missing")


def test_mounting_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "f").write_bytes(b"")
    with pytest.raises(ValueError, match="not a directory"):
        VFS(tmp_path / "f")


def test_mounted_files_are_readable(sg):
    assert _slurp(sg, "/mnt/data.txt") == b"mounted data\n"
    assert _slurp(sg, "/mnt/sub/inner.txt") == b"inner\n"


def test_dotdot_inside_the_mount_stays_inside(sg):
    assert _slurp(sg, "/mnt/sub/../data.txt") == b"mounted data\n"


def test_dotdot_above_the_mount_reaches_the_guest_root(sg):
    assert _slurp(sg, "/mnt/../../etc/passwd") == PASSWD
    assert _slurp(sg, "/mnt/sub/../../hello.txt") == HELLO
    assert _slurp(sg, "/mnt/../outside/secret.txt") == -ENOENT


def test_mnt_dotdot_is_the_guest_root_for_openat(sg):
    d = sg.open("/mnt/..", O_DIRECTORY)
    assert _slurp(sg, "/hello.txt") == HELLO
    assert sg.read(sg.ret("openat", d, sg.path("hello.txt"), 0, 0)) == HELLO


def test_openat_relative_to_a_mounted_directory(sg):
    d = sg.open("/mnt/sub", O_DIRECTORY)
    assert sg.read(sg.ret("openat", d, sg.path("inner.txt"), 0, 0)) == b"inner\n"
    assert sg.read(sg.ret("openat", d, sg.path("../../../hello.txt"), 0, 0)) == HELLO


def test_absolute_symlink_resolves_in_the_guest_namespace(sg):
    assert sg.open("/mnt/shadow") == -ENOENT                  # no /etc/shadow in the guest
    assert sg.open("/mnt/abs_secret") == -ENOENT              # host path means nothing here
    assert _slurp(sg, "/mnt/guest_hello") == HELLO            # the guest's own /hello.txt


def test_relative_symlink_climbing_out_lands_at_the_guest_root(sg):
    assert _slurp(sg, "/mnt/up/etc/passwd") == PASSWD
    assert sg.open("/mnt/rel_secret") == -ENOENT              # /outside does not exist in the guest


def test_symlink_loop_is_eloop(sg):
    assert sg.open("/mnt/loop_a") == -ELOOP


def test_forty_symlinks_are_followed_but_not_forty_one(tmp_path, mounted):
    m = tmp_path / "mnt"
    m.mkdir()
    (m / "target").write_bytes(b"end\n")
    for i in range(41):
        os.symlink("target" if i == 0 else f"l{i - 1}", m / f"l{i}")
    g = mounted(m)
    assert _slurp(g, "/mnt/l39") == b"end\n"
    assert g.open("/mnt/l40") == -ELOOP


def test_o_nofollow_on_final_symlink_is_eloop(sg):
    assert sg.open("/mnt/guest_hello", O_NOFOLLOW) == -ELOOP


def test_fifo_is_refused_without_hanging(sg):
    signal.alarm(5)                       # a hang would fail the test instead of the run
    try:
        assert sg.open("/mnt/fifo") == -EACCES
        assert sg.open("/mnt/fifo", os.O_NONBLOCK) == -EACCES
    finally:
        signal.alarm(0)


def test_fifo_as_a_directory_is_enotdir(sg):
    assert sg.open("/mnt/fifo/x") == -ENOTDIR


def test_writes_to_the_mount_are_erofs_and_change_nothing(sg, tmp_path):
    for flags in (O_WRONLY, O_RDWR, O_TRUNC, O_WRONLY | O_CREAT | O_TRUNC):
        assert sg.open("/mnt/data.txt", flags) == -EROFS
    assert sg.open("/mnt/new.txt", O_CREAT | O_WRONLY) == -EROFS
    assert (tmp_path / "mnt" / "data.txt").read_bytes() == b"mounted data\n"
    assert not (tmp_path / "mnt" / "new.txt").exists()


def test_mounted_directory_cannot_be_opened_for_writing(sg):
    assert sg.open("/mnt/sub", O_WRONLY) == -EISDIR


def test_missing_mounted_file_is_enoent(sg):
    assert sg.open("/mnt/nope") == -ENOENT
    assert sg.open("/mnt/data.txt/x") == -ENOTDIR


def test_proc_self_root_does_not_exist(sg):
    assert sg.open("/proc/self/root/etc/passwd") == -ENOENT
    assert sg.open("/mnt/up/proc/self/root/etc/passwd") == -ENOENT


def test_very_long_paths_are_enametoolong(sg):
    assert sg.open(b"/mnt/" + b"a" * 256) == -ENAMETOOLONG
    assert sg.open(b"/mnt/" + b"sub/" * 1100) == -ENAMETOOLONG


class _NoHost:
    """Stands in for the ``os`` module inside the kernel: constants pass, any call fails the test."""

    def __getattr__(self, name):
        real = getattr(os, name)
        if isinstance(real, int):
            return real
        def refuse(*a, **kw):
            raise AssertionError(f"host filesystem touched: os.{name}")
        return refuse


def test_without_a_mount_the_host_is_never_touched(g, monkeypatch):
    for module in ("emu.kernel.vfs", "emu.kernel.files"):
        monkeypatch.setattr(f"{module}.os", _NoHost())
    for p in ("/mnt", "/mnt/x", "/mnt/../etc/passwd", "/hello.txt", "/dev/zero", "/nope", "/mnt/a/b"):
        fd = g.open(p)
        if fd >= 0:
            g.ret("read", fd, g.BUF, 100)
    fd = g.open("/mnt", O_DIRECTORY)
    assert g.ret("openat", fd, g.path("x"), 0, 0) == -ENOENT
    g.k.close_all()


def test_mounted_files_leak_no_host_fds(sg):
    before = _fds()
    for p in ("/mnt/data.txt", "/mnt/sub/inner.txt", "/mnt/up/hello.txt", "/mnt/loop_a",
              "/mnt/fifo", "/mnt/sub/../nope", "/mnt/sub/inner.txt/x"):
        fd = sg.open(p)
        if fd >= 0:
            sg.read(fd)
    sg.k.close_all()
    assert _fds() == before


def test_open_mounted_file_holds_no_host_fd(sg):
    before = _fds()
    fd = sg.open("/mnt/data.txt")
    assert _fds() == before                       # held by name and identity (files.HostFile)
    assert sg.read(fd) == b"mounted data\n" and _fds() == before
    sg.ret("close", fd)
    assert _fds() == before


def test_mount_swapped_for_another_directory_is_refused(tmp_path, mounted):
    m = tmp_path / "mnt"
    g = mounted(m)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "secret.txt").write_bytes(MARKER)
    m.rename(tmp_path / "old")
    os.symlink(tmp_path / "other", m)
    assert g.open("/mnt/secret.txt") < 0


# -- nothing outside the mount, by any path -------------------------------------------------------
_PIECES = ["..", ".", "mnt", "up", "sub", "outside", "secret.txt", "abs_secret", "rel_secret", "shadow",
           "guest_hello", "data.txt", "etc", "passwd", "tmp", "", "loop_a"]


def _guest_paths(sg, tmp_path):
    host = str(tmp_path)
    yield from ["/mnt/abs_secret", "/mnt/rel_secret", "/mnt/up" + host + "/outside/secret.txt",
                host + "/outside/secret.txt", "/mnt/.." + host + "/outside/secret.txt",
                "/mnt/../../../../../../.." + host + "/outside/secret.txt", "/mnt/../outside/secret.txt",
                "/mnt/up/up/up/outside/secret.txt", "/mnt/sub/../../mnt/../outside/secret.txt"]


def test_marker_outside_the_mount_is_unreachable_by_constructed_paths(sg, tmp_path):
    for p in _guest_paths(sg, tmp_path):
        got = _slurp(sg, p)
        assert not (isinstance(got, bytes) and MARKER in got), p


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=8), st.booleans())
def test_marker_outside_the_mount_is_unreachable_by_random_paths(sg, pieces, absolute):
    path = ("/" if absolute else "") + "/".join(pieces)
    got = _slurp(sg, path or ".")
    assert not (isinstance(got, bytes) and MARKER in got), path
