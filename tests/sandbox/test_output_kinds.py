"""``-o FILE`` and goldens: what is at FILE decides how it is written, and nothing but a
regular file is ever replaced.

Every kind is made in a scratch directory: regular files, symlinks (to files, dangling, in a
chain), FIFOs (with and without a reader), directories, and — where this user may ``mknod`` —
a character device standing for /dev/null. No system file is touched.
"""
from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emu.atomic import OutputError, open_output, write_atomic
from emu.cli.main import main


def _listing(d) -> list[str]:
    return sorted(os.listdir(d))


def _no_temp(d) -> bool:
    return not any(n.startswith(".gosyscall-") for n in os.listdir(d))


class FifoReader:
    """A FIFO's reader, there before the writer opens it. What the tests write fits in the
    pipe's buffer (64 KiB), so the writer never waits and the reader reads it afterwards."""

    def __init__(self, path):
        self.fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)

    def close(self) -> bytes:
        data = b""
        while True:
            try:
                chunk = os.read(self.fd, 65536)
            except BlockingIOError:
                break
            if not chunk:
                break
            data += chunk
        os.close(self.fd)
        return data


# -- each kind -------------------------------------------------------------------------------
def test_a_symlink_is_followed_its_target_replaced_and_the_link_kept(tmp_path):
    target = tmp_path / "real.trace"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    link = tmp_path / "link.trace"
    link.symlink_to("real.trace")
    write_atomic(link, b"new contents")
    assert link.is_symlink() and os.readlink(link) == "real.trace"
    assert target.read_bytes() == b"new contents" and target.stat().st_mode & 0o777 == 0o640
    assert _listing(tmp_path) == ["link.trace", "real.trace"]


def test_a_chain_of_symlinks_into_another_directory(tmp_path):
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "t").write_bytes(b"old")
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("d/t")
    write_atomic(tmp_path / "a", "via two links")
    assert (tmp_path / "d" / "t").read_text() == "via two links"
    assert (tmp_path / "a").is_symlink() and (tmp_path / "b").is_symlink()
    assert _no_temp(tmp_path) and _no_temp(tmp_path / "d")


def test_a_dangling_symlink_gets_its_target_created(tmp_path):
    link = tmp_path / "out.trace"
    link.symlink_to("made.trace")
    write_atomic(link, b"x")
    assert link.is_symlink() and (tmp_path / "made.trace").read_bytes() == b"x"


def test_a_fifo_with_a_reader_is_written_through_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    reader = FifoReader(fifo)
    write_atomic(fifo, b"through the pipe\n" * 100)
    assert reader.close() == b"through the pipe\n" * 100
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and _listing(tmp_path) == ["p"]


def test_a_fifo_nobody_reads_is_refused_at_once_not_waited_on(tmp_path):
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    with pytest.raises(OutputError) as e:
        write_atomic(fifo, b"x")
    assert str(e.value) == f"cannot write {fifo}: it is a FIFO that nobody reads (start its reader first)"
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and _listing(tmp_path) == ["p"]


def test_a_character_device_is_written_through_and_stays_a_device(tmp_path):
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))      # the null device's numbers
    except (PermissionError, OSError) as e:
        pytest.skip(f"this user may not mknod a device in a scratch directory ({e.strerror})")
    write_atomic(node, b"swallowed")
    st_after = os.lstat(node)
    assert stat.S_ISCHR(st_after.st_mode) and os.major(st_after.st_rdev) == 1 and os.minor(st_after.st_rdev) == 3
    assert _listing(tmp_path) == ["null"]


def test_a_directory_is_refused_in_one_line_naming_it(tmp_path):
    d = tmp_path / "dir"
    d.mkdir()
    with pytest.raises(OutputError) as e:
        write_atomic(d, b"x")
    assert str(e.value) == f"cannot write {d}: it is a directory (give a file name)"
    assert _listing(d) == []


def test_a_missing_directory_is_named_without_any_temp_file(tmp_path):
    with pytest.raises(OutputError) as e:
        write_atomic(tmp_path / "nope" / "x.trace", b"x")
    assert str(e.value) == f"cannot write {tmp_path / 'nope' / 'x.trace'}: no such directory {tmp_path / 'nope'}"


def test_an_error_while_writing_names_the_file_not_the_temp(tmp_path, monkeypatch):
    import emu.atomic as atomic

    def full(*a):
        raise OSError(28, "No space left on device", str(tmp_path / ".gosyscall-abc.tmp"))
    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(OutputError) as e:
        write_atomic(tmp_path / "t.trace", b"x")
    assert str(e.value) == f"cannot write {tmp_path / 't.trace'}: No space left on device"
    assert _listing(tmp_path) == []


def test_streaming_keeps_the_old_file_until_the_end(tmp_path):
    target = tmp_path / "t"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with open_output(target) as f:
            f.write(b"part of it")
            assert target.read_bytes() == b"old"
            raise RuntimeError("the run failed")
    assert target.read_bytes() == b"old" and _listing(tmp_path) == ["t"]


