"""The Go column against ``go tool objdump``, ``--entry`` into other functions of the program,
and a golden of a real binary's run."""
import re
import shutil
import subprocess

import pytest

from emu.binary.load import load
from emu.binary.session import BinarySession
from emu.cli.main import main
from emu.toolchain.build import go_env

PATH = ("syscall.Syscall", "syscall.Syscall6", "syscall.RawSyscall", "syscall.RawSyscall6", "syscall.write",
        "main.callSyscall", "runtime.entersyscall", "runtime.exitsyscall", "runtime.reentersyscall")
ASM6 = {"1.22.10": "runtime/internal/syscall.Syscall6", "1.27.3": "internal/runtime/syscall/linux.Syscall6"}


def objdump(go, version, probe, name):
    tc = go.toolchain(version)
    out = subprocess.run([tc.go, "tool", "objdump", "-s", f"^{re.escape(name)}$", probe], env=go_env(tc),
                         capture_output=True, text=True, timeout=120).stdout
    rows = {}
    for line in out.splitlines():
        m = re.match(r"\s+(\S+:\d+)\s+0x([0-9a-f]+)\s+[0-9a-f]+\s+(.*?)\s*$", line)
        if m:
            rows[int(m.group(2), 16)] = (m.group(1), " ".join(m.group(3).split()))
    return rows


@pytest.mark.parametrize("version", ASM6)
def test_every_instruction_on_the_path_reads_as_objdump_shows_it(go, version):
    probe = go.probe(version)
    img = BinarySession(load(probe)).image
    differ = []
    for name in PATH + (ASM6[version],):
        want = objdump(go, version, probe, name)
        assert want, name
        for insn in img.function(name):
            loc, text = want[insn.addr]
            if insn.go != text and not (text.endswith("(IP)") or "(IP)," in text):
                differ.append((hex(insn.addr), insn.go, text))
            assert insn.loc == loc, (hex(insn.addr), insn.loc, loc)          # the binary's own line
    assert differ == []


def test_entry_calls_another_function_of_the_program(go, capsys):
    probe = go.probe("1.22.10")
    code = main(["run", "--binary", probe, "--entry", "syscall.write", "1", "data:hi\\n", "3", "3", "--no-color"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.splitlines()[0].endswith("syscall.write(AX=1, BX=data:hi\\n, CX=3, DI=3)")
    assert "CMPQ SP, 0x10(R14)" in out                            # its stack check reads g.stackguard0 via R14
    assert "CALL syscall.Syscall(SB)" in out and "⇐ write(1, \"hi\\n\", 3) = 3" in out
    assert "result: AX = 3, BX = 0, CX = 0   (the function's result registers)" in out
    assert "guest stdout: b'hi\\n'" in out


def test_entry_through_the_errno_interface(go, capsys):
    """syscall.write's error path boxes the Errno (runtime.convT64: a static value below 256)."""
    probe = go.probe("1.22.10")
    code = main(["run", "--binary", probe, "--entry", "syscall.write", "-1", "data:x", "1", "1", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    b = go.binary("1.22.10")
    itab = b.symbols["go:itab.syscall.Errno,error"].addr
    static = b.symbols["runtime.staticuint64s"].addr
    assert out.strip() == (f"result: AX = 0xffffffffffffffff, BX = {itab:#x}, CX = {static + 8 * 9:#x}   "
                           "(the function's result registers)")          # n = -1, err = (itab, &9)


def test_entry_of_the_programs_own_caller(go, capsys):
    code = main(["run", "--binary", go.probe("1.27.3"), "--entry", "main.callSyscall", "39", "0", "0", "0", "--quiet"])
    out, _ = capsys.readouterr()
    assert code == 0 and "AX = 0x3e8," in out


def test_golden_of_a_real_binary(go, gosyscall_golden, tmp_path):
    """A binary's trace as a golden: the probe is rebuilt the same, byte for byte, by the pinned
    release (offline, -trimpath), so its addresses and lines are the golden's."""
    probe = tmp_path / "probe"
    shutil.copy(go.probe("1.22.10"), probe)
    gosyscall_golden.run("binary_go1_22_close_ebadf", f"close -1 --binary {probe}")


def test_golden_finds_the_binary_beside_the_test(go, tmp_path):
    from emu.trace.pytest_plugin import Golden
    g = Golden(tmp_path / "golden", False, tmp_path, {"written": 0, "pending": set()}, base=tmp_path)
    assert g._resolved(["getpid", "--binary", "probe"]) == ["getpid", "--binary", str(tmp_path / "probe")]
    assert g._resolved(["--binary=/abs/p"]) == ["--binary=/abs/p"]
