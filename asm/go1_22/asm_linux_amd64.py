"""asm/go1_22/asm_linux_amd64.py — go1.22.10 ``src/runtime/internal/syscall/asm_linux_amd64.s``.

``TEXT ·Syscall6<ABIInternal>(SB),NOSPLIT,$0`` at line 27, body lines 30–47 (the
file's ABI table, lines 9–22, maps Go's argument registers to the kernel's). go1.22's
assembler encodes ``MOVQ $0, BX`` and ``MOVQ $0, CX`` as the 7-byte ``MOVQ``
(``48 c7 c3 00 00 00 00``; ``cmd/internal/obj/x86/asm6.go`` line 1227, the AMOVQ optab
entry, lists the sign-extended C7 /0 form before B8+r).
"""
from .. import regabi

SOURCE = "runtime/internal/syscall/asm_linux_amd64.s"

SYSCALL6 = regabi.asm_syscall6(
    "runtime/internal/syscall.Syscall6", SOURCE, zero="MOVQ",
    doc="func Syscall6(num, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2, errno uintptr)")
