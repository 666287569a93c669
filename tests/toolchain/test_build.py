"""Building Go programs offline with a real toolchain: the probe, errors, the pinned environment."""
import os
import subprocess

import pytest

from emu.toolchain import build, install
from emu.toolchain.errors import ToolchainError

VERSIONS = install.SUPPORTED


@pytest.mark.parametrize("version", VERSIONS)
def test_the_probe_runs_each_entry_point_natively(go, version):
    out = subprocess.run([go.probe(version)], capture_output=True, text=True, timeout=30).stdout.splitlines()
    entries = ("Syscall", "Syscall6", "RawSyscall", "RawSyscall6")
    assert [ln.split()[:2] for ln in out] == [[e, c] for c in ("getpid", "close") for e in entries]
    pids = {ln.split()[2] for ln in out[:4]}
    assert len(pids) == 1 and int(pids.pop().split("=")[1]) > 0
    assert all(ln.endswith("r2=0 err=0") for ln in out[:4])
    assert all(ln.endswith("r1=-1 r2=0 err=9") for ln in out[4:])       # close(-1): EBADF


def test_a_built_probe_is_reused(go):
    first = go.probe("1.22.10")
    mtime = os.stat(first).st_mtime_ns
    assert go.probe("1.22.10") == first and os.stat(first).st_mtime_ns == mtime


def test_the_probe_can_be_built_where_the_user_says(go, tmp_path):
    out = build.probe("1.27.3", str(tmp_path / "probe"), toolchain=go.toolchain("1.27.3"))
    assert out == str(tmp_path / "probe") and os.access(out, os.X_OK)
    assert open(out, "rb").read() == open(go.probe("1.27.3"), "rb").read()     # -trimpath: reproducible


def test_a_compile_error_is_the_compilers_first_line(go, tmp_path):
    tc = go.toolchain("1.22.10")
    src = "package main\n\nfunc main() {\n\tundefinedThing()\n\tother()\n}\n"
    with pytest.raises(ToolchainError) as e:
        build.build({"main.go": src}, "1.22.10", str(tmp_path / "out"), toolchain=tc)
    assert str(e.value) == "go build (Go 1.22.10) failed: ./main.go:4:2: undefined: undefinedThing"
    assert not (tmp_path / "out").exists()


def test_the_users_go_environment_does_not_leak_in(go, tmp_path, monkeypatch):
    """GOARCH, GOFLAGS, GOAMD64 of the user's shell would change the code: they are pinned."""
    tc = go.toolchain("1.27.3")
    monkeypatch.setenv("GOARCH", "arm64")
    monkeypatch.setenv("GOFLAGS", "-race")
    monkeypatch.setenv("GOAMD64", "v3")
    monkeypatch.setenv("CGO_ENABLED", "1")
    out = build.build({"main.go": "package main\n\nfunc main() {}\n"}, "1.27.3", str(tmp_path / "p"), toolchain=tc)
    from emu.toolchain.gobinary import GoBinary
    b = GoBinary(out)
    assert b.settings["GOARCH"] == "amd64" and b.settings["GOAMD64"] == "v1"
    assert b.settings["CGO_ENABLED"] == "0" and b.settings["-trimpath"] == "true"


@pytest.mark.parametrize("name", ["../x.go", "a/b.go", "", ".."])
def test_source_names_are_plain_file_names(go, tmp_path, name):
    with pytest.raises(ToolchainError, match="not a plain file name"):
        build.build({name: "package main"}, "1.22.10", str(tmp_path / "o"), toolchain=go.toolchain("1.22.10"))


def test_it_will_not_replace_a_symlink_or_a_directory(go, tmp_path):
    tc = go.toolchain("1.22.10")
    (tmp_path / "target").write_text("keep me")
    os.symlink(tmp_path / "target", tmp_path / "link")
    for path in (tmp_path / "link", tmp_path):
        with pytest.raises(ToolchainError, match="not a regular file"):
            build.build({"main.go": "package main\nfunc main(){}\n"}, "1.22.10", str(path), toolchain=tc)
    assert (tmp_path / "target").read_text() == "keep me"


def test_a_build_that_hangs_is_ended(go, tmp_path):
    with pytest.raises(ToolchainError, match=r"did not finish within 0.01 s"):
        build.build({"main.go": "package main\nfunc main(){}\n"}, "1.22.10", str(tmp_path / "o"),
                    timeout=0.01, toolchain=go.toolchain("1.22.10"))


def test_no_toolchain_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("GOSYSCALL_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("GOROOT", raising=False)
    monkeypatch.delenv("GOSYSCALL_GO_1_21_13", raising=False)
    monkeypatch.setattr(install, "_gobin_package_root", lambda: None)
    with pytest.raises(ToolchainError, match=r"^Go 1.21.13 is not installed: run `gosyscall toolchain install"):
        build.build({"main.go": ""}, "1.21.13", str(tmp_path / "o"))


def test_first_error_skips_the_package_header():
    out = "# probe\n./main.go:4:2: undefined: x\n./main.go:5:2: undefined: y\n"
    assert build.first_error(out) == "./main.go:4:2: undefined: x"
    assert build.first_error("go: cannot find main module\n") == "go: cannot find main module"
    assert build.first_error("") == "no output"


def test_go_mod_names_the_toolchains_language_version():
    assert build.go_mod("1.22.10") == "module probe\n\ngo 1.22\n"
