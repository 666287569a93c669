"""emu/atomic.py — files written whole or not at all.

A trace or golden file is written to a temporary file in the same directory, flushed
and fsync'ed, then renamed over the target: a crash or Ctrl-C leaves the old file
intact, never a half-written one.
"""
from __future__ import annotations

import os
import tempfile


def write_atomic(path: str | os.PathLike, data: bytes | str) -> None:
    """Replace ``path`` with ``data`` atomically (same-directory temp file + rename)."""
    path = os.fspath(path)
    if isinstance(data, str):
        data = data.encode()
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".gosyscall-", suffix=".tmp", dir=d)
    try:
        os.fchmod(fd, _mode(path))        # mkstemp makes 0600; keep the file's usual mode
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _mode(path: str) -> int:
    """The permissions ``path`` has now, or what a new file gets (0666 less the umask)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask
