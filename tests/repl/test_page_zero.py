"""A fetch from page 0 faults, in the REPL and in a run, wherever RIP came from.

``set $rip = 0`` then ``si`` printed ``0x0`` and RIP stayed 0 (``c`` then spent the whole
100 M budget): a run starting at, or jumping to, address 0 met Unicorn's end address 0 and
stopped without running anything. Now it faults as a fetch from 0x10 always did.
"""
import pytest

from emu.cli.main import main
from tests.repl.conftest import answers, run_script


@pytest.mark.parametrize("where", ["0", "0x10"])
def test_set_rip_then_si_faults_on_the_fetch(where):
    got = answers(run_script(f"ctx off\nset $rip = {where}\nsi\nc\nquit\n", "getpid"))
    assert f"fetch from unmapped memory at {int(where, 0):#x}" in got["si"], got["si"]
    assert "budget" not in got["c"], got["c"]


def test_a_jump_to_zero_in_a_stub_faults_after_the_jump_retires(tmp_path, capsys):
    p = tmp_path / "zero.s"
    p.write_text("xor rax, rax\njmp rax\nret\n")
    assert main(["run", "getpid", "--asm", str(p), "--no-color"]) == 3
    out, err = capsys.readouterr()
    assert out.rstrip().splitlines()[-1].split()[-2:] == ["jmp", "rax"]    # the jump ran
    assert err.startswith("gosyscall: guest fault: fetch from unmapped memory at 0x0")
    got = answers(run_script("ctx off\nsi 5\ninfo registers rip\nquit\n", "getpid", "--asm", str(p)))
    assert "fetch from unmapped memory at 0x0" in got["si 5"], got["si 5"]
