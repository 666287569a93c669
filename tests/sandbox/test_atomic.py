"""Nothing lost: ``write_atomic`` replaces a file whole or leaves it exactly as it was.

Goldens and trace files go through it; the traces engineer tests that goldens are never
overwritten without the update flag. Here: a failure at any point of the write — the data,
the fsync, the rename, an exception or Ctrl-C — leaves the old bytes and no temp file.
"""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emu import atomic
from emu.atomic import write_atomic


class Boom(Exception):
    pass


def _fail_in(monkeypatch, where: str, exc: BaseException) -> None:
    """Make one step of write_atomic raise ``exc``: after writing half the data, at fsync, or at rename."""
    if where == "write":
        real = os.fdopen

        def fdopen(fd, mode):
            f = real(fd, mode)

            class Half:
                def __enter__(self):
                    return self

                def __exit__(self, *a):
                    f.close()

                def write(self, data):
                    f.write(data[:len(data) // 2])
                    f.flush()
                    raise exc

                def flush(self):
                    f.flush()

                def fileno(self):
                    return f.fileno()
            return Half()
        monkeypatch.setattr(atomic.os, "fdopen", fdopen)
    else:
        def fail(*a, **kw):
            raise exc
        monkeypatch.setattr(atomic.os, {"fsync": "fsync", "rename": "replace"}[where], fail)


def _listing(d) -> list[str]:
    return sorted(os.listdir(d))


@pytest.mark.parametrize("where", ["write", "fsync", "rename"])
@pytest.mark.parametrize("exc", [Boom("disk on fire"), KeyboardInterrupt(), OSError(28, "No space left")],
                         ids=["exception", "ctrl-c", "enospc"])
def test_a_failure_mid_write_keeps_the_old_file_and_no_temp(tmp_path, monkeypatch, where, exc):
    target = tmp_path / "case.golden"
    target.write_bytes(b"old golden\n" * 100)
    before = _listing(tmp_path)
    _fail_in(monkeypatch, where, exc)
    with pytest.raises(type(exc)):
        write_atomic(target, b"new trace\n" * 1000)
    assert target.read_bytes() == b"old golden\n" * 100
    assert _listing(tmp_path) == before


def test_a_failed_first_write_creates_nothing(tmp_path, monkeypatch):
    _fail_in(monkeypatch, "fsync", Boom())
    with pytest.raises(Boom):
        write_atomic(tmp_path / "new.trace", "text")
    assert _listing(tmp_path) == []


def test_a_write_replaces_the_whole_file_and_keeps_its_mode(tmp_path):
    target = tmp_path / "t.trace"
    target.write_bytes(b"x" * 10_000)
    os.chmod(target, 0o640)
    write_atomic(target, "short\n")
    assert target.read_bytes() == b"short\n" and _listing(tmp_path) == ["t.trace"]
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_new_file_gets_the_usual_mode(tmp_path):
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "n.golden", b"x")
    finally:
        os.umask(umask)
    assert (tmp_path / "n.golden").stat().st_mode & 0o777 == 0o644


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(old=st.binary(max_size=2000), new=st.one_of(st.binary(max_size=2000), st.text(max_size=500)),
       where=st.sampled_from(["write", "fsync", "rename", None]))
def test_the_file_is_always_old_or_new_never_between(tmp_path, old, new, where):
    target = tmp_path / "p.trace"
    target.write_bytes(old)
    with pytest.MonkeyPatch.context() as mp:
        if where:
            _fail_in(mp, where, Boom())
        try:
            write_atomic(target, new)
        except Boom:
            pass
    want = new.encode() if isinstance(new, str) else new
    assert target.read_bytes() == (old if where else want)
    assert _listing(tmp_path) == ["p.trace"]
