"""emu/cli/verify.py — ``gosyscall verify``: the emulator checked against this machine's CPU.

Each case runs twice from the same bytes, addresses, registers and frame: natively, single-
stepped under ptrace (emu/verify/native_runner.c), and in the emulator. Every register is
compared after every instruction. Without a call on the command line the built-in cases run
(emu/verify/cases.py) through every stub of the profile, or through the ``--asm`` stub.
"""
from __future__ import annotations

import sys

from emu.errors import GosyscallError


def add_parser(sub, h) -> None:
    p = sub.add_parser("verify", help="run stubs natively (ptrace) and emulated; compare every step")
    h.call_args(p)
    h.common(p)
    p.add_argument("--steps", action="store_true", help="print every step of every case")


def run(ns) -> int:
    from emu.profile import load
    from emu.verify import report
    from emu.verify.cases import CASES
    from emu.verify.compare import DEFAULT_STEPS, run_case

    if ns.fs:
        raise GosyscallError("verify prepares its own files (no --fs): fd 3 is a file, 4/5 a pipe")
    extra = []
    if ns.asm:
        try:
            from asm.userstub import load_user_stub
        except ImportError:
            raise GosyscallError("--asm needs asm/userstub.py, which this build does not have") from None
        extra.append(load_user_stub(ns.asm))
    names = [s.name for s in extra] or list(load(ns.profile).entry_points)
    stubs = [ns.stub] if ns.stub else names
    calls = [[ns.syscall] + ns.args] if ns.syscall else [list(c.words) for c in CASES]
    budget = ns.budget or DEFAULT_STEPS
    out = sys.stdout
    results = []
    for stub in stubs:
        for words in calls:
            r = run_case(words, stub, ns.profile, extra, budget, ns.time_budget, ns.strict)
            if not results:        # after the first case, so a bad argument prints only its error
                print(f"gosyscall verify · profile {ns.profile} · native: this CPU, single-stepped "
                      "with ptrace", file=out)
                print(report.HEADER, file=out)
            results.append(r)
            print(report.verdict_line(r), file=out)
            if ns.steps:
                print("\n".join(report.step_lines(r)), file=out)
            for line in report.divergence_lines(r):
                print(line, file=out)
    print("\n".join(report.summary_lines(results)), file=out)
    return 0 if all(r.identical for r in results) else 1
