"""emu/cpu/usermode.py — the guest runs in ring 3, as a Linux user process does.

Unicorn starts an x86-64 CPU at privilege level 0, where ``mov rax, cr0``, ``hlt``, ``cli``
or ``wrmsr`` simply run. A user process runs at level 3 with Linux's selectors (CS = 0x33,
SS = 0x2b: arch/x86/include/asm/segment.h, __USER_CS and __USER_DS), and there the CPU
raises #GP for a privileged instruction, which Linux turns into SIGSEGV.

Writing CS or SS through ``reg_write`` changes only the selector in 64-bit mode (Unicorn
2.1.4, qemu/target/i386/unicorn.c): the privilege level QEMU keeps in its hidden flags stays
0. So the machine gets to ring 3 the way a kernel does: a GDT with Linux's entries, and an
``iretq`` to the first user address with CS and SS of privilege 3. Both live on one page
below Linux's lowest user mapping (``vm.mmap_min_addr`` = 64 KiB), unmapped again once the
CPU is in ring 3 — a user process cannot read its kernel's GDT, and a near-null pointer
must keep faulting. The privilege level is part of the CPU state that ``context_save``
keeps, so snapshots and the thread world's threads stay in ring 3.

What stays different from hardware (Unicorn's choices, checked against 2.1.4): I/O
instructions are allowed at every level (its translator skips the I/O permission check),
and SYSENTER is a no-op that only calls hooks; the machine hooks both and reports them
as the faults Linux would deliver. Loading a segment register would need the GDT, which
is gone: it faults at an address on the boot page, and the machine says so.
"""
from __future__ import annotations

import struct

from unicorn.x86_const import UC_X86_REG_CS, UC_X86_REG_GDTR, UC_X86_REG_RSP

BOOT_PAGE = 0xE000              # GDT + iretq, mapped only while the CPU is brought up
PAGE = 0x1000
USER_CS = 6 * 8 + 3             # 0x33: GDT_ENTRY_DEFAULT_USER_CS, RPL 3
USER_DS = 5 * 8 + 3             # 0x2b: GDT_ENTRY_DEFAULT_USER_DS, RPL 3 (also SS)


def _descriptor(access: int, flags: int) -> int:
    """A flat segment descriptor (base 0, limit 0xfffff pages) with ``access`` and ``flags``."""
    return 0xFFFF | (access << 40) | (0xF << 48) | (flags << 52)


# Linux's GDT layout for 64-bit (arch/x86/include/asm/segment.h); "accessed" set, so the CPU
# never writes the table. Code: L=1 (64-bit); data: D/B=1. DPL in access bits 5-6.
GDT = (
    0,                              # 0: null
    _descriptor(0x9B, 0xC),         # 1: KERNEL32_CS
    _descriptor(0x9B, 0xA),         # 2: KERNEL_CS (0x10)
    _descriptor(0x93, 0xC),         # 3: KERNEL_DS (0x18)
    _descriptor(0xFB, 0xC),         # 4: DEFAULT_USER32_CS (0x23)
    _descriptor(0xF3, 0xC),         # 5: DEFAULT_USER_DS (0x2b)
    _descriptor(0xFB, 0xA),         # 6: DEFAULT_USER_CS (0x33)
)
_IRETQ = b"\x48\xcf"
_CODE, _FRAME = 0x100, 0x800        # offsets in the boot page


def enter_ring3(uc, user_pc: int, user_sp: int, rflags: int) -> None:
    """Bring ``uc`` (a fresh CPU at level 0) to ring 3 at ``user_pc`` without running any
    user code: ``iretq`` pops RIP, CS, RFLAGS, RSP, SS, and the run stops on arrival."""
    uc.mem_map(BOOT_PAGE, PAGE)
    try:
        gdt = b"".join(struct.pack("<Q", d) for d in GDT)
        uc.mem_write(BOOT_PAGE, gdt)
        uc.mem_write(BOOT_PAGE + _CODE, _IRETQ)
        uc.mem_write(BOOT_PAGE + _FRAME, struct.pack("<5Q", user_pc, USER_CS, rflags, user_sp, USER_DS))
        uc.reg_write(UC_X86_REG_GDTR, (0, BOOT_PAGE, len(gdt) - 1, 0))
        uc.reg_write(UC_X86_REG_RSP, BOOT_PAGE + _FRAME)
        uc.emu_start(BOOT_PAGE + _CODE, user_pc, 0, 1)
    finally:
        uc.mem_unmap(BOOT_PAGE, PAGE)
        # Unicorn bakes a run's end address into the block it translates there: forget it,
        # or every later run would stop at user_pc (unicorn-engine/unicorn#2341).
        uc.ctl_flush_tb()
    if uc.reg_read(UC_X86_REG_CS) != USER_CS:
        raise RuntimeError("the CPU did not reach ring 3")


def on_boot_page(addr: int) -> bool:
    """Whether a faulting access was the CPU reading the (unmapped) descriptor table."""
    return BOOT_PAGE <= addr < BOOT_PAGE + PAGE
