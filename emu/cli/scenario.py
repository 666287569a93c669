"""emu/cli/scenario.py — ``gosyscall scenario``: why Go takes over syscalls, measured in the thread world.

    gosyscall scenario threads [--variant read|sleep|chan|raw|all] [--n 1,10,100,1000] [--gomaxprocs 1,2,4]
    gosyscall scenario block   [--block 30us,5ms,50ms] [--runnable 0,1] [--gomaxprocs 1,2] [--cold]
    gosyscall scenario retake  [--mode busy,idle,10ms] [--trials 30] [--seed 1]

Each prints a table (``--json``: the results as JSON), and can write a timeline of one run
(``--timeline FILE``, Chrome trace-event JSON for Perfetto) or a PNG of the M count over
virtual time (``--plot FILE.png``, needs the ``plot`` extra: matplotlib).
"""
from __future__ import annotations

import json

from emu.atomic import write_atomic
from emu.bridge.argspec import parse_duration
from emu.errors import BudgetExceeded, GosyscallError
from emu.profile import load
from emu.world import report as R
from emu.world import scenarios as S
from emu.world.costs import MAX_GOROUTINES, Costs
from emu.world.timeline import Timeline

EXPLAIN = {
    "read": "N goroutines blocked in Syscall(SYS_READ) on a pipe nobody writes",
    "sleep": "N goroutines each looping on Syscall(SYS_NANOSLEEP, 1 ms)",
    "chan": "N goroutines blocked in <-ch (the runtime parks them: no syscall)",
    "raw": "N goroutines blocked in RawSyscall(SYS_READ) (no entersyscall: sysmon never retakes the P a "
           "raw reader holds; \"Ps retaken\" counts main's own Syscall sleep)",
}


def _ints(text: str) -> list[int]:
    try:
        out = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise GosyscallError(f"not a list of whole numbers: {text!r} (e.g. 1,10,100)") from None
    if not out:
        raise GosyscallError("an empty list")
    return out


def _durations(text: str, option: str = "--block") -> list[int]:
    import argparse
    try:
        return [parse_duration(x) for x in text.split(",") if x.strip()]
    except argparse.ArgumentTypeError as e:
        raise GosyscallError(f"{option}: {e}") from None


def add_parser(sub, h) -> None:
    p = sub.add_parser("scenario", help="measure the thread world: blocked syscalls, sysmon, retake")
    p.add_argument("name", choices=("threads", "block", "retake"), help="which experiment")
    h.profile(p)
    p.add_argument("--gomaxprocs", default=None, metavar="P[,P..]", help="Ps per run (list: one run each)")
    p.add_argument("--seed", type=int, default=1, help="retake: seed of the random gaps (the other "
                   "scenarios draw no random numbers)")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--timeline", metavar="FILE", help="write one run's timeline (Chrome trace JSON)")
    p.add_argument("--plot", metavar="FILE.png", help="threads: plot the M count over virtual time")
    p.add_argument("--insn-ns", type=int, default=None, metavar="NS", help="virtual ns per guest instruction (default 1)")
    p.add_argument("--timer-slack", type=parse_duration, default=None, metavar="T",
                   help="every thread's timer slack (default 50us, Linux's for a normal thread)")
    p.add_argument("--check", action="store_true", help="check the scheduler's invariants after every step")
    d = S.Limits()
    p.add_argument("--time-budget", type=parse_duration, default=d.time_ns, metavar="T",
                   help=f"virtual time one run may last (default {d.time_ns // 10**9}s): a run planned "
                        "longer (--block, --duration, --compute, --max-gap × --trials) is refused before it starts")
    p.add_argument("--budget", type=int, default=d.insns, metavar="N",
                   help=f"guest instructions one run may execute (default {d.insns:,}, 10-20 s of host "
                        "time); computing planned past 9/10 of it is refused before the run starts")
    p.add_argument("--max-steps", type=int, default=d.steps, metavar="N",
                   help=f"world steps (a thread's turn, a timer) one run may take (default {d.steps:,}, "
                        "20-35 s of host time); a run that reaches it stops and says so")
    g = p.add_argument_group("threads")
    g.add_argument("--variant", default="read", help="read, sleep, chan, raw, or all (default read)")
    g.add_argument("--n", default="1,10,100,1000", metavar="N[,N..]", help="goroutines (default 1,10,100,1000)")
    g.add_argument("--duration", type=parse_duration, default=1_000_000_000, metavar="T",
                   help="how long main sleeps before it exits (default 1s)")
    g = p.add_argument_group("block")
    g.add_argument("--block", default="30us,5ms,50ms", metavar="T[,T..]", help="how long the read blocks")
    g.add_argument("--runnable", default="0,1", metavar="R[,R..]", help="goroutines computing meanwhile")
    g.add_argument("--compute", type=parse_duration, default=None, metavar="T",
                   help="how long each of them computes (default: twice the block)")
    g.add_argument("--cold", action="store_true", help="no syscall before the read: it is its P's first")
    g = p.add_argument_group("retake")
    g.add_argument("--mode", default="busy,idle,10ms", help="busy, idle and/or 10ms")
    g.add_argument("--trials", type=int, default=30, help="trials per mode (default 30)")
    g.add_argument("--max-gap", type=parse_duration, default=16_000_000, metavar="T",
                   help="gaps between trials are uniform in [0, T) (default 16ms)")


