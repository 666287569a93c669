"""emu/lesson/notes.py — what each instruction of the path does and why, for people.

``GO_LINES`` is keyed by the go1.10 stub lines (go1.10 ``asm_linux_amd64.s``) with
the comment stripped and whitespace collapsed; ``MNEMONICS`` is the generic text for any
other instruction (a user's stub, the driver, a trampoline's RET). ``note_for`` picks.
Used by the REPL's ``explain`` and by ``gosyscall explain`` lessons.
"""
from __future__ import annotations

import re

GO_LINES = {
    "CALL runtime·entersyscall(SB)":
        "Tell the scheduler this goroutine is about to block in the kernel. The CALL pushes "
        "the return address; entersyscall records it (g.syscallpc) and the caller's SP "
        "(g.syscallsp), moves g from _Grunning to _Gsyscall and the P to _Psyscall so that "
        "sysmon may hand the P to another thread if the call takes long.",
    "MOVQ a1+8(FP), DI":
        "Load the first argument from the Go frame (ABI0: arguments live on the caller's "
        "stack, a1 at FP+8 = RSP+16) into RDI, the kernel's first argument register.",
    "MOVQ a2+16(FP), SI": "Second argument: frame slot a2 (RSP+24) into RSI.",
    "MOVQ a3+24(FP), DX": "Third argument: frame slot a3 (RSP+32) into RDX.",
    "MOVQ a4+32(FP), R10":
        "Fourth argument into R10 — not RCX as in the C calling convention: SYSCALL itself "
        "overwrites RCX with the return address, so the kernel reads argument 4 from R10.",
    "MOVQ a5+40(FP), R8": "Fifth argument: frame slot a5 into R8.",
    "MOVQ a6+48(FP), R9": "Sixth argument: frame slot a6 into R9.",
    "MOVQ $0, R10":
        "Zero the unused fourth argument register. go1.7–go1.13 clear R10, R8 and R9 so a "
        "three-argument call never passes stale values; go1.14 dropped this.",
    "MOVQ $0, R8": "Zero the unused fifth argument register (removed in go1.14).",
    "MOVQ $0, R9": "Zero the unused sixth argument register (removed in go1.14).",
    "MOVQ trap+0(FP), AX":
        "Load the syscall number (trap, frame slot 0 = RSP+8) into RAX: the kernel looks "
        "the call up by RAX.",
    "SYSCALL":
        "Enter the kernel. The CPU saves the return address in RCX and RFLAGS in R11, the "
        "kernel runs the call named by RAX with RDI, RSI, RDX, R10, R8, R9, and returns the "
        "result (or -errno) in RAX. Every other register survives.",
    "CMPQ AX, $0xfffffffffffff001":
        "Is the result an error? Compare RAX with -4095 as unsigned numbers: -4094…-1 are "
        "above it. (Linux's errors are -4095…-1; Go's test counts -4095 as success.)",
    "NEGQ AX": "Error path: RAX holds -errno; negate it to get the positive errno Go returns.",
    "RET": "Return to the Go caller, which reads r1, r2 and err from the frame slots.",
    "CALL runtime·exitsyscall(SB)":
        "Tell the scheduler the kernel returned. The fast path takes the P back "
        "(_Psyscall → _Prunning) and g goes _Gsyscall → _Grunning; if sysmon took the P, "
        "the slow path queues g and parks this thread.",
}
for _label in ("ok", "ok6", "ok1", "ok2"):        # Syscall, Syscall6, RawSyscall, RawSyscall6
    GO_LINES[f"JLS {_label}"] = ("Jump to the success path if RAX ≤ 0xfffffffffffff001 unsigned "
                                 "(CF or ZF set).")
_RESULT_SLOTS = {"r1": "the first result", "r2": "the second result", "err": "the error number"}

MNEMONICS = {
    "mov": "Copy the source operand into the destination.",
    "call": "Push the address of the next instruction and jump to the target.",
    "ret": "Pop the return address from the stack and jump there.",
    "syscall": GO_LINES["SYSCALL"],
    "cmp": "Subtract the second operand from the first, keep only the flags.",
    "test": "AND the operands, keep only the flags.",
    "neg": "Two's-complement negate the operand.",
    "jbe": "Jump if below or equal (unsigned): CF or ZF set.",
    "jmp": "Jump unconditionally.",
    "push": "Decrement RSP by 8 and store the operand there.",
    "pop": "Load the word at RSP into the operand and add 8 to RSP.",
    "lea": "Compute the address of the memory operand (no memory is read).",
    "add": "Add the source to the destination; flags follow the result.",
    "sub": "Subtract the source from the destination; flags follow the result.",
    "xor": "Exclusive-or; `xor reg, reg` is the idiomatic way to zero a register.",
    "int3": "Breakpoint trap: the driver's sentinel after the call; it never runs.",
    "int": "Software interrupt. `int 0x80` is the 32-bit syscall gate: it takes its arguments "
           "in EBX, ECX, EDX, ESI, EDI, EBP and 32-bit syscall numbers.",
    "nop": "Do nothing.",
}


def normalize(go: str) -> str:
    """``MOVQ\\ttrap+0(FP), AX\\t// syscall entry`` → ``MOVQ trap+0(FP), AX``."""
    return " ".join(go.split("//")[0].split())


TRAMPOLINES = {
    "runtime.entersyscall":
        "The runtime's entersyscall, modelled: this page holds a single RET, and a hook at its "
        "address runs the go1.10 model (reentersyscall: save pc/sp, g → _Gsyscall, "
        "p → _Psyscall, p.m = 0) with getcallerpc() = [RSP] and getcallersp() = RSP+8.",
    "runtime.exitsyscall":
        "The runtime's exitsyscall, modelled: a single RET whose hook runs the go1.10 model "
        "(exitsyscallfast: take the old P back _Psyscall → _Prunning, g → _Grunning).",
    "runtime.entersyscallblock":
        "The runtime's entersyscallblock, modelled: like entersyscall, but the P is handed "
        "off at once because the call is known to block.",
}


def note_for(go: str, intel: str, where: str = "") -> str:
    """The explanation for one instruction: its Go line's, a trampoline's, else its mnemonic's."""
    if where in TRAMPOLINES:
        return TRAMPOLINES[where]
    key = normalize(go)
    if key in GO_LINES:
        return GO_LINES[key]
    m = re.match(r"MOVQ (\$-?\d+|AX|DX), (r1|r2|err)\+\d+\(FP\)$", key)
    if m:
        return f"Store {m.group(1)} into {_RESULT_SLOTS[m.group(2)]} slot of the caller's frame."
    mnemonic = intel.split()[0].lower() if intel.split() else ""
    if mnemonic.startswith("j") and mnemonic not in MNEMONICS:
        return "Conditional jump: taken or not depending on the flags."
    return MNEMONICS.get(mnemonic, "")
