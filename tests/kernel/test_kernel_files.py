"""tests/kernel/test_kernel_files.py — open/read/write/lseek/close/dup on the embedded filesystem."""
from __future__ import annotations

import tracemalloc

from emu.kernel.args import MAX_RW_COUNT
from emu.kernel.errno import (EBADF, EEXIST, EFAULT, EINVAL, EISDIR, EMFILE, ENAMETOOLONG, ENOENT, ENOTDIR,
                              ENXIO, EROFS, ESPIPE)
from emu.kernel.vfs import HELLO, O_CREAT, O_DIRECTORY, O_EXCL, O_PATH, O_RDWR, O_TRUNC, O_WRONLY

SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE = range(5)


def test_open_and_read_hello(g):
    fd = g.open("/hello.txt")
    assert fd == 3
    assert g.read(fd, 100) == HELLO == b"Hello from the emulated kernel!\n"
    assert g.read(fd, 100) == b""


def test_relative_path_starts_at_root(g):
    assert g.read(g.open("etc/hostname")) == b"gosyscall\n"


def test_read_unopened_fd_is_ebadf(g):
    assert g.ret("read", 99, g.BUF, 10) == -EBADF


def test_close_minus_one_is_ebadf(g):
    assert g.ret("close", -1) == -EBADF


def test_close_twice_is_ebadf(g):
    fd = g.open("/hello.txt")
    assert (g.ret("close", fd), g.ret("close", fd)) == (0, -EBADF)


def test_open_missing_file_is_enoent(g):
    assert g.open("/nope.txt") == -ENOENT


def test_open_in_missing_directory_is_enoent(g):
    assert g.open("/nope/x", O_CREAT | O_WRONLY) == -ENOENT


def test_open_empty_path_is_enoent(g):
    assert g.open("") == -ENOENT


def test_proc_is_not_provided(g):
    assert g.open("/proc/self/root/etc/passwd") == -ENOENT


def test_write_opens_of_embedded_files_are_erofs(g):
    for flags in (O_WRONLY, O_RDWR, O_TRUNC, O_WRONLY | O_CREAT | O_TRUNC):
        assert g.open("/hello.txt", flags) == -EROFS, oct(flags)


def test_creating_a_file_is_erofs(g):
    assert g.open("/new.txt", O_CREAT | O_WRONLY) == -EROFS


def test_o_creat_read_only_of_existing_file_succeeds_as_on_a_ro_mount(g):
    # fs/namei.c: O_CREAT only needs write access when it would create the file.
    assert g.open("/hello.txt", O_CREAT) == 3


def test_o_excl_on_existing_file_is_eexist(g):
    assert g.open("/hello.txt", O_CREAT | O_EXCL | O_WRONLY) == -EEXIST


def test_read_directory_is_eisdir(g):
    fd = g.open("/etc", O_DIRECTORY)
    assert fd == 3
    assert g.ret("read", fd, g.BUF, 10) == -EISDIR


def test_open_directory_for_writing_is_eisdir(g):
    assert g.open("/etc", O_WRONLY) == -EISDIR


def test_o_directory_on_a_file_is_enotdir(g):
    assert g.open("/hello.txt", O_DIRECTORY) == -ENOTDIR


def test_file_used_as_directory_is_enotdir(g):
    assert g.open("/hello.txt/x") == -ENOTDIR


def test_trailing_slash_on_a_file_is_enotdir(g):
    assert g.open("/hello.txt/") == -ENOTDIR


def test_dotdot_at_root_stays_at_root(g):
    assert g.read(g.open("/../../etc/./hostname")) == b"gosyscall\n"


def test_path_of_4095_bytes_opens(g):
    assert g.open(b"/" * (4095 - len(b"hello.txt")) + b"hello.txt") == 3


def test_path_of_4096_bytes_is_enametoolong(g):
    assert g.open(b"/" * (4096 - len(b"hello.txt")) + b"hello.txt") == -ENAMETOOLONG


def test_component_over_255_bytes_is_enametoolong(g):
    assert g.open(b"/" + b"a" * 256) == -ENAMETOOLONG
    assert g.open(b"/" + b"a" * 255) == -ENOENT


def test_write_to_read_only_fd_is_ebadf(g):
    assert g.write(g.open("/hello.txt"), b"x").ret == -EBADF


