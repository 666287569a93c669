"""Random syscalls through the *machine*: Go's stubs on the emulated CPU, the kernel model behind.

tests/kernel has the same idea for the kernel model alone; here every call goes through
``Session.call`` with RawSyscall6 or Syscall6 (frame → registers → SYSCALL hook → frame,
with the runtime's entersyscall/exitsyscall for Syscall6). Whatever the numbers, pointers,
counts and fds: a Linux-valid result in the frame, the registers Linux preserves preserved,
no exception but the two one-line errors a run may legitimately end with, bounded memory.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from emu.bridge.session import Session
from emu.cpu import layout as L
from emu.cpu.memory import MAX_GUEST_MEMORY
from emu.errors import BudgetExceeded, GuestFault
from emu.kernel.errno import STRERROR
from emu.kernel.files import NOFILE, PIPE_CAPACITY, Pipe, PipeEnd
from emu.kernel.table import TABLE

M64 = (1 << 64) - 1
PATHS = [b"/hello.txt", b"/mnt/f.txt", b"/mnt/../etc", b"/dev/zero", b"/mnt/link", b"/mnt", b"x" * 5000]
PATH_AT = {i: L.USER_HEAP + 0x2000 * i for i in range(len(PATHS))}      # where each path lives
SCRATCH = L.USER_HEAP + 0x2000 * len(PATHS)                            # random bytes from here
KEPT = ("rbx", "rbp", "r12", "r13", "r14", "r15")                      # no stub or kernel touches these

_values = st.one_of(
    st.integers(-3, 12),                                                # fds, flags, small counts
    st.just(-100),                                                      # AT_FDCWD
    st.sampled_from(sorted(PATH_AT.values())),
    st.integers(SCRATCH, L.USER_HEAP + L.USER_HEAP_SIZE + 0x100),       # into (and past) the heap
    st.integers(L.STACK_LO - 0x100, L.STACK_HI + 0x100),                # the stack, its guard page
    st.sampled_from([0, L.TEXT_BASE, L.GUARD_PAGE, 0xDEAD0000, 0xFFFF800000000000, 2**63, M64,
                     1 << 47, 2**32 - 1, 0x7FFFF000, 1 << 20]),
    st.integers(0, M64),
)
_numbers = st.one_of(st.sampled_from(sorted(TABLE)), st.integers(0, 1000), st.integers(0, M64))
_call = st.tuples(st.sampled_from(["RawSyscall6", "Syscall6"]), _numbers,
                  st.lists(_values, min_size=6, max_size=6))


@pytest.fixture(scope="module")
def mount(tmp_path_factory):
    d = tmp_path_factory.mktemp("mnt")
    (d / "f.txt").write_bytes(b"file in the mount\n")
    (d / "link").symlink_to("/hello.txt")
    return str(d)


def _session(mount: str, scratch: bytes) -> Session:
    s = Session(fs=mount)
    for path in ("/hello.txt", "/dev/zero", "/mnt/f.txt"):             # fds 3, 4, 5
        s.open_for_setup(path)
    pipe = Pipe()
    s.kernel.fds.install(6, PipeEnd(pipe, read_end=True))
    s.kernel.fds.install(7, PipeEnd(pipe, read_end=False))
    for i, p in enumerate(PATHS):
        s.machine.mem.poke(PATH_AT[i], p + b"\0")
    s.machine.mem.poke(SCRATCH, scratch)
    return s


def _check_result(res, a3: int) -> None:
    if res.err == 0:
        assert not M64 - 4094 <= res.r1 <= M64, f"success with r1 in the error window: {res}"
        assert res.r2 == a3 & M64, "r2 is RDX after SYSCALL, which the kernel does not write"
    else:
        assert res.err in STRERROR, f"not a Linux errno: {res.err}"
        assert (res.r1, res.r2) == (M64, 0)


def _check_bounded(s: Session, mapped: int) -> None:
    assert s.machine.mem.mapped == mapped <= MAX_GUEST_MEMORY      # no syscall maps guest memory
    assert len(s.kernel.fds.fds) <= NOFILE
    pipes = {of.pipe for of in s.kernel.fds.fds.values() if isinstance(of, PipeEnd)}
    assert all(len(p.buf) <= PIPE_CAPACITY for p in pipes)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(calls=st.lists(_call, min_size=1, max_size=4), kept=st.lists(st.integers(0, M64), min_size=6,
       max_size=6), scratch=st.binary(max_size=256))
def test_random_calls_through_the_cpu_give_linux_results(mount, calls, kept, scratch):
    s = _session(mount, scratch)
    mapped = s.machine.mem.mapped
    regs = dict(zip(KEPT, kept))
    try:
        for stub, nr, args in calls:
            try:
                res = s.call(stub, nr, args, regs=regs)
            except (BudgetExceeded, GuestFault) as e:     # the only ways a run may end early
                msg = str(e)
                assert "\n" not in msg
                assert ("virtual-time budget" in msg or "deadlock" in msg), msg
                event(f"ended: {type(e).__name__}")
                return
            after = s.machine.regs()
            assert {r: after[r] for r in KEPT} == regs, "the kernel preserves all but RAX, RCX, R11"
            if res.exit_status is not None:               # exit/exit_group: the CPU stopped there
                assert 0 <= res.exit_status <= 255
                return
            assert after["r11"] == 0x202 and after["rsp"] == s.frame_base()
            _check_result(res, args[2])
            event("success" if res.err == 0 else "errno")
            _check_bounded(s, mapped)
    finally:
        s.kernel.close_all()


@pytest.mark.parametrize("fd, readable, count, want", [
    (7, 100, 4096, -14),          # a pipe keeps whole 4096-byte pages of a write: none here, EFAULT
    (7, 5000, 8192, 4096),        # one whole page, then the fault
    (1, 100, 200, -14),           # a terminal keeps whole 2048-byte chunks
    (1, 3000, 4096, 2048),
    (1, 3000, 3000, 3000),        # nothing faults: all of it
])
def test_a_write_from_a_buffer_that_faults_part_way_keeps_whole_chunks(mount, fd, readable, count, want):
    """As fs/pipe.c and tty_io.c do; tests/verify checks the pipe case against the real kernel."""
    s = _session(mount, b"")
    buf = L.USER_HEAP + L.USER_HEAP_SIZE - readable
    res = s.call("RawSyscall6", 1, [fd, buf, count])
    assert (res.r1 if res.err == 0 else -res.err) == want
    kept = bytes(s.kernel.fds.get(6).pipe.buf) if fd == 7 else s.kernel.stdout
    assert len(kept) == max(want, 0)
