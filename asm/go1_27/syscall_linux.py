"""asm/go1_27/syscall_linux.py — the Go functions of the syscall path as go1.27.3 compiles them.

go1.27.3 ``src/syscall/syscall_linux.go``: ``func RawSyscall`` line 55 (``return`` 56),
``func RawSyscall6`` 63, ``func Syscall`` 73 (``runtime_entersyscall()`` 74, the
``RawSyscall6`` call 87, ``runtime_exitsyscall()`` 88, ``return`` 89), ``func Syscall6``
95 (96, 97, 98, 99). ``RawSyscall6`` is ordinary Go here: line 65 calls
``linux.Syscall6`` and line 66 converts the errno to ``Errno`` — a conversion between
uintptr types, so no instruction: the results stay in AX, BX, CX, and the epilogue is
attributed to ``return`` (line 67).

Listings written from ``go tool objdump`` of the probe built with go1.27.3; shapes in
``asm/regabi.py``. go1.27 zeroes a4–a6 with ``MOVL SI, R8``/``MOVL SI, R9`` (4189f0,
4189f1), where go1.22 wrote ``MOVQ`` (4989f0, 4989f1).
"""
from .. import regabi

SOURCE = "syscall/syscall_linux.go"

# func, runtime_entersyscall(), the RawSyscall6 call, runtime_exitsyscall(), return
LINES = {"Syscall": (73, 74, 87, 88, 89), "Syscall6": (95, 96, 97, 98, 99), "RawSyscall": (55, 56)}

SYSCALL, SYSCALL_6, RAW_SYSCALL = regabi.syscall_package(SOURCE, LINES, zero="MOVL")
RAW_SYSCALL6 = regabi.rawsyscall6(
    "syscall.RawSyscall6", SOURCE, "internal/runtime/syscall/linux.Syscall6", (63, 65, 67),
    doc=regabi.PROTOTYPES["RawSyscall6"])
