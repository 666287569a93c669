"""The go1.22 profile's code: what go1.22.10 compiles and assembles for the syscall path.

``STUBS`` maps each function's symbol to its listing; ``ENTRY_POINTS`` are the four a Go
program calls. Call graph: ``Syscall``/``Syscall6`` → ``runtime.entersyscall``,
``syscall.RawSyscall6``, ``runtime.exitsyscall``; ``RawSyscall`` → ``syscall.RawSyscall6``
→ ``runtime/internal/syscall.Syscall6`` (the assembly that makes the SYSCALL).
"""
from .asm_linux_amd64 import SYSCALL6
from .syscall_linux import RAW_SYSCALL, RAW_SYSCALL6, SYSCALL, SYSCALL_6

RELEASE = "go1.22.10"
STUBS = {s.name: s for s in (SYSCALL, SYSCALL_6, RAW_SYSCALL, RAW_SYSCALL6, SYSCALL6)}
ENTRY_POINTS = ("syscall.Syscall", "syscall.Syscall6", "syscall.RawSyscall", "syscall.RawSyscall6")

ABOUT = (  # one line for `gosyscall profiles`: this release's calling convention
    "syscall.Syscall is compiled Go (register ABI: AX BX CX DI…, g in R14) calling entersyscall, "
    "RawSyscall6 and the assembly Syscall6, which shuffles AX BX CX DI SI R8 R9 into the "
    "kernel's AX DI SI DX R10 R8 R9; results come back in AX, BX, CX."
)

__all__ = ["ABOUT", "ENTRY_POINTS", "RELEASE", "STUBS"]
