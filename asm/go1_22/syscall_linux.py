"""asm/go1_22/syscall_linux.py — the Go functions of the syscall path as go1.22.10 compiles them.

``syscall.Syscall``, ``Syscall6``, ``RawSyscall``: go1.22.10 ``src/syscall/syscall_linux.go``
(``func RawSyscall`` line 61, ``func Syscall`` 68, ``func Syscall6`` 90; in ``Syscall``
``runtime_entersyscall()`` is line 69, the ``RawSyscall6`` call 82, ``runtime_exitsyscall()``
83, ``return`` 84; in ``Syscall6`` 91, 92, 93, 94). ``syscall.RawSyscall6`` has no body
in package syscall (line 25 declares it): its code is ``syscall_RawSyscall6`` of
``src/runtime/internal/syscall/syscall_linux.go`` lines 37–38, pushed into package syscall
by ``//go:linkname syscall_RawSyscall6 syscall.RawSyscall6`` (line 36), so the symbol is
``syscall.RawSyscall6`` while its line table names the runtime file.

Listings written from ``go tool objdump`` of the probe built with go1.22.10; ``shapes``
in ``asm/regabi.py``. go1.22 zeroes a4–a6 with ``MOVQ SI, R8``/``MOVQ SI, R9``.
"""
from .. import regabi

SOURCE = "syscall/syscall_linux.go"
RUNTIME_SOURCE = "runtime/internal/syscall/syscall_linux.go"

# func, runtime_entersyscall(), the RawSyscall6 call, runtime_exitsyscall(), return
LINES = {"Syscall": (68, 69, 82, 83, 84), "Syscall6": (90, 91, 92, 93, 94), "RawSyscall": (61, 62)}

SYSCALL, SYSCALL_6, RAW_SYSCALL = regabi.syscall_package(SOURCE, LINES, zero="MOVQ")
RAW_SYSCALL6 = regabi.rawsyscall6(
    "syscall.RawSyscall6", RUNTIME_SOURCE, "runtime/internal/syscall.Syscall6", (37, 38, 38),
    doc="func syscall_RawSyscall6(num, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2, errno uintptr), "
        "linknamed syscall.RawSyscall6")
