"""emu/verify/cases.py — the calls ``gosyscall verify`` runs, and the files both sides see.

Both runs start with the same descriptors (the native runner sets up the same numbers):

    fd 0   end of file (the model's stdin; natively /dev/null)
    fd 1,2 captured output (the model's console; natively pipes back to the runner)
    fd 3   a regular file holding FILE (the model: embedded bytes; natively: a memfd)
    fd 4,5 the read and write ends of one pipe

Only harmless calls run natively, and the native child enforces it (seccomp): getpid,
gettid, read from fds 0/3/4, write to fds 1/2/5, close, nanosleep. Numbers from 512 up (the
x32 bit included) are answered -ENOSYS by the filter without running, as Linux 5.4+ answers
them. Everything else is refused there before it runs; 335 and 336 (uretprobe, uprobe), which
recent kernels let past any seccomp filter, are not run at all (not comparable).
"""
from __future__ import annotations

from dataclasses import dataclass

from emu.cpu import layout as L
from emu.kernel.files import Pipe, PipeEnd, RegularFile

FILE = b"gosyscall verify: these bytes are the same natively and emulated\n"
FD_NOTE = (f"fd 0 is at end of file, 1 and 2 are captured, 3 is a prepared file of {len(FILE)} bytes, "
           "4 and 5 are the read and write ends of a pipe")
HARMLESS = ("getpid", "gettid", "read (fd 0, 3, 4)", "write (fd 1, 2, 5)", "close", "nanosleep",
            "numbers 512 and up (answered -ENOSYS by the filter, never run)")


@dataclass(frozen=True)
class Case:
    """One call: ``words`` in ``gosyscall run`` notation; ``path`` is what it exercises."""
    name: str
    words: tuple[str, ...]
    path: str


CASES = (
    Case("getpid", ("getpid",), "success"),
    Case("gettid", ("gettid",), "success"),
    Case("read", ("read", "3", "buf:96", "96"), "success"),
    Case("write", ("write", "5", "data:into the pipe\\n", "14"), "success"),
    Case("nanosleep", ("nanosleep", "buf:16", "0"), "success"),        # a zeroed timespec
    Case("close", ("close", "-1"), "error (EBADF)"),
    Case("unknown", ("999",), "ENOSYS"),
    Case("efault", ("read", "3", hex(L.GUARD_PAGE), "16"), "EFAULT"),   # the unmapped guard page
)


def install_fds(kernel) -> Pipe:
    """Give the model's process fds 3, 4 and 5 as described above; return the pipe."""
    kernel.fds.install(3, RegularFile("verify.txt", data=FILE))
    pipe = Pipe()
    kernel.fds.install(4, PipeEnd(pipe, read_end=True))
    kernel.fds.install(5, PipeEnd(pipe, read_end=False))
    return pipe


def check_words(words) -> None:
    """Refuse argument forms that would mean different things on the two sides."""
    for w in words[1:]:
        if w.startswith("fd:"):
            raise ValueError(f"{w}: verify cannot open guest paths natively; {FD_NOTE}")
