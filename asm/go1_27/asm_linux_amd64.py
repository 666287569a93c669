"""asm/go1_27/asm_linux_amd64.py — go1.27.3 ``src/internal/runtime/syscall/linux/asm_linux_amd64.s``.

The same text as go1.22's ``runtime/internal/syscall/asm_linux_amd64.s`` (TEXT at line
27, body 30–47), moved to package ``linux`` in go1.26. The bytes differ in one way:
go1.27.3's assembler encodes ``MOVQ $0, BX``/``MOVQ $0, CX`` as the 5-byte ``MOVL $0``
(``bb 00 00 00 00``, ``b9 00 00 00 00``): its AMOVQ optab entry
(``cmd/internal/obj/x86/asm6.go`` line 1227) tries the zero-extending B8+r form first.
So the ``JLS ok`` is 2 bytes shorter (``76 13`` where go1.22 has ``76 15``).
"""
from .. import regabi

SOURCE = "internal/runtime/syscall/linux/asm_linux_amd64.s"

SYSCALL6 = regabi.asm_syscall6(
    "internal/runtime/syscall/linux.Syscall6", SOURCE, zero="MOVL",
    doc="func Syscall6(num, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2, errno uintptr)")
