"""asm/regabi.py — the shapes the register-ABI toolchains (go1.19+) give the syscall path.

Since go1.19 ``syscall.Syscall``, ``Syscall6``, ``RawSyscall`` and ``RawSyscall6`` are Go
functions; their compiled code has one shape in every release that has them, and only
line numbers and a few encodings move between releases. Each release's directory
(``asm/go1_22``, ``asm/go1_27``) passes its numbers to the builders here and cites them.
What the shapes are, read from ``go tool objdump`` of a probe built with go1.22.10 and
with go1.27.3 (``-trimpath``, ``CGO_ENABLED=0``, GOAMD64=v1):

* A frame: ``PUSHQ BP; MOVQ SP, BP; SUBQ $n, SP`` … ``ADDQ $n, SP; POPQ BP; RET`` (the
  frame pointer is saved; these functions are ``//go:nosplit``, so no stack check).
  ``n`` holds the callee's argument spill area (the register ABI has the *caller*
  reserve a spill slot for each register argument of the callee: 7 × 8 = 0x38 for
  ``RawSyscall6``) plus, in ``Syscall``/``Syscall6``, the three results kept across
  ``exitsyscall`` (0x38, 0x40, 0x48): 0x50 in all.
* ``Syscall``/``Syscall6`` spill their own register arguments to *their caller's* spill
  slots (``0x60(SP)`` = entry ``8(SP)`` …) before ``CALL runtime.entersyscall`` — the
  call clobbers every register — and reload them after; the compiler attributes the
  spills to the ``return`` line. Results come back in AX, BX, CX.
* ``RawSyscall``/``Syscall`` pass ``0, 0, 0`` for a4–a6 as ``XORL SI, SI`` then SI into
  R8 and R9 (``MOVQ`` in go1.22, ``MOVL`` in go1.27: the compiler's choice).
* Go's assembler pads compiled code so that no CALL/JMP/RET crosses or ends on a 32-byte
  boundary (the Intel JCC erratum; ``padJump`` in ``cmd/internal/obj/x86/asm6.go``,
  go1.27.3 line 1998, off for hand-written assembly): in ``Syscall`` the CALL of
  ``entersyscall`` would span offset 0x20, so a 4-byte ``NOPL 0(AX)`` precedes it.
  Functions start 32-byte aligned, so the pad is the same wherever the linker puts them.
* The assembly ``Syscall6`` (ABIInternal, ``$0``, NOSPLIT, no frame) moves Go's argument
  registers (AX BX CX DI SI R8 R9) into the kernel's (AX DI SI DX R10 R8 R9) — R10 first,
  so SI is free to take CX — and returns r1, r2, errno in AX, BX, CX.

Go text: for compiled code the instruction as ``go tool objdump`` prints it; for the
assembly function its source line. Intel text: what Keystone assembles (``raw`` bytes
where Keystone's encoding would differ).
"""
from __future__ import annotations

from .stub import ABI, GO_INT_REGS, Stub, listing

SYS3 = ("trap", "a1", "a2", "a3")
SYS6 = ("trap", "a1", "a2", "a3", "a4", "a5", "a6")
RES = ("r1", "r2", "err")
FUNC_ALIGN = 32           # Go's linker: funcAlign on amd64 (cmd/link/internal/amd64/l.go)

_INTEL = {"AX": "rax", "BX": "rbx", "CX": "rcx", "DX": "rdx", "DI": "rdi", "SI": "rsi",
          "R8": "r8", "R9": "r9", "R10": "r10"}
_INTEL32 = {"SI": "esi", "R8": "r8d", "R9": "r9d", "BX": "ebx", "CX": "ecx"}

SPILL = 0x60              # the caller's spill slot of argument 0, seen below a 0x50 frame + BP + PC
RESULTS = (0x48, 0x40, 0x38)    # where Syscall/Syscall6 keep r1, r2, err across exitsyscall


def abi(nargs: int) -> ABI:
    """Go's register ABI for ``nargs`` integer arguments and three integer results."""
    return ABI("ABIInternal", GO_INT_REGS[:nargs], GO_INT_REGS[:3])


