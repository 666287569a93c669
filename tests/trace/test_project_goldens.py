"""The project's own golden traces (tests/golden/): every go1.10 stub × success, error, unknown,
and the register-ABI releases' two shapes (Syscall, through entersyscall; RawSyscall, without).

Adding a golden is one line: a case below (the words of `gosyscall run`), or, for a run
recorded some other way (a scenario), ``gosyscall_golden.check(name, events, header)``.
Regenerate after an intended change with ``pytest tests/trace --gosyscall-update``, or
review the pending ``.trace.new`` files with ``gosyscall review tests/golden``.
"""
import pytest

STUBS = ("Syscall", "Syscall6", "RawSyscall", "RawSyscall6")
CASES = {
    "read": "read fd:/hello.txt buf:64 64",     # success: the seed's file.Read
    "close_ebadf": "close -1",                  # error: EBADF
    "enosys": "999",                            # unknown syscall: ENOSYS
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("stub", STUBS)
def test_golden(gosyscall_golden, stub, case):
    gosyscall_golden.run(f"{stub}_{case}", f"{CASES[case]} --stub {stub}")


REGISTER_ABI = ("go1.22", "go1.27")


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("stub", ("Syscall", "RawSyscall"))
@pytest.mark.parametrize("profile", REGISTER_ABI)
def test_register_abi_golden(gosyscall_golden, profile, stub, case):
    name = f"{profile.replace('.', '_')}_{stub}_{case}"
    gosyscall_golden.run(name, f"{CASES[case]} --stub {stub} --profile {profile}")


# The thread world (emu.world): exitsyscall's three outcomes and a small `threads` run.
# No instruction lines (nothing traces per instruction there); every syscall, runtime call,
# state transition and thread event, in virtual-time order.
US, MS = 1000, 1000 * 1000
WORLD_CASES = {
    # main's 30 µs read ends before sysmon looks twice: exitsyscallfast takes back its own P
    "world_block_same_p": ("block", dict(block_ns=30 * US, runnable=0, gomaxprocs=1)),
    # 5 ms, nothing runnable: sysmon retakes p0, handoffp idles it, exitsyscallfast_pidle gets it
    "world_block_idle_p": ("block", dict(block_ns=5 * MS, runnable=0, gomaxprocs=1)),
    # 1 ms while g2 computes on the retaken P: no P for main, exitsyscall0 queues it globally
    "world_block_no_p": ("block", dict(block_ns=1 * MS, runnable=1, gomaxprocs=1)),
    # the classic case, small: 2 goroutines blocked in read, GOMAXPROCS 1, 2 ms
    "world_threads_read_2": ("threads", dict(variant="read", n=2, gomaxprocs=1, duration_ns=2 * MS)),
}


@pytest.mark.parametrize("name", WORLD_CASES)
def test_world_golden(gosyscall_golden, name):
    from emu.trace.formats.base import make_header
    from emu.world.scenarios import to_log
    scenario, params = WORLD_CASES[name]
    log = to_log(scenario, **params)
    title = [f"gosyscall scenario {scenario} · profile go1.10 · "
             + ", ".join(f"{k}={v}" for k, v in params.items())]
    gosyscall_golden.check(name, log.events, make_header("go1.10", title), threads=log.thread_names)


def test_world_goldens_reach_all_three_exitsyscall_outcomes():
    from emu.world.scenarios import to_log
    paths = {to_log("block", **WORLD_CASES[n][1]).result["exit_path"] for n in WORLD_CASES if "block" in n}
    assert paths == {"exitsyscallfast_reacquired", "exitsyscallfast_pidle", "exitsyscall0"}, paths
