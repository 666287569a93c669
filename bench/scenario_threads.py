"""bench/scenario_threads.py — what the classic case costs: ``threads`` (read variant) at
N = 1000 and N = 10000 goroutines, wall time and peak memory of each. A benchmark, not a test.

    .venv/bin/python bench/scenario_threads.py [N ...] [--gomaxprocs P] [--variant V]

Each N runs in a fresh Python process (so its peak RSS, VmHWM from /proc, is its own)
with the scenario's defaults (main sleeps 1 s of virtual time). Targets (issue 3): N=1000
with GOMAXPROCS=4 under 10 s; N=10000 at most 12 × N=1000. At N=10000 the read variant ends in
go1.10's own "thread exhaustion" throw (sched.maxmcount = 10000): that is the model's result,
and the run still creates 10 000 threads.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, ".."))


def _peak_rss_kib() -> int | None:
    """This process image's peak RSS (VmHWM). Not ru_maxrss: Linux keeps that high-water
    mark across exec, so a child of a big parent would report the parent's peak."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def one(variant: str, n: int, procs: int) -> dict:
    """Run one scenario in this process; what it cost."""
    import resource

    from emu.world.scenarios import threads
    start = time.perf_counter()
    r = threads(variant, n, procs)
    wall = time.perf_counter() - start
    rss_kib = _peak_rss_kib() or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"variant": variant, "n": n, "gomaxprocs": procs, "wall_s": round(wall, 2),
            "peak_rss_mib": round(rss_kib / 1024, 1), "peak_ms": r["peak_ms"],
            "virtual_end_ms": round(r["end_ns"] / 1e6, 1), "outcome": r["outcome"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="*", type=int, default=[1000, 10000])
    ap.add_argument("--gomaxprocs", type=int, default=4)
    ap.add_argument("--variant", default="read")
    ap.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    ns = ap.parse_args()
    if ns.one:
        print(json.dumps(one(ns.variant, ns.n[0], ns.gomaxprocs)))
        return 0
    rows = []
    for n in ns.n:
        out = subprocess.run([sys.executable, os.path.abspath(__file__), str(n), "--one",
                              "--gomaxprocs", str(ns.gomaxprocs), "--variant", ns.variant],
                             capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout))
    head = ("variant", "n", "gomaxprocs", "wall_s", "peak_rss_mib", "peak_ms", "virtual_end_ms", "outcome")
    print("  ".join(f"{h:>14}" for h in head))
    for r in rows:
        print("  ".join(f"{str(r[h]):>14}" for h in head))
    by_n = {r["n"]: r["wall_s"] for r in rows}
    if 1000 in by_n and 10000 in by_n and by_n[1000]:
        print(f"N=10000 / N=1000 wall time: {by_n[10000] / by_n[1000]:.1f}× (target ≤ 12×); "
              f"N=1000: {by_n[1000]} s (target < 10 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
