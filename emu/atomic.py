"""emu/atomic.py — output files: written whole or not at all, and never anything but a file.

Every ``-o FILE`` (traces, lessons, timelines, plots) and every golden goes through here.
What happens depends on what is at FILE now:

- nothing, or a regular file: the bytes go to a temporary file in the same directory,
  which is flushed, fsync'ed and renamed over FILE. A crash or Ctrl-C leaves the old file
  intact, never a half-written one; an existing file keeps its permissions.
- a symbolic link: it is followed, and its target is replaced as above; the link stays a
  link (a dangling link's target is created).
- a character or block device, a FIFO, or the file this process's stdout or stderr
  already writes to (``-o /dev/stdout >> log``): written through (appended to), never
  replaced: ``/dev/null`` stays a device. A FIFO that nobody has open for reading
  is refused at once (opening it would wait for a reader forever).
- a directory, or anything else: refused.

Errors are one line naming FILE (``cannot write out.trace: Permission denied``), never
the temporary file.
"""
from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from typing import BinaryIO, Iterator

from emu.errors import GosyscallError


class OutputError(GosyscallError, OSError):
    """FILE cannot be written; the message names FILE."""


def write_atomic(path: str | os.PathLike, data: bytes | str) -> None:
    """Write ``data`` to ``path`` as the module docstring says (whole, or not at all)."""
    if isinstance(data, str):
        data = data.encode()
    with open_output(path) as f:
        f.write(data)


@contextlib.contextmanager
def open_output(path: str | os.PathLike) -> Iterator[BinaryIO]:
    """A binary file to write ``path``'s new contents to, a piece at a time (a trace is
    streamed as it is made). The new contents take effect when the ``with`` block ends
    normally; if it raises, a file being replaced keeps its old bytes and no temporary
    file is left (what was written through to a device or FIFO stays written)."""
    shown = os.fspath(path)
    kind, target = _target(shown)
    if kind == "through":
        f = _open_through(target, shown)
        try:
            yield f
            f.flush()
        except OSError as e:
            raise _error(shown, e) from None
        finally:
            _close_quietly(f)
        return
    mode = _mode(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=".gosyscall-", suffix=".tmp", dir=os.path.dirname(target) or ".")
    except OSError as e:
        raise _error(shown, e) from None
    try:
        os.fchmod(fd, mode)               # mkstemp makes 0600; keep the file's usual mode
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError) and not isinstance(e, OutputError):
            raise _error(shown, e) from None
        raise


def _target(path: str) -> tuple[str, str]:
    """("replace", the real path to rename over) or ("through", the path to open)."""
    if not path:
        raise OutputError("cannot write to an empty file name")
    try:
        st = os.stat(path)                # follows links, /proc's included
    except FileNotFoundError:
        return "replace", _new_file(path)
    except OSError as e:
        raise _error(path, e) from None
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"cannot write {path}: it is a directory (give a file name)")
    if stat.S_ISSOCK(st.st_mode):
        raise OutputError(f"cannot write {path}: it is a socket")
    if not stat.S_ISREG(st.st_mode):
        return "through", path            # a device or a FIFO: never replaced
    ident = (st.st_dev, st.st_ino)
    if ident in _own_outputs():
        return "through", path            # /dev/stdout redirected to a file (`>> log`): append
    real = os.path.realpath(path)
    try:
        same = os.lstat(real)
    except OSError:
        same = None
    if same is not None and stat.S_ISREG(same.st_mode) and (same.st_dev, same.st_ino) == ident:
        return "replace", real
    return "through", path                # reached through /proc's links to a deleted file, ...


def _own_outputs() -> set[tuple[int, int]]:
    """The files this process's stdout and stderr write to: replacing one would leave the
    process writing to the old, unlinked inode (and wipe what `>>` appended to)."""
    out = set()
    for fd in (1, 2):
        with contextlib.suppress(OSError):
            st = os.fstat(fd)
            out.add((st.st_dev, st.st_ino))
    return out


def _new_file(path: str) -> str:
    """Where a file that does not exist yet is created: ``path``, or the target of the
    dangling link ``path`` is. Its directory must exist."""
    real = os.path.realpath(path) if os.path.islink(path) else os.path.abspath(path)
    parent = os.path.dirname(real)
    if not os.path.isdir(parent):
        raise OutputError(f"cannot write {path}: no such directory {parent}")
    return real


def _open_through(path: str, shown: str) -> BinaryIO:
    """Open a device, FIFO or /proc link for writing without creating or truncating it."""
    flags = os.O_WRONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC | os.O_APPEND
    try:
        fd = os.open(path, flags)
    except OSError as e:
        if e.errno == errno.ENXIO:
            raise OutputError(f"cannot write {shown}: it is a FIFO that nobody reads "
                              "(start its reader first)") from None
        raise _error(shown, e) from None
    os.set_blocking(fd, True)             # O_NONBLOCK was for the open only
    return os.fdopen(fd, "wb")


def _close_quietly(f) -> None:
    with contextlib.suppress(OSError):
        f.close()


def _error(path: str, e: OSError) -> OutputError:
    """``e`` as one line naming ``path`` (an OSError's own text may name the temporary file)."""
    out = OutputError(f"cannot write {path}: {e.strerror or type(e).__name__}")
    out.errno = e.errno
    return out


def _mode(path: str) -> int:
    """The permissions ``path`` has now, or what a new file gets (0666 less the umask)."""
    try:
        return os.stat(path).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0o022)
        os.umask(umask)
        return 0o666 & ~umask
