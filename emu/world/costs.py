"""emu/world/costs.py — what things cost in virtual time, and the world's limits.

Every value here is a modelling choice with the reason written next to it; none is measured
on the host at run time (nothing reads the host clock). ``Costs`` bundles them so a run can
change one (``--insn-ns``) and a test can pin them.

Where time goes:
- guest instructions: ``insn_ns`` each (counted per translated block, see world.py);
- a syscall: the kernel model charges ``SYSCALL_COST_NS`` (emu/kernel/dispatch.py, 100 ns)
  to the calling thread, guest or runtime;
- a sleep: its timeout plus Linux's timer slack — ``timer_slack_ns``, by default the kernel
  model's ``DEFAULT_TIMER_SLACK_NS`` = 50 µs, a normal thread's (init/init_task.c ``.timer_slack_ns = 50000``; prctl(2) PR_SET_TIMERSLACK),
  or, for pselect6 (go1.10's usleep), fs/select.c's ``select_estimate_accuracy``: 0.1 % of
  the timeout, at least the thread's slack (emu/kernel/systime.py). So sysmon's 20 µs
  ``usleep`` lasts 70 µs, as on Linux;
- ``clone_ns`` from clone() to the new thread's first instruction;
- ``switch_ns`` from the moment a blocked thread may run again (futex wake, pipe data, timer
  expiry) to the moment it runs: the kernel's wake-up path and context switch;
- the runtime model's own Go code: no time. Its functions are Python and stand for a few
  hundred nanoseconds of real Go code at most, which would only blur the µs and ms effects
  this world is about.
"""
from __future__ import annotations

from dataclasses import dataclass

from emu.kernel.dispatch import DEFAULT_TIMER_SLACK_NS

# 1 ns per guest instruction: a ~3 GHz core retiring about one instruction every three cycles
# on the dependent integer code the programs run (imul chains). Configurable with --insn-ns.
INSN_NS = 1

# clone() to the new thread running: Linux thread creation is of the order of 10 µs
# (copy_process + wake_up_new_task + the new thread's first schedule); the model takes 10 µs.
CLONE_NS = 10_000

# Wake-up to running: a context switch on Linux x86-64 costs 1–3 µs (lmbench lat_ctx; with
# an IPI to an idle core, a few µs end to end). The model takes 2 µs for every wake-up.
SWITCH_NS = 2_000

# How far past the next pending event a running thread may go before the world switches to
# another one. Only pure guest computation runs in that window (every syscall and runtime
# entry waits until its thread is the earliest), so this trades speed, not correctness.
QUANTUM_NS = 20_000

# Limits (clear errors beyond): threads and goroutines a world may create. Go's own limit is
# lower for threads: sched.maxmcount = 10000 (go1.10 schedinit), reached first with the
# runtime's "thread exhaustion" throw, as in a real Go program.
MAX_THREADS = 20_000
MAX_GOROUTINES = 20_000


@dataclass(frozen=True)
class Costs:
    """One world's time costs (ns). Defaults: the module constants above."""

    insn_ns: int = INSN_NS
    clone_ns: int = CLONE_NS
    switch_ns: int = SWITCH_NS
    quantum_ns: int = QUANTUM_NS
    timer_slack_ns: int = DEFAULT_TIMER_SLACK_NS   # every thread's (the kernel model's timer_slack_ns)

    def __post_init__(self):
        for name in ("insn_ns", "clone_ns", "switch_ns", "quantum_ns", "timer_slack_ns"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 0 or (name == "insn_ns" and v == 0):
                raise ValueError(f"{name} must be a whole number of ns, ≥ {1 if name == 'insn_ns' else 0}: {v!r}")
