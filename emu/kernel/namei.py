"""emu/kernel/namei.py — the path walk under the VFS: nodes, one step at a time, and its meter.

As Linux's fs/namei.c does for the VFS (emu/kernel/vfs.py): the nodes of the guest's tree
(embedded ones, and names of the read-only host mount), the walk's stack of directories
with its single host fd, and the :class:`Meter` that charges every component walked.
"""
from __future__ import annotations

import errno as host_errno          # only to recognise errors the *host* reports
import os
import stat
from dataclasses import dataclass

from emu.kernel.errno import EACCES, EIO, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, SysError

_O_PATH = getattr(os, "O_PATH", os.O_RDONLY)   # host flags, for host calls only
DIR_FLAGS = _O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


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
    """A host directory on the walk's stack, known by its identity (st_dev, st_ino)."""
    ident: tuple[int, int]


@dataclass(eq=False)
class HostEntry:
    """A name in a host directory, by the kind ``lstat`` saw (dir, reg, lnk or other) and its identity."""
    kind: str
    ident: tuple[int, int] = (0, 0)


def kind_of(node: object) -> str:
    """The file type of a node: dir, reg, chr, lnk or other."""
    if isinstance(node, (MemDir, HostMount, HostDir)):
        return "dir"
    if isinstance(node, MemFile):
        return "reg"
    if isinstance(node, CharDev):
        return "chr"
    return node.kind if isinstance(node, HostEntry) else "other"


def ident_of(node: object) -> tuple[int, int] | None:
    """The host identity of a node of the mount; None for the embedded tree."""
    if isinstance(node, HostMount):
        return node.dev, node.ino
    return node.ident if isinstance(node, (HostDir, HostEntry)) else None


def _host_errno(e: OSError) -> int:
    """The guest errno for a host OSError met while walking the mount (EIO if nothing closer)."""
    return {host_errno.ENOENT: ENOENT, host_errno.ENOTDIR: ENOTDIR, host_errno.EACCES: EACCES,
            host_errno.EPERM: EACCES, host_errno.ELOOP: ELOOP, host_errno.ENAMETOOLONG: ENAMETOOLONG,
            host_errno.EMFILE: EIO, host_errno.ENFILE: EIO}.get(e.errno, EIO)


class WorkExceeded(Exception):
    """The path lookups of a run walked more components than its limit (the machine says it
    as the run's budget: ``emu.cpu.machine``)."""

    def __init__(self, used: int, limit: int):
        super().__init__(f"path lookups walked {used} components, more than the {limit} allowed")
        self.used, self.limit = used, limit


class Meter:
    """Path-lookup work: one unit per component walked (a name, ``.``, ``..``, a symlink
    followed), in Linux's limits for one lookup (40 symlinks, 4096 bytes a path) and in
    ``limit`` for a whole run (the machine sets it to the run's instruction budget). A
    lookup costs the host microseconds per component while its SYSCALL counts as one
    instruction: without a meter a guest could make each instruction cost a second."""

    def __init__(self) -> None:
        self.used = 0
        self.limit: int | None = None

    def start(self, limit: int | None) -> None:
        self.used, self.limit = 0, limit

    def charge(self) -> None:
        self.used += 1
        if self.limit is not None and self.used > self.limit:
            raise WorkExceeded(self.used, self.limit)


