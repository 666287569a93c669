"""bench/sections.py — one function per benchmark section; each yields table rows."""
from __future__ import annotations

import os
import subprocess
import sys
import time

from emu.bridge.session import Session
from emu.cpu import layout as L
from emu.trace.events import EventLog

GETPID = 39


def _loop_floor(image, calls: int, fast: bool) -> float:
    """Calls/s of the same stub and loop on bare Unicorn with do-nothing hooks."""
    import ctypes

    from unicorn import UC_ARCH_X86, UC_HOOK_CODE, UC_HOOK_INSN, UC_MODE_64, Uc
    from unicorn.x86_const import UC_X86_INS_SYSCALL, UC_X86_REG_R12, UC_X86_REG_RSP

    from emu.cpu import hooks as fh  # its raw registration: the floor has no error guard
    uc = Uc(UC_ARCH_X86, UC_MODE_64)
    uc.mem_map(L.TEXT_BASE, L.TEXT_SIZE)
    uc.mem_write(image.base, image.code)
    uc.mem_map(L.RUNTIME_TEXT, L.RUNTIME_TEXT_SIZE)
    for a in L.TRAMPOLINES.values():
        uc.mem_write(a, b"\xc3")
        if fast:
            fh._add(uc, UC_HOOK_CODE, fh._CODE_CB(lambda *_: None), a, a)
        else:
            uc.hook_add(UC_HOOK_CODE, lambda *_: None, None, a, a)
    if fast:
        fh._add(uc, UC_HOOK_INSN, fh._SYSCALL_CB(lambda *_: None), 1, 0, ctypes.c_int(UC_X86_INS_SYSCALL))
    else:
        uc.hook_add(UC_HOOK_INSN, lambda *_: None, None, 1, 0, UC_X86_INS_SYSCALL)
    uc.mem_map(L.STACK_LO, L.STACK_HI - L.STACK_LO)
    fp = L.STACK_HI - L.FRAME_RESERVE
    uc.mem_write(fp, GETPID.to_bytes(8, "little"))
    uc.reg_write(UC_X86_REG_RSP, fp)
    uc.reg_write(UC_X86_REG_R12, calls)
    t = time.perf_counter()
    uc.emu_start(image.symbols["main.loopSyscall"], image.symbols["main.loopSyscall.done"])
    return calls / (time.perf_counter() - t)


def _gosyscall_calls(calls: int) -> float:
    s = Session(log=EventLog(record=False))
    s.call("Syscall", GETPID, [], repeat=2)
    t = time.perf_counter()
    s.call("Syscall", GETPID, [], repeat=calls, budget=100 * calls)
    return calls / (time.perf_counter() - t)


def syscalls(measure, row, reps, quick):
    """Untraced Syscall(SYS_GETPID) round trips, the loop inside the guest."""
    n = 2000 if quick else 10000
    image = Session().image
    ours = measure(lambda: _gosyscall_calls(n), reps)
    floor_pub = measure(lambda: _loop_floor(image, n * 10, False), reps)
    floor_c = measure(lambda: _loop_floor(image, n * 10, True), reps)
    r_pub, r_c = ours[0] / floor_pub[0], ours[0] / floor_c[0]
    yield row("Syscall round trips, untraced (gosyscall)", ours, "calls/s")
    yield row("floor: same stub, bare Unicorn, do-nothing hooks (public binding)", floor_pub, "calls/s",
              f"gosyscall/floor = {r_pub:.3f} (target ≥ 0.5: {'met' if r_pub >= 0.5 else 'MISSED'})")
    yield row("floor: same, hooks registered through the C library", floor_c, "calls/s",
              f"gosyscall/floor = {r_c:.3f}")
    try:
        import qiling  # noqa: F401
    except ImportError:
        yield row("Qiling running the same stub", "skipped: qiling not installed",
                  "pip install -e '.[bench]' to include it")
        return
    ql = measure(lambda: _qiling(image, n), reps)
    r = ours[0] / ql[0]
    yield row("Qiling 1.4.6 running the same stub (its own getpid)", ql, "calls/s",
              f"gosyscall/Qiling = {r:.2f} (target ≥ 10: {'met' if r >= 10 else 'MISSED'})")


