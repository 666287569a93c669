"""asm/go1_10/asm_linux_amd64.py — go1.10 ``src/syscall/asm_linux_amd64.s``, line for line.

Each pair is (Go Plan 9 text, Intel text for Keystone). ``MOVQ src, dst`` becomes
``mov dst, src``; ``name+k(FP)`` becomes ``[rsp+k+8]`` because these functions are
NOSPLIT with a zero-size frame, so at entry ``[RSP]`` is the return address.
``CMPQ AX, $imm`` keeps its operand order (``cmp rax, imm``) and ``JLS`` is ``jbe``
as Go's own objdump shows. Line numbers are those of the go1.10 file: ``TEXT ·Syscall`` is line 17.
"""
from ..stub import go_listing

FILE = "asm_linux_amd64.s"

SYS3 = ("trap", "a1", "a2", "a3")
SYS6 = ("trap", "a1", "a2", "a3", "a4", "a5", "a6")
RES = ("r1", "r2", "err")


def _frame(nargs: int) -> dict[str, int]:
    """``rsp`` offsets of every slot at entry: slot i of the Go frame is ``[rsp+8*i+8]``."""
    names = (SYS3 if nargs == 4 else SYS6) + RES
    return {n: 8 * i + 8 for i, n in enumerate(names)}


def _load_args(nargs: int) -> list[tuple[str, str]]:
    f = _frame(nargs)
    body = [
        ("MOVQ\ta1+8(FP), DI", f"mov rdi, qword ptr [rsp+{f['a1']:#x}]"),
        ("MOVQ\ta2+16(FP), SI", f"mov rsi, qword ptr [rsp+{f['a2']:#x}]"),
        ("MOVQ\ta3+24(FP), DX", f"mov rdx, qword ptr [rsp+{f['a3']:#x}]"),
    ]
    if nargs == 4:   # go1.7–go1.13 zero the unused argument registers (removed in go1.14)
        body += [("MOVQ\t$0, R10", "mov r10, 0"), ("MOVQ\t$0, R8", "mov r8, 0"),
                 ("MOVQ\t$0, R9", "mov r9, 0")]
    else:
        body += [("MOVQ\ta4+32(FP), R10", f"mov r10, qword ptr [rsp+{f['a4']:#x}]"),
                 ("MOVQ\ta5+40(FP), R8", f"mov r8, qword ptr [rsp+{f['a5']:#x}]"),
                 ("MOVQ\ta6+48(FP), R9", f"mov r9, qword ptr [rsp+{f['a6']:#x}]")]
    body.append(("MOVQ\ttrap+0(FP), AX\t// syscall entry", f"mov rax, qword ptr [rsp+{f['trap']:#x}]"))
    return body


def _results(nargs: int, ok: str, runtime: bool) -> list[tuple[str, str]]:
    """SYSCALL, the error test, and both result paths (go1.10 lines 26–40)."""
    f = _frame(nargs)
    r1, r2, err = (8 * (nargs + i) for i in range(3))    # FP offsets of the results
    exit_ = [("CALL\truntime·exitsyscall(SB)", "call runtime.exitsyscall")] if runtime else []
    return ([
        ("SYSCALL", "syscall"),
        ("CMPQ\tAX, $0xfffffffffffff001", "cmp rax, -0xfff"),
        (f"JLS\t{ok}", f"jbe {ok}"),
        (f"MOVQ\t$-1, r1+{r1}(FP)", f"mov qword ptr [rsp+{f['r1']:#x}], -1"),
        (f"MOVQ\t$0, r2+{r2}(FP)", f"mov qword ptr [rsp+{f['r2']:#x}], 0"),
        ("NEGQ\tAX", "neg rax"),
        (f"MOVQ\tAX, err+{err}(FP)", f"mov qword ptr [rsp+{f['err']:#x}], rax"),
    ] + exit_ + [
        ("RET", "ret"),
        (f"{ok}:", ""),
        (f"MOVQ\tAX, r1+{r1}(FP)", f"mov qword ptr [rsp+{f['r1']:#x}], rax"),
        (f"MOVQ\tDX, r2+{r2}(FP)", f"mov qword ptr [rsp+{f['r2']:#x}], rdx"),
        (f"MOVQ\t$0, err+{err}(FP)", f"mov qword ptr [rsp+{f['err']:#x}], 0"),
    ] + exit_ + [("RET", "ret")])


def _stub(name, frame, nargs, text_line, ok, runtime, doc):
    enter = [("CALL\truntime·entersyscall(SB)", "call runtime.entersyscall")] if runtime else []
    body = enter + _load_args(nargs) + _results(nargs, ok, runtime)
    return go_listing(name, frame, SYS3 if nargs == 4 else SYS6, RES, text_line, FILE,
                      body, calls_runtime=runtime, doc=doc)


STUBS = {s.name: s for s in (
    _stub("syscall.Syscall", "$0-56", 4, 17, "ok", True,
          "func Syscall(trap, a1, a2, a3 uintptr) (r1, r2, err uintptr)"),
    _stub("syscall.Syscall6", "$0-80", 7, 43, "ok6", True,
          "func Syscall6(trap, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2, err uintptr)"),
    _stub("syscall.RawSyscall", "$0-56", 4, 69, "ok1", False,
          "func RawSyscall(trap, a1, a2, a3 uintptr) (r1, r2, err uintptr)"),
    _stub("syscall.RawSyscall6", "$0-80", 7, 92, "ok2", False,
          "func RawSyscall6(trap, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2, err uintptr)"),
)}
