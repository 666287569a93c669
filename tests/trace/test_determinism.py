"""The same run recorded twice gives the same bytes, in every format — in one process and
across processes (other hash seeds, other heap layouts)."""
import hashlib
import re

import pytest
from tracehelp import ROOT, recorded, run_cmd

from emu.trace.formats import FORMATS, render_trace

WORDS = ("read", "fd:/hello.txt", "buf:64", "64")


@pytest.mark.parametrize("fmt", FORMATS)
def test_two_recordings_in_one_process_are_byte_identical(fmt):
    a, b = recorded(*WORDS), recorded(*WORDS)
    assert render_trace(a.events, a.header, fmt).encode() == render_trace(b.events, b.header, fmt).encode()


_SCRIPT = """
import hashlib, sys
from emu.cli.main import build_parser
from emu.trace.formats import FORMATS, render_trace
from emu.trace.recorder import record
rec = record(build_parser().parse_args(["run", *sys.argv[1:]]))
for fmt in FORMATS:
    print(fmt, hashlib.sha256(render_trace(rec.events, rec.header, fmt).encode()).hexdigest())
"""


def test_two_processes_write_the_same_bytes_in_every_format(tmp_path):
    outs = [run_cmd(["-c", _SCRIPT, *WORDS], tmp_path, env={"PYTHONHASHSEED": seed}) for seed in ("1", "2")]
    assert all(o.returncode == 0 for o in outs), [o.stderr for o in outs]
    assert outs[0].stdout == outs[1].stdout
    here = recorded(*WORDS)
    mine = "".join(f"{fmt} {hashlib.sha256(render_trace(here.events, here.header, fmt).encode()).hexdigest()}\n"
                   for fmt in FORMATS)
    assert outs[0].stdout == mine
    assert len(outs[0].stdout.splitlines()) == len(FORMATS)


def test_traces_hold_no_host_paths_or_host_addresses():
    rec = recorded(*WORDS)
    for fmt in FORMATS:
        text = render_trace(rec.events, rec.header, fmt)
        assert str(ROOT) not in text
        assert not re.search(r"0x7f[0-9a-f]{10}\b", text)     # a host (Python, ctypes) pointer