def test_read_from_stdout_is_ebadf(g):
    assert g.ret("read", 1, g.BUF, 10) == -EBADF


def test_stdin_reads_end_of_file(g):
    assert g.ret("read", 0, g.BUF, 10) == 0


def test_console_output_is_captured_in_order(g):
    g.write(1, b"out1 ")
    g.write(2, b"err ")
    g.write(1, b"out2")
    assert g.k.console == [(1, b"out1 "), (2, b"err "), (1, b"out2")]
    assert (g.k.stdout, g.k.stderr) == (b"out1 out2", b"err ")


def test_write_through_dup_of_stdout_is_stdout(g):
    fd = g.ret("dup", 1)
    g.write(fd, b"hi")
    assert g.k.stdout == b"hi"


def test_dev_null_reads_eof_and_swallows_writes(g):
    fd = g.open("/dev/null", O_RDWR)
    assert g.ret("read", fd, g.BUF, 10) == 0
    assert g.write(fd, b"abc").ret == 3


def test_dev_zero_reads_zeros(g):
    g.mem.write(g.BUF, b"\xff" * 16)
    assert g.read(g.open("/dev/zero"), 16) == bytes(16)


def test_huge_count_is_capped_without_huge_allocation(g):
    fd = g.open("/dev/zero")
    tracemalloc.start()
    try:
        got = g.ret("read", fd, g.BUF, 1 << 40)     # inside user space, far beyond any buffer
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert got == MAX_RW_COUNT == 1 << 20
    assert peak < 8 * MAX_RW_COUNT


def test_count_reaching_past_user_space_is_efault_like_access_ok(g):
    assert g.ret("read", g.open("/dev/zero"), g.BUF, 1 << 63) == -EFAULT


def test_read_into_unmapped_buffer_is_efault_and_keeps_offset(g):
    fd = g.open("/hello.txt")
    assert g.ret("read", fd, g.WILD, 10) == -EFAULT
    assert g.read(fd, 5) == b"Hello"


def test_read_into_read_only_memory_is_efault(g):
    assert g.ret("read", g.open("/hello.txt"), g.RO, 10) == -EFAULT


def test_read_into_buffer_ending_early_is_short(g):
    fd = g.open("/dev/zero")
    end = g.BUF + (2 << 20)
    assert g.ret("read", fd, end - 3, 10) == 3


def test_short_read_advances_offset_only_by_bytes_copied(g):
    fd = g.open("/hello.txt")
    end = g.BUF + (2 << 20)
    assert g.ret("read", fd, end - 3, 10) == 3
    assert g.read(fd, 7) == b"lo from"


def test_write_from_unmapped_buffer_is_efault(g):
    assert g.ret("write", 1, g.WILD, 5) == -EFAULT
    assert g.k.console == []


def test_write_from_kernel_address_is_efault(g):
    assert g.ret("write", 1, g.KERNEL_ADDR, 5) == -EFAULT


def test_open_with_wild_path_pointer_is_efault(g):
    assert g.ret("open", g.WILD, 0, 0) == -EFAULT


def test_path_running_into_unmapped_memory_is_efault(g):
    end = g.SCRATCH + 0x10000
    g.mem.write(end - 4, b"/abc")                 # no NUL before the region ends
    assert g.ret("open", end - 4, 0, 0) == -EFAULT


def test_path_ending_just_before_unmapped_memory_opens(g):
    end = g.SCRATCH + 0x10000
    g.mem.write(end - 11, b"/hello.txt\0")
    assert g.ret("open", end - 11, 0, 0) == 3


def test_lseek_set_cur_end(g):
    fd = g.open("/hello.txt")
    assert g.ret("lseek", fd, 6, SEEK_SET) == 6
    assert g.read(fd, 4) == b"from"
    assert g.ret("lseek", fd, -4, SEEK_CUR) == 6
    assert g.ret("lseek", fd, -9, SEEK_END) == len(HELLO) - 9
    assert g.read(fd) == b" kernel!\n"


def test_lseek_past_end_reads_nothing(g):
    fd = g.open("/hello.txt")
    assert g.ret("lseek", fd, 1000, SEEK_SET) == 1000
    assert g.read(fd) == b""


def test_lseek_to_negative_offset_is_einval(g):
    fd = g.open("/hello.txt")
    assert g.ret("lseek", fd, -1, SEEK_SET) == -EINVAL
    assert g.ret("lseek", fd, 0, SEEK_CUR) == 0          # offset unchanged


