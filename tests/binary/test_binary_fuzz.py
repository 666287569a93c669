"""Damaged Go binaries through ``gosyscall run --binary``: a result or one line, never a traceback.

Hypothesis damages a copy of the go1.22.10 probe — cut at any length, or bytes overwritten in
the ELF and program headers, the section headers, the Go build info, the symbol table, the
pclntab, the DWARF, or the code of the syscall path itself — and runs the call. Whatever the
damage, the command ends with exit status 0 and a result line, or a non-zero status and one
line on stderr (a damaged instruction may well fault the guest: that is one line too).
"""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emu.cli.main import main
from emu.toolchain.gobinary import GoBinary

REGIONS = (".symtab", ".gopclntab", ".go.buildinfo", ".debug_info", ".debug_abbrev", ".strtab")
CODE = ("syscall.Syscall", "syscall.RawSyscall6", "runtime/internal/syscall.Syscall6")


@pytest.fixture(scope="module")
def probe(go):
    b = GoBinary(go.probe("1.22.10"))
    spans = [(0, 0x800)]                  # ELF header, program headers, section headers
    for name in REGIONS:
        s = b._sections[name]
        spans.append((s["sh_offset"], min(s["sh_size"], 0x4000)))
    text = b._sections[".text"]
    for fn in CODE:                       # file offsets of the path's own code
        sym = b.symbols[fn]
        spans.append((text["sh_offset"] + sym.addr - text["sh_addr"], sym.size))
    return b.data, spans


@st.composite
def damage(draw, data, spans):
    if draw(st.booleans()) and draw(st.booleans()):
        return data[:draw(st.integers(0, len(data)))]
    start, size = draw(st.sampled_from(spans))
    raw = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        at = start + draw(st.integers(0, max(0, size - 1)))
        raw[at:at + 8] = draw(st.binary(min_size=1, max_size=8))
    return bytes(raw[:len(data)])


def test_damaged_binaries_run_or_say_one_line(probe, tmp_path_factory, monkeypatch, capsys):
    data, spans = probe
    work = tmp_path_factory.mktemp("fuzz")
    monkeypatch.setenv("GOSYSCALL_CACHE_DIR", str(work / "cache"))      # verdicts of damaged copies
    seen = {"ran": 0, "refused": 0}

    @settings(max_examples=max(30, settings().max_examples // 4), deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(st.data())
    def check(d):
        raw = d.draw(damage(data, spans))
        path = work / "prog"
        path.write_bytes(raw)
        code = main(["run", "--binary", str(path), "getpid", "--quiet", "--budget", "5000"])
        out, err = capsys.readouterr()
        if code == 0:
            assert err == "" and out.startswith("result: "), (out, err)
            seen["ran"] += 1
        else:
            assert err.count("\n") == 1 and err.startswith("gosyscall: "), err
            assert "Traceback" not in err and out == ""
            seen["refused"] += 1
    check()
    assert seen["refused"] > 0
