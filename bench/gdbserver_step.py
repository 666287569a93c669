"""bench/gdbserver_step.py — what one ``stepi`` costs over gdb's remote protocol.

    .venv/bin/python bench/gdbserver_step.py [STEPS]

Three figures, each the median of 5 rounds, on a stub that loops forever (``jmp``), so
every step is an ordinary instruction:

* the engine alone: ``Debugger.stepi(1)``, what the REPL's ``si`` runs;
* the protocol: a client on the loopback sends ``vCont;s`` and waits for the stop reply
  (no acknowledgements: ``QStartNoAckMode``, as gdb negotiates);
* gdb: ``stepi STEPS`` in batch mode, less the same session with ``stepi 1``, per step
  (gdb also reads registers and memory at every step).

A benchmark, not a test: it prints figures and the ratios between them.
"""
from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from emu.gdbserver.packets import frame  # noqa: E402
from tests.gdbserver.gdbhelp import Client, Served  # noqa: E402

ROUNDS = 5
SPIN = "TEXT ·Spin(SB),NOSPLIT,$0-56\nloop:\n    jmp loop    ; JMP loop\n"


def engine(stub: str, steps: int) -> float:
    from emu.cli.main import build_parser
    from emu.gdbserver.setup import open_target
    ns = build_parser(["gdbserver"]).parse_args(["gdbserver", "--asm", stub])
    d = tempfile.mkdtemp()
    try:
        target, _, close = open_target(ns, d)
        t0 = time.perf_counter()
        for _ in range(steps):
            target.dbg.stepi(1)
        return (time.perf_counter() - t0) / steps
    finally:
        shutil.rmtree(d, ignore_errors=True)


def protocol(stub: str, steps: int) -> float:
    with Served("--asm", stub) as s:
        c = Client(s.port)
        c.ask(b"QStartNoAckMode")
        t0 = time.perf_counter()
        for _ in range(steps):
            c.sock.sendall(frame(b"vCont;s:3e8;c"))
            it = c.item()
            assert it.kind == "packet" and it.payload.startswith(b"T05")
        per = (time.perf_counter() - t0) / steps
        c.sock.sendall(frame(b"k"))
        c.close()
    return per


def through_gdb(stub: str, steps: int) -> float:
    def session(n: int) -> float:
        with Served("--asm", stub) as s:
            t0 = time.perf_counter()
            subprocess.run(["gdb", "-nx", "-batch", "-ex", f"target remote 127.0.0.1:{s.port}",
                            "-ex", f"stepi {n}", "-ex", "kill"], capture_output=True, timeout=600)
            return time.perf_counter() - t0
    return (session(steps + 1) - session(1)) / steps


def median(fn, *args) -> tuple[float, float, float]:
    runs = [fn(*args) for _ in range(ROUNDS)]
    return statistics.median(runs), min(runs), max(runs)


def main() -> None:
    steps = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    with tempfile.TemporaryDirectory() as d:
        stub = os.path.join(d, "spin.s")
        with open(stub, "w") as f:
            f.write(SPIN)
        rows = [("engine: Debugger.stepi(1)", median(engine, stub, steps)),
                ("protocol: vCont;s round trip on loopback", median(protocol, stub, steps))]
        if shutil.which("gdb"):
            rows.append((f"gdb: stepi {steps}, per step", median(through_gdb, stub, steps)))
    base = rows[0][1][0]
    print(f"{'what':<44}{'µs per step (median of 5)':<28}{'min':>8}{'max':>9}   vs engine")
    for name, (med, lo, hi) in rows:
        print(f"{name:<44}{med * 1e6:<28.1f}{lo * 1e6:>8.1f}{hi * 1e6:>9.1f}   {med / base:.1f}×")
    if not shutil.which("gdb"):
        print("gdb: skipped (not installed)")


if __name__ == "__main__":
    threading.stack_size(0)
    main()
