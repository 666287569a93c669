"""emu/toolchain/build.py — build a static linux/amd64 Go program offline, and the probe.

``build`` runs ``go build -trimpath`` in a scratch module with everything that could make
the result depend on this machine pinned down:

* ``CGO_ENABLED=0`` — a static binary, Go's own linker, no C toolchain involved;
* ``GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod GOSUMDB=off GOWORK=off`` — offline,
  this toolchain only, no module downloads;
* ``GOOS=linux GOARCH=amd64 GOAMD64=v1 GOEXPERIMENT=`` — the instructions the compiler
  picks depend on these; a user's environment must not change them;
* ``GOROOT``, ``HOME``, ``GOCACHE``, ``GOPATH`` private, under the gosyscall cache;
  ``GOENV=off`` so no ``go env -w`` setting of the user's applies;
* ``-trimpath``: without it the line table and DWARF name files by absolute path
  (``/home/me/.cache/…/go/src/syscall/syscall_linux.go``); with it a standard-library
  file is ``syscall/syscall_linux.go`` (import path + file name) and a file of the
  module is ``<module path>/main.go`` — the same on every machine. (It also drops the
  GOROOT from ``runtime.GOROOT()``; nothing here needs it.) ``-buildvcs=false``: the
  scratch module is no repository, and a cache inside one must not stamp it.

``build_cached`` keeps each result in ``<cache>/builds``, keyed by toolchain, sources,
flags and environment (building the probe takes ~3 s; reading the cached one nothing);
``probe(version)`` is ``probe.go`` (beside this file) built that way.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile

from emu.atomic import write_atomic
from emu.cpu.imagecache import cache_dir
from emu.toolchain.errors import ToolchainError
from emu.toolchain.install import Toolchain, normalize, require
from emu.toolchain.proc import TimedOut, run_bounded

BUILD_TIMEOUT = 300          # seconds; a first build of the probe takes ~3 s (package runtime cached)
MODULE = "probe"
PROBE_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "probe.go")
FLAGS = ("-trimpath", "-buildvcs=false")

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def go_env(tc: Toolchain) -> dict[str, str]:
    """The environment of every ``go`` command gosyscall runs (see the module docstring)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GO", "CGO_"))}
    root = os.path.join(cache_dir(), "gohome")
    env.update(
        CGO_ENABLED="0", GOTOOLCHAIN="local", GOPROXY="off", GOFLAGS="-mod=mod", GOSUMDB="off",
        GOWORK="off", GO111MODULE="on", GOENV="off", GOOS="linux", GOARCH="amd64", GOAMD64="v1",
        GOEXPERIMENT="", GOROOT=tc.goroot, HOME=root, GOPATH=os.path.join(root, "gopath"),
        GOCACHE=os.path.join(root, "gocache", tc.version), GOTELEMETRY="off")
    return env


def go_mod(version: str) -> str:
    """A go.mod for the scratch module: ``go 1.22`` for toolchain 1.22.10."""
    major_minor = ".".join(normalize(version).split(".")[:2])
    return f"module {MODULE}\n\ngo {major_minor}\n"