def _prologue(line: int, frame: int) -> list:
    return [(line, "PUSHQ BP", "push rbp"), (line, "MOVQ SP, BP", "mov rbp, rsp"),
            (line, f"SUBQ ${frame:#x}, SP", f"sub rsp, {frame:#x}")]


def _epilogue(line: int, frame: int) -> list:
    return [(line, f"ADDQ ${frame:#x}, SP", f"add rsp, {frame:#x}"), (line, "POPQ BP", "pop rbp"),
            (line, "RET", "ret")]


def _move(line: int, src: str, dst: str) -> tuple:
    """``MOVQ src, dst`` between a register and ``off(SP)`` (one of them is an int offset)."""
    if isinstance(src, int):
        return (line, f"MOVQ {src:#x}(SP), {dst}", f"mov {_INTEL[dst]}, qword ptr [rsp+{src:#x}]")
    return (line, f"MOVQ {src}, {dst:#x}(SP)", f"mov qword ptr [rsp+{dst:#x}], {_INTEL[src]}")


def _zero_a4_a6(line: int, width: str) -> list:
    """a4, a5, a6 = 0: ``XORL SI, SI`` and SI copied into R8, R9 (``MOVQ`` or ``MOVL``)."""
    if width == "MOVQ":
        moves = [(line, "MOVQ SI, R8", "mov r8, rsi"), (line, "MOVQ SI, R9", "mov r9, rsi")]
    else:
        moves = [(line, "MOVL SI, R8", "mov r8d, esi"), (line, "MOVL SI, R9", "mov r9d, esi")]
    return [(line, "XORL SI, SI", "xor esi, esi")] + moves


def syscall(name: str, source: str, nargs: int, lines: tuple[int, int, int, int, int],
            zero: str, pad: bool, doc: str) -> Stub:
    """``Syscall`` (``nargs`` = 4) or ``Syscall6`` (7) as the compiler emits it.

    ``lines``: the source lines of ``func``, ``runtime_entersyscall()``, the
    ``RawSyscall6`` call, ``runtime_exitsyscall()`` and ``return``. ``pad``: the 4-byte
    NOP before the entersyscall CALL (see the module docstring).
    """
    text, enter, call, exit_, ret = lines
    regs = GO_INT_REGS[:nargs]
    spills = [SPILL + 8 * i for i in range(nargs)]
    rows = _prologue(text, 0x50)
    rows += [_move(ret, r, off) for r, off in zip(regs, spills)]
    if pad:
        rows.append((enter, "NOPL 0(AX)", "nop dword ptr [rax]", "0f1f4000"))
    rows.append((enter, "CALL runtime.entersyscall(SB)", "call runtime.entersyscall"))
    rows += [_move(call, off, r) for r, off in zip(regs, spills)]
    if nargs == 4:
        rows += _zero_a4_a6(call, zero)
    rows.append((call, "CALL syscall.RawSyscall6(SB)", "call syscall.RawSyscall6"))
    rows += [_move(call, r, off) for r, off in zip(GO_INT_REGS[:3], RESULTS)]
    rows.append((exit_, "CALL runtime.exitsyscall(SB)", "call runtime.exitsyscall"))
    rows += [_move(ret, off, r) for r, off in zip(GO_INT_REGS[:3], RESULTS)]
    rows += _epilogue(ret, 0x50)
    args = SYS3 if nargs == 4 else SYS6
    return listing(name, f"$88-{8 * nargs}", args, RES, source, rows, abi=abi(nargs), frame_size=0x50,
                   align=FUNC_ALIGN, calls_runtime=True, doc=doc)


def rawsyscall(name: str, source: str, lines: tuple[int, int], zero: str, doc: str) -> Stub:
    """``RawSyscall``: ``return RawSyscall6(trap, a1, a2, a3, 0, 0, 0)`` (``lines``: func, return)."""
    text, ret = lines
    rows = _prologue(text, 0x38) + _zero_a4_a6(ret, zero)
    rows.append((ret, "CALL syscall.RawSyscall6(SB)", "call syscall.RawSyscall6"))
    rows += _epilogue(ret, 0x38)
    return listing(name, "$64-32", SYS3, RES, source, rows, abi=abi(4), frame_size=0x38,
                   align=FUNC_ALIGN, calls_runtime=False, doc=doc)


