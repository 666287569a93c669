"""emu/kernel/vfs.py — the guest's file namespace: embedded demo files and a read-only host mount.

The tree is in memory (``/hello.txt``, ``/etc``, ``/dev/null``, ``/dev/zero``); a host
directory may be mounted read-only at ``/mnt``. Paths are resolved here, one component at
a time, in the guest's namespace — a joined string is never handed to the host:

* ``.`` and ``..`` never reach the host: ``..`` pops the walk's own stack, so it stops at
  the guest's ``/`` and ``/mnt/..`` is ``/`` (Linux semantics);
* a host symlink is read with ``readlink`` relative to its directory's fd and its target is
  resolved again *here*: an absolute target starts at the guest's ``/``, never the host's;
* each host step is ``lstat``/``open`` of a single name relative to a directory fd, with
  O_NOFOLLOW; only regular files and directories of the mount can be opened.

Without a mount, nothing here touches the host at all.
"""
from __future__ import annotations

import errno as host_errno          # only to recognise errors the *host* reports
import os
import stat
from collections import deque
from dataclasses import dataclass

from emu.kernel.args import NAME_MAX, PATH_MAX
from emu.kernel.errno import (EACCES, EEXIST, EINVAL, EIO, EISDIR, ELOOP, ENAMETOOLONG, ENFILE,
                              ENOENT, ENOTDIR, EROFS, SysError)
from emu.kernel.files import CharDevice, Directory, OpenFile, PathOnly, RegularFile

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

_O_PATH = getattr(os, "O_PATH", os.O_RDONLY)   # host flags, for host calls only
_DIR_FLAGS = _O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


# -- nodes ---------------------------------------------------------------------------------
@dataclass(eq=False)
class MemFile:
    """An embedded read-only regular file."""
    data: bytes


@dataclass(eq=False)
class MemDir:
    """An embedded directory: name → node."""
    entries: dict


@dataclass(eq=False)
class CharDev:
    """An embedded character device: ``null`` or ``zero``."""
    device: str


@dataclass(eq=False)
class HostMount:
    """The mounted host directory, pinned by device and inode at mount time."""
    path: str
    dev: int
    ino: int


@dataclass(eq=False)
class HostDir:
    """A host directory the walk is inside, held by an O_PATH fd the walk closes."""
    fd: int


@dataclass(eq=False)
class HostEntry:
    """A name in a host directory, by the kind ``lstat`` saw: dir, reg, lnk or other."""
    kind: str


def _kind(node: object) -> str:
    """The file type of a node: dir, reg, chr, lnk or other."""
    if isinstance(node, (MemDir, HostMount, HostDir)):
        return "dir"
    if isinstance(node, MemFile):
        return "reg"
    if isinstance(node, CharDev):
        return "chr"
    return node.kind if isinstance(node, HostEntry) else "other"


def _host_errno(e: OSError) -> int:
    """The guest errno for a host OSError met while walking the mount (EIO if nothing closer)."""
    return {host_errno.ENOENT: ENOENT, host_errno.ENOTDIR: ENOTDIR, host_errno.EACCES: EACCES,
            host_errno.EPERM: EACCES, host_errno.ELOOP: ELOOP, host_errno.ENAMETOOLONG: ENAMETOOLONG,
            host_errno.EMFILE: ENFILE, host_errno.ENFILE: ENFILE}.get(e.errno, EIO)