def test_lseek_bad_whence_is_einval(g):
    assert g.ret("lseek", g.open("/hello.txt"), 0, 5) == -EINVAL


def test_lseek_data_and_hole(g):
    fd = g.open("/hello.txt")
    assert g.ret("lseek", fd, 3, SEEK_DATA) == 3
    assert g.ret("lseek", fd, 3, SEEK_HOLE) == len(HELLO)
    assert g.ret("lseek", fd, len(HELLO), SEEK_DATA) == -ENXIO


def test_lseek_on_console_is_espipe(g):
    assert g.ret("lseek", 1, 0, SEEK_SET) == -ESPIPE


def test_lseek_on_pipe_is_espipe(g):
    r, _ = g.pipe()
    assert g.ret("lseek", r, 0, SEEK_CUR) == -ESPIPE


def test_emfile_after_1024_fds(g):
    fds = [g.open("/hello.txt") for _ in range(1024 - 3)]
    assert fds == list(range(3, 1024))
    assert g.open("/hello.txt") == -EMFILE
    assert g.ret("dup", 0) == -EMFILE


def test_emfile_comes_before_enoent(g):
    for _ in range(1024 - 3):
        g.open("/hello.txt")
    assert g.open("/missing") == -EMFILE                 # fs/open.c takes the fd first


def test_lowest_free_fd_is_reused(g):
    a, b, c = (g.open("/hello.txt") for _ in range(3))
    g.ret("close", b)
    assert g.open("/etc/passwd") == b
    assert g.open("/etc/passwd") == c + 1


def test_dup_shares_the_offset(g):
    fd = g.open("/hello.txt")
    fd2 = g.ret("dup", fd)
    assert fd2 == fd + 1
    assert g.read(fd, 6) == b"Hello "
    assert g.read(fd2, 4) == b"from"


def test_close_of_one_dup_keeps_the_file_open(g):
    fd = g.open("/hello.txt")
    fd2 = g.ret("dup", fd)
    g.ret("close", fd)
    assert g.read(fd2, 5) == b"Hello"


def test_dup_of_bad_fd_is_ebadf(g):
    assert g.ret("dup", 77) == -EBADF


def test_dup2_replaces_target_and_checks_range(g):
    fd = g.open("/hello.txt")
    assert g.ret("dup2", fd, 1) == 1
    assert g.read(1, 5) == b"Hello"
    assert g.ret("dup2", fd, fd) == fd
    assert g.ret("dup2", 50, 50) == -EBADF
    assert g.ret("dup2", fd, 1024) == -EBADF


def test_dup3_rejects_same_fd_and_bad_flags(g):
    assert g.ret("dup3", 1, 1, 0) == -EINVAL
    assert g.ret("dup3", 1, 5, 1) == -EINVAL
    assert g.ret("dup3", 1, 5, 0o2000000) == 5


def test_openat_relative_to_directory_fd(g):
    d = g.open("/etc", O_DIRECTORY)
    assert g.read(g.ret("openat", d, g.path("hostname"), 0, 0)) == b"gosyscall\n"
    assert g.read(g.ret("openat", d, g.path("../hello.txt"), 0, 0)) == HELLO


def test_openat_relative_to_file_fd_is_enotdir(g):
    f = g.open("/hello.txt")
    assert g.ret("openat", f, g.path("x"), 0, 0) == -ENOTDIR


def test_openat_relative_to_bad_fd_is_ebadf(g):
    assert g.ret("openat", 42, g.path("x"), 0, 0) == -EBADF


def test_openat_absolute_path_ignores_dirfd(g):
    assert g.ret("openat", 42, g.path("/hello.txt"), 0, 0) == 3


def test_o_path_fd_names_a_file_but_cannot_read_it(g):
    fd = g.open("/hello.txt", O_PATH)
    assert (g.ret("read", fd, g.BUF, 4), g.ret("lseek", fd, 0, 0)) == (-EBADF, -EBADF)
    d = g.open("/etc", O_PATH)
    assert g.read(g.ret("openat", d, g.path("hostname"), 0, 0)) == b"gosyscall\n"


def test_close_all_closes_every_fd(g):
    g.open("/hello.txt")
    g.pipe()
    g.k.close_all()
    assert g.k.fds.fds == {}
