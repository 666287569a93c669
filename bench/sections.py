"""bench/sections.py — one function per benchmark section; each yields table rows."""
from __future__ import annotations

import os
import subprocess
import sys
import time

from emu import layout as L
from emu.events import EventLog
from emu.session import Session

GETPID = 39


def _loop_floor(image, calls: int, fast: bool) -> float:
    """Calls/s of the same stub and loop on bare Unicorn with do-nothing hooks."""
    from unicorn import UC_ARCH_X86, UC_HOOK_CODE, UC_HOOK_INSN, UC_MODE_64, Uc
    from unicorn.x86_const import UC_X86_INS_SYSCALL, UC_X86_REG_R12, UC_X86_REG_RSP
    from emu.fasthooks import add_code_hook, add_syscall_hook
    uc = Uc(UC_ARCH_X86, UC_MODE_64)
    uc.mem_map(L.TEXT_BASE, L.TEXT_SIZE)
    uc.mem_write(image.base, image.code)
    uc.mem_map(L.RUNTIME_TEXT, L.RUNTIME_TEXT_SIZE)
    for a in L.TRAMPOLINES.values():
        uc.mem_write(a, b"\xc3")
        if fast:
            add_code_hook(uc, lambda _a, _s: None, a, a)
        else:
            uc.hook_add(UC_HOOK_CODE, lambda *_: None, None, a, a)
    if fast:
        add_syscall_hook(uc, lambda: None)
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
    yield row("Qiling running the same stub", "not measured", "optional: see README")


def _traced(calls: int) -> float:
    from emu.tracer import Tracer
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


ALL = [syscalls, tracing, startup]
