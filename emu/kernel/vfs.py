"""emu/kernel/vfs.py — the guest's file namespace: embedded demo files and a read-only host mount.

The tree is in memory (``/hello.txt``, ``/etc``, ``/dev/null``, ``/dev/zero``); a host
directory may be mounted read-only at ``/mnt``. Paths are resolved here, one component at
a time, in the guest's namespace — a joined string is never handed to the host:

* ``.`` and ``..`` are the walk's own: ``..`` pops its stack, so it stops at the guest's
  ``/`` and ``/mnt/..`` is ``/`` (Linux semantics); inside the mount the parent is reopened
  and must be the directory the walk came down from (emu/kernel/namei.py);
* a host symlink is read with ``readlink`` relative to its directory's fd and its target is
  resolved again *here*: an absolute target starts at the guest's ``/``, never the host's;
* each host step is ``lstat``/``open`` of a single name relative to a directory fd, with
  O_NOFOLLOW; only regular files and directories of the mount can be opened.

A walk holds one host fd however deep it goes, and an open file of the mount holds none
(:class:`~emu.kernel.files.HostFile`): the guest's limits are its own, never the host's.
Every component walked is charged to the VFS's :class:`~emu.kernel.namei.Meter`, within
Linux's limits (40 symlinks, PATH_MAX for a path and for a link's target).

Without a mount, nothing here touches the host at all.
"""
from __future__ import annotations

import os
import stat
from collections import deque

from emu.kernel.args import NAME_MAX, PATH_MAX
from emu.kernel.errno import (EACCES, EEXIST, EINVAL, EISDIR, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR,
                              EROFS, ESTALE, SysError)
from emu.kernel.files import CharDevice, Directory, HostFile, OpenFile, PathOnly, RegularFile
from emu.kernel.namei import (CharDev, HostMount, MemDir, MemFile, Meter, Walk, WorkExceeded, ident_of,
                              kind_of, stat_ident)

__all__ = ["VFS", "WorkExceeded", "MAXSYMLINKS", "HELLO", "HOSTNAME", "PASSWD"]

HELLO = b"Hello from the emulated kernel!\n"
HOSTNAME = b"gosyscall\n"
PASSWD = b"root:x:0:0:root:/root:/bin/sh\ngopher:x:1000:1000:gopher:/home/gopher:/bin/sh\n"
MAXSYMLINKS = 40                    # include/linux/namei.h: links followed in one lookup

# Open flags, x86-64 values (include/uapi/asm-generic/fcntl.h), octal as Linux writes them.
O_ACCMODE, O_RDONLY, O_WRONLY, O_RDWR = 0o3, 0o0, 0o1, 0o2
O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC, O_APPEND = 0o100, 0o200, 0o400, 0o1000, 0o2000
O_NONBLOCK, O_DSYNC, FASYNC, O_DIRECT, O_LARGEFILE = 0o4000, 0o10000, 0o20000, 0o40000, 0o100000
O_DIRECTORY, O_NOFOLLOW, O_NOATIME, O_CLOEXEC = 0o200000, 0o400000, 0o1000000, 0o2000000
O_SYNC, O_PATH, O_TMPFILE = 0o4010000, 0o10000000, 0o20200000
OPEN_FLAG_NAMES = (                 # in strace's order
    ("O_CREAT", O_CREAT), ("O_EXCL", O_EXCL), ("O_NOCTTY", O_NOCTTY), ("O_TRUNC", O_TRUNC),
    ("O_APPEND", O_APPEND), ("O_NONBLOCK", O_NONBLOCK), ("O_SYNC", O_SYNC), ("O_DSYNC", O_DSYNC),
    ("O_DIRECT", O_DIRECT), ("O_LARGEFILE", O_LARGEFILE), ("O_TMPFILE", O_TMPFILE),
    ("O_DIRECTORY", O_DIRECTORY), ("O_NOFOLLOW", O_NOFOLLOW), ("O_NOATIME", O_NOATIME),
    ("O_CLOEXEC", O_CLOEXEC), ("O_PATH", O_PATH), ("FASYNC", FASYNC),
)
VALID_OPEN_FLAGS = O_ACCMODE | O_TMPFILE | O_SYNC | O_PATH | sum(v for _, v in OPEN_FLAG_NAMES[:6]) \
    | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | FASYNC