def run(ns) -> int:
    load(ns.profile)                  # an unknown profile: one line naming the supported ones
    if ns.plot and ns.name != "threads":
        raise GosyscallError(f"--plot draws the M counts of `scenario threads`; `scenario {ns.name}` "
                             "has no such plot (--timeline writes its timeline for Perfetto)")
    costs = Costs(**{k: v for k, v in (("insn_ns", ns.insn_ns), ("timer_slack_ns", ns.timer_slack))
                     if v is not None})
    for opt, v in (("--budget", ns.budget), ("--max-steps", ns.max_steps)):
        if v < 1:
            raise GosyscallError(f"{opt} is a count, at least 1, not {v}")
    ns.limits = S.Limits(time_ns=ns.time_budget, insns=ns.budget, steps=ns.max_steps)
    results, lines = {"threads": _threads, "block": _block, "retake": _retake}[ns.name](ns, costs)
    if ns.json:
        print(json.dumps(results, indent=1, default=str))
    else:
        print("\n".join(lines))
    stopped = [r["outcome"] for r in results if r["outcome"].startswith("stopped: ")]
    if stopped:                       # the table is printed; the bound that cut a run is said
        raise BudgetExceeded(f"{len(stopped)} of {len(results)} runs did not finish: "
                             f"{stopped[0][len('stopped: '):]}")
    return 0


def _one_timeline(ns, runs: int) -> Timeline | None:
    if not ns.timeline:
        return None
    if runs != 1:
        raise GosyscallError(f"--timeline writes one run's timeline, but these options ask for {runs} "
                             "runs: give single values")
    return Timeline()


def _write_timeline(ns, tl: Timeline | None, title: str, res: dict) -> None:
    if tl is not None:
        tl.close(res["end_ns"])
        write_atomic(ns.timeline, tl.chrome(res["m_series"], title).encode())


def _grid(ns, name: str, default: str) -> list[int]:
    return _ints(getattr(ns, name) if getattr(ns, name) is not None else default)


def _threads(ns, costs: Costs):
    variants = list(S.VARIANTS) if ns.variant == "all" else ns.variant.split(",")
    for v in variants:
        if v not in S.WORKERS:
            raise GosyscallError(f"no variant {v!r}; choose from: {', '.join(S.VARIANTS)}, all")
    grid_n, grid_p = _ints(ns.n), _grid(ns, "gomaxprocs", "1,2,4")
    for n in grid_n:
        if n < 0:
            raise GosyscallError(f"--n {n}: a number of goroutines, 0 or more")
        if n > MAX_GOROUTINES - 1:
            raise GosyscallError(f"--n {n}: the world holds at most {MAX_GOROUTINES - 1} goroutines besides main")
    ns.limits.check("threads", S.threads_plan(ns.duration))
    tl = _one_timeline(ns, len(variants) * len(grid_n) * len(grid_p))
    results, lines = [], []
    for v in variants:
        rows = []
        lines += [f"threads · {v}: {EXPLAIN[v]}; main sleeps {R.dur(ns.duration)}, then exits", ""]
        for n in grid_n:
            for p in grid_p:
                label = f"threads {v} N={n} GOMAXPROCS={p}"
                bar = R.Progress(label)
                try:
                    res = S.threads(v, n, p, duration_ns=ns.duration, costs=costs, check=ns.check, profile=ns.profile,
                                    timeline=tl, progress=bar, limits=ns.limits)
                finally:
                    bar.close()
                _write_timeline(ns, tl, label, res)
                results.append(res)
                rows.append([n, p, res["peak_ms"], R.dur(res["t90_ns"]), R.dur(res["t_peak_ns"]),
                             res["goroutines_started"], res["ms_in_syscall_at_end"], res["ps_retaken"],
                             res["outcome"]])
        lines += R.table(["N", "GOMAXPROCS", "peak Ms", "t(90% of peak)", "t(peak)", "started",
                          "Ms in syscalls", "Ps retaken", "outcome"], rows, right={0, 1, 2, 3, 4, 5, 6, 7})
        lines += ["", "Ms over virtual time:"] + R.m_count_table([r for r in results if r["variant"] == v]) + [""]
    if ns.plot:
        R.plot_m_counts(ns.plot, results, "gosyscall scenario threads: Ms over virtual time")
    return results, lines