def _qiling(image, calls: int) -> float:
    """Calls/s of the same image and loop under Qiling (shellcode mode, its own syscalls).

    The trampolines are plain RETs: Qiling runs no runtime model, only its syscall layer.
    """
    from qiling import Qiling
    from qiling.const import QL_ARCH, QL_OS, QL_VERBOSE
    ql = Qiling(code=b"\xc3", archtype=QL_ARCH.X8664, ostype=QL_OS.LINUX, verbose=QL_VERBOSE.DISABLED)
    ql.mem.map(L.TEXT_BASE, L.TEXT_SIZE)
    ql.mem.write(image.base, image.code)
    ql.mem.map(L.RUNTIME_TEXT, L.RUNTIME_TEXT_SIZE)
    for a in L.TRAMPOLINES.values():
        ql.mem.write(a, b"\xc3")
    ql.mem.map(L.STACK_LO, L.STACK_HI - L.STACK_LO)
    fp = L.STACK_HI - L.FRAME_RESERVE
    ql.mem.write(fp, GETPID.to_bytes(8, "little"))
    ql.arch.regs.rsp = fp
    ql.arch.regs.r12 = calls
    t = time.perf_counter()
    ql.emu_start(image.symbols["main.loopSyscall"], image.symbols["main.loopSyscall.done"])
    return calls / (time.perf_counter() - t)


def _traced(calls: int) -> float:
    from emu.trace.tracer import Tracer
    s = Session()
    s.machine.attach_tracer(Tracer(s.machine))
    s.call("Syscall", GETPID, [], repeat=2)
    first = s.log.step
    t = time.perf_counter()
    s.call("Syscall", GETPID, [], repeat=calls, budget=100 * calls)
    return (s.log.step - first) / (time.perf_counter() - t)


def tracing(measure, row, reps, quick):
    """Instructions per second with the full trace (all registers, disassembly, memory)."""
    fig = measure(lambda: _traced(300 if quick else 2000), reps)
    yield row("full trace", fig, "instructions/s",
              f"target ≥ 300,000: {'met' if fig[0] >= 300_000 else 'MISSED'}")


def _first_line(argv: list[str], marker: bytes) -> float:
    """Seconds from spawning ``argv`` to the first output line containing ``marker``."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)      # users' Pythons keep compiled bytecode
    t = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, env=env)
    for line in p.stdout:
        if marker in line:
            dt = time.perf_counter() - t
            break
    else:
        dt = float("nan")
    p.stdout.close()
    p.wait()
    return dt


def startup(measure, row, reps, quick):
    """Process start to the first trace line of `gosyscall run`, against `import unicorn`."""
    py = sys.executable
    _first_line([py, "-m", "emu", "run", "--no-color"], b"   1  ")     # warm caches
    ours = measure(lambda: _first_line([py, "-m", "emu", "run", "--no-color"], b"   1  "), reps)
    base = measure(lambda: _first_line([py, "-c", "import unicorn; print('ok')"], b"ok"), reps)
    r = ours[0] / base[0]
    yield row("`gosyscall run` start to first trace line", tuple(1000 * v for v in ours), "ms")
    yield row("`python -c \"import unicorn\"`", tuple(1000 * v for v in base), "ms",
              f"ratio {r:.2f} (target ≤ 1.5: {'met' if r <= 1.5 else 'MISSED'})")


SPIN_STUB = """TEXT ·Spin(SB),NOSPLIT,$0-56
    mov rbx, 5000                      ; MOVQ $5000, BX
spin:
    dec rbx                            ; DECQ BX
    jne spin                           ; JNE spin   (5000 × 2 = 10 000 instructions)
    mov rax, qword ptr [rsp+0x8]       ; MOVQ trap+0(FP), AX
    syscall                            ; SYSCALL
    mov qword ptr [rsp+0x28], rax      ; MOVQ AX, r1+32(FP)
    ret                                ; RET