def build(source_files: dict[str, str], version: str, out_path: str,
          timeout: float = BUILD_TIMEOUT, toolchain: Toolchain | None = None,
          flags: tuple[str, ...] = (), env: dict[str, str] | None = None) -> str:
    """Build the ``main`` package made of ``source_files`` (name → text) into ``out_path``.

    A ``go.mod`` is written unless one is given. ``flags`` are added to ``go build``
    (``-ldflags=-w``, ``-buildmode=pie``); ``env`` overrides the pinned environment (a
    test builds a cgo program with ``CGO_ENABLED=1``). ``out_path`` is replaced
    atomically; it may not be a directory, device, FIFO or symlink. Returns ``out_path``.
    Raises ToolchainError: no toolchain, a bad file name, the compiler's first error, a timeout.
    """
    tc = toolchain or require(version)
    for name in source_files:
        if not _NAME.match(name) or name in (".", ".."):
            raise ToolchainError(f"not a plain file name for a Go source file: {name!r}")
    _check_target(out_path)
    env = {**go_env(tc), **(env or {})}
    os.makedirs(env["HOME"], exist_ok=True)
    work = tempfile.mkdtemp(prefix="build-", dir=env["HOME"])
    try:
        files = dict(source_files)
        files.setdefault("go.mod", go_mod(tc.version))
        for name, text in files.items():
            with open(os.path.join(work, name), "w", encoding="utf-8") as f:
                f.write(text)
        exe = os.path.join(work, "a.out")
        _run([tc.go, "build", *FLAGS, *flags, "-o", exe, "."], work, env, timeout, tc.version)
        with open(exe, "rb") as f:
            data = f.read()
        write_atomic(out_path, data)
        os.chmod(out_path, 0o755)
    except OSError as e:
        raise ToolchainError(f"building with Go {tc.version}: {e.strerror or e}"
                             + (f": {e.filename}" if e.filename else "")) from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out_path


def _check_target(path: str) -> None:
    if os.path.islink(path) or (os.path.exists(path) and not os.path.isfile(path)):
        raise ToolchainError(f"will not replace {path}: not a regular file")
    d = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(d):
        raise ToolchainError(f"no such directory: {d}")


def _run(cmd: list[str], cwd: str, env: dict[str, str], timeout: float, version: str) -> None:
    try:
        code, out = run_bounded(cmd, timeout, cwd=cwd, env=env)
    except OSError as e:
        raise ToolchainError(f"cannot run {cmd[0]}: {e.strerror}") from None
    except TimedOut:
        raise ToolchainError(f"go build (Go {version}) did not finish within {timeout:g} s") from None
    if code != 0:
        raise ToolchainError(f"go build (Go {version}) failed: {first_error(out)}")


def first_error(output: str) -> str:
    """The compiler's first error line (``./main.go:3:2: undefined: x``), else the first line."""
    lines = [ln.strip() for ln in output.splitlines() if ln.strip() and not ln.startswith("#")]
    for ln in lines:
        if re.match(r"^\S+\.(go|s):\d+", ln):
            return ln[:300]
    return (lines or ["no output"])[0][:300]


def probe_source() -> str:
    """The probe program (``probe.go``): calls Syscall, Syscall6, RawSyscall, RawSyscall6."""
    with open(PROBE_FILE, encoding="utf-8") as f:
        return f.read()


def build_cached(source_files: dict[str, str], version: str, name: str = "prog",
                 flags: tuple[str, ...] = (), env: dict[str, str] | None = None,
                 timeout: float = BUILD_TIMEOUT, toolchain: Toolchain | None = None) -> str:
    """``build`` into the cache, once per toolchain, sources, flags and environment."""
    tc = toolchain or require(version)
    parts = [tc.version, *FLAGS, *flags, *sorted((env or {}).items()),
             *sorted(source_files.items()), go_mod(tc.version)]
    key = hashlib.sha256(repr(parts).encode()).hexdigest()[:16]
    path = os.path.join(cache_dir(), "builds", f"{name}-go{tc.version}-{key}")
    if os.path.isfile(path) and not os.path.islink(path):
        return path
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return build(source_files, tc.version, path, timeout, tc, flags, env)


def probe(version: str, out_path: str | None = None, timeout: float = BUILD_TIMEOUT,
          toolchain: Toolchain | None = None) -> str:
    """The probe built with Go ``version``, at ``out_path`` (``gosyscall build-probe -o``)
    or, without one, the cached build (keyed by toolchain, probe text and build flags)."""
    files = {"main.go": probe_source()}
    if out_path is not None:
        return build(files, version, out_path, timeout, toolchain)
    return build_cached(files, version, "probe", timeout=timeout, toolchain=toolchain)
