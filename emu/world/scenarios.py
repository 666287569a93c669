"""emu/world/scenarios.py — the three experiments of ``gosyscall scenario``, as functions.

Each builds a World, configures the goroutine programs, runs it, and returns a plain dict
(JSON-ready) of what the model did. Nothing here decides an outcome: every number is read
off the run (threads the kernel created, tracer events the runtime model emitted, times on
the virtual clock).

- ``threads``: the classic case. main starts N goroutines, then sleeps (a nanosleep, standing
  for time.Sleep) and exits. Variants: ``read`` (Syscall(SYS_READ) on a pipe nobody writes),
  ``sleep`` (a loop of 1 ms nanosleeps), ``chan`` (``<-ch``: parked in the runtime, no
  syscall), ``raw`` (RawSyscall(SYS_READ): no entersyscall, so sysmon never retakes the P).
- ``block``: main blocks in one read for a chosen time while R goroutines compute or not;
  which exitsyscall path ran, and when sysmon looked at and retook the P.
- ``retake``: trials of "make a goroutine runnable, enter a syscall": entersyscall → the
  goroutine starting on the retaken P, with the P busy or idle between trials; or, with an
  idle P and nothing runnable, entersyscall → retake (the 10 ms rule).

Every run is bounded (:class:`Limits`): in virtual time (a run whose plan lasts longer than
``time_ns`` is refused before it starts), in guest instructions (what the computing
goroutines would execute is known in advance: more than ``insns`` is refused; the world
also stops at it), and in world steps (a thread's turn or a timer: host work that no
instruction count shows, e.g. N goroutines sleeping 1 ms at a time; the run stops at
``steps`` and says so in its outcome).
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable

from emu.errors import BudgetExceeded, GosyscallError
from emu.profile import DEFAULT, load
from emu.world.costs import Costs
from emu.world.options import SPIN_TURN  # instructions per turn of main.spin
from emu.world.programs import funcval, global_addr, put_global
from emu.world.setup import main_program, make_pipe, set_timespec, timespec, write_after_read
from emu.world.world import World
from runtime_py.throw import Throw

MS = 1_000_000
US = 1_000
SLEEPER_PERIOD_NS = 1 * MS          # the ``sleep`` variant's nanosleep
SYS_READ, SYS_NANOSLEEP = 0, 35
WORKERS = {"read": "main.reader", "sleep": "main.sleeper", "chan": "main.chanwaiter",
           "raw": "main.rawreader"}
VARIANTS = tuple(WORKERS)


@dataclass(frozen=True)
class Limits:
    """What one scenario run may use. Defaults: 10 s of virtual time (``run``'s time budget);
    10⁹ guest instructions (10–20 s of host time, measured on 2 shared cores); 100 000 world
    steps (each costs the host 0.2–0.35 ms: 20–35 s). A plan's computing may take 9/10 of the
    instructions; the rest is kept for the runtime's own code around it."""

    time_ns: int = 10 * 1_000_000_000
    insns: int = 1_000_000_000
    steps: int = 100_000

    def check(self, what: str, horizon_ns: int, insns: int = 0) -> None:
        """Refuse, before it starts, a run planned to last past ``time_ns`` or to compute past ``insns``."""
        if horizon_ns > self.time_ns:
            raise GosyscallError(f"{what}: a run is planned to last up to {seconds(horizon_ns)} of virtual "
                                 f"time, more than the time budget of {seconds(self.time_ns)} (--time-budget)")
        if insns > self.insns * 9 // 10:
            raise GosyscallError(f"{what}: its goroutines would compute {insns} guest instructions, more "
                                 f"than 9/10 of the budget of {self.insns} (--budget)")

    def world(self, profile: str, **kw) -> World:
        return World(profile, time_budget_ns=self.time_ns, insn_budget=self.insns, max_steps=self.steps, **kw)


def seconds(ns: int) -> str:
    """``10 s``, ``30.1 s``, ``3,000,000,000 s``."""
    return f"{ns / 1e9:,.3f}".rstrip("0").rstrip(".") + " s"


def threads_plan(duration_ns: int) -> int:
    """The virtual time a threads run may take (main's sleep, then 20 ms to see it end)."""
    return duration_ns + 20 * MS


def block_plan(block_ns: int, runnable: int, compute_ns: int | None, insn_ns: int) -> tuple[int, int]:
    """(virtual time, guest instructions) of a block run: the block, every runnable
    goroutine's computing one after another at worst, 100 ms to see the end."""
    compute_ns = 2 * block_ns if compute_ns is None else compute_ns
    return block_ns + compute_ns * max(1, runnable) + 100 * MS, runnable * (compute_ns // insn_ns)


def retake_plan(mode: str, trials: int, max_gap_ns: int, insn_ns: int) -> tuple[int, int]:
    """(virtual time, guest instructions) of a retake run at worst: every gap the longest."""
    block_ns = RETAKE_MODES[mode][3] if mode in RETAKE_MODES else 0
    busy = mode in RETAKE_MODES and RETAKE_MODES[mode][1] == "busy"
    return (trials * max_gap_ns + (trials + 1) * (block_ns + 2 * MS),
            trials * max_gap_ns // insn_ns if busy else 0)


class Tally:
    """A tap counting the runtime's tracer events (and entries of the runtime functions named
    in ``calls``) and remembering, with their times, the ones ``keep`` asks for."""

    def __init__(self, w: World, keep: Callable[[str, dict], bool] = lambda name, args: False,
                 calls: tuple[str, ...] = ()):
        self.w, self.keep = w, keep
        self.counts: dict[str, int] = {}
        self.kept: list[tuple[int, str, dict]] = []
        w.taps.append(self)
        for fn in calls:
            w.call_taps.setdefault(fn, []).append(self)

    def __call__(self, name: str, args: dict) -> None:
        self.counts[name] = self.counts.get(name, 0) + 1
        if self.keep(name, args):
            cur = self.w.cur
            self.kept.append((self.w.clock.now_ns, cur.name if cur else "host", name, dict(args),
                              cur.g if cur else None))


def run_world(w: World, until_t: int, progress=None) -> tuple:
    """Run to the end or to ``until_t``; a runtime throw ends the run as Go's would."""
    tick = [0]

    def until() -> bool:
        tick[0] += 1
        if progress is not None and tick[0] % 256 == 0:
            progress(w.clock.now_ns / until_t)
        return False

    try:
        why = w.run(until=until if progress is not None else None, until_t=until_t)
    except Throw as e:
        why = ("throw", e.msg)
    except BudgetExceeded as e:           # the world is left as it was; what it did is measured
        why = ("budget", str(e))
    finally:
        if progress is not None:
            progress(1.0)
    return why


def outcome_text(why: tuple) -> str:
    kind = why[0]
    if kind == "exit":
        return f"main exited ({why[1]})"
    if kind == "throw":
        return f"fatal error: {why[1]}"
    if kind == "time":
        return "main never finished (the time limit ended the run)"
    if kind == "budget":
        return f"stopped: {why[1]}"
    return "every thread waits forever" if kind == "idle" else kind


def _m_series(w: World) -> list[list[int]]:
    return [[t, n] for t, n in w.observer.mseries]


def _t_reach(series: list[list[int]], n: int) -> int | None:
    return next((t for t, c in series if c >= n), None)


def threads(variant: str, n: int, gomaxprocs: int, *, duration_ns: int = 1000 * MS,
            costs: Costs | None = None, check: bool = False, log=None, timeline=None,
            progress=None, profile: str = DEFAULT, limits: Limits = Limits()) -> dict:
    """N goroutines of ``variant`` under GOMAXPROCS Ps: how many Ms the model makes."""
    if variant not in WORKERS:
        raise ValueError(f"no variant {variant!r}; choose one of: {', '.join(VARIANTS)}")
    limits.check("threads", threads_plan(duration_ns))
    w = limits.world(profile, gomaxprocs=gomaxprocs, log=log, costs=costs, check=check, timeline=timeline)
    try:
        rfd, _wfd = make_pipe(w)                      # nobody ever writes it
        put_global(w, "main.fd", rfd)
        put_global(w, "main.ch", w.make_chan())
        set_timespec(w, "main.sleepts", SLEEPER_PERIOD_NS)
        entry = main_program(w, workers=n, worker=WORKERS[variant],
                             wait=(SYS_NANOSLEEP, timespec(w, duration_ns), 0, 0))
        tally = Tally(w, calls=("handoffp",))
        w.boot(entry)
        why = run_world(w, threads_plan(duration_ns), progress)
        series = _m_series(w)
        peak = series[-1][1]
        in_syscall = sum(1 for th in w.threads.values() if th.wait is not None and th.wait.guest)
        return {
            "scenario": "threads", "variant": variant, "n": n, "gomaxprocs": gomaxprocs,
            "duration_ns": duration_ns, "peak_ms": peak,
            "t90_ns": _t_reach(series, -(-9 * peak // 10)), "t_peak_ns": series[-1][0],
            "goroutines_started": len(w.started) - 1, "ms_in_syscall_at_end": in_syscall,
            "ps_retaken": tally.counts.get("handoffp", 0),
            "end_ns": w.clock.now_ns, "outcome": outcome_text(why), "m_series": series,
        }
    finally:
        w.close()


# -- block -------------------------------------------------------------------------------------
EXIT_PATHS = {"exitsyscallfast_reacquired": "same P (exitsyscallfast: its P was still _Psyscall)",
              "exitsyscallfast_pidle": "idle P (exitsyscallfast_pidle)",
              "exitsyscall0": "no P: exitsyscall0 (g → global run queue, its M stops)"}
_BLOCK_CALLS = {"handoffp", "startm", "newm", "mget", "exitsyscall", "exitsyscallfast",
                *EXIT_PATHS, "stopm", "acquirep"}


def _keep_block(name: str, args: dict) -> bool:
    return name in _BLOCK_CALLS or name in ("GoSysCall", "GoStart", "GoSysBlock", "note")


def block(block_ns: int, runnable: int, gomaxprocs: int, *, compute_ns: int | None = None,
          warm: bool = True, costs: Costs | None = None, check: bool = False, log=None,
          timeline=None, profile: str = DEFAULT, limits: Limits = Limits()) -> dict:
    """main (g1) reads a pipe that a timer writes ``block_ns`` after the read starts, while
    ``runnable`` goroutines each compute for ``compute_ns`` (default: twice the block).
    ``warm``: main first makes a short syscall, so the read is not its P's first one (a P's
    first syscall is never "first sighted" by sysmon: both ticks start at 0)."""
    horizon, insns = block_plan(block_ns, runnable, compute_ns, (costs or Costs()).insn_ns)
    limits.check("block", horizon, insns)
    w = limits.world(profile, gomaxprocs=gomaxprocs, log=log, costs=costs, check=check, timeline=timeline)
    try:
        compute_ns = 2 * block_ns if compute_ns is None else compute_ns
        rfd, wfd = make_pipe(w)
        write_after_read(w, rfd, wfd, block_ns)
        put_global(w, "main.iters", max(1, compute_ns // (SPIN_TURN * w.costs.insn_ns)))
        entry = main_program(w, workers=runnable, worker="main.compute",
                             wait=(SYS_READ, rfd, global_addr(w, "main.buf"), 8),
                             pre_ns=1 * US if warm else None)
        tally = Tally(w, keep=_keep_block, calls=tuple(_BLOCK_CALLS))
        g1 = w.boot(entry)
        why = run_world(w, horizon)
        return {"scenario": "block", "block_ns": block_ns, "runnable": runnable,
                "gomaxprocs": gomaxprocs, "compute_ns": compute_ns, "warm": warm,
                **_milestones(tally.kept, g1), "outcome": outcome_text(why),
                "peak_ms": len(w.threads), "end_ns": w.clock.now_ns, "m_series": _m_series(w)}
    finally:
        w.close()


def _milestones(kept: list, g1) -> dict:
    """Read the path of main's read off the recorded events (see block())."""
    start = max((i for i, (_t, _m, n, a, _g) in enumerate(kept) if n == "GoSysCall" and a.get("g") is g1),
                default=None)
    out: dict = {"t_enter_ns": None, "first_look_ns": None, "retake_ns": None, "handoff": None,
                 "other_start_ns": None, "other_g": None, "t_return_ns": None, "exit_path": None,
                 "g1_runs_again_ns": None, "events": []}
    if start is None:                 # the run was stopped before main's read began
        return out
    out["t_enter_ns"] = kept[start][0]
    p = None
    for t, m, name, args, gp in kept[start:]:
        text = _event_text(name, args)
        if text is not None:
            out["events"].append([t, m, text])
        if name == "note" and "first sighting" in args["text"] and out["first_look_ns"] is None:
            out["first_look_ns"] = t
        elif name == "handoffp" and out["retake_ns"] is None and out["t_return_ns"] is None:
            out["retake_ns"], p = t, args["_p_"]
        elif name == "mget" and out["retake_ns"] is not None and out["handoff"] is None:
            out["handoff"] = "an idle M (mget)"
        elif name == "newm" and out["handoff"] == "an idle M (mget)" and out["other_start_ns"] is None:
            out["handoff"] = "a new M (mget found none: newm → clone)"
        elif (name == "GoStart" and p is not None and args.get("p") is p and args.get("g") is not g1
              and out["other_start_ns"] is None and out["t_return_ns"] is None):
            out["other_start_ns"], out["other_g"] = t, args["g"].goid
        elif name == "exitsyscall" and gp is g1 and out["t_return_ns"] is None:
            out["t_return_ns"] = t
        elif name in EXIT_PATHS and out["t_return_ns"] is not None and out["exit_path"] is None:
            out["exit_path"] = name
        elif (name == "GoStart" and args.get("g") is g1 and out["exit_path"] == "exitsyscall0"
              and out["g1_runs_again_ns"] is None):
            out["g1_runs_again_ns"] = t
    if out["exit_path"] != "exitsyscall0" and out["t_return_ns"] is not None:
        out["g1_runs_again_ns"] = out["t_return_ns"]
    if out["first_look_ns"] is None and out["retake_ns"] is not None:
        out["first_look_ns"] = out["retake_ns"]       # a P's first syscall: retaken at the first look
    return out


def _event_text(name: str, args: dict) -> str | None:
    if name == "note":
        return args["text"]
    if name in ("GoSysCall", "GoStart", "GoSysBlock"):
        who = " ".join(f"{k}={_short(v)}" for k, v in args.items() if k in ("g", "p"))
        return f"{name} {who}"
    if name in ("handoffp", "startm", "newm", "mget", "exitsyscall", *EXIT_PATHS, "stopm"):
        return f"runtime.{name}(" + ", ".join(f"{k}={_short(v)}" for k, v in args.items()
                                              if k in ("_p_", "spinning", "gp", "fn")) + ")"
    return None


def _short(v) -> str:
    kind = type(v).__name__
    if kind == "g":
        return f"g{v.goid}"
    if kind in ("m", "p"):
        return f"{kind}{v.id}"
    return str(getattr(v, "__name__", v))


# -- retake ------------------------------------------------------------------------------------
RETAKE_MODES = {
    # mode: (GOMAXPROCS, what keeps the P between trials, start a probe goroutine?, block)
    "busy": (1, "busy", True, 25 * MS),
    "idle": (1, "idle", True, 25 * MS),
    "10ms": (2, "busy", False, 45 * MS),
}


def retake(mode: str, trials: int, *, seed: int = 1, max_gap_ns: int = 16 * MS,
           costs: Costs | None = None, check: bool = False, log=None, timeline=None,
           progress=None, profile: str = DEFAULT, limits: Limits = Limits()) -> dict:
    """``trials`` rounds of: a gap (the P computes, or main sleeps and the P idles), start a
    probe goroutine (not in the 10 ms mode), enter a nanosleep. Latency: entersyscall → the
    probe starting on the retaken P; in the 10 ms mode (an idle P, nothing runnable)
    entersyscall → retake. Gaps are uniform in [0, max_gap_ns) from ``seed``. A first,
    unmeasured trial makes the P's first syscall (which sysmon never first-sights)."""
    if mode not in RETAKE_MODES:
        raise ValueError(f"no retake mode {mode!r}; choose one of: {', '.join(RETAKE_MODES)}")
    P = load(profile).programs
    MAX_TRIALS, TRIAL_BUSY, TRIAL_SIZE, TRIAL_SLEEP = P.MAX_TRIALS, P.TRIAL_BUSY, P.TRIAL_SIZE, P.TRIAL_SLEEP
    if not 1 <= trials < MAX_TRIALS:
        raise ValueError(f"trials must be 1 to {MAX_TRIALS - 1}, not {trials}")
    procs, between, probe, block_ns = RETAKE_MODES[mode]
    limits.check(f"retake {mode}", *retake_plan(mode, trials, max_gap_ns, (costs or Costs()).insn_ns))
    rng = random.Random(seed)
    gaps = [1 * US] + [rng.randrange(max_gap_ns) for _ in range(trials)]
    w = limits.world(profile, gomaxprocs=procs, log=log, costs=costs, check=check, timeline=timeline)
    try:
        insn_ns = w.costs.insn_ns
        for i, gap in enumerate(gaps):
            busy = between == "busy" and i > 0
            words = (TRIAL_BUSY if busy else TRIAL_SLEEP, max(1, gap // (SPIN_TURN * insn_ns)),
                     *divmod(gap, 1_000_000_000))
            for k, v in enumerate(words):
                put_global(w, "main.trial", v, i * TRIAL_SIZE // 8 + k)
        put_global(w, "main.ntrials", len(gaps))
        put_global(w, "main.probefn", funcval(w, "main.probe") if probe else 0)
        set_timespec(w, "main.blockts", block_ns)
        tally = Tally(w, keep=lambda n, a: n in ("GoSysCall", "GoCreate", "GoStart", "handoffp",
                                                  "exitsyscall"), calls=("handoffp", "exitsyscall"))
        g1 = w.boot(w.image.symbols["main.trials"])
        horizon = sum(gaps) + len(gaps) * (block_ns + 2 * MS)
        why = run_world(w, horizon, progress)
        kinds = [TRIAL_SLEEP] + [TRIAL_BUSY if between == "busy" else TRIAL_SLEEP] * trials
        lat = _latencies(tally.kept, g1, [k == TRIAL_SLEEP for k in kinds], probe)[1:]
        return {"scenario": "retake", "mode": mode, "gomaxprocs": procs, "trials": trials,
                "seed": seed, "max_gap_ns": max_gap_ns, "between": between, "block_ns": block_ns,
                "gaps_ns": gaps[1:], "latency_ns": lat, "outcome": outcome_text(why),
                "end_ns": w.clock.now_ns, "m_series": _m_series(w),
                "measures": "entersyscall → probe starts" if probe else "entersyscall → retake"}
    finally:
        w.close()


def _latencies(kept: list, g1, sleeps: list[bool], probe: bool) -> list[int | None]:
    """Per trial: from main's measured entersyscall to the probe's GoStart (or to the retake's
    handoffp); None if that never happened before main's syscall returned. ``sleeps[i]``:
    trial i's gap is a nanosleep, i.e. one more syscall of main before the measured one."""
    measured = [m for sleep in sleeps for m in ((False, True) if sleep else (True,))]
    out: list[int | None] = []
    calls = 0
    t_enter = want = None
    for t, _m, name, args, gp in kept:
        if name == "GoCreate":
            want = args["g"]
        elif name == "GoSysCall" and args.get("g") is g1:
            t_enter = t if calls < len(measured) and measured[calls] else None
            calls += 1
            if t_enter is not None:
                out.append(None)
        elif t_enter is None:
            continue
        elif (probe and name == "GoStart" and args.get("g") is want) or (not probe and name == "handoffp"):
            out[-1], t_enter = t - t_enter, None
        elif name == "exitsyscall" and gp is g1:
            t_enter = None
    return out


def to_log(name: str, **params):
    """Run scenario ``name`` ("threads", "block" or "retake") keeping every event, for golden
    traces of small runs: ``to_log("threads", variant="read", n=2, gomaxprocs=1,
    duration_ns=2 * MS).events``. The result dict is ``log.result``."""
    from emu.trace.events import EventLog
    log = EventLog()
    log.result = {"threads": threads, "block": block, "retake": retake}[name](**params, log=log)
    return log
