"""emu/toolchain/errors.py — what can go wrong getting a Go toolchain or reading a Go binary.

Each error is one line a user can act on (``gosyscall: <message>``); none carries a
traceback from pip, the Go command or pyelftools.
"""
from emu.errors import GosyscallError


class ToolchainError(GosyscallError):
    """No usable Go toolchain: not installed, cannot be installed, or a build failed."""


class BinaryError(GosyscallError):
    """A file gosyscall cannot use as a Go binary: says what is wrong with it in one line."""
