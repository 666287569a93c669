"""bench/run.py — the benchmark table: every figure the median of several repetitions (min
and max beside it), every ratio between figures measured in this one run.

    python bench/run.py [--quick]

Not part of the test command. Sections: Syscall round trips (gosyscall vs the do-nothing
hook floor on bare Unicorn, same image, same in-guest loop), full-trace speed, start-up
time, the REPL, `scenario threads`, the golden suite. A section whose piece is missing says
so instead of a figure.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench import sections  # noqa: E402
from bench.table import measure, row  # noqa: E402


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="bench/run.py")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    ns = ap.parse_args(argv)
    reps = 3 if ns.quick else 5
    print(f"gosyscall benchmarks · {time.strftime('%Y-%m-%d')} · Python {sys.version.split()[0]} · "
          f"{os.cpu_count()} cores")
    print("| what | figure (median of %d) | vs target |" % reps)
    print("| --- | --- | --- |")
    for section in sections.ALL:
        for line in section(measure, row, reps, ns.quick):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