# -- the walk --------------------------------------------------------------------------------
class _Walk:
    """A path walk in progress: the stack of directories from ``/`` to where it is now.

    Host directories on the stack hold O_PATH fds; ``close()`` releases them.
    """

    def __init__(self, root: MemDir):
        self.root = root
        self.stack: list[tuple[bytes, object]] = [(b"", root)]
        self.name: bytes | None = None       # the final component; None if the path named a dir on the stack
        self.node: object = None             # what the final component names; None if it does not exist
        self.trailing = False                # the path ended in '/', so the final must be a directory

    def __enter__(self) -> _Walk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close every host fd the walk holds and return it to ``/``."""
        while len(self.stack) > 1:
            self.up()

    @property
    def top(self) -> object:
        """The directory the walk is in."""
        return self.stack[-1][1]

    def vpath(self) -> tuple[bytes, ...]:
        """The guest path of the final node, as components."""
        names = tuple(n for n, _ in self.stack[1:])
        return names + (self.name,) if self.name is not None else names

    def up(self) -> None:
        """Go to the parent directory (``..``); at ``/`` stay at ``/``."""
        if len(self.stack) > 1:
            _, node = self.stack.pop()
            if isinstance(node, HostDir):
                os.close(node.fd)

    def lookup(self, name: bytes) -> object | None:
        """The node ``name`` names in the current directory, or None if there is none."""
        top = self.top
        if isinstance(top, MemDir):
            return top.entries.get(name)
        try:
            st = os.lstat(name, dir_fd=top.fd)
        except FileNotFoundError:
            return None
        except OSError as e:
            raise SysError(_host_errno(e)) from None
        mode = st.st_mode
        kind = ("dir" if stat.S_ISDIR(mode) else "reg" if stat.S_ISREG(mode)
                else "lnk" if stat.S_ISLNK(mode) else "other")
        return HostEntry(kind)

    def readlink(self, name: bytes) -> bytes:
        """The target of host symlink ``name`` in the current directory."""
        try:
            return os.readlink(name, dir_fd=self.top.fd)
        except OSError as e:
            raise SysError(_host_errno(e)) from None

    def enter(self, name: bytes, node: object) -> None:
        """Step into directory ``node`` named ``name``; ENOTDIR if it is not one."""
        if isinstance(node, MemDir):
            self.stack.append((name, node))
            return
        if isinstance(node, HostMount):
            fd = self._host_open(node.path, None, _DIR_FLAGS & ~os.O_NOFOLLOW)
            st = os.fstat(fd)
            if (st.st_dev, st.st_ino) != (node.dev, node.ino):
                os.close(fd)                 # the mounted directory was replaced: refuse it
                raise SysError(EIO)
            self.stack.append((name, HostDir(fd)))
            return
        if _kind(node) != "dir":
            raise SysError(ENOTDIR)
        fd = self._host_open(name, self.top.fd, _DIR_FLAGS)
        if not stat.S_ISDIR(os.fstat(fd).st_mode):   # changed under us since lstat
            os.close(fd)
            raise SysError(ENOTDIR)
        self.stack.append((name, HostDir(fd)))

    @staticmethod
    def _host_open(name: bytes | str, dir_fd: int | None, flags: int) -> int:
        """os.open of one host name relative to ``dir_fd``, host errors turned into SysError."""
        try:
            return os.open(name, flags, dir_fd=dir_fd)
        except OSError as e:
            raise SysError(_host_errno(e)) from None

    def open_host_file(self) -> int:
        """Open the final host name for reading; EACCES unless it is (still) a regular file.

        O_NONBLOCK and O_NOFOLLOW: nothing the host can put there makes this hang or
        leave the directory (a FIFO opens at once and is then refused by fstat).
        """
        flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NOCTTY
        fd = self._host_open(self.name, self.top.fd, flags)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise SysError(EACCES)
        return fd


class VFS:
    """The guest's filesystem: embedded files, plus ``mount`` (a host directory) read-only at /mnt."""

    def __init__(self, mount: str | os.PathLike | None = None):
        mnt: object = MemDir({})
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

    def walk(self, path: bytes, start: tuple[bytes, ...] = (), follow: bool = True) -> _Walk:
        """Resolve ``path`` (relative ones from directory ``start``); the caller closes the result.

        Every directory on the way must exist (ENOENT) and be one (ENOTDIR); the final
        component may be missing (``node`` None). Symlinks on the way are followed, the final
        one only if ``follow`` or the path ends in '/'; more than MAXSYMLINKS gives ELOOP.
        """
        if not path:
            raise SysError(ENOENT)
        if len(path) >= PATH_MAX:
            raise SysError(ENAMETOOLONG)
        w = _Walk(self.root)
        try:
            comps = deque(c for c in path.split(b"/") if c)
            w.trailing = path.endswith(b"/")
            if not path.startswith(b"/"):
                comps.extendleft(reversed(start))
            links = 0
            while comps:
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
                if _kind(node) == "lnk" and (not last or follow or w.trailing):
                    links += 1
                    if links > MAXSYMLINKS:
                        raise SysError(ELOOP)
                    target = w.readlink(name)
                    if not target:
                        raise SysError(ENOENT)
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
        except BaseException:
            w.close()
            raise

    def open(self, path: bytes, flags: int, start: tuple[bytes, ...] = ()) -> OpenFile:
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
        with self.walk(path, start, follow) as w:
            kind = _kind(w.node) if w.node is not None else None
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
                return PathOnly(w.vpath(), kind == "dir")
            if kind == "other":
                raise SysError(EACCES)       # FIFOs, sockets, devices of the mount: never opened
            if may_write and kind == "dir":
                raise SysError(EISDIR)
            if may_write and kind == "reg":
                raise SysError(EROFS)
            nonblock = bool(flags & O_NONBLOCK)
            if kind == "dir":
                return Directory(w.vpath(), nonblock)
            if kind == "chr":
                return CharDevice(w.node.device, acc in (O_RDONLY, O_RDWR), acc in (O_WRONLY, O_RDWR),
                                  nonblock)
            name = "/" + b"/".join(w.vpath()).decode(errors="backslashreplace")
            if isinstance(w.node, MemFile):
                return RegularFile(name, data=w.node.data, nonblock=nonblock)
            return RegularFile(name, host_fd=w.open_host_file(), nonblock=nonblock)
