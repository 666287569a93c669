"""What the CPU and Linux do at SYSCALL, and what Go's stub makes of it (issue 2 "Must show")."""

import pytest

from emu.cpu import layout as L
from emu.errors import BudgetExceeded, GuestFault
from emu.kernel.table import Entry

SYS_READ, SYS_CLOSE, SYS_GETPID = 0, 3, 39
MASK = (1 << 64) - 1


def insn_events(session):
    return [e for e in session.log.events if e.kind == "insn"]


def syscall_step(session):
    return next(e for e in insn_events(session) if e.data["intel"] == "syscall")


@pytest.mark.parametrize("stub", ["Syscall", "RawSyscall", "Syscall6", "RawSyscall6"])
def test_syscall_sets_rax_rcx_r11_like_linux(traced, stub):
    traced.call(stub, SYS_GETPID, [])
    ev = syscall_step(traced)
    changes = {n: new for n, _old, new in ev.data["regs"]}
    assert changes["rax"] == 1000                          # the fixed pid
    assert changes["rcx"] == ev.data["pc"] + 2             # the instruction after SYSCALL
    assert changes["r11"] == 0x202                         # RFLAGS as the stub left it
    assert set(changes) == {"rax", "rcx", "r11"}           # nothing else moves


def test_every_other_register_is_preserved_across_the_syscall(session):
    keep = {"rbx": 0x1111, "rbp": 0x2222, "r12": 0x3333, "r13": 0x4444, "r14": 0x5555, "r15": 0x6666}
    seen = {}

    def snoop(c):
        return 0

    session.call("RawSyscall", SYS_GETPID, [], regs=keep)
    regs = session.machine.regs()
    for name, v in keep.items():
        assert regs[name] == v, name
    assert regs["rflags"] & 0x200                          # IF still set


def test_error_path_close_minus_one(session):
    res = session.call("Syscall", SYS_CLOSE, [-1])
    assert (res.r1, res.r2, res.err) == (MASK, 0, 9)       # r1 = -1, r2 = 0, err = EBADF
    assert res.errname == "EBADF"


def test_success_path_r2_is_rdx_which_is_a3(session):
    res = session.call("Syscall", SYS_GETPID, [111, 222, 12345])
    assert (res.r1, res.r2, res.err) == (1000, 12345, 0)   # the kernel never writes RDX: r2 == a3


def _custom(session, nr, handler):
    session.kernel.table[nr] = Entry("probe", ("a",), ("hex",), handler)


def test_minus_4095_is_success_as_go_jls_does(session):
    _custom(session, 500, lambda c: -4095)
    res = session.call("Syscall", 500, [])
    assert (res.r1, res.err) == ((-4095) & MASK, 0)        # JLS: unsigned ≤ 0xfffffffffffff001
    _custom(session, 500, lambda c: -4094)
    res = session.call("Syscall", 500, [])
    assert (res.r1, res.r2, res.err) == (MASK, 0, 4094)


def test_unknown_number_is_enosys(session):
    res = session.call("RawSyscall6", 999, [1, 2, 3, 4, 5, 6])
    assert (res.r1, res.r2, res.err) == (MASK, 0, 38)
    assert session.kernel.unknown_calls[-1][0] == 999


def test_wild_pointer_is_efault(session):
    fd = session.open_for_setup("/hello.txt")
    res = session.call("Syscall", SYS_READ, [fd, 0xDEAD0000, 64])
    assert (res.r1, res.err) == (MASK, 14)


def test_read_puts_the_file_bytes_in_the_buffer(session):
    fd = session.open_for_setup("/hello.txt")
    buf = session.alloc(64)
    res = session.call("Syscall", SYS_READ, [fd, buf, 64])
    assert res.r1 == 32 and session.machine.mem.read(buf, 32) == b"Hello from the emulated kernel!\n"


def test_gsyscall_is_in_guest_memory_while_the_syscall_executes(session):
    from runtime_py.go1_10.layout import G_FIELDS
    off, size = G_FIELDS["atomicstatus"]
    seen = {}

    def probe(c):
        raw = session.machine.mem.read(L.G1 + off, size)
        seen["status"] = int.from_bytes(raw, "little")
        seen["syscallsp"] = session.machine.mem.u64(L.G1 + G_FIELDS["syscallsp"][0])
        seen["stackguard0"] = session.machine.mem.u64(L.G1 + G_FIELDS["stackguard0"][0])
        return 0

    _custom(session, 500, probe)
    session.call("Syscall", 500, [])
    assert seen["status"] == 3                              # _Gsyscall
    assert seen["stackguard0"] == 0xFFFFFFFFFFFFFADE        # stackPreempt
    assert L.STACK_LO <= seen["syscallsp"] < L.STACK_HI
    after = session.machine.mem.read(L.G1 + off, size)
    assert int.from_bytes(after, "little") == 2             # _Grunning again


def test_fs_minus_8_holds_g(session):
    session.call("Syscall", SYS_GETPID, [])
    from emu.cpu.regs import REG_IDS
    fs = session.machine.uc.reg_read(REG_IDS["fs_base"])
    assert session.machine.mem.u64(fs - 8) == L.G1


def test_runtime_state_changes_in_go_order(traced):
    traced.call("Syscall", SYS_GETPID, [])
    seq = [(e.kind, e.data.get("fn") or e.data.get("name") or (e.data.get("old"), e.data.get("new")))
           for e in traced.log.events if e.kind in ("call", "gstatus", "pstatus", "syscall")]
    calls = [x for k, x in seq if k == "call"]
    assert calls[:2] == ["entersyscall", "reentersyscall"]
    order = [x for k, x in seq if k in ("gstatus", "pstatus", "syscall")]
    assert order == [("_Grunning", "_Gsyscall"), ("_Prunning", "_Psyscall"), "getpid",
                     ("_Psyscall", "_Prunning"), ("_Gsyscall", "_Grunning")]
    assert calls.index("exitsyscallfast") < calls.index("exitsyscallfast_reacquired")


def test_raw_syscall_never_enters_the_runtime(traced):
    traced.call("RawSyscall", SYS_GETPID, [])
    assert not [e for e in traced.log.events if e.kind in ("call", "gstatus", "pstatus")]


def test_a_fault_names_the_instruction_the_access_and_the_address(session):
    session.prepare(session.resolve_stub("Syscall"), SYS_GETPID, [])
    with pytest.raises(GuestFault, match=r"read of unmapped memory at 0xc000030ff8.*syscall\.Syscall"):
        begin = session.image.symbols["syscall.Syscall"] + 5      # MOVQ a1+8(FP), DI
        session.machine.set_regs({"rsp": L.GUARD_PAGE + 0xFE8})
        session.machine.run(begin, session.image.symbols["main.callSyscall.done"])


def test_runaway_guest_hits_the_budget(session):
    with pytest.raises(BudgetExceeded, match="budget of 5"):
        session.call("Syscall", SYS_GETPID, [], budget=5)


def test_untraced_run_has_no_per_instruction_hook(session):
    session.call("Syscall", SYS_GETPID, [])
    assert session.machine.tracer is None
    assert not [e for e in session.log.events if e.kind == "insn"]
