"""emu/kernel — a model of the Linux x86-64 kernel as a Go program's syscalls see it.

Standard library only: the kernel reaches guest memory through the ``GuestMemory``
protocol, so it runs and is tested without a CPU. The path of one call:
``dispatch.Kernel.syscall`` → ``table.TABLE[nr].handler(Call)`` → ``sysfile``/``sysproc``/
``systime`` → ``files``/``vfs``/``clock``; arguments are decoded and copied by ``args``.
"""
from emu.kernel.block import Block, Deadlock
from emu.kernel.clock import Clock
from emu.kernel.dispatch import SYSCALL_COST_NS, Kernel, Result, describe, named_args
from emu.kernel.errno import ERRNO, errno_name, strerror
from emu.kernel.memory import Fault, FlatMemory, GuestMemory
from emu.kernel.sysnum import NAMES, SYS, lookup
from emu.kernel.table import TABLE, Entry
from emu.kernel.vfs import VFS

__all__ = ["Block", "Clock", "Deadlock", "ERRNO", "Entry", "Fault", "FlatMemory", "GuestMemory", "Kernel",
           "NAMES", "Result", "SYS", "SYSCALL_COST_NS", "TABLE", "VFS", "describe", "errno_name", "lookup",
           "named_args", "strerror"]
