"""tests/kernel/test_kernel_property.py — random syscalls never crash the kernel or break the ABI."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emu.kernel import VFS, Deadlock, Kernel
from emu.kernel.errno import STRERROR
from emu.kernel.memory import FlatMemory
from emu.kernel.table import TABLE

DATA = 0x10000
PATHS = [b"/hello.txt", b"/mnt/f.txt", b"/mnt/..", b"/dev/zero", b"/etc", b"/mnt/link", b"x" * 5000]

# Interesting raw register values: small ints, AT_FDCWD, pointers into mapped data (where
# PATHS live), wild and kernel-space pointers, huge counts, and anything at all.
_values = st.one_of(
    st.integers(-2, 8),
    st.just(-100),
    st.integers(0, len(PATHS) - 1).map(lambda i: DATA + 0x2000 * i),
    st.integers(DATA, DATA + 0x10000),
    st.sampled_from([0, 0xDEAD0000, 0xFFFF800000000000, 2**63, 2**64 - 1, 1 << 40, 2**32 - 1]),
    st.integers(0, 2**64 - 1),
)


@pytest.fixture(scope="module")
def mount_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("mnt")
    (d / "f.txt").write_bytes(b"file\n")
    (d / "link").symlink_to("/hello.txt")
    return d


def _memory() -> FlatMemory:
    m = FlatMemory()
    m.map(DATA, 0x10000 + len(PATHS) * 0x2000)
    for i, p in enumerate(PATHS):
        m.write(DATA + 0x2000 * i, p + b"\0")
    return m


def _valid(ret: int) -> bool:
    return isinstance(ret, int) and -4095 <= ret < 2**63 and (ret >= 0 or -ret in STRERROR)


# Half the numbers are ones the table models, so most examples exercise real handlers.
_numbers = st.one_of(st.sampled_from(sorted(TABLE)), st.integers(0, 1000))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(_numbers, st.lists(_values, min_size=6, max_size=6)),
                min_size=1, max_size=6))
def test_random_calls_return_linux_valid_results(mount_dir, calls):
    k, mem = Kernel(fs=VFS(mount_dir)), _memory()
    try:
        for nr, args in calls:
            r = k.syscall(mem, nr, args)
            if r.block is not None:
                try:
                    r = k.run_blocked_alone(mem, r)
                except Deadlock:
                    continue
            assert _valid(r.ret), (nr, args, r)
            assert (r.errno is None) == (r.ret >= 0)
            k.describe(mem, r)
            k.named_args(nr, args)
    finally:
        k.close_all()
