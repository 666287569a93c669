"""Assembled images come from the disk cache when their sources match, else from Keystone."""
import os
import subprocess
import sys

from asm.go1_10 import STUBS
from asm.stub import go_listing
from emu.cpu import imagecache
from emu.cpu import layout as L


def build(stubs):
    return imagecache.load_or_assemble(stubs, L.TEXT_BASE, dict(L.TRAMPOLINES))


def test_a_cached_image_equals_a_fresh_one(tmp_path, monkeypatch):
    monkeypatch.setenv("GOSYSCALL_CACHE_DIR", str(tmp_path))
    stubs = list(STUBS.values())
    fresh = build(stubs)                                   # assembled, then written
    assert len(os.listdir(tmp_path)) == 1
    cached = build(stubs)                                  # read back
    assert (cached.code, cached.symbols, cached.callsites, cached.labels) == \
        (fresh.code, fresh.symbols, fresh.callsites, fresh.labels)
    assert cached.insns == fresh.insns


def test_a_changed_stub_misses_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GOSYSCALL_CACHE_DIR", str(tmp_path))
    one = go_listing("main.t", "$0-0", (), (), 1, "t.s", [("RET", "ret")])
    two = go_listing("main.t", "$0-0", (), (), 1, "t.s", [("NOP", "nop"), ("RET", "ret")])
    assert build([one]).code == b"\xc3"
    assert build([two]).code == b"\x90\xc3"                # not the cached one-byte image
    assert len(os.listdir(tmp_path)) == 2


def test_a_corrupt_cache_file_is_reassembled(tmp_path, monkeypatch):
    monkeypatch.setenv("GOSYSCALL_CACHE_DIR", str(tmp_path))
    stubs = list(STUBS.values())
    good = build(stubs)
    (path,) = [tmp_path / n for n in os.listdir(tmp_path)]
    path.write_text('{"format": 1, "insns": [[1, "zz"')    # truncated
    assert build(stubs).code == good.code
    assert build(stubs).code == good.code                  # and the file was rewritten


def test_running_from_the_cache_needs_no_keystone_or_capstone(tmp_path):
    env = dict(os.environ, GOSYSCALL_CACHE_DIR=str(tmp_path))
    code = ("import sys; from emu.bridge.session import Session; s = Session(); "
            "s.call('Syscall', 39, []); print('keystone' in sys.modules, 'capstone' in sys.modules)")
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)   # fills it
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    assert out.stdout.split() == ["False", "False"]