O_PATH_FLAGS = O_DIRECTORY | O_NOFOLLOW | O_PATH | O_CLOEXEC


class VFS:
    """The guest's filesystem: embedded files, plus ``mount`` (a host directory) read-only at /mnt."""

    def __init__(self, mount: str | os.PathLike | None = None):
        mnt: object = MemDir({})
        self.meter = Meter()
        self.mount: str | None = None
        if mount is not None:
            path = os.path.realpath(os.fspath(mount))
            try:
                st = os.stat(path)
            except OSError:
                raise ValueError(f"cannot mount {os.fspath(mount)!r}: no such directory") from None
            if not stat.S_ISDIR(st.st_mode):
                raise ValueError(f"cannot mount {os.fspath(mount)!r}: not a directory")
            self.mount = path
            mnt = HostMount(path, st.st_dev, st.st_ino)
        self.root = MemDir({
            b"hello.txt": MemFile(HELLO),
            b"etc": MemDir({b"hostname": MemFile(HOSTNAME), b"passwd": MemFile(PASSWD)}),
            b"dev": MemDir({b"null": CharDev("null"), b"zero": CharDev("zero")}),
            b"mnt": mnt,
        })

    def walk(self, path: bytes, start: tuple[bytes, ...] = (), follow: bool = True,
             start_ident: tuple[int, int] | None = None) -> Walk:
        """Resolve ``path`` (relative ones from directory ``start``); the caller closes the result.

        Every directory on the way must exist (ENOENT) and be one (ENOTDIR); the final
        component may be missing (``node`` None). Symlinks on the way are followed, the final
        one only if ``follow`` or the path ends in '/'; more than MAXSYMLINKS gives ELOOP.
        ``start_ident``: the host identity the directory ``start`` had when it was opened —
        if it is not there any more, ESTALE (see :class:`~emu.kernel.files.Directory`).
        """
        if not path:
            raise SysError(ENOENT)
        if len(path) >= PATH_MAX:
            raise SysError(ENAMETOOLONG)
        w = Walk(self.root, self.meter)
        try:
            if not path.startswith(b"/"):
                self._enter_start(w, start, start_ident)
            w.trailing = path.endswith(b"/")
            return self._resolve(w, deque(c for c in path.split(b"/") if c), follow)
        except BaseException:
            w.close()
            raise

    def _enter_start(self, w: Walk, start: tuple[bytes, ...], ident: tuple[int, int] | None) -> None:
        """Walk down to an open directory by its names; it must still be the one it was."""
        for name in start:
            w.meter.charge()
            node = w.lookup(name)
            if node is None or kind_of(node) != "dir":
                raise SysError(ESTALE)
            w.enter(name, node)
        if ident is not None and ident_of(w.top) != ident:
            raise SysError(ESTALE)

    def _resolve(self, w: Walk, comps: deque, follow: bool) -> Walk:
        links = 0
        while comps:
            w.meter.charge()
            name = comps.popleft()
            if len(name) > NAME_MAX:
                raise SysError(ENAMETOOLONG)
            if name == b".":
                continue
            if name == b"..":
                w.up()
                continue
            node, last = w.lookup(name), not comps
            if node is None:
                if last:
                    w.name = name
                    return w
                raise SysError(ENOENT)
            if kind_of(node) == "lnk" and (not last or follow or w.trailing):
                links += 1
                if links > MAXSYMLINKS:
                    raise SysError(ELOOP)
                target = w.readlink(name)
                if not target:
                    raise SysError(ENOENT)
                if len(target) >= PATH_MAX:
                    raise SysError(ENAMETOOLONG)
                if target.startswith(b"/"):
                    w.close()            # the guest's root, not the host's
                comps.extendleft(reversed([c for c in target.split(b"/") if c]))
                continue
            if last:
                w.name, w.node = name, node
                return w
            w.enter(name, node)
        w.node = w.top                   # the path named a directory on the stack ("/", "a/..")
        return w

    def reopen(self, vpath: tuple[bytes, ...], ident: tuple[int, int]) -> int:
        """A host fd (the caller closes it) of the regular file at guest path ``vpath``, which
        must still be the file of host identity ``ident``; ESTALE if it is not there any more."""
        w = Walk(self.root, self.meter)
        try:
            self._enter_start(w, vpath[:-1], None)
            w.meter.charge()
            node = w.lookup(vpath[-1])
            if node is None or kind_of(node) != "reg" or ident_of(node) != ident:
                raise SysError(ESTALE)
            w.name, w.node = vpath[-1], node
            fd = w.open_host_file()
            if stat_ident(fd) != ident:
                os.close(fd)
                raise SysError(ESTALE)
            return fd
        except SysError as e:
            raise SysError(ESTALE if e.errno in (ENOENT, ENOTDIR, EACCES) else e.errno) from None
        finally:
            w.close()

    def open(self, path: bytes, flags: int, start: tuple[bytes, ...] = (),
             start_ident: tuple[int, int] | None = None) -> OpenFile:
        """Open ``path`` like Linux ``open(2)`` on a read-only filesystem; SysError on failure.

        Checks run in fs/namei.c's order: missing file (ENOENT, or EROFS when O_CREAT would
        create it), O_EXCL (EEXIST), O_CREAT on a directory (EISDIR), O_DIRECTORY on a
        non-directory (ENOTDIR), O_TRUNC (EROFS), then ``may_open``: write access to a
        directory is EISDIR, to a file EROFS. An existing file opened O_RDONLY|O_CREAT
        succeeds, as on a real read-only mount. The devices take writes.
        """
        flags &= VALID_OPEN_FLAGS            # open() ignores unknown bits
        if flags & O_PATH:
            flags &= O_PATH_FLAGS            # O_PATH ignores every other flag
        acc, creat = flags & O_ACCMODE, bool(flags & O_CREAT)
        tmpfile = (flags & O_TMPFILE) == O_TMPFILE
        # O_CREAT|O_DIRECTORY: EINVAL only since Linux 6.4; the 6.1 this models falls through
        # to the checks below (EISDIR for a directory, ENOTDIR for a file, EROFS if missing).
        if flags & (O_TMPFILE & ~O_DIRECTORY) and (not tmpfile or acc == O_RDONLY):
            raise SysError(EINVAL)
        may_write = acc != O_RDONLY or bool(flags & O_TRUNC)
        follow = not (flags & O_NOFOLLOW) and not (creat and flags & O_EXCL)
        with self.walk(path, start, follow, start_ident) as w:
            kind = kind_of(w.node) if w.node is not None else None
            if kind is None:
                if creat and not tmpfile:
                    raise SysError(EISDIR if w.trailing else EROFS)
                raise SysError(ENOENT)
            if tmpfile:
                raise SysError(EROFS if kind == "dir" else ENOTDIR)
            if creat and flags & O_EXCL:
                raise SysError(EEXIST)
            if creat and kind == "dir":
                raise SysError(EISDIR)
            if kind == "lnk" and not flags & O_PATH:
                raise SysError(ELOOP)        # O_NOFOLLOW and the final component is a symlink
            if (flags & O_DIRECTORY or w.trailing) and kind != "dir":
                raise SysError(ENOTDIR)
            if flags & O_PATH:
                return PathOnly(w.vpath(), kind == "dir", w.ident())
            if kind == "other":
                raise SysError(EACCES)       # FIFOs, sockets, devices of the mount: never opened
            if may_write and kind == "dir":
                raise SysError(EISDIR)
            if may_write and kind == "reg":
                raise SysError(EROFS)
            nonblock = bool(flags & O_NONBLOCK)
            if kind == "dir":
                return Directory(w.vpath(), nonblock, ident=w.ident())
            if kind == "chr":
                return CharDevice(w.node.device, acc in (O_RDONLY, O_RDWR), acc in (O_WRONLY, O_RDWR),
                                  nonblock)
            name = "/" + b"/".join(w.vpath()).decode(errors="backslashreplace")
            if isinstance(w.node, MemFile):
                return RegularFile(name, data=w.node.data, nonblock=nonblock)
            os.close(w.open_host_file())         # readable now (EACCES otherwise); held by name
            return RegularFile(name, host=HostFile(self, w.vpath(), w.ident()), nonblock=nonblock)
