"""The world's parts that need no CPU run: costs, arenas, timeline, report formatting, images."""
import json

import pytest
from unicorn import UC_ARCH_X86, UC_MODE_64, Uc

from emu.cpu.memory import GuestMemory
from emu.world.arena import CHUNK, Arena
from emu.world.costs import Costs
from emu.world.report import distribution, dur, m_at, quantile, table
from emu.world.timeline import Timeline


def test_costs_reject_nonsense():
    with pytest.raises(ValueError):
        Costs(insn_ns=0)
    with pytest.raises(ValueError):
        Costs(clone_ns=-1)
    assert Costs(insn_ns=3).insn_ns == 3


def test_arena_maps_in_chunks_and_reuses_the_last_freed_slot():
    mem = GuestMemory(Uc(UC_ARCH_X86, UC_MODE_64))
    a = Arena(mem, 0x10000000, 4 * CHUNK, 0x800, "stacks")
    first = [a.alloc() for _ in range(CHUNK // 0x800)]
    assert mem.mapped == CHUNK                         # one chunk so far
    a.alloc()
    assert mem.mapped == 2 * CHUNK
    mem.poke(first[3], b"x" * 0x800)
    a.free(first[3])
    assert a.alloc() == first[3]                       # reused, and zeroed
    assert mem.read(first[3], 4) == bytes(4)


def test_arena_full_is_a_one_line_memory_error():
    mem = GuestMemory(Uc(UC_ARCH_X86, UC_MODE_64))
    a = Arena(mem, 0x10000000, 0x1000, 0x800, "g structs")
    a.alloc(), a.alloc()
    with pytest.raises(MemoryError, match="g structs arena is full"):
        a.alloc()


def test_timeline_spans_merge_repeats_and_write_chrome_json():
    tl = Timeline()
    tl.names = {1000: "m0", 1001: "m1"}
    tl.set(1000, 0, "g1", "running")
    tl.set(1000, 500, "g1", "running")                 # the same activity: no new span
    tl.set(1000, 1_000, "g1 read", "syscall")
    tl.set(1001, 200, "sleep", "idle")
    tl.close(3_000)
    doc = json.loads(tl.chrome([[0, 1], [10, 2]], "t"))
    spans = [(e["tid"], e["name"], e["ts"], e["dur"]) for e in doc["traceEvents"] if e["ph"] == "X"]
    assert spans == [(1000, "g1", 0, 1), (1000, "g1 read", 1, 2), (1001, "sleep", 0.2, 2.8)]
    assert [e["args"]["Ms"] for e in doc["traceEvents"] if e["ph"] == "C"] == [1, 2]


def test_durations_and_tables():
    assert [dur(x) for x in (None, 999, 76_200, 14_300_000, 2_000_000_000)] == \
        ["—", "999 ns", "76.2 µs", "14.30 ms", "2.000 s"]
    assert table(["a", "bb"], [[1, "x"], [100, "yy"]]) == ["  a  bb", "  1  x", "100  yy"]


def test_m_count_series_and_quantiles():
    series = [[0, 1], [10, 2], [30, 5]]
    assert [m_at(series, t) for t in (0, 9, 10, 29, 30, 99)] == [1, 1, 2, 2, 5, 5]
    assert quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5) == 5
    lines = distribution([70_000, 80_000, None, 10_000_000])
    assert "(1 trials never got there" in "\n".join(lines)
    assert lines[1].split()[0] == "3"
