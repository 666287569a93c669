"""emu/verify/compare.py — one call, run natively and emulated from the same start, compared.

The emulated side is a normal :class:`~emu.bridge.session.Session` with the verify descriptors; after
``prepare`` every mapped region and the initial registers are handed to the native runner,
so both sides start from the same bytes at the same addresses. The emulated per-instruction
states come from the :class:`~emu.trace.tracer.Tracer`'s ``insn`` events (each carries the
registers that instruction changed; RIP after it is the next instruction's address).

Compared: the 16 GPRs, RIP and RFLAGS before the first and after every instruction; at the
end r1/r2/err in the caller's frame, the goroutine stack and the user heap (every byte),
what was written to fds 1 and 2, and what is left in the pipe. Not compared: the runtime's
g/m structs (the model writes them; natively the trampolines are plain RETs) and FS base
(the go1.10 stubs do not use FS).

One normalisation, always applied and named in the report: the model's pid and main tid are
set to the native child's before the emulated run, so getpid/gettid — and the flags a CMP
computes from their results — can be compared exactly.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from emu.bridge.argspec import parse_arg
from emu.bridge.session import Session
from emu.cpu import layout as L
from emu.cpu.regs import TRACE_REGS
from emu.errors import GosyscallError
from emu.kernel.sysnum import lookup
from emu.profile import DEFAULT
from emu.trace.tracer import Tracer
from emu.verify.cases import FILE, check_words, install_fds
from emu.verify.native import Plan, run_native

NORMALISATIONS = {
    "pid": "the model's pid and main-thread tid are set to the native child's before the emulated "
           "run (process ids come from the host), so getpid/gettid results and the flags computed "
           "from them compare exactly",
}
DEFAULT_STEPS = 10_000
WATCHED = [(L.STACK_LO, L.STACK_HI - L.STACK_LO), (L.USER_HEAP, L.USER_HEAP_SIZE)]   # compared at the end


@dataclass
class Difference:
    """The first place the runs differ: ``step`` (0 = the start) or None for end-of-run checks."""
    step: int | None
    what: str                                       # registers | steps | end | frame | memory | output
    rows: list[tuple[str, str, str]] = field(default_factory=list)   # (name, native, emulated)


@dataclass
class CaseResult:
    stub: str
    call: str
    native: list[tuple[int, ...]] = field(default_factory=list)      # state 0 = start
    emulated: list[tuple[int, ...]] = field(default_factory=list)
    insns: list[tuple[int, str, str, str]] = field(default_factory=list)  # step i+1: pc, where, go, loc
    native_end: str = ""
    emulated_end: str = "ok"
    emulated_signal: str | None = None                                # what Linux would send for it
    frame: tuple = ()                                                 # ((r1, r2, err) native, emulated)
    syscalls: list[str] = field(default_factory=list)                 # names the emulated run made
    normalised: list[str] = field(default_factory=list)
    diff: Difference | None = None
    refused: str | None = None
    incomparable: str | None = None                                   # why the case compares nothing
    pid: int = 0                                                      # the native child's (not shown)

    @property
    def identical(self) -> bool:
        return self.diff is None and self.refused is None and self.incomparable is None


def run_case(words, stub: str, profile: str = DEFAULT, extra_stubs=(), budget: int = DEFAULT_STEPS,
             time_budget_ns: int | None = None, strict: bool = False) -> CaseResult:
    """Run ``words`` (``gosyscall run`` notation) through ``stub`` natively and emulated."""
    words = list(words)
    check_words(words)
    session = Session(profile=profile, strict=strict, extra_stubs=list(extra_stubs),
                      time_budget_ns=time_budget_ns)
    pipe = install_fds(session.kernel)
    trap = lookup(words[0])
    args = [parse_arg(w, session) for w in words[1:]]
    s = session.resolve_stub(stub)
    values = [a.value for a in args]
    begin = session.prepare(s, trap, values)
    start = dict(session.machine.regs(), rip=begin)
    until = session.image.symbols[f"main.call{s.name.split('.')[-1]}.done"]
    res = CaseResult(stub=s.name.split(".")[-1], call=_call_text(session, trap, args))
    try:
        nat = _run_natively(session, start, until, budget)
        res.native, res.native_end, res.pid = [nat.init] + nat.steps, nat.end, nat.pid
        if nat.end.startswith("refused"):
            res.refused = _refusal(session, nat.end)
            return res
        if nat.end.startswith("bypass"):
            res.incomparable = _bypass(session, nat.end)
            return res
        # The emulated side runs at most one step further than the native one got (a longer
        # run is a difference already found there), so what it holds is bounded by the native run.
        budget = min(budget, len(nat.steps) + (nat.end != "timeout"))
        _run_emulated(session, s, trap, values, budget, start, res)
        if nat.end == "timeout" and res.emulated_end.startswith("instruction budget"):
            res.emulated_end = f"stopped after the same {budget} steps"
        results_at = session.slot_addr(s, "r1") - L.STACK_LO                  # r1, r2, err
        res.frame = (_frame(nat.dumps.get(L.STACK_LO, b""), results_at), res.frame)
        res.diff = _first_step_difference(res) or _end_difference(res)
        # After a timeout the runner killed the child wherever it was (inside a step, in a
        # syscall): the steps both sides made are compared, not an end state there is none of.
        if res.diff is None and nat.end != "timeout":
            mem = session.machine.mem
            res.diff = (_bytes_difference("memory", [(f"{name} {a:#x}", nat.dumps.get(a, b""), mem.read(a, n))
                                                     for name, (a, n) in zip(("stack", "user heap"), WATCHED)])
                        or _bytes_difference("output", [("fd 1", nat.out.get(1, b""), session.kernel.stdout),
                                                        ("fd 2", nat.out.get(2, b""), session.kernel.stderr),
                                                        ("pipe 4/5", nat.out.get(4, b""), bytes(pipe.buf))]))
    finally:
        session.kernel.close_all()
    return res


def _run_natively(session, start: dict, until: int, budget: int):
    """Every mapped region with its bytes as they are now, the start registers: on the CPU."""
    uc = session.machine.uc
    regions = [(r.base, r.size, r.perms, bytes(uc.mem_read(r.base, r.size)))
               for r in session.machine.mem.regions]
    regs = tuple(start[n] for n in TRACE_REGS)
    return run_native(Plan(regions, regs, until, FILE, WATCHED, max_steps=budget))


def _run_emulated(session, s, trap: int, values, budget: int, start: dict, res: CaseResult) -> None:
    """The same call in the emulator, traced; fills the emulated states, steps and frame."""
    session.kernel.pid = session.machine.tid = res.pid          # NORMALISATIONS["pid"]
    session.machine.attach_tracer(Tracer(session.machine))
    res.frame = None
    try:
        out = session.call(s.name, trap, values, budget=budget)
        res.frame = (out.r1, out.r2, out.err)
    except GosyscallError as e:
        res.emulated_end = str(e)
        res.emulated_signal = getattr(e, "signal", None)
    res.emulated = _states(session, start)
    longer = res.native if len(res.native) >= len(res.emulated) else res.emulated
    res.insns = [_insn_at(session, st[TRACE_REGS.index("rip")]) for st in longer[:-1]]
    res.syscalls = [e.data["name"] for e in session.log.events if e.kind == "syscall"]
    res.normalised = ["pid"] if {"getpid", "gettid"} & set(res.syscalls) else []


def _refusal(session, end: str) -> str:
    """``refused NR RIP`` from the runner, as a sentence (SIGSYS leaves RIP after the instruction)."""
    nr, rip = int(end.split()[1]), int(end.split()[2], 16)
    name = session.kernel.name_of(nr)
    what = f"syscall {nr}" + ("" if name.startswith("syscall_") else f" ({name})")
    insn = session.image.at(rip - 2)
    if insn is not None and insn.data == b"\xcd\x80":
        what = f"int 0x80 (the 32-bit gate, eax={nr})"
    return f"the native side refused {what}: it runs only harmless calls"


def _bypass(session, end: str) -> str:
    """``bypass NR RIP``: a number that recent kernels let through every seccomp filter."""
    nr, rip = int(end.split()[1]), int(end.split()[2], 16)
    where = session.image.symbolize(rip) or f"{rip:#x}"
    return (f"not comparable: syscall {nr} ({BYPASS.get(nr, '?')}) at {where} passes every seccomp "
            "filter on Linux 6.11 and later, so the native side does not run it")


BYPASS = {335: "uretprobe", 336: "uprobe"}     # kernel/seccomp.c seccomp_uprobe_exception


def _call_text(session, trap: int, args) -> str:
    return f"{session.kernel.name_of(trap)}({', '.join(a.text for a in args)})"


def _states(session, start: dict) -> list[tuple[int, ...]]:
    """Full register states rebuilt from the tracer's insn events (state 0 = the start)."""
    insns = [e.data for e in session.log.events if e.kind == "insn"]
    state = dict(start)
    states = [tuple(state[n] for n in TRACE_REGS)]
    final_rip = session.machine.regs()["rip"]
    for i, ev in enumerate(insns):
        for name, _old, new in ev["regs"]:
            state[name] = new
        state["rip"] = insns[i + 1]["pc"] if i + 1 < len(insns) else final_rip
        states.append(tuple(state[n] for n in TRACE_REGS))
    return states


