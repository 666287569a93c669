"""asm/drivers.py — the Go caller of a syscall stub: ``main.call<Stub>`` and ``main.loop<Stub>``.

A driver stands where ``syscall.read`` or ``os.(*File).Read`` stands in a Go program: it
calls the stub the way that release's compiled Go calls it, and its frame holds the call's
words — trap, a1…aN, then r1, r2, err — which the emulator writes before the run and reads
back after it. ``slot_offset`` says where each word sits, measured from the driver's RSP.

ABI0 (go1.10's assembly stubs): the words *are* the stub's argument frame: the driver is
``NOSPLIT $0-0`` and CALLs with RSP pointing at trap, so ``trap+0(FP)`` of the stub is
``8(SP)`` at its entry, and the stub stores r1, r2, err there itself.

ABIInternal (go1.17+, Go's register ABI): arguments go in AX, BX, CX, DI, SI, R8, R9 and
results come back in AX, BX, CX. As compiled Go does, the driver reserves the callee's
spill area at the bottom of its frame (one word per register argument: the callee may
store its arguments there, ``Syscall`` does) and keeps its own copies of the words above
it: it loads the arguments into registers, CALLs, and stores the three results.

The loop drivers repeat the call R12 times, the loop kept inside the guest: none of the
stubs touches R12, and SYSCALL preserves it (Go's register ABI has no callee-saved
registers, so a real Go loop would keep its counter in its frame; R12 keeps the loop to
the stub's own instructions).
"""
from __future__ import annotations

from .stub import Stub, go_listing

FILE = "driver"


def _register_abi(stub: Stub) -> bool:
    return stub.abi is not None and stub.abi.name == "ABIInternal"


def spill_words(stub: Stub) -> int:
    """Words of the callee's spill area below the driver's copies (0 for ABI0)."""
    return len(stub.abi.args) if _register_abi(stub) else 0


def slot_offset(stub: Stub, slot: str) -> int:
    """Offset from the driver's RSP of its word ``slot`` (``trap``, ``a1``…, ``r1``, ``r2``,
    ``err``)."""
    return 8 * (spill_words(stub) + stub.slots.index(slot))


def frame_size(stub: Stub) -> int:
    """Bytes of the driver's frame the emulator lays out (spill area and the words)."""
    return 8 * (spill_words(stub) + len(stub.slots))


def intel_reg(go: str) -> str:
    """Go's register name as Intel's 64-bit one: ``AX`` → ``rax``, ``R10`` → ``r10``."""
    return {"AX": "rax", "BX": "rbx", "CX": "rcx", "DX": "rdx", "DI": "rdi", "SI": "rsi"}.get(go, go.lower())


def _loads(stub: Stub) -> list[tuple[str, str]]:
    """ABIInternal: each argument word into its register (trap in AX, a1 in BX, ...)."""
    out = []
    for slot, reg in zip(stub.args, stub.abi.args):
        off = slot_offset(stub, slot)
        out.append((f"MOVQ {off:#x}(SP), {reg}\t// {slot}", f"mov {intel_reg(reg)}, qword ptr [rsp+{off:#x}]"))
    return out


def _stores(stub: Stub) -> list[tuple[str, str]]:
    """ABIInternal: the results from AX, BX, CX into the driver's words r1, r2, err."""
    out = []
    for slot, reg in zip(stub.results, stub.abi.results):
        off = slot_offset(stub, slot)
        out.append((f"MOVQ {reg}, {off:#x}(SP)\t// {slot}", f"mov qword ptr [rsp+{off:#x}], {intel_reg(reg)}"))
    return out


def _call(stub: Stub) -> tuple[str, str]:
    return (f"CALL\t{stub.name.replace('.', '·', 1)}(SB)", f"call {stub.name}")


def driver(stub: Stub, ns: str = "main") -> Stub:
    """``main.call<Stub>``: one call of ``stub``, as Go's caller makes it (``ns``: the
    package the driver's symbol is in — another name where the program has its own ``main``)."""
    short = stub.name.split(".")[-1]
    body = [_call(stub)]
    if _register_abi(stub):
        body = _loads(stub) + body + _stores(stub)
    body += [("done:", ""), ("INT3\t// never executed: the run stops here", "int3")]
    return go_listing(f"{ns}.call{short}", "$0-0", (), (), 1, FILE, body, calls_runtime=False,
                      doc=f"calls {stub.name} the way Go's caller does")


def loop_driver(stub: Stub, ns: str = "main") -> Stub:
    """``main.loop<Stub>``: the same call R12 times. ABI0 reuses the frame as Go's caller
    would (the stub writes only the result words); ABIInternal reloads the arguments."""
    short = stub.name.split(".")[-1]
    call = [_call(stub)]
    if _register_abi(stub):
        call = _loads(stub) + call + _stores(stub)
    body = [("loop:", "")] + call + [
        ("DECQ\tR12", "dec r12"),
        ("JNE\tloop", "jne loop"),
        ("done:", ""),
        ("INT3\t// never executed: the run stops here", "int3"),
    ]
    return go_listing(f"{ns}.loop{short}", "$0-0", (), (), 1, FILE, body, calls_runtime=False,
                      doc=f"calls {stub.name} R12 times")
