"""Damaged Go binaries: whatever is cut off or overwritten, the reader answers or says one line.

Hypothesis damages a copy of the go1.22.10 probe — cut at any length, bytes overwritten in
the ELF and program headers, the section headers, the Go build info, the symbol table,
the pclntab or a compressed DWARF section — then asks the reader everything gosyscall
asks of a binary. The only exception allowed out is BinaryError with one line naming the
file; no pyelftools exception, no traceback, no hang.
"""
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emu.toolchain.errors import BinaryError
from emu.toolchain.gobinary import GoBinary

REGIONS = (".symtab", ".gopclntab", ".go.buildinfo", ".debug_info", ".debug_line", ".debug_abbrev",
           ".strtab", ".noptrdata")


@pytest.fixture(scope="module")
def probe(go, tmp_path_factory):
    b = go.binary("1.22.10")
    spans = [(0, 0x800)]                  # ELF header, program headers, section headers (0x190…)
    for name in REGIONS:
        s = b._sections[name]
        spans.append((s["sh_offset"], min(s["sh_size"], 0x4000)))
    return b.data, spans, tmp_path_factory.mktemp("fuzz")


def ask_everything(path: str, deep: bool) -> None:
    b = GoBinary(path)
    b.problems(("go1.22",))
    if b.stripped:
        return
    s = b.symbols.get("syscall.Syscall")
    if s is not None:
        b.code("syscall.Syscall")
        b.symbolize(s.addr + 4)
        b.line_at(s.addr + 8, "pclntab")
        if b.has_dwarf:
            b.line_at(s.addr + 8, "dwarf")
    if deep and b.has_dwarf:
        b.struct_layout("runtime.m")


def damage(data: bytes, spans, draw) -> bytes:
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        start, size = spans[draw(st.integers(0, len(spans) - 1))]
        off = start + draw(st.integers(0, max(0, size - 1)))
        value = draw(st.sampled_from([b"\x00", b"\xff", b"\x7f", b"\x80\x80\x80\x80\x80\x80\x80\x80\x01"]) |
                     st.binary(min_size=1, max_size=8))
        out[off:off + len(value)] = value
    if draw(st.booleans()):
        out = out[:draw(st.integers(0, len(out)))]
    return bytes(out[:len(data)])


@settings(max_examples=settings().max_examples, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.data(), st.booleans())
def test_damaged_binaries_give_one_line(probe, data, deep):
    raw, spans, tmp = probe
    path = tmp / "damaged"
    path.write_bytes(damage(raw, spans, data.draw))
    try:
        ask_everything(str(path), deep)
    except BinaryError as e:
        msg = str(e)
        assert msg.startswith("damaged: ") and "\n" not in msg and len(msg) < 300, msg


@pytest.mark.parametrize("cut", [0, 1, 4, 63, 64, 0x190, 0x1000, 0x5F000, 0xDE200, 0x14A000])
def test_cut_anywhere(probe, cut):
    raw, _, tmp = probe
    path = tmp / "damaged"
    path.write_bytes(raw[:cut])
    with pytest.raises(BinaryError) as e:
        ask_everything(str(path), True)
    assert str(e.value).startswith("damaged: ") and "\n" not in str(e.value)