def _insn_at(session, pc: int) -> tuple[int, str, str, str]:
    """(pc, where, Go text, file:line) of the instruction at ``pc``; trampolines are RETs."""
    insn = session.image.at(pc)
    if insn is not None:
        return pc, insn.where, " ".join(insn.go.split("//")[0].split()), insn.loc
    name = next((n for n, a in L.TRAMPOLINES.items() if a == pc), None)
    return pc, name or session.image.symbolize(pc) or f"{pc:#x}", "RET" if name else "", ""


def _frame(stack: bytes, off: int) -> tuple[int, int, int] | None:
    if len(stack) < off + 24:
        return None
    return tuple(int.from_bytes(stack[off + 8 * i:off + 8 * i + 8], "little") for i in range(3))


def _first_step_difference(res: CaseResult) -> Difference | None:
    for i, (a, b) in enumerate(zip(res.native, res.emulated)):
        rows = [(n, f"{x:#018x}", f"{y:#018x}") for n, x, y in zip(TRACE_REGS, a, b) if x != y]
        if rows:
            return Difference(i, "registers", rows)
    if len(res.native) != len(res.emulated):
        n = min(len(res.native), len(res.emulated))
        return Difference(n, "steps", [("instructions run", str(len(res.native) - 1),
                                        str(len(res.emulated) - 1))])
    return None