# -- every kind, with any bytes ------------------------------------------------------------------
KINDS = ("missing", "regular", "symlink", "dangling", "fifo-reader", "fifo-noreader", "directory")


def _make(tmp_path, kind: str):
    path = tmp_path / "out"
    if kind == "regular":
        path.write_bytes(b"old")
    elif kind == "symlink":
        (tmp_path / "target").write_bytes(b"old")
        path.symlink_to("target")
    elif kind == "dangling":
        path.symlink_to("target")
    elif kind.startswith("fifo"):
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    return path


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=40)
@given(kind=st.sampled_from(KINDS), data=st.binary(max_size=3000))
def test_every_kind_keeps_its_kind_and_gets_the_bytes_or_one_line(tmp_path_factory, kind, data):
    tmp_path = tmp_path_factory.mktemp("k")
    path = _make(tmp_path, kind)
    before = os.lstat(path).st_mode if os.path.lexists(path) else None
    reader = FifoReader(path) if kind == "fifo-reader" else None
    try:
        write_atomic(path, data)
        error = None
    except OutputError as e:
        error = str(e)
    got = reader.close() if reader else None
    if before is not None:
        assert stat.S_IFMT(os.lstat(path).st_mode) == stat.S_IFMT(before)     # never another kind
    assert _no_temp(tmp_path)
    if kind in ("fifo-noreader", "directory"):
        assert error is not None and "\n" not in error and str(path) in error and ".tmp" not in error
        return
    assert error is None
    if kind == "fifo-reader":
        assert got == data
    else:
        real = tmp_path / ("target" if kind in ("symlink", "dangling") else "out")
        assert real.read_bytes() == data


# -- through the command line ---------------------------------------------------------------------
def test_trace_to_proc_self_stdout_writes_to_the_pipe(tmp_path):
    """What ``-o /dev/stdout`` names: the process's own fd 1 (a pipe here)."""
    p = subprocess.run([sys.executable, "-m", "emu", "trace", "getpid", "--format", "strace",
                        "-o", "/proc/self/fd/1"], capture_output=True, timeout=60, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(b"getpid() = 1000\n") and p.stderr == b""


def test_trace_to_proc_self_stdout_appended_to_a_file_keeps_what_was_there(tmp_path):
    log = tmp_path / "log.txt"
    log.write_bytes(b"earlier lines\n")
    with open(log, "ab") as out:
        p = subprocess.run([sys.executable, "-m", "emu", "trace", "getpid", "--format", "strace",
                            "-o", "/proc/self/fd/1"], stdout=out, stderr=subprocess.PIPE, timeout=60,
                           cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    text = log.read_bytes()
    assert text.startswith(b"earlier lines\ngetpid() = 1000\n")
    assert _listing(tmp_path) == ["log.txt"]


def test_trace_to_a_directory_is_one_line(tmp_path, capsys):
    assert main(["trace", "getpid", "-o", str(tmp_path)]) == 2
    out, err = capsys.readouterr()
    assert err == f"gosyscall: cannot write {tmp_path}: it is a directory (give a file name)\n"
    assert _listing(tmp_path) == []


def test_explain_and_timeline_follow_a_symlink(tmp_path, capsys):
    (tmp_path / "lesson.md").write_text("old")
    (tmp_path / "l").symlink_to("lesson.md")
    assert main(["explain", "getpid", "--format", "markdown", "-o", str(tmp_path / "l")]) == 0
    assert (tmp_path / "l").is_symlink() and (tmp_path / "lesson.md").read_text().startswith("# Lesson")
    (tmp_path / "tl").symlink_to("timeline.json")
    assert main(["scenario", "threads", "--n", "1", "--gomaxprocs", "1", "--duration", "1ms",
                 "--timeline", str(tmp_path / "tl")]) == 0
    assert (tmp_path / "tl").is_symlink() and (tmp_path / "timeline.json").read_text().startswith("{")
    assert _no_temp(tmp_path)


def test_a_golden_that_is_a_symlink_stays_one_when_accepted(tmp_path, capsys):
    from emu.trace.golden import check, GoldenFailure
    from emu.trace.recorder import record
    from emu.cli.main import build_parser
    from emu.trace.formats.text import render_text
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "g.trace").write_text("# gosyscall-trace text v1\n# end · 0 steps · 0 lines\n")
    (tmp_path / "g.trace").symlink_to("shared/g.trace")
    rec = record(build_parser().parse_args(["run", "getpid"]))
    with pytest.raises(GoldenFailure):
        check(tmp_path / "g.trace", render_text(rec.header, rec.events))
    assert main(["review", str(tmp_path), "--accept-all"]) == 0
    assert (tmp_path / "g.trace").is_symlink()
    assert (tmp_path / "shared" / "g.trace").read_text() == render_text(rec.header, rec.events)
