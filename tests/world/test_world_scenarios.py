"""The scenarios on the CPU, small: every number here is read off a run of the model."""
import pytest
from world_helpers import MS, readers

from emu.world import scenarios as S
from runtime_py.throw import Throw

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.mark.parametrize("procs", [1, 4])
def test_read_blocked_goroutines_each_hold_a_thread(procs):
    r = S.threads("read", 20, procs, duration_ns=20 * MS, check=True)
    assert r["goroutines_started"] == 20 and r["ms_in_syscall_at_end"] == 20
    assert 20 < r["peak_ms"] <= 20 + procs + 2          # workers + m0, sysmon, spinning Ms
    assert r["t90_ns"] <= r["t_peak_ns"] < 20 * MS
    assert r["outcome"] == "main exited (0)"


def test_more_ps_retake_faster():
    slow = S.threads("read", 30, 1, duration_ns=20 * MS)
    fast = S.threads("read", 30, 4, duration_ns=20 * MS)
    assert fast["t_peak_ns"] * 3 < slow["t_peak_ns"]


def test_parked_goroutines_need_no_threads():
    r = S.threads("chan", 50, 4, duration_ns=5 * MS, check=True)
    assert r["goroutines_started"] == 50 and r["peak_ms"] <= 4 + 2


@pytest.mark.parametrize("procs", [1, 2, 4])
def test_rawsyscall_starves_all_but_gomaxprocs_goroutines(procs):
    r = S.threads("raw", 30, procs, duration_ns=5 * MS, check=True)
    assert r["goroutines_started"] == procs
    assert r["peak_ms"] == procs + 2                      # m0 (sleeping main), sysmon, one per P
    assert r["outcome"].startswith("main never finished")


def test_the_thread_limit_is_gos_own_throw():
    w = readers(n=40, procs=4, sleep_ns=50 * MS, check=False)
    w.rt.sched.maxmcount = 30                              # go1.10: debug.SetMaxThreads(30)
    with pytest.raises(Throw, match="thread exhaustion"):
        w.run(until_t=100 * MS)
    w.close()


@pytest.mark.parametrize("block_ns, runnable, procs, path", [
    (30_000, 0, 1, "exitsyscallfast_reacquired"),      # returned before sysmon looked twice
    (5 * MS, 0, 2, "exitsyscallfast_reacquired"),      # an idle P exists and < 10 ms: left alone
    (5 * MS, 0, 1, "exitsyscallfast_pidle"),           # retaken, handed off, idle again
    (2 * MS, 1, 1, "exitsyscall0"),                    # retaken and busy: no P, global runq
])
def test_block_reaches_every_exitsyscall_path(block_ns, runnable, procs, path):
    r = S.block(block_ns, runnable, procs, compute_ns=4 * MS, check=True)
    assert r["exit_path"] == path
    if path == "exitsyscall0":
        assert r["other_start_ns"] < r["t_return_ns"] < r["g1_runs_again_ns"]
    if path == "exitsyscallfast_pidle":
        assert r["first_look_ns"] < r["retake_ns"]


def test_with_an_idle_p_a_syscall_is_retaken_only_after_10ms():
    r = S.block(30 * MS, 0, 2, check=True)
    assert r["retake_ns"] - r["first_look_ns"] >= 10 * MS


def test_retake_latency_idle_is_one_sysmon_sleep_busy_backs_off():
    idle = S.retake("idle", 4, max_gap_ns=2 * MS, check=True)["latency_ns"]
    # the same every time: sysmon, woken by main's exitsyscallfast_pidle, sights the syscall
    # at once and retakes one usleep(20) later (+ 50 µs timer slack); three wake-ups of 2 µs
    # (sysmon by the futex, sysmon at its sleep's end, the idle M that runs the probe); give or
    # take the few hundred ns of syscalls and instructions around them
    assert len(set(idle)) == 1
    assert 70_000 + 3 * 2_000 - 500 < idle[0] < 70_000 + 3 * 2_000 + 500
    busy = S.retake("busy", 6, max_gap_ns=14 * MS, seed=3)["latency_ns"]
    assert max(busy) > 5 * MS and min(busy) < 200_000
    ten = S.retake("10ms", 3, max_gap_ns=2 * MS)["latency_ns"]
    assert all(10 * MS <= x < 25 * MS for x in ten)


def test_scenarios_are_reproducible():
    a = S.retake("busy", 3, max_gap_ns=3 * MS, seed=7)
    b = S.retake("busy", 3, max_gap_ns=3 * MS, seed=7)
    assert a == b
    assert S.threads("read", 5, 2, duration_ns=2 * MS) == S.threads("read", 5, 2, duration_ns=2 * MS)


def test_to_log_keeps_a_small_scenario_as_events_for_goldens():
    log = S.to_log("threads", variant="read", n=2, gomaxprocs=1, duration_ns=2 * MS)
    again = S.to_log("threads", variant="read", n=2, gomaxprocs=1, duration_ns=2 * MS)
    assert [e.to_json() for e in log.events] == [e.to_json() for e in again.events]
    kinds = {e.kind for e in log.events}
    assert {"call", "gstatus", "pstatus", "go", "syscall", "sysret", "thread", "note"} <= kinds
    assert log.result["peak_ms"] == 5