def _end_difference(res: CaseResult) -> Difference | None:
    if res.native_end != "ok" or res.emulated_end != "ok":
        if _end_kind(res.native_end, True) == _end_kind(res.emulated_end, False, res.emulated_signal):
            return None          # the same stop (a signal, the budget) after the same compared steps
        return Difference(None, "end", [("how the run ended", native_end_text(res.native_end),
                                         res.emulated_end)])
    nat, emu = res.frame
    if nat != emu:
        return Difference(None, "frame", [(n, f"{x:#x}", f"{y:#x}")
                                          for n, x, y in zip(("r1", "r2", "err"), nat or (0,) * 3, emu)
                                          if nat is None or x != y])
    return None


def _bytes_difference(what: str, pairs) -> Difference | None:
    for name, a, b in pairs:
        if a != b:
            i = next((k for k, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
            return Difference(None, what, [(f"{name} +{i:#x}", a[i:i + 16].hex() or "(end)",
                                            b[i:i + 16].hex() or "(end)")])
    return None


def _end_kind(end: str, native: bool, signal: str | None = None) -> str:
    """ok | SIGSEGV, SIGILL ... | fault | budget | other: how a run ended, comparable across
    the two sides (a native signal is compared with the one Linux would send for the
    emulated fault; a native timeout is a budget: the emulated run was given the steps the
    native one made)."""
    if end == "ok":
        return "ok"
    if native:
        kind, *rest = end.split()
        if kind == "signal":
            return signal_name(int(rest[0]))
        return {"limit": "budget", "timeout": "budget"}.get(kind, "native " + end)
    if end.startswith(("guest fault", "guest executed")):
        return signal or "fault"
    return "budget" if end.startswith(("instruction budget", "stopped after the same")) else "emulated " + end


def signal_name(n: int) -> str:
    """SIGSEGV for 11: this host's numbering, which is Linux x86-64's (verify runs nowhere else)."""
    import signal
    try:
        return signal.Signals(n).name
    except ValueError:
        return f"signal {n}"


def native_end_text(end: str) -> str:
    """How the native run ended, in words: ``SIGSEGV (signal 11) at 0x40119a``, ``timed out``."""
    kind, *rest = end.split()
    if kind == "signal":
        return f"{signal_name(int(rest[0]))} (signal {rest[0]}) at {int(rest[1], 16):#x}"
    if kind == "exit":
        return f"exited with status {rest[0]}"
    if kind == "killed":
        return f"killed by {signal_name(int(rest[0]))}"
    return {"ok": "reached the end of the call", "limit": "step limit reached",
            "timeout": f"timed out after {Plan.timeout_s} s (stopped by the runner's watchdog)"}.get(kind, end)
