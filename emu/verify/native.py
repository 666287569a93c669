"""emu/verify/native.py — the native side: build the C runner once, hand it a plan, read its report.

Why a small C helper rather than gdb or python-ptrace: the child must map the image at fixed
addresses before anything else runs in it, which needs a process of our own making anyway;
``struct user_regs_struct`` then comes from the system's <sys/user.h> instead of a layout
written by hand in ctypes; stepping in C costs microseconds per instruction where gdb's
Python API costs milliseconds; and the only requirement is a C compiler (gcc here and in
CI), not another Python package. The runner is compiled at first use into a private
directory under the temp dir, keyed by a hash of its source.
"""
from __future__ import annotations

import hashlib
import os
import platform
import shutil
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from emu.errors import GosyscallError
from emu.toolchain.proc import kill_group

SOURCE = Path(__file__).with_name("native_runner.c")
MAGIC = b"GOSYSV01"
NREGS = 18                      # emu.cpu.regs.TRACE_REGS: 16 GPRs, rip, rflags
BACKSTOP_S = 2                  # after the plan's timeout, the runner itself is killed
CHILD_EXITS = {90: "an image address is already in use natively (MAP_FIXED_NOREPLACE refused it)",
               91: "ptrace is not permitted here (PTRACE_TRACEME failed)",
               92: "the prepared file descriptors could not be set up",
               93: "seccomp is not available, so the native run cannot be confined to harmless calls"}


class NativeUnavailable(GosyscallError):
    """This machine cannot run the native side (not x86-64 Linux, no compiler, no ptrace)."""


@dataclass
class Plan:
    """What the native child gets: memory, registers, where to stop, fd 3's bytes."""
    regions: list[tuple[int, int, int, bytes]]      # (addr, size, prot, bytes)
    regs: tuple[int, ...]
    stop: int
    file: bytes
    dumps: list[tuple[int, int]]                    # (addr, size) to read back at the end
    max_steps: int = 10_000
    timeout_s: int = 3             # wall-clock seconds: harmless calls take microseconds

    def encode(self) -> bytes:
        q = lambda *v: struct.pack(f"<{len(v)}Q", *(x & 0xFFFFFFFFFFFFFFFF for x in v))
        out = [MAGIC, q(len(self.regions))]
        for addr, size, prot, data in self.regions:
            out += [q(addr, size, prot), data]
        out += [q(*self.regs), q(self.stop, self.max_steps, self.timeout_s, len(self.file)), self.file,
                q(len(self.dumps))] + [q(a, n) for a, n in self.dumps]
        return b"".join(out)


@dataclass
class NativeRun:
    """The runner's report: states before the first and after every instruction, and the end."""
    pid: int = 0
    init: tuple[int, ...] = ()
    steps: list[tuple[int, ...]] = field(default_factory=list)
    end: str = ""                   # ok | limit | timeout | signal N RIP | refused NR RIP | bypass NR RIP | exit N
    dumps: dict[int, bytes] = field(default_factory=dict)
    out: dict[int, bytes] = field(default_factory=dict)   # 1, 2 and the pipe (4)


def unavailable_reason() -> str | None:
    """Why this machine cannot run stubs natively, or None if it (probably) can."""
    if sys.platform != "linux" or platform.machine() not in ("x86_64", "AMD64"):
        return f"native runs need x86-64 Linux (this is {sys.platform}/{platform.machine()})"
    if _compiler() is None:
        return "native runs need a C compiler (gcc or cc; or set CC) to build the ptrace runner"
    return None


def _compiler() -> str | None:
    for cc in (os.environ.get("CC"), "gcc", "cc"):
        if cc and shutil.which(cc):
            return shutil.which(cc)
    return None


def _private_dir() -> Path:
    """A directory only this user can write, so nobody can swap the runner."""
    d = Path(tempfile.gettempdir()) / f"gosyscall-{os.getuid()}"
    try:
        d.mkdir(mode=0o700, exist_ok=True)
    except OSError as e:
        raise NativeUnavailable(f"cannot create the runner's directory in the temp dir: "
                                f"{e.strerror}") from None
    st = os.lstat(d)
    if not os.path.isdir(d) or os.path.islink(d) or st.st_uid != os.getuid() or st.st_mode & 0o022:
        raise NativeUnavailable("the runner's directory in the temp dir is not private to this user")
    return d


def runner_path() -> Path:
    """The compiled runner, building it if this source has not been built yet."""
    reason = unavailable_reason()
    if reason:
        raise NativeUnavailable(reason)
    src = SOURCE.read_bytes()
    exe = _private_dir() / f"native-runner-{hashlib.sha256(src).hexdigest()[:16]}"
    if exe.exists():
        return exe
    tmp = exe.with_name(exe.name + f".{os.getpid()}.tmp")
    proc = subprocess.run([_compiler(), "-O2", "-o", str(tmp), str(SOURCE)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        tmp.unlink(missing_ok=True)
        first = (proc.stderr.strip().splitlines() or ["no output"])[0]
        raise NativeUnavailable(f"the ptrace runner did not compile: {first}")
    os.replace(tmp, exe)
    return exe


def run_native(plan: Plan) -> NativeRun:
    """Run ``plan`` natively; NativeUnavailable if this machine cannot (ptrace, seccomp...)."""
    exe = runner_path()
    # The runner stops its child at plan.timeout_s by itself; this is the backstop should the
    # runner itself hang: its whole process group (the runner and its child) is killed.
    proc = subprocess.Popen([str(exe)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, _err = proc.communicate(plan.encode(), timeout=plan.timeout_s + BACKSTOP_S)
    except subprocess.TimeoutExpired:
        kill_group(proc)
        raise NativeUnavailable(f"the native runner did not stop {BACKSTOP_S} s after its "
                                f"{plan.timeout_s} s timeout; it was killed") from None
    except BaseException:
        kill_group(proc)
        raise
    run = parse_report(out.decode("ascii", "replace"))
    if run.end.startswith("exit ") and int(run.end.split()[1]) in CHILD_EXITS:
        raise NativeUnavailable(CHILD_EXITS[int(run.end.split()[1])])
    if not run.end:
        raise NativeUnavailable(f"the native runner failed (status {proc.returncode})")
    return run


def parse_report(text: str) -> NativeRun:
    run = NativeRun()
    for line in text.splitlines():
        tag, _, rest = line.partition(" ")
        words = rest.split()
        if tag == "error":
            raise NativeUnavailable(f"the native runner stopped: {rest}")
        if tag == "pid":
            run.pid = int(words[0])
        elif tag in ("init", "step"):
            regs = tuple(int(w, 16) for w in words)
            if len(regs) != NREGS:
                raise NativeUnavailable(f"the native runner printed a bad line: {line[:60]}")
            if tag == "init":
                run.init = regs
            else:
                run.steps.append(regs)
        elif tag == "end":
            run.end = rest
        elif tag == "dump":
            run.dumps[int(words[0], 16)] = bytes.fromhex(words[1] if len(words) > 1 else "")
        elif tag == "out":
            run.out[int(words[0])] = bytes.fromhex(words[1] if len(words) > 1 else "")
    return run
