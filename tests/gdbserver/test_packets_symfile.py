"""Framing, escaping and hex without a socket; the symbol file read back with pyelftools."""
import io

import pytest
from elftools.elf.elffile import ELFFile
from hypothesis import given, strategies as st

from emu.bridge.session import Session
from emu.cpu import layout as L
from emu.gdbserver import dwarf
from emu.gdbserver.packets import PacketReader, checksum, escape, frame, hexdata, hexnum, unescape
from emu.gdbserver.setup import text_pages
from emu.gdbserver.symfile import listings, write_symbols


def test_frame_and_read_back():
    assert frame(b"OK") == b"$OK#9a"
    r = PacketReader()
    items = r.feed(b"+$OK#9a-\x03$?#3f")
    assert [(i.kind, i.payload) for i in items] == [("ack", b""), ("packet", b"OK"), ("nack", b""),
                                                    ("interrupt", b""), ("packet", b"?")]


def test_reader_survives_damage_in_any_split():
    stream = b"$g#67$g#00$m1,2#zz$vCont;c#a8garbage$" + b"X" * 100 + b"#00$?#3f"
    for cut in range(len(stream)):
        r = PacketReader(limit=64)
        items = r.feed(stream[:cut]) + r.feed(stream[cut:])
        assert [i.kind for i in items] == ["packet", "bad-checksum", "bad-checksum", "packet",
                                           "too-long", "packet"]
        assert items[-1].payload == b"?"


def test_a_dollar_inside_a_packet_restarts_it():
    items = PacketReader().feed(b"$qSup$?#3f")
    assert [i.kind for i in items] == ["bad-checksum", "packet"]


@given(st.binary(max_size=300))
def test_escape_round_trips(data):
    esc = escape(data)
    assert not any(b in b"$#*" for b in esc)
    assert unescape(esc) == data
    r = PacketReader(limit=1000)
    (item,) = r.feed(frame(esc))
    assert item.kind == "packet" and unescape(item.payload) == data


def test_hex_is_strict():
    assert hexnum(b"1f") == 31 and hexdata(b"0a0B") == b"\n\x0b"
    for bad in (b"", b"0x1f", b"1_f", b" 1f", b"-1", b"1" * 17, b"g"):
        with pytest.raises(ValueError):
            hexnum(bad)
    for bad in (b"0", b"0 a", b"zz"):
        with pytest.raises(ValueError):
            hexdata(bad)
    with pytest.raises(ValueError):
        unescape(b"ab}")
    assert checksum(b"") == 0


def test_leb128():
    assert dwarf.uleb128(624485) == bytes((0xE5, 0x8E, 0x26))       # DWARF 4, figure 22
    assert dwarf.sleb128(-123456) == bytes((0xC0, 0xBB, 0x78))
    assert dwarf.sleb128(-1) == b"\x7f" and dwarf.sleb128(63) == b"\x3f" and dwarf.sleb128(64) == b"\xc0\x00"


@pytest.fixture(scope="module")
def elf(tmp_path_factory):
    s = Session()
    d = tmp_path_factory.mktemp("sym")
    path = write_symbols(str(d), s.image, text_pages(s.machine.mem), dict(L.TRAMPOLINES),
                         s.image.symbols["main.callSyscall"], prefer=("syscall.Syscall", "main.callSyscall"))
    with open(path, "rb") as f:
        data = f.read()
    return s, d, ELFFile(io.BytesIO(data))


def test_symbols_are_the_images_functions(elf):
    s, _d, f = elf
    assert f.header.e_machine == "EM_X86_64" and f.header.e_type == "ET_EXEC"
    assert f.header.e_entry == s.image.symbols["main.callSyscall"]
    syms = {sym.name: sym for sym in f.get_section_by_name(".symtab").iter_symbols() if sym.name}
    assert syms["syscall.Syscall"].entry.st_value == 0x401000
    assert syms["syscall.Syscall"].entry.st_size == 0x71          # up to Syscall6
    assert syms["syscall.Syscall"].entry.st_info.type == "STT_FUNC"
    assert syms["runtime.entersyscall"].entry.st_value == L.TRAMPOLINES["runtime.entersyscall"]
    assert set(s.image.stubs) | set(L.TRAMPOLINES) == set(syms)
    text = f.get_section_by_name(".text")
    assert text.data()[:5] == s.machine.mem.read(0x401000, 5)     # the CALL entersyscall as it runs


def test_line_table_is_each_instructions_go_line(elf):
    s, _d, f = elf
    rows = {}
    for cu in f.get_dwarf_info().iter_CUs():
        lp = f.get_dwarf_info().line_program_for_CU(cu)
        name = lp["file_entry"][0].name.decode()
        for e in lp.get_entries():
            if e.state is not None and not e.state.end_sequence:
                rows[e.state.address] = f"{name}:{e.state.line}"
    want = {a: i.loc for a, i in s.image.insns.items()}
    assert rows == want
    assert rows[0x40102E] == "asm_linux_amd64.s:26"                # the SYSCALL


def test_listing_puts_each_go_line_at_its_number(elf):
    s, d, _f = elf
    text = (d / "asm_linux_amd64.s").read_text().splitlines()
    assert text[25] == "\tSYSCALL"                                 # line 26
    assert text[16] == "TEXT\t·Syscall(SB),NOSPLIT,$0-56"          # line 17, just above
    driver = listings(s.image, prefer=("main.callRawSyscall",))["driver"].splitlines()
    assert driver[1] == "\tCALL\tsyscall·RawSyscall(SB)"           # the call being debugged wins