# -- the walk --------------------------------------------------------------------------------
class Walk:
    """A path walk in progress: the stack of directories from ``/`` to where it is now.

    Host directories on the stack are known by identity; only the one the walk is in is
    open on the host (an O_PATH fd, ``fd``), so a walk holds one host fd however deep it
    goes. ``..`` reopens the parent through the host's ``..`` and checks it is the
    directory the walk came from: one the host moved away meanwhile ends the lookup with
    ENOENT (Linux's answer for a path no longer connected), never somewhere new.
    ``close()`` releases the fd.
    """

    def __init__(self, root: MemDir, meter: Meter):
        self.root, self.meter = root, meter
        self.stack: list[tuple[bytes, object]] = [(b"", root)]
        self.fd: int | None = None           # the host fd of the top, when it is a host directory
        self.name: bytes | None = None       # the final component; None if the path named a dir on the stack
        self.node: object = None             # what the final component names; None if it does not exist
        self.trailing = False                # the path ended in '/', so the final must be a directory

    def __enter__(self) -> Walk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the host fd and return to ``/``."""
        self._hold(None)
        del self.stack[1:]

    def _hold(self, fd: int | None) -> None:
        if self.fd is not None:
            os.close(self.fd)
        self.fd = fd

    @property
    def top(self) -> object:
        """The directory the walk is in."""
        return self.stack[-1][1]

    def vpath(self) -> tuple[bytes, ...]:
        """The guest path of the final node, as components."""
        names = tuple(n for n, _ in self.stack[1:])
        return names + (self.name,) if self.name is not None else names

    def ident(self) -> tuple[int, int] | None:
        """The host identity of what the path names (None: the embedded tree)."""
        return ident_of(self.node)

    def up(self) -> None:
        """Go to the parent directory (``..``); at ``/`` stay at ``/``."""
        if len(self.stack) == 1:
            return
        _, node = self.stack.pop()
        parent = self.top
        if not isinstance(node, HostDir) or not isinstance(parent, HostDir):
            self._hold(None)
            return
        fd = self._host_open(b"..", self.fd, DIR_FLAGS)
        if stat_ident(fd) != parent.ident:
            os.close(fd)
            raise SysError(ENOENT)           # moved on the host since the walk came down
        self._hold(fd)

    def lookup(self, name: bytes) -> object | None:
        """The node ``name`` names in the current directory, or None if there is none."""
        top = self.top
        if isinstance(top, MemDir):
            return top.entries.get(name)
        try:
            st = os.lstat(name, dir_fd=self.fd)
        except FileNotFoundError:
            return None
        except OSError as e:
            raise SysError(_host_errno(e)) from None
        mode = st.st_mode
        kind = ("dir" if stat.S_ISDIR(mode) else "reg" if stat.S_ISREG(mode)
                else "lnk" if stat.S_ISLNK(mode) else "other")
        return HostEntry(kind, (st.st_dev, st.st_ino))

    def readlink(self, name: bytes) -> bytes:
        """The target of host symlink ``name`` in the current directory."""
        try:
            return os.readlink(name, dir_fd=self.fd)
        except OSError as e:
            raise SysError(_host_errno(e)) from None

    def enter(self, name: bytes, node: object) -> None:
        """Step into directory ``node`` named ``name``; ENOTDIR if it is not one."""
        if isinstance(node, MemDir):
            self.stack.append((name, node))
            return
        if isinstance(node, HostMount):
            fd = self._host_open(node.path, None, DIR_FLAGS & ~os.O_NOFOLLOW)
            if stat_ident(fd) != (node.dev, node.ino):
                os.close(fd)                 # the mounted directory was replaced: refuse it
                raise SysError(EIO)
            self._hold(fd)
            self.stack.append((name, HostDir((node.dev, node.ino))))
            return
        if kind_of(node) != "dir":
            raise SysError(ENOTDIR)
        fd = self._host_open(name, self.fd, DIR_FLAGS)
        st = os.fstat(fd)
        if not stat.S_ISDIR(st.st_mode):     # changed under us since lstat
            os.close(fd)
            raise SysError(ENOTDIR)
        self._hold(fd)
        self.stack.append((name, HostDir((st.st_dev, st.st_ino))))

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
        fd = self._host_open(self.name, self.fd, flags)
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise SysError(EACCES)
        return fd


def stat_ident(fd: int) -> tuple[int, int]:
    st = os.fstat(fd)
    return st.st_dev, st.st_ino


