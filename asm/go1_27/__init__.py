"""The go1.27 profile's code: what go1.27.3 compiles and assembles for the syscall path.

``STUBS`` maps each function's symbol to its listing; ``ENTRY_POINTS`` are the four a Go
program calls. Call graph: ``Syscall``/``Syscall6`` → ``runtime.entersyscall``,
``syscall.RawSyscall6``, ``runtime.exitsyscall``; ``RawSyscall`` → ``syscall.RawSyscall6``
(now Go code in package syscall) → ``internal/runtime/syscall/linux.Syscall6`` (the assembly).
"""
from .asm_linux_amd64 import SYSCALL6
from .syscall_linux import RAW_SYSCALL, RAW_SYSCALL6, SYSCALL, SYSCALL_6

RELEASE = "go1.27.3"
STUBS = {s.name: s for s in (SYSCALL, SYSCALL_6, RAW_SYSCALL, RAW_SYSCALL6, SYSCALL6)}
ENTRY_POINTS = ("syscall.Syscall", "syscall.Syscall6", "syscall.RawSyscall", "syscall.RawSyscall6")

ABOUT = (  # one line for `gosyscall profiles`: this release's calling convention
    "As go1.22 (compiled Syscall, register ABI), with Syscall6 in internal/runtime/syscall/linux "
    "and RawSyscall6 now Go code; entersyscall also passes the caller's frame pointer "
    "(g.syscallbp)."
)

__all__ = ["ABOUT", "ENTRY_POINTS", "RELEASE", "STUBS"]
