"""The go1.10 profile's assembly: ``syscall/asm_linux_amd64.s`` as of go1.10."""
from .asm_linux_amd64 import STUBS

__all__ = ["STUBS"]