def _block(ns, costs: Costs):
    blocks, runnables, procs = _durations(ns.block), _ints(ns.runnable), _grid(ns, "gomaxprocs", "1,2")
    texts = [x.strip() for x in ns.block.split(",") if x.strip()]
    for text, d in zip(texts, blocks):   # every run's plan, before the first one starts
        for r in runnables:
            ns.limits.check(f"block --block {text} --runnable {r}", *S.block_plan(d, r, ns.compute, costs.insn_ns))
    tl = _one_timeline(ns, len(blocks) * len(runnables) * len(procs))
    results, rows = [], []
    for d in blocks:
        for r in runnables:
            for p in procs:
                res = S.block(d, r, p, compute_ns=ns.compute, warm=not ns.cold, costs=costs, profile=ns.profile,
                              check=ns.check, timeline=tl, limits=ns.limits)
                _write_timeline(ns, tl, f"block {R.dur(d)} runnable={r} GOMAXPROCS={p}", res)
                results.append(res)
                rel = lambda k: R.dur(None if res[k] is None or res["t_enter_ns"] is None
                                      else res[k] - res["t_enter_ns"])
                rows.append([R.dur(d), r, p, rel("first_look_ns"), rel("retake_ns"),
                             rel("other_start_ns"), rel("t_return_ns"),
                             S.EXIT_PATHS.get(res["exit_path"], "—"), rel("g1_runs_again_ns")])
    lines = ["block · main (g1) reads a pipe that a timer writes T after the read starts; R goroutines "
             "compute meanwhile", "the table's times count from main's entersyscall" + ("" if not ns.cold else
                                                                     " (cold: the read is its P's first syscall)"), ""]
    lines += R.table(["T", "R", "GOMAXPROCS", "sysmon 1st look", "P retaken", "other g on P",
                      "read returns", "exitsyscall path", "g1 runs again"], rows, right={1, 2, 3, 4, 5, 6, 8})
    if len(results) == 1:
        lines += ["", "what happened, in order (virtual time since the program started; main's "
                  f"entersyscall at {R.dur(results[0]['t_enter_ns'])}):"]
        lines += [f"  {R.dur(t):>11}  {m:<5} {text}" for t, m, text in results[0]["events"]]
    return results, lines


def _retake(ns, costs: Costs):
    modes = ns.mode.split(",")
    if ns.gomaxprocs is not None:
        raise GosyscallError("retake: each mode sets its own GOMAXPROCS (busy and idle 1, 10ms 2)")
    for m in modes:
        if m not in S.RETAKE_MODES:
            raise GosyscallError(f"no mode {m!r}; choose from: {', '.join(S.RETAKE_MODES)}")
    for m in modes:
        ns.limits.check(f"retake {m} --trials {ns.trials} --max-gap {S.seconds(ns.max_gap)}",
                        *S.retake_plan(m, ns.trials, ns.max_gap, costs.insn_ns))
    tl = _one_timeline(ns, len(modes))
    results, lines = [], []
    for m in modes:
        label = f"retake {m}"
        bar = R.Progress(label)
        try:
            res = S.retake(m, ns.trials, seed=ns.seed, max_gap_ns=ns.max_gap, costs=costs, profile=ns.profile,
                           check=ns.check, timeline=tl, progress=bar, limits=ns.limits)
        finally:
            bar.close()
        _write_timeline(ns, tl, label, res)
        results.append(res)
        between = {"busy": "the P computes between trials", "idle": "main sleeps between trials (the P idles)",
                   "10ms": "an idle P and nothing runnable (GOMAXPROCS 2, no probe)"}[m]
        lines += [f"retake · {m}: {between}; measured: {res['measures']}; "
                  f"gaps uniform in [0, {R.dur(ns.max_gap)}), seed {ns.seed}", ""]
        lines += R.distribution(res["latency_ns"]) + [""]
    return results, lines
