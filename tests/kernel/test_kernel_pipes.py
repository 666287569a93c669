"""tests/kernel/test_kernel_pipes.py — pipes: data, blocking and retry, EOF, EPIPE, O_NONBLOCK."""
from __future__ import annotations

import pytest

from emu.kernel import Deadlock
from emu.kernel.errno import EAGAIN, EFAULT, EINVAL, EMFILE, EPIPE
from emu.kernel.files import PIPE_CAPACITY
from emu.kernel.vfs import O_CLOEXEC, O_DIRECT, O_NONBLOCK


def test_pipe2_returns_two_lowest_fds(g):
    assert g.pipe() == (3, 4)


def test_pipe_syscall_stores_the_pair(g):
    addr = g.alloc(bytes(8))
    assert g.ret("pipe", addr) == 0
    assert g.mem.read(addr, 8) == (3).to_bytes(4, "little") + (4).to_bytes(4, "little")


def test_pipe_carries_bytes_in_order(g):
    r, w = g.pipe()
    g.write(w, b"abc")
    g.write(w, b"def")
    assert g.read(r, 4) == b"abcd"
    assert g.read(r, 10) == b"ef"


def test_read_of_empty_pipe_blocks(g):
    r, _ = g.pipe()
    res = g.call("read", r, g.BUF, 10)
    assert res.block is not None
    assert (res.block.kind, res.block.until_ns) == ("pipe_read", None)
    assert "read on pipe with no data" in res.block.describe()


def test_blocked_read_retried_after_write_gets_the_data(g):
    r, w = g.pipe()
    blocked = g.call("read", r, g.BUF, 10)
    wrote = g.write(w, b"hello")
    assert blocked.block.key in wrote.ready            # the writer says who may proceed
    res = blocked.block.retry()
    assert (res.block, res.ret, g.mem.read(g.BUF, 5)) == (None, 5, b"hello")


def test_retry_without_data_blocks_again(g):
    r, _ = g.pipe()
    again = g.call("read", r, g.BUF, 10).block.retry()
    assert again.block is not None and again.block.kind == "pipe_read"


def test_read_of_empty_pipe_without_writers_is_eof(g):
    r, w = g.pipe()
    g.ret("close", w)
    assert g.ret("read", r, g.BUF, 10) == 0


def test_closing_write_end_ends_a_blocked_read_with_eof(g):
    r, w = g.pipe()
    blocked = g.call("read", r, g.BUF, 10)
    closed = g.call("close", w)
    assert blocked.block.key in closed.ready
    assert blocked.block.retry().ret == 0


def test_write_without_readers_is_epipe(g):
    r, w = g.pipe()
    g.ret("close", r)
    assert g.write(w, b"x").ret == -EPIPE


def test_nonblocking_read_of_empty_pipe_is_eagain(g):
    r, _ = g.pipe(O_NONBLOCK)
    assert g.ret("read", r, g.BUF, 10) == -EAGAIN


def test_write_to_full_pipe_blocks_until_read(g):
    r, w = g.pipe()
    assert g.ret("write", w, g.BUF, PIPE_CAPACITY) == PIPE_CAPACITY
    blocked = g.write(w, b"more")
    assert blocked.block.kind == "pipe_write"
    assert g.ret("read", r, g.BUF, 100) == 100
    assert blocked.block.retry().ret == 4


def test_nonblocking_write_to_full_pipe_is_eagain(g):
    r, w = g.pipe(O_NONBLOCK)
    assert g.ret("write", w, g.BUF, PIPE_CAPACITY) == PIPE_CAPACITY
    assert g.write(w, b"x").ret == -EAGAIN


def test_large_write_fills_pipe_then_finishes_after_reads(g):
    r, w = g.pipe()
    n = PIPE_CAPACITY + 1000
    res = g.call("write", w, g.BUF, n)
    assert res.block is not None                        # 64 KiB went in; 1000 bytes wait
    assert g.ret("read", r, g.BUF, 2000) == 2000
    assert res.block.retry().ret == n                   # a blocking write reports the whole count


def test_small_write_is_atomic(g):
    r, w = g.pipe(O_NONBLOCK)
    g.ret("write", w, g.BUF, PIPE_CAPACITY - 10)
    assert g.ret("write", w, g.BUF, 100) == -EAGAIN     # ≤ PIPE_BUF: all or nothing
    assert g.ret("read", r, g.BUF, PIPE_CAPACITY) == PIPE_CAPACITY - 10


def test_pipe2_rejects_unknown_flags(g):
    addr = g.alloc(bytes(8))
    assert g.ret("pipe2", addr, O_DIRECT) == -EINVAL
    assert g.ret("pipe2", addr, O_CLOEXEC | O_NONBLOCK) == 0


def test_pipe2_to_wild_pointer_is_efault_and_leaks_no_fd(g):
    assert g.ret("pipe2", g.WILD, 0) == -EFAULT
    assert g.open("/hello.txt") == 3


def test_pipe_with_one_free_fd_is_emfile_and_leaks_none(g):
    for _ in range(1024 - 4):
        g.open("/hello.txt")
    addr = g.alloc(bytes(8))
    assert g.ret("pipe2", addr, 0) == -EMFILE
    assert g.open("/hello.txt") == 1023


def test_only_thread_blocked_on_pipe_is_a_deadlock(g):
    r, _ = g.pipe()
    res = g.call("read", r, g.BUF, 10)
    with pytest.raises(Deadlock, match=r"read\(3, .*read on pipe with no data"):
        g.k.run_blocked_alone(g.mem, res)
