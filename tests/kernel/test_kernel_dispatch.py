"""tests/kernel/test_kernel_dispatch.py — the dispatcher, the table, names, ids, exit, describe()."""
from __future__ import annotations

import dataclasses

import pytest

from emu.kernel import SYSCALL_COST_NS, Kernel, describe, named_args
from emu.kernel.errno import ENOSYS, ERRNO, errno_name, strerror
from emu.kernel.sysnum import NAMES, SYS, lookup
from emu.kernel.table import TABLE


def test_unknown_number_returns_enosys_and_is_recorded(g):
    r = g.k.syscall(g.mem, 999, [1, 2, 3])
    assert (r.ret, r.errno, r.unknown, r.name) == (-ENOSYS, "ENOSYS", True, "syscall_999")
    assert g.k.unknown_calls == [(999, (1, 2, 3, 0, 0, 0))]


def test_real_syscall_not_modelled_is_named_and_enosys(g):
    r = g.k.syscall(g.mem, SYS["mmap"], [0, 4096, 3, 0x22, -1, 0])
    assert (r.name, r.ret, r.unknown) == ("mmap", -ENOSYS, True)


def test_strict_kernel_flags_unknown_call_as_violation(g):
    k = Kernel(strict=True)
    assert k.syscall(g.mem, 999, []).strict_violation is True
    assert k.syscall(g.mem, SYS["getpid"], []).strict_violation is False


def test_lenient_kernel_does_not_flag_unknown_call(g):
    assert g.call("mmap").strict_violation is False


def test_only_eax_selects_the_syscall(g):
    # entry_64.S hands do_syscall_64 the number as a sign-extended 32-bit int.
    assert g.k.syscall(g.mem, (1 << 32) + SYS["getpid"], []).ret == 1000


def test_each_syscall_costs_fixed_virtual_time(g):
    t0 = g.k.clock.now_ns
    g.call("getpid")
    g.call("getppid")
    assert g.k.clock.now_ns - t0 == 2 * SYSCALL_COST_NS


def test_ids_are_fixed(g):
    assert [g.ret(n) for n in ("getpid", "getppid", "gettid", "getuid", "getgid", "geteuid")] == \
        [1000, 999, 1000, 1000, 1000, 1000]


def test_gettid_reports_calling_thread(g):
    assert g.ret("gettid", tid=1001) == 1001


def test_negative_python_args_are_64_bit_registers(g):
    assert g.call("close", -1).args[0] == 0xFFFFFFFFFFFFFFFF


def test_exit_group_sets_status_low_byte(g):
    r = g.call("exit_group", 256 + 3)
    assert (r.exit_status, r.exit_kind) == (3, "group")


def test_exit_ends_only_the_thread(g):
    r = g.call("exit", 7)
    assert (r.exit_status, r.exit_kind) == (7, "thread")


def test_sched_yield_returns_zero(g):
    assert g.ret("sched_yield") == 0


def test_clone_is_enosys_until_replaced_through_the_table(g):
    assert g.ret("clone", 0x50F00) == -ENOSYS
    assert "thread layer" in TABLE[SYS["clone"]].note
    entry = g.k.table[SYS["clone"]]
    g.k.table[SYS["clone"]] = dataclasses.replace(entry, handler=lambda c: 1001)
    assert g.ret("clone", 0x50F00) == 1001
    assert Kernel().syscall(g.mem, SYS["clone"], []).ret == -ENOSYS    # other kernels unaffected


def test_uname_fills_six_65_byte_fields(g):
    assert g.ret("uname", g.BUF) == 0
    fields = [g.mem.read(g.BUF + 65 * i, 65) for i in range(6)]
    want = [b"Linux", b"gosyscall", b"6.1.0", b"#1 SMP gosyscall", b"x86_64", b"(none)"]
    assert fields == [w.ljust(65, b"\0") for w in want]


def test_uname_to_wild_pointer_is_efault(g):
    assert g.ret("uname", g.WILD) == -ERRNO["EFAULT"]


def test_arch_prctl_sets_and_gets_fs_base(g):
    r = g.call("arch_prctl", 0x1002, 0x7000)
    assert (r.ret, r.fs_base) == (0, 0x7000)
    assert g.ret("arch_prctl", 0x1003, g.BUF) == 0
    assert g.u64s(g.BUF, 1) == (0x7000,)
    assert g.ret("arch_prctl", 0x1002, 1 << 63) == -ERRNO["EPERM"]
    assert g.ret("arch_prctl", 0x9999, 0) == -ERRNO["EINVAL"]