"""


def _debugger():
    import tempfile

    from asm.userstub import load_user_stub
    from emu.repl.debugger import Debugger
    with tempfile.NamedTemporaryFile("w", suffix=".s", delete=False) as f:
        f.write(SPIN_STUB)
    try:
        stub = load_user_stub(f.name)
    finally:
        os.unlink(f.name)
    s = Session(extra_stubs=[stub])
    return Debugger(s, stub.name, GETPID, [])


def _si_seconds(steps: int) -> float:
    dbg = _debugger()
    dbg.stepi()                                   # into the stub: the spin loop from here on
    t = time.perf_counter()
    for _ in range(steps):
        dbg.stepi()
    return (time.perf_counter() - t) / steps


def _continue_seconds() -> float:
    dbg = _debugger()
    syscall_at = next(a for a, i in dbg.image.insns.items() if i.stub == "main.Spin" and i.intel == "syscall")
    dbg.add_breakpoint(syscall_at)
    t = time.perf_counter()
    stop = dbg.cont()
    dt = time.perf_counter() - t
    assert dbg.pc == syscall_at, stop
    return dt


def repl(measure, row, reps, quick):
    """The REPL: one `si`, and `continue` to a breakpoint 10 000 instructions away."""
    si = measure(lambda: _si_seconds(100 if quick else 500), reps)
    yield row("REPL `si`", tuple(1e6 * v for v in si), "µs per step")
    c = measure(_continue_seconds, reps)
    yield row("REPL `continue` to a breakpoint 10 000 instructions away", tuple(1e3 * v for v in c), "ms")


GOLDEN_CALLS = ["getpid", "close -1", "999", "read fd:/hello.txt buf:64 64", "gettid"]
STUBS = ["Syscall", "Syscall6", "RawSyscall", "RawSyscall6"]


def _golden_suite(tmp: str, update: bool) -> float:
    """Seconds for pytest to run 100 golden tests (a subprocess, as a user runs them)."""
    cases = [f"{c} --stub {s}" for c in GOLDEN_CALLS for s in STUBS]
    cases = (cases * 5)[:100]
    body = "".join(f"def test_g{i}(gosyscall_golden):\n    gosyscall_golden.run('g{i}', {c!r})\n\n"
                   for i, c in enumerate(cases))
    with open(os.path.join(tmp, "test_goldens.py"), "w") as f:
        f.write(body)
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    argv = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", tmp]
    t = time.perf_counter()
    r = subprocess.run(argv + (["--gosyscall-update"] if update else []), cwd=tmp, env=env,
                       capture_output=True, text=True)
    dt = time.perf_counter() - t
    if r.returncode != 0:
        raise RuntimeError(f"golden suite failed: {r.stdout[-500:]}")
    return dt


def goldens(measure, row, reps, quick):
    """The golden suite: pytest checking 100 goldens (each a traced run and a compare)."""
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        _golden_suite(tmp, update=True)
        fig = measure(lambda: _golden_suite(tmp, update=False), reps)
    yield row("golden suite: pytest checking 100 goldens", fig, "s", f"{100 / fig[0]:.0f} goldens/s")


def _scenario(n: int) -> dict:
    """One `threads` run (read, GOMAXPROCS 4) in a fresh process: wall time and peak RSS."""
    import json
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenario_threads.py")
    out = subprocess.run([sys.executable, script, str(n), "--one", "--gomaxprocs", "4"],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def scenarios(measure, row, reps, quick):
    from bench.table import summarize
    """`scenario threads` (read, GOMAXPROCS 4) for N = 100, 1000, 10 000: how cost grows."""
    walls = {}
    for n in (100, 1000) if quick else (100, 1000, 10000):
        runs = [_scenario(n) for _ in range(1 if n == 10000 or quick else reps)]
        fig = summarize([r["wall_s"] for r in runs])
        walls[n] = fig[0]
        rss = max(r["peak_rss_mib"] for r in runs)
        note = f"peak {rss} MiB RSS, {runs[0]['peak_ms']} Ms; {runs[0]['outcome']}"
        if n == 1000:
            note += f"; target < 10 s: {'met' if fig[0] < 10 else 'MISSED'}"
        if n == 10000 and walls.get(1000):
            r = fig[0] / walls[1000]
            note += f"; N=10000 / N=1000 = {r:.1f}× (target ≤ 12: {'met' if r <= 12 else 'MISSED'})"
        yield row(f"`scenario threads` N = {n}", fig, "s wall", note)


ALL = [syscalls, tracing, startup, repl, goldens, scenarios]
