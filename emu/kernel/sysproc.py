"""emu/kernel/sysproc.py — process and thread syscalls: ids, uname, exit, yield, futex, clone.

The process is fixed and deterministic: pid (= tgid) 1000, parent 999, uid/gid 1000, and
the main thread's tid equals the pid, as for any Linux process's first thread.
"""
from __future__ import annotations

from emu.kernel.args import TASK_SIZE_MAX, fetch_timespec, fetch_u32, put_bytes, put_u64
from emu.kernel.block import Block
from emu.kernel.call import Call
from emu.kernel.clock import KTIME_MAX, NSEC_PER_SEC
from emu.kernel.errno import EAGAIN, EINVAL, ENOSYS, EPERM, ETIMEDOUT, SysError

# struct utsname: six fields of __NEW_UTS_LEN + 1 = 65 bytes, NUL padded.
UTS_FIELD = 65
UTSNAME = (b"Linux", b"gosyscall", b"6.1.0", b"#1 SMP gosyscall", b"x86_64", b"(none)")

# include/uapi/linux/futex.h
FUTEX_WAIT, FUTEX_WAKE = 0, 1
FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME = 128, 256
FUTEX_CMD_MASK = ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME)
# arch/x86/include/uapi/asm/prctl.h
ARCH_SET_GS, ARCH_SET_FS, ARCH_GET_FS, ARCH_GET_GS = 0x1001, 0x1002, 0x1003, 0x1004


def sys_getpid(c: Call) -> int:
    """getpid(): the thread group id, 1000."""
    return c.kernel.pid


def sys_getppid(c: Call) -> int:
    """getppid(): 999."""
    return c.kernel.ppid


def sys_gettid(c: Call) -> int:
    """gettid(): the calling thread's id (the main thread's is the pid)."""
    return c.tid


def sys_getuid(c: Call) -> int:
    """getuid() and geteuid(): 1000."""
    return c.kernel.uid


def sys_getgid(c: Call) -> int:
    """getgid() and getegid(): 1000."""
    return c.kernel.gid


def sys_uname(c: Call) -> int:
    """uname(buf): fill the 390-byte struct utsname; EFAULT if it is not all writable."""
    data = b"".join(f.ljust(UTS_FIELD, b"\0") for f in UTSNAME)
    put_bytes(c.mem, c.argptr(0), data)
    return 0


def sys_sched_yield(c: Call) -> int:
    """sched_yield(): 0. Whether another thread runs next is the thread layer's decision."""
    return 0


def sys_exit(c: Call) -> int:
    """exit(status): ends the calling thread; the status a parent would see is status & 0xff."""
    c.exit_status, c.exit_kind = c.argint(0) & 0xFF, "thread"
    return 0


def sys_exit_group(c: Call) -> int:
    """exit_group(status): ends every thread; the status a parent would see is status & 0xff."""
    c.exit_status, c.exit_kind = c.argint(0) & 0xFF, "group"
    return 0


def sys_clone(c: Call) -> int:
    """clone(...): not modelled here; the thread layer replaces this entry of the table."""
    raise SysError(ENOSYS)


def sys_arch_prctl(c: Call) -> int:
    """arch_prctl(code, addr): set or get the FS/GS base (the machine applies Result.fs_base)."""
    code, addr, k = c.argint(0), c.argptr(1), c.kernel
    if code in (ARCH_SET_FS, ARCH_SET_GS):
        if addr >= TASK_SIZE_MAX:
            raise SysError(EPERM)               # arch/x86/kernel/process_64.c: not a user address
        (k.fs_base if code == ARCH_SET_FS else k.gs_base)[c.tid] = addr
        if code == ARCH_SET_FS:
            c.fs_base = addr
        return 0
    if code in (ARCH_GET_FS, ARCH_GET_GS):
        put_u64(c.mem, addr, (k.fs_base if code == ARCH_GET_FS else k.gs_base).get(c.tid, 0))
        return 0
    raise SysError(EINVAL)


def sys_futex(c: Call) -> int | Block:
    """futex(uaddr, op, val, timeout, uaddr2, val3): FUTEX_WAIT and FUTEX_WAKE (private or not).

    Other operations (REQUEUE, WAKE_OP, PI, BITSET, ...) are real but not modelled: ENOSYS,
    which is also what Linux answers for an op it does not know. FUTEX_CLOCK_REALTIME is
    only valid with the BITSET/PI waits, so with WAIT or WAKE it is ENOSYS in Linux too.
    """
    uaddr, op, val = c.argptr(0), c.argint(1), c.arguint(2)
    cmd = op & FUTEX_CMD_MASK
    timeout = None
    if cmd == FUTEX_WAIT and c.argptr(3):
        sec, nsec = fetch_timespec(c.mem, c.argptr(3))
        if sec < 0 or not 0 <= nsec < NSEC_PER_SEC:
            raise SysError(EINVAL)
        timeout = min(sec * NSEC_PER_SEC + nsec, KTIME_MAX)
    if op & FUTEX_CLOCK_REALTIME or cmd not in (FUTEX_WAIT, FUTEX_WAKE):
        raise SysError(ENOSYS)
    if uaddr % 4:
        raise SysError(EINVAL)                  # get_futex_key: a futex is an aligned u32
    if cmd == FUTEX_WAKE:
        c.woken = c.kernel.futex_wake(uaddr, c.argint(2))
        return len(c.woken)
    return futex_wait(c, uaddr, val, timeout)


def futex_wait(c: Call, uaddr: int, val: int, timeout: int | None) -> int | Block:
    """Sleep on ``uaddr`` if the u32 there still equals ``val`` (else EAGAIN), until woken or timed out.

    Like Linux, the timed wait uses the thread's timer slack: it ends at
    now + timeout + slack. The thread is queued on ``kernel.futex_waiters[uaddr]``.
    """
    k = c.kernel
    if fetch_u32(c.mem, uaddr) != val:
        raise SysError(EAGAIN)
    k.futex_waiters.setdefault(uaddr, []).append(c.tid)
    until = None if timeout is None else min(k.clock.now_ns + timeout + k.timer_slack_ns, KTIME_MAX)
    tid = c.tid

    def resume(c2: Call) -> int | Block:
        """Woken (no longer queued): 0. Still queued at the deadline: ETIMEDOUT. Else wait on."""
        waiters = k.futex_waiters.get(uaddr, [])
        if tid not in waiters:
            return 0
        if until is not None and k.clock.now_ns >= until:
            waiters.remove(tid)
            if not waiters:
                del k.futex_waiters[uaddr]
            raise SysError(ETIMEDOUT)
        return block

    what = f"futex wait on {uaddr:#x} (value {val})" + (" with no timeout" if until is None
                                                         else f" until t={until} ns")
    block = Block("futex", until, uaddr, what, resume)
    return block
