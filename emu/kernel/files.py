"""emu/kernel/files.py — open file descriptions, pipes and the fd table.

An :class:`OpenFile` is Linux's ``struct file``: the offset and the O_NONBLOCK flag live
here and are shared by every fd that ``dup`` made from it. The :class:`FdTable` maps small
integers to open files and hands out the lowest free number, as Linux does.

Counts reaching ``read``/``write`` here are already capped at ``MAX_RW_COUNT`` and the
buffer range already passed ``access_ok`` (see :mod:`emu.kernel.sysfile`).
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING

from emu.kernel.args import copy_in, copy_out
from emu.kernel.block import Block
from emu.kernel.errno import EAGAIN, EBADF, EINVAL, EIO, EISDIR, EMFILE, ENXIO, EPIPE, ESPIPE, SysError
from emu.kernel.memory import Fault

if TYPE_CHECKING:
    from emu.kernel.call import Call

NOFILE = 1024              # RLIMIT_NOFILE soft default (INR_OPEN_CUR in include/uapi/linux/fs.h)
PIPE_CAPACITY = 65536      # fs/pipe.c: PIPE_DEF_BUFFERS (16) pages of 4 KiB
PIPE_BUF = 4096            # include/uapi/linux/limits.h: writes up to this size are atomic
PAGE_SIZE = 4096           # fs/pipe.c copies a write into the pipe one page at a time
TTY_CHUNK = 2048           # drivers/tty/tty_io.c iterate_tty_write: default chunk
MAX_LFS_FILESIZE = (1 << 63) - 1
SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE = 0, 1, 2, 3, 4


def seek_position(pos: int, size: int, off: int, whence: int) -> int:
    """The new offset for ``lseek(off, whence)`` on a file of ``size`` bytes now at ``pos``.

    Mirrors Linux ``generic_file_llseek``: a result below 0 or past MAX_LFS_FILESIZE is
    EINVAL; SEEK_DATA/SEEK_HOLE treat the file as data with one hole at the end (ENXIO at
    or past the end); any other whence is EINVAL.
    """
    if whence == SEEK_SET:
        new = off
    elif whence == SEEK_CUR:
        new = pos + off
    elif whence == SEEK_END:
        new = size + off
    elif whence in (SEEK_DATA, SEEK_HOLE):
        if off < 0 or off >= size:
            raise SysError(ENXIO)
        new = off if whence == SEEK_DATA else size
    else:
        raise SysError(EINVAL)
    if new < 0 or new > MAX_LFS_FILESIZE:
        raise SysError(EINVAL)
    return new


class OpenFile:
    """An open file description; subclasses override what their kind of file can do."""

    kind = "file"
    readable = False          # FMODE_READ: opened for reading
    writable = False          # FMODE_WRITE: opened for writing

    def __init__(self, nonblock: bool = False):
        self.refs = 0               # fds pointing here; release() runs when it drops to 0
        self.nonblock = nonblock

    def read(self, c: Call, buf: int, count: int) -> int | Block:
        """Read up to ``count`` bytes into guest ``buf``; bytes read, a Block, or SysError."""
        raise SysError(EINVAL)

    def write(self, c: Call, buf: int, count: int) -> int | Block:
        """Write up to ``count`` bytes from guest ``buf``; bytes written, a Block, or SysError."""
        raise SysError(EINVAL)

    def lseek(self, off: int, whence: int) -> int:
        """Reposition the offset and return it; streams cannot seek (ESPIPE)."""
        raise SysError(ESPIPE)

    def release(self) -> list[object]:
        """The last fd went away: free what this holds; return the keys whose waiters should retry."""
        return []

    @property
    def is_dir(self) -> bool:
        """Whether this names a directory (usable as the dirfd of ``openat``)."""
        return False


class HostFile:
    """A regular file of the mounted host directory, held by its guest path and its host
    identity (st_dev, st_ino) — not by a host fd. Each use opens it on the host for as long
    as one call takes, so the guest's open files never count against the host's fd limit
    (the guest meets EMFILE at its own NOFILE, never the host's ENFILE), and a host rename
    or delete while the guest holds it open shows as ESTALE (116, "Stale file handle"),
    as on an NFS mount, never as another file at the same name."""

    def __init__(self, vfs, vpath: tuple[bytes, ...], ident: tuple[int, int]):
        self.vfs, self.vpath, self.ident = vfs, vpath, ident

    def use(self, fn):
        """``fn(host fd)``, with the file opened for the call; a host I/O error is EIO."""
        fd = self.vfs.reopen(self.vpath, self.ident)
        try:
            return fn(fd)
        except OSError:
            raise SysError(EIO) from None
        finally:
            os.close(fd)


class RegularFile(OpenFile):
    """A read-only regular file: embedded bytes, or a file of the host mount (:class:`HostFile`)."""

    readable = True

    def __init__(self, name: str, data: bytes | None = None, host: HostFile | None = None,
                 nonblock: bool = False):
        super().__init__(nonblock)
        self.name, self.data, self.host = name, data, host
        self.pos = 0

    def size(self) -> int:
        """The file's current size in bytes."""
        if self.host is None:
            return len(self.data)
        return self.host.use(lambda fd: os.fstat(fd).st_size)

    def _pread(self, n: int, pos: int) -> bytes:
        """Up to ``n`` bytes at offset ``pos`` (fewer at the end of the file)."""
        if self.host is None:
            return self.data[pos:pos + n]
        return self.host.use(lambda fd: os.pread(fd, n, pos))

    def read(self, c: Call, buf: int, count: int) -> int:
        data = self._pread(count, self.pos)
        if not data:
            return 0
        n = copy_out(c.mem, buf, data)
        self.pos += n
        return n

    def lseek(self, off: int, whence: int) -> int:
        self.pos = seek_position(self.pos, self.size(), off, whence)
        return self.pos

class Directory(OpenFile):
    """An open directory, remembered by its path in the guest's namespace and, for one of the
    host mount, its host identity: used as a dirfd it must still be that directory (ESTALE
    otherwise, as :class:`HostFile`) — it never follows its name to another directory."""

    kind = "dir"
    readable = True

    def __init__(self, vpath: tuple[bytes, ...], nonblock: bool = False,
                 ident: tuple[int, int] | None = None):
        super().__init__(nonblock)
        self.vpath, self.ident = vpath, ident
        self.pos = 0

    def read(self, c: Call, buf: int, count: int) -> int:
        raise SysError(EISDIR)       # fs/libfs.c generic_read_dir

    def lseek(self, off: int, whence: int) -> int:
        # Directory offsets are cookies for getdents; SET and CUR are all libfs allows.
        if whence not in (SEEK_SET, SEEK_CUR):
            raise SysError(EINVAL)
        self.pos = seek_position(self.pos, 0, off, whence)
        return self.pos

    @property
    def is_dir(self) -> bool:
        return True


class PathOnly(OpenFile):
    """An O_PATH descriptor: names a file, cannot read, write or seek it (fdget fails: EBADF)."""

    kind = "path"

    def __init__(self, vpath: tuple[bytes, ...], directory: bool, ident: tuple[int, int] | None = None):
        super().__init__()
        self.vpath, self.directory, self.ident = vpath, directory, ident

    def lseek(self, off: int, whence: int) -> int:
        raise SysError(EBADF)

    @property
    def is_dir(self) -> bool:
        return self.directory


class CharDevice(OpenFile):
    """``/dev/null`` (reads EOF, swallows writes) or ``/dev/zero`` (reads zeros, swallows writes)."""

    kind = "chr"

    def __init__(self, device: str, readable: bool, writable: bool, nonblock: bool = False):
        super().__init__(nonblock)
        self.device, self.readable, self.writable = device, readable, writable

    def read(self, c: Call, buf: int, count: int) -> int:
        if self.device == "null" or count == 0:
            return 0
        return copy_out(c.mem, buf, bytes(count))

    def write(self, c: Call, buf: int, count: int) -> int:
        return count                 # drivers/char/mem.c: the data is never even looked at

    def lseek(self, off: int, whence: int) -> int:
        return 0                     # drivers/char/mem.c null_lseek: always back to 0


class Console(OpenFile):
    """The terminal behind fds 0, 1, 2: stdin (read-only) is at end of file; stdout and
    stderr (write-only) are captured in order in ``kernel.console``."""

    kind = "console"

    def __init__(self, stream: int):
        super().__init__()
        self.stream = stream
        self.readable, self.writable = stream == 0, stream != 0

    def read(self, c: Call, buf: int, count: int) -> int:
        return 0

    def write(self, c: Call, buf: int, count: int) -> int:
        if count == 0:
            return 0
        data = whole_chunks(copy_in(c.mem, buf, count), count, TTY_CHUNK)
        c.kernel.console.append((self.stream, data))
        return len(data)


def whole_chunks(data: bytes, count: int, chunk: int) -> bytes:
    """What a pipe or tty keeps of a write whose user buffer faulted after ``len(data)`` of
    ``count`` bytes: the chunks it copied whole (a chunk that faults part way is dropped);
    Fault (→ -EFAULT) if that is nothing. (fs/pipe.c pipe_write; tty_io.c iterate_tty_write.)"""
    if len(data) == count:
        return data
    keep = len(data) - len(data) % chunk
    if keep == 0:
        raise Fault(0, count, False)
    return data[:keep]


class Pipe:
    """The kernel buffer shared by the two ends of a pipe, with counts of open ends."""

    def __init__(self) -> None:
        self.buf = bytearray()
        self.readers = 0
        self.writers = 0

    def __repr__(self) -> str:
        return f"<pipe {len(self.buf)}/{PIPE_CAPACITY} bytes r={self.readers} w={self.writers}>"


class PipeEnd(OpenFile):
    """One end of a pipe. SIGPIPE is not modelled: a write with no reader just gets EPIPE."""

    kind = "pipe"

    def __init__(self, pipe: Pipe, read_end: bool, nonblock: bool = False):
        super().__init__(nonblock)
        self.pipe, self.readable, self.writable = pipe, read_end, not read_end
        if read_end:
            pipe.readers += 1
        else:
            pipe.writers += 1

    def read(self, c: Call, buf: int, count: int) -> int | Block:
        p = self.pipe
        if count == 0:
            return 0
        if not p.buf:
            if p.writers == 0:
                return 0                                  # end of file
            if self.nonblock:
                raise SysError(EAGAIN)
            return Block("pipe_read", None, p, "read on pipe with no data (its write end is open)",
                         resume=lambda c2: self.read(c2, buf, count))
        n = copy_out(c.mem, buf, bytes(p.buf[:count]))
        del p.buf[:n]
        c.ready.append(p)                                 # writers may now have room
        return n

    def write(self, c: Call, buf: int, count: int, done: int = 0) -> int | Block:
        # fs/pipe.c pipe_write: a write of at most PIPE_BUF bytes goes in whole or waits;
        # a larger one goes in as space allows and, if blocking, waits for the rest.
        p = self.pipe
        if count == 0:
            return 0
        if p.readers == 0:
            if done:
                return done
            raise SysError(EPIPE)
        space = PIPE_CAPACITY - len(p.buf)
        n = min(space, count - done)
        if count <= PIPE_BUF and space < count:
            n = 0                                         # atomic: all of it or none yet
        if n:
            try:
                data = whole_chunks(copy_in(c.mem, buf + done, n), n, PAGE_SIZE)
            except Fault:
                if done:
                    return done
                raise
            p.buf += data
            done += len(data)
            c.ready.append(p)                             # readers may now have data
            if len(data) < n:                             # the user buffer faulted part way
                return done
        if done == count:
            return done
        if self.nonblock:
            if done:
                return done
            raise SysError(EAGAIN)
        return Block("pipe_write", None, p,
                     f"write to full pipe ({len(p.buf)} of {PIPE_CAPACITY} bytes buffered, read end open)",
                     resume=lambda c2: self.write(c2, buf, count, done))

    def release(self) -> list[object]:
        if self.readable:
            self.pipe.readers -= 1
        else:
            self.pipe.writers -= 1
        return [self.pipe]                                # blocked peers see EOF / EPIPE


class FdTable:
    """A process's file descriptors: small integers, lowest free first, at most ``limit``."""

    def __init__(self, limit: int = NOFILE):
        self.limit = limit
        self.fds: dict[int, OpenFile] = {}
        self.cloexec: set[int] = set()       # FD_CLOEXEC is per fd, not per open file

    def get(self, fd: int) -> OpenFile:
        """The open file behind ``fd``; SysError(EBADF) if there is none."""
        of = self.fds.get(fd)
        if of is None:
            raise SysError(EBADF)
        return of

    def lowest_free(self, start: int = 0) -> int:
        """The lowest unused fd ≥ ``start``; SysError(EMFILE) if all up to the limit are taken."""
        for fd in range(start, self.limit):
            if fd not in self.fds:
                return fd
        raise SysError(EMFILE)

    def alloc(self, of: OpenFile, cloexec: bool = False) -> int:
        """Give ``of`` the lowest free fd and return it; SysError(EMFILE) when the table is full."""
        fd = self.lowest_free()
        self.install(fd, of, cloexec)
        return fd

    def install(self, fd: int, of: OpenFile, cloexec: bool = False) -> list[object]:
        """Point ``fd`` at ``of``, closing what it held (dup2); return keys woken by that close."""
        ready = self.close(fd) if fd in self.fds else []
        of.refs += 1
        self.fds[fd] = of
        if cloexec:
            self.cloexec.add(fd)
        return ready

    def close(self, fd: int) -> list[object]:
        """Drop ``fd`` (SysError(EBADF) if unused); release the open file when it was the last fd."""
        of = self.fds.pop(fd, None)
        if of is None:
            raise SysError(EBADF)
        self.cloexec.discard(fd)
        of.refs -= 1
        return of.release() if of.refs == 0 else []

    def close_all(self) -> None:
        """Close every fd, releasing every open file (and any host fd behind it)."""
        for fd in sorted(self.fds):
            self.close(fd)
