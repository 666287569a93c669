"""emu/kernel/sysfile.py — file syscalls: read, write, open, openat, close, lseek, pipe, dup.

Each handler checks in the order Linux does, because the first failing check decides the
errno a program sees: the fd (EBADF), then its mode (EBADF), then the buffer range
(``access_ok``: EFAULT), then the file's own operation. Names follow fs/read_write.c,
fs/open.c, fs/pipe.c and fs/file.c.
"""
from __future__ import annotations

import struct

from emu.kernel.args import MAX_RW_COUNT, access_ok, put_bytes
from emu.kernel.block import Block
from emu.kernel.call import Call
from emu.kernel.errno import EBADF, EFAULT, EINVAL, ENOENT, ENOTDIR, SysError
from emu.kernel.files import SEEK_HOLE, PathOnly, Pipe, PipeEnd
from emu.kernel.memory import Fault
from emu.kernel.vfs import O_CLOEXEC, O_NONBLOCK

AT_FDCWD = -100                 # include/uapi/linux/fcntl.h: "relative to the current directory"
PIPE2_FLAGS = O_CLOEXEC | O_NONBLOCK
# pipe2 also knows O_DIRECT (packet mode) and O_NOTIFICATION_PIPE; they are not modelled and
# get EINVAL, which is what a kernel without them answers.


def sys_read(c: Call) -> int | Block:
    """read(fd, buf, count): bytes read (≤ MAX_RW_COUNT), 0 at end of file, or a Block."""
    f = c.argfd(0)
    buf, count = c.argptr(1), c.argsize(2)
    if not f.readable:
        raise SysError(EBADF)
    if not access_ok(buf, count):
        raise SysError(EFAULT)
    return f.read(c, buf, min(count, MAX_RW_COUNT))


def sys_write(c: Call) -> int | Block:
    """write(fd, buf, count): bytes written (≤ MAX_RW_COUNT), or a Block on a full pipe."""
    f = c.argfd(0)
    buf, count = c.argptr(1), c.argsize(2)
    if not f.writable:
        raise SysError(EBADF)
    if not access_ok(buf, count):
        raise SysError(EFAULT)
    return f.write(c, buf, min(count, MAX_RW_COUNT))


def sys_open(c: Call) -> int:
    """open(pathname, flags, mode): openat(AT_FDCWD, ...)."""
    return do_open(c, AT_FDCWD, c.argstr(0), c.argint(1))


def sys_openat(c: Call) -> int:
    """openat(dirfd, pathname, flags, mode): a relative path starts at directory ``dirfd``."""
    return do_open(c, c.argint(0), c.argstr(1), c.argint(2))


def do_open(c: Call, dirfd: int, path: bytes, flags: int) -> int:
    """Open ``path`` and return its new fd (fs/open.c do_sys_openat2 order).

    The path was already copied in (EFAULT, ENAMETOOLONG). Then: empty path ENOENT, a
    free fd (EMFILE), the dirfd of a relative path (EBADF, ENOTDIR), the lookup itself.
    The mode argument is ignored: nothing can be created on a read-only filesystem.
    """
    k = c.kernel
    if not path:
        raise SysError(ENOENT)                             # from getname
    fd = k.fds.lowest_free()
    start, ident = k.cwd, None
    if not path.startswith(b"/") and dirfd != AT_FDCWD:
        d = k.fds.get(dirfd)
        if not d.is_dir:
            raise SysError(ENOTDIR)
        start, ident = d.vpath, getattr(d, "ident", None)
    f = k.vfs.open(path, flags, start, ident)
    k.fds.install(fd, f, cloexec=bool(flags & O_CLOEXEC))
    return fd


def sys_close(c: Call) -> int:
    """close(fd): 0; the open file is released with its last fd (a pipe end wakes its peer)."""
    c.ready += c.kernel.fds.close(c.argint(0))
    return 0


def sys_lseek(c: Call) -> int:
    """lseek(fd, offset, whence): the new offset; ESPIPE on pipes and terminals."""
    f = c.argfd(0)
    off, whence = c.arglong(1), c.arguint(2)
    if isinstance(f, PathOnly):
        raise SysError(EBADF)
    if whence > SEEK_HOLE:
        raise SysError(EINVAL)
    return f.lseek(off, whence)


def sys_pipe(c: Call) -> int:
    """pipe(pipefd): pipe2(pipefd, 0)."""
    return do_pipe2(c, c.argptr(0), 0)


def sys_pipe2(c: Call) -> int:
    """pipe2(pipefd, flags): O_CLOEXEC and O_NONBLOCK accepted, anything else EINVAL."""
    return do_pipe2(c, c.argptr(0), c.argint(1))


def do_pipe2(c: Call, fds_ptr: int, flags: int) -> int:
    """Make a pipe, store [read fd, write fd] as two ints at ``fds_ptr``; no fd survives a failure."""
    if flags & ~PIPE2_FLAGS:
        raise SysError(EINVAL)
    t, nonblock, cloexec = c.kernel.fds, bool(flags & O_NONBLOCK), bool(flags & O_CLOEXEC)
    p = Pipe()
    r, w = PipeEnd(p, True, nonblock), PipeEnd(p, False, nonblock)
    try:
        rfd = t.alloc(r, cloexec)
    except SysError:
        r.release()
        w.release()
        raise
    try:
        wfd = t.alloc(w, cloexec)
    except SysError:
        t.close(rfd)
        w.release()
        raise
    try:
        put_bytes(c.mem, fds_ptr, struct.pack("<ii", rfd, wfd))
    except Fault:
        t.close(rfd)                                      # Linux: put_unused_fd + fput
        t.close(wfd)
        raise
    return 0


def sys_dup(c: Call) -> int:
    """dup(oldfd): the lowest free fd, sharing oldfd's open file (offset included)."""
    f = c.argfd(0)
    return c.kernel.fds.alloc(f)


def sys_dup2(c: Call) -> int:
    """dup2(oldfd, newfd): newfd, closing what it held; oldfd == newfd just checks oldfd."""
    old, new = c.arguint(0), c.arguint(1)
    if old == new:
        c.kernel.fds.get(old)
        return new
    return do_dup3(c, old, new, 0)


def sys_dup3(c: Call) -> int:
    """dup3(oldfd, newfd, flags): as dup2, but oldfd == newfd is EINVAL and only O_CLOEXEC is allowed."""
    return do_dup3(c, c.arguint(0), c.arguint(1), c.argint(2))


def do_dup3(c: Call, old: int, new: int, flags: int) -> int:
    """fs/file.c ksys_dup3: flags (EINVAL), old == new (EINVAL), newfd range (EBADF), oldfd (EBADF)."""
    t = c.kernel.fds
    if flags & ~O_CLOEXEC or old == new:
        raise SysError(EINVAL)
    if new >= t.limit:
        raise SysError(EBADF)
    f = t.get(old)
    c.ready += t.install(new, f, cloexec=bool(flags & O_CLOEXEC))
    return new
