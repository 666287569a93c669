"""The go1.10 profile's code: ``syscall/asm_linux_amd64.s`` as of go1.10, and the thread
world's goroutine programs in go1.10's ABI0."""
from . import programs
from .asm_linux_amd64 import STUBS

__all__ = ["STUBS", "programs"]