def rawsyscall6(name: str, source: str, callee: str, lines: tuple[int, int, int], doc: str) -> Stub:
    """``RawSyscall6``: a frame around one CALL of the assembly ``Syscall6`` (arguments and
    results stay in their registers). ``lines``: func, the call, the epilogue's line."""
    text, call, ret = lines
    rows = _prologue(text, 0x38)
    rows.append((call, f"CALL {callee}(SB)", f"call {callee}"))
    rows += _epilogue(ret, 0x38)
    return listing(name, "$64-56", SYS6, RES, source, rows, abi=abi(7), frame_size=0x38,
                   align=FUNC_ALIGN, calls_runtime=False, doc=doc)


PROTOTYPES = {
    "Syscall": "func Syscall(trap, a1, a2, a3 uintptr) (r1, r2 uintptr, err Errno)",
    "Syscall6": "func Syscall6(trap, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2 uintptr, err Errno)",
    "RawSyscall": "func RawSyscall(trap, a1, a2, a3 uintptr) (r1, r2 uintptr, err Errno)",
    "RawSyscall6": "func RawSyscall6(trap, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2 uintptr, err Errno)",
}


def syscall_package(source: str, lines: dict[str, tuple[int, ...]], zero: str) -> tuple[Stub, Stub, Stub]:
    """``syscall.Syscall``, ``Syscall6``, ``RawSyscall`` of a release, from its source lines:
    ``lines["Syscall"]``/``["Syscall6"]`` as ``syscall`` takes them, ``["RawSyscall"]``
    (func, return). Only ``Syscall``'s entersyscall CALL needs the jump pad."""
    return (syscall("syscall.Syscall", source, 4, lines["Syscall"], zero, True, PROTOTYPES["Syscall"]),
            syscall("syscall.Syscall6", source, 7, lines["Syscall6"], zero, False, PROTOTYPES["Syscall6"]),
            rawsyscall("syscall.RawSyscall", source, lines["RawSyscall"], zero, PROTOTYPES["RawSyscall"]))


def asm_syscall6(name: str, source: str, zero: str, doc: str) -> Stub:
    """The assembly ``Syscall6`` (lines 27–47 of its ``asm_linux_amd64.s`` in go1.19–go1.27).

    ``zero``: how the release's assembler encodes ``MOVQ $0, reg`` — ``MOVQ`` (7 bytes,
    ``48 c7 c3 00 00 00 00``, go1.22) or ``MOVL`` (5 bytes, ``bb 00 00 00 00``, go1.27,
    whose AMOVQ optab lists the zero-extending B8+r form first).
    """
    def zero_into(reg: str) -> str:
        return f"mov {_INTEL[reg] if zero == 'MOVQ' else _INTEL32[reg]}, 0"
    rows = [
        (30, "MOVQ\tSI, R10 // a4", "mov r10, rsi"),
        (31, "MOVQ\tDI, DX  // a3", "mov rdx, rdi"),
        (32, "MOVQ\tCX, SI  // a2", "mov rsi, rcx"),
        (33, "MOVQ\tBX, DI  // a1", "mov rdi, rbx"),
        (35, "SYSCALL", "syscall"),
        (36, "CMPQ\tAX, $0xfffffffffffff001", "cmp rax, -0xfff"),
        (37, "JLS\tok", "jbe ok"),
        (38, "NEGQ\tAX", "neg rax"),
        (39, "MOVQ\tAX, CX  // errno", "mov rcx, rax"),
        (40, "MOVQ\t$-1, AX // r1", "mov rax, -1"),
        (41, "MOVQ\t$0, BX  // r2", zero_into("BX")),
        (42, "RET", "ret"),
        (43, "ok:", ""),
        (45, "MOVQ\tDX, BX // r2", "mov rbx, rdx"),
        (46, "MOVQ\t$0, CX // errno", zero_into("CX")),
        (47, "RET", "ret"),
    ]
    return listing(name, "$0", SYS6, RES, source, rows, abi=abi(7), frame_size=0, align=FUNC_ALIGN,
                   calls_runtime=False, doc=doc)
