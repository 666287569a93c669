"""tests/kernel/test_kernel_memory.py — FlatMemory and the user-copy helpers in args.py."""
from __future__ import annotations

import pytest

from emu.kernel.args import TASK_SIZE_MAX, access_ok, as_int, as_long, copy_in, copy_out, fetch_str, put_bytes
from emu.kernel.errno import SysError
from emu.kernel.memory import Fault, FlatMemory


@pytest.fixture
def mem():
    m = FlatMemory()
    m.map(0x1000, 0x1000)
    m.map(0x2000, 0x1000)                 # adjacent: one range 0x1000..0x3000
    m.map(0x5000, 0x1000, writable=False)
    return m


def test_reads_span_adjacent_regions(mem):
    mem.write(0x1FFE, b"abcd")
    assert mem.read(0x1FFE, 4) == b"abcd"


def test_fault_names_the_first_bad_byte(mem):
    with pytest.raises(Fault) as e:
        mem.read(0x2FFE, 4)
    assert (e.value.addr, e.value.size, e.value.write) == (0x3000, 4, False)


def test_faulting_write_stores_nothing(mem):
    with pytest.raises(Fault):
        mem.write(0x2FFE, b"wxyz")
    assert mem.read(0x2FFE, 2) == b"\0\0"


def test_read_only_region_refuses_writes(mem):
    assert mem.read(0x5000, 4) == bytes(4)
    with pytest.raises(Fault) as e:
        mem.write(0x5000, b"x")
    assert e.value.write is True


def test_overlapping_map_is_rejected(mem):
    with pytest.raises(ValueError):
        mem.map(0x1800, 0x1000)


def test_registers_decode_as_c_types():
    assert (as_int(0xFFFFFFFF), as_int(0x1_0000_0005), as_long(2**64 - 1)) == (-1, 5, -1)


def test_access_ok_is_the_user_range_check():
    assert access_ok(0x1000, 10) and access_ok(TASK_SIZE_MAX - 1, 1)
    assert not access_ok(TASK_SIZE_MAX, 1) and not access_ok(0x1000, 2**63)


def test_fetch_str_stops_at_nul(mem):
    mem.write(0x1000, b"/a/b\0junk")
    assert fetch_str(mem, 0x1000) == b"/a/b"


def test_fetch_str_without_nul_before_unmapped_memory_faults(mem):
    mem.write(0x2FFC, b"abcd")
    with pytest.raises(Fault):
        fetch_str(mem, 0x2FFC)


def test_fetch_str_longer_than_max_is_enametoolong(mem):
    mem.write(0x1000, b"a" * 100)
    with pytest.raises(SysError) as e:
        fetch_str(mem, 0x1000, max=50)
    assert e.value.errno == 36


def test_copy_out_stores_the_writable_prefix(mem):
    assert copy_out(mem, 0x2FFE, b"wxyz") == 2
    assert mem.read(0x2FFE, 2) == b"wx"


def test_copy_out_with_nothing_writable_faults(mem):
    with pytest.raises(Fault):
        copy_out(mem, 0x5000, b"x")


def test_copy_in_returns_the_readable_prefix(mem):
    mem.write(0x2FFE, b"hi")
    assert copy_in(mem, 0x2FFE, 10) == b"hi"


def test_put_bytes_above_user_space_faults(mem):
    with pytest.raises(Fault):
        put_bytes(mem, 1 << 63, b"x")