# -- describe() and named_args() ------------------------------------------------------------------
def test_describe_read_shows_returned_bytes(g):
    fd = g.open("/hello.txt")
    assert g.k.describe(g.mem, g.call("read", fd, g.BUF, 64)) == \
        'read(3, "Hello from the emulated kernel!\\n", 64) = 32'


def test_describe_truncates_long_buffers_like_strace(g):
    r = g.write(1, b"x" * 40)
    assert g.k.describe(g.mem, r).startswith('write(1, "' + "x" * 32 + '"..., 40) = 40')


def test_describe_error_has_errno_name_and_text(g):
    assert g.k.describe(g.mem, g.call("close", -1)) == "close(-1) = -1 EBADF (Bad file descriptor)"


def test_describe_no_argument_call(g):
    assert describe(g.mem, g.call("getpid")) == "getpid() = 1000"


def test_describe_unfinished_call_shows_output_buffer_as_pointer(g):
    assert describe(g.mem, (SYS["read"], (3, g.BUF, 64))) == f"read(3, {g.BUF:#x}, 64)"


def test_describe_failed_read_shows_pointer(g):
    assert describe(g.mem, g.call("read", 99, g.BUF, 8)) == \
        f"read(99, {g.BUF:#x}, 8) = -1 EBADF (Bad file descriptor)"


def test_describe_escapes_control_bytes(g):
    r = g.write(2, b'a\tb"\x1b1\x00')
    assert describe(g.mem, r) == 'write(2, "a\\tb\\"\\0331\\0", 7) = 7'


def test_describe_openat_and_wild_path(g):
    r = g.call("openat", -100, g.path("/hello.txt"), 0o2000000, 0)
    assert describe(g.mem, r) == 'openat(AT_FDCWD, "/hello.txt", O_RDONLY|O_CLOEXEC) = 3'
    assert describe(g.mem, g.call("open", g.WILD, 0o101, 0o644)) == \
        f"open({g.WILD:#x}, O_WRONLY|O_CREAT, 0644) = -1 EFAULT (Bad address)"


def test_describe_exit_group_never_returns(g):
    assert describe(g.mem, g.call("exit_group", 0)) == "exit_group(0) = ?"


def test_describe_unknown_syscall_shows_raw_args(g):
    assert describe(g.mem, g.k.syscall(g.mem, 999, [1])) == \
        "syscall_999(0x1, 0x0, 0x0, 0x0, 0x0, 0x0) = -1 ENOSYS (Function not implemented)"


def test_named_args_give_registers_and_kernel_view_of_values():
    assert named_args(SYS["read"], [0xFFFFFFFF, 0x1000, 64]) == [
        ("fd", "rdi", -1, "fd"), ("buf", "rsi", 0x1000, "buf_out"), ("count", "rdx", 64, "size")]
    assert [r for _, r, _, _ in named_args(SYS["futex"], [0] * 6)] == ["rdi", "rsi", "rdx", "r10", "r8", "r9"]


def test_named_args_of_unknown_call_are_six_raw_registers():
    assert named_args(999, [5]) == [(f"arg{i}", r, 5 if i == 0 else 0, "hex")
                                    for i, r in enumerate(["rdi", "rsi", "rdx", "r10", "r8", "r9"])]


# -- names and numbers ---------------------------------------------------------------------------
def test_sysnum_knows_every_x86_64_number_up_to_334():
    assert all(n in NAMES for n in range(335))
    assert (NAMES[0], NAMES[39], NAMES[158], NAMES[202], NAMES[270], NAMES[293], NAMES[334]) == \
        ("read", "getpid", "arch_prctl", "futex", "pselect6", "pipe2", "rseq")


def test_lookup_accepts_names_and_numbers():
    assert [lookup(x) for x in ("getpid", "SYS_getpid", "39", "0x27", 39, "GETPID")] == [39] * 6


def test_lookup_suggests_close_names():
    with pytest.raises(ValueError, match="getpid"):
        lookup("gepid")


def test_lookup_without_close_name_has_no_suggestion():
    with pytest.raises(ValueError) as e:
        lookup("qqqqqqqqqq")
    assert "did you mean" not in str(e.value)


def test_errno_values_are_linux_ones():
    assert (ERRNO["EAGAIN"], ERRNO["ENOSYS"], ERRNO["ELOOP"], ERRNO["ETIMEDOUT"], ERRNO["EHWPOISON"]) == \
        (11, 38, 40, 110, 133)
    assert (errno_name(9), errno_name(-9), errno_name(600)) == ("EBADF", "EBADF", "ERRNO_600")
    assert strerror(2) == "No such file or directory"
