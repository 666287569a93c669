"""The go1.10 profile's code: ``syscall/asm_linux_amd64.s`` as of go1.10, and the thread
world's goroutine programs in go1.10's ABI0."""
from . import programs
from .asm_linux_amd64 import STUBS

RELEASE = "go1.10"
ABOUT = (  # one line for `gosyscall profiles`: this release's calling convention
    "syscall.Syscall is ABI0 assembly: arguments in the caller's frame, moved into DI, SI, DX "
    "(R10, R8, R9 zeroed for the 3-argument calls), results stored back into the frame."
)

__all__ = ["ABOUT", "RELEASE", "STUBS", "programs"]
