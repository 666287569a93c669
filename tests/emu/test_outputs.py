"""What a call leaves in its `buf:N` arguments is shown, decoded where the type is known.

A call that returns 0 (clock_gettime, uname, pipe) showed `b''`: the shown length was the
result, which is a byte count only for calls like read. Now the argument's kind in the
syscall table decides: a byte count for read, the struct the kernel fills for the others.
"""
import pytest

from emu.cli.main import main


def quiet(capsys, *words):
    assert main(["run", *words, "--quiet", "--no-color"]) == 0
    return capsys.readouterr().out.splitlines()[-1]


@pytest.mark.parametrize("words, shown", [
    (("clock_gettime", "1", "buf:16"), "buf:16 at 0xc000040000: {tv_sec=0, tv_nsec=100}  (16 bytes written)"),
    (("pipe", "buf:8"), "buf:8 at 0xc000040000: [3, 4]  (8 bytes written)"),
    (("gettimeofday", "buf:16", "0"), "buf:16 at 0xc000040000: {tv_sec=1257894000, tv_usec=0}  (16 bytes written)"),
])
def test_a_struct_the_kernel_wrote_is_decoded(capsys, words, shown):
    assert quiet(capsys, *words) == shown


def test_uname_shows_every_field(capsys):
    line = quiet(capsys, "uname", "buf:400")
    assert line.startswith('buf:400 at 0xc000040000: {sysname="Linux", nodename="gosyscall", release=')
    assert 'machine="x86_64"' in line and line.endswith("(390 bytes written)")


def test_read_still_shows_the_bytes_it_returned(capsys):
    assert quiet(capsys, "read", "fd:/hello.txt", "buf:64", "64") == \
        "buf:64 at 0xc000040000: b'Hello from the emulated kernel!\\n'"


def test_a_failed_call_shows_the_whole_buffer_undecoded(capsys):
    line = quiet(capsys, "clock_gettime", "99", "buf:16")        # EINVAL: nothing written
    assert line == "buf:16 at 0xc000040000: " + repr(b"\0" * 16)


def test_the_decoded_struct_is_in_the_jsonl_trace(tmp_path):
    from emu.trace.formats import read_jsonl
    out = tmp_path / "t.jsonl"
    assert main(["trace", "clock_gettime", "1", "buf:16", "-o", str(out)]) == 0
    _header, events = read_jsonl(out)
    ev = next(e for e in events if e.kind == "output")
    assert ev.data["decoded"] == "{tv_sec=0, tv_nsec=100}" and len(ev.data["data"]) == 32
