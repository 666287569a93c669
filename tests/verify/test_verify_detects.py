"""``verify`` finds real differences: a broken SYSCALL hook, wrong bytes, lost output."""
import pytest

from emu.cli.main import main
from emu.cpu.machine import Machine
from emu.cpu.regs import REG_IDS
from emu.kernel.files import Console
from emu.verify import compare
from emu.verify.compare import run_case


def _break_sysret(monkeypatch, reg: str, value: int) -> None:
    """After the real SYSCALL hook, overwrite one register it set (the code itself is untouched)."""
    real = Machine._syscall

    def broken(self):
        real(self)
        self.uc.reg_write(REG_IDS[reg], value)
    monkeypatch.setattr(Machine, "_syscall", broken)


@pytest.mark.parametrize("reg", ["rcx", "r11"])
def test_a_wrong_rcx_or_r11_fails_at_the_syscall_step(native, monkeypatch, capsys, reg):
    _break_sysret(monkeypatch, reg, 0)
    assert main(["verify", "getpid", "--stub", "Syscall"]) == 1
    out = capsys.readouterr().out
    assert "DIFFERS" in out
    assert "first divergence: step 11, after 0x0040102e syscall.Syscall+0x2e  SYSCALL" in out
    row = next(l for l in out.splitlines() if l.strip().startswith(reg + " "))
    assert row.split()[1:] == [("0x0000000000401030" if reg == "rcx" else "0x0000000000000202"),
                               "0x0000000000000000"]
    assert "0 identical to the native run, 1 differ" in out


def test_the_divergence_names_the_step_in_every_stub(native, monkeypatch):
    _break_sysret(monkeypatch, "rcx", 0x1234)
    for stub in ("Syscall", "Syscall6", "RawSyscall", "RawSyscall6"):
        r = run_case(["close", "-1"], stub)
        assert not r.identical and r.diff.what == "registers"
        pc, where, go, loc = r.insns[r.diff.step - 1]
        assert go == "SYSCALL" and loc.startswith("asm_linux_amd64.s:")
        assert [row[0] for row in r.diff.rows] == ["rcx"]


def test_wrong_bytes_from_the_model_are_a_memory_difference(native, monkeypatch):
    def other_file(kernel):
        pipe = real(kernel)
        kernel.fds.get(3).data = compare.FILE.upper()       # same length, other bytes
        return pipe
    real = compare.install_fds
    monkeypatch.setattr(compare, "install_fds", other_file)
    r = run_case(["read", "3", "buf:96", "96"], "RawSyscall")
    assert r.diff.what == "memory" and r.diff.rows[0][0].startswith("user heap")


def test_lost_console_output_is_an_output_difference(native, monkeypatch):
    monkeypatch.setattr(Console, "write", lambda self, c, buf, count: count)
    r = run_case(["write", "1", "data:hello", "5"], "Syscall")
    assert r.diff.what == "output" and r.diff.rows[0][0].startswith("fd 1")


def test_a_different_result_register_is_caught_before_the_frame(native, monkeypatch):
    _break_sysret(monkeypatch, "rax", 7)
    r = run_case(["getpid"], "RawSyscall6")
    assert r.diff.what == "registers" and r.diff.rows[0][0] == "rax"
