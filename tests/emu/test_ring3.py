"""The guest is a user process: ring 3, Linux's selectors, privileged instructions fault.

Before, the emulated CPU ran at privilege level 0: ``mov rax, cr0`` gave 0x11, ``cli``, ``in``,
``wrmsr`` ran silently, ``sysenter`` was a no-op and ``hlt`` burnt the whole budget. A user
process gets #GP (SIGSEGV) or #UD (SIGILL) instead; each is a guest fault naming the
instruction, the CPU left as it was before it (RIP at it, nothing written).
"""
import pytest

from asm.userstub import parse_user_stub
from emu.bridge.session import Session
from emu.cpu import layout as L
from emu.errors import GuestFault
from emu.trace.tracer import Tracer

SYS_GETPID = 39


def session_with(body: str) -> Session:
    stub = parse_user_stub(body + "\nret\n", "probe.s")
    return Session(extra_stubs=[stub])


def run(body: str, **kw):
    s = session_with(body)
    return s, s.call("main.userstub", SYS_GETPID, [], **kw)


PRIVILEGED = ["mov rax, cr0", "mov cr3, rax", "in al, dx", "out dx, al", "rdmsr", "wrmsr", "swapgs",
              "cli", "sti", "clts", "wbinvd", "invlpg byte ptr [rsp]", "hlt", "lgdt [rsp]",
              "lidt [rsp]", "mov rax, dr7", "ltr ax", "invd", "xsetbv", "int 0x81"]


@pytest.mark.parametrize("insn", PRIVILEGED)
def test_a_privileged_instruction_is_sigsegv_naming_it(insn):
    s = session_with(f"mov rax, 0x1234\n{insn}")
    with pytest.raises(GuestFault) as e:
        s.call("main.userstub", SYS_GETPID, [], budget=1000)
    assert e.value.signal == "SIGSEGV"
    msg = str(e.value)
    assert "\n" not in msg and "SIGSEGV" in msg
    at = s.image.symbols["main.userstub"] + len(s.image.insns[s.image.symbols["main.userstub"]].data)
    assert s.image.insns[at].intel in msg                    # the instruction, as it runs
    regs = s.machine.regs()
    assert regs["rip"] == at                                  # stopped at it, not after it
    assert regs["rax"] == 0x1234                              # and it changed nothing


@pytest.mark.parametrize("insn", ["ud2", "rsm", "vmcall"])
def test_an_invalid_instruction_is_sigill(insn):
    with pytest.raises(GuestFault) as e:
        run(insn, budget=1000)
    assert e.value.signal == "SIGILL" and "#UD" in str(e.value)


def test_sysenter_is_no_longer_a_no_op():
    with pytest.raises(GuestFault, match="sysenter") as e:
        run("sysenter", budget=1000)
    assert e.value.signal == "SIGSEGV"


def test_hlt_faults_at_once_instead_of_spending_the_budget():
    with pytest.raises(GuestFault, match="#GP"):
        run("hlt", budget=100_000_000)


def test_the_process_has_linux_user_selectors_and_its_tls_still_works():
    """CS = 0x33, SS = 0x2b as in any Linux process; FS:-8 is still the g (m.tls[0]) and
    rdfsbase reads the FS base arch_prctl would have set."""
    s, res = run("mov ax, cs\nmov qword ptr [rsp+0x28], rax\nmov ax, ss\nmov qword ptr [rsp+0x30], rax\n"
                 "mov rax, qword ptr fs:[-8]\nmov qword ptr [rsp+0x38], rax")
    assert (res.r1 & 0xFFFF, res.r2 & 0xFFFF) == (0x33, 0x2B)
    assert res.err == L.G1                                    # FS:-8 = g, at go1.10's TLS slot
    s2, res2 = run("rdfsbase rax\nmov qword ptr [rsp+0x28], rax")
    assert res2.r1 == s2.runtime.fs_base


def test_a_traced_fault_records_no_step_for_the_faulting_instruction():
    s = session_with("nop\nmov rax, cr0")
    s.machine.attach_tracer(Tracer(s.machine))
    with pytest.raises(GuestFault):
        s.call("main.userstub", SYS_GETPID, [], budget=1000)
    steps = [e.data["intel"] for e in s.log.events if e.kind == "insn"]
    assert steps[-1] == "nop"                                 # the fault retired nothing


def test_ring_3_survives_a_snapshot_restore():
    s = session_with("mov rax, cr0")
    ctx = s.machine.uc.context_save()
    s.call("Syscall", SYS_GETPID, [])
    s.machine.uc.context_restore(ctx)
    with pytest.raises(GuestFault, match="#GP"):
        s.call("main.userstub", SYS_GETPID, [], budget=1000)


def test_the_cli_prints_one_line_and_exits_with_the_fault_status(tmp_path, capsys):
    from emu.cli.main import main
    p = tmp_path / "cr0.s"
    p.write_text("mov rax, cr0\nret\n")
    assert main(["run", "getpid", "--asm", str(p), "--no-color"]) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "mov rax, cr0" in err[0] and "SIGSEGV" in err[0], err


def test_the_thread_world_runs_in_ring_3_too(tmp_path, capsys):
    from emu.cli.main import main
    p = tmp_path / "cli.s"
    p.write_text("cli\nret\n")
    assert main(["run", "getpid", "--asm", str(p), "--runnable", "1", "--quiet"]) != 0
    assert "#GP" in capsys.readouterr().err


def test_verify_says_how_each_run_ended():
    """The report names the native signal; a different signal on the two sides DIFFERS."""
    from emu.verify.compare import CaseResult, _end_difference
    from emu.verify.report import divergence_lines, result_text
    r = CaseResult(stub="userstub", call="getpid()", native_end="signal 4 40119a",
                   emulated_end="guest fault: privileged ... (#GP; Linux sends SIGSEGV)",
                   emulated_signal="SIGSEGV")
    r.frame = (None, None)
    d = _end_difference(r)
    assert d is not None and "SIGILL (signal 4) at 0x40119a" in d.rows[0][1]
    r.emulated_signal, r.native_end = "SIGILL", "signal 4 40119a"
    assert _end_difference(r) is None
    assert result_text(r).startswith("both stopped: native SIGILL (signal 4) at 0x40119a; emulated guest fault")
    from emu.verify.compare import Difference
    r.native, r.emulated = [(0,) * 18] * 2, [(0,) * 18] * 3
    r.insns = [(0x401000, "main.userstub", "", "")] * 2
    r.diff = Difference(2, "steps", [("instructions run", "1", "2")])
    head = divergence_lines(r)[0]
    assert "the native run ended (SIGILL (signal 4) at 0x40119a); the emulated one went on" in head
    r.native_end = "timeout"
    assert "timed out" in divergence_lines(r)[0]
