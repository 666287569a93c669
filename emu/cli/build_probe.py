"""emu/cli/build_probe.py — ``gosyscall build-probe``: build the probe program with a Go toolchain.

The probe (``emu/toolchain/probe.go``) calls syscall.Syscall, Syscall6, RawSyscall and
RawSyscall6, so its binary holds the compiled path of each; ``gosyscall run --binary``
then steps through it. The build is offline and static (``emu/toolchain/build.py``).
Without ``--go`` the newest installed pinned release builds it; with no Go at all, one
line says how to install one.
"""
from __future__ import annotations

import os
import time

from emu.toolchain.errors import ToolchainError


def add_parser(sub, h) -> None:
    p = sub.add_parser("build-probe", help="build the probe Go program (calls Syscall, Syscall6, RawSyscall, "
                                           "RawSyscall6) for `run --binary`")
    p.add_argument("-o", dest="output", default="probe", metavar="PROG",
                   help="where to write the executable (default: ./probe)")
    p.add_argument("--go", dest="go", default=None, metavar="VERSION",
                   help="the Go release to build with (default: the newest installed of the pinned ones)")


def pick(version: str | None):
    """The toolchain to build with: ``version``'s, or the newest pinned one installed."""
    from emu.toolchain import install
    if version is not None:
        return install.require(version)
    for v in sorted(install.SUPPORTED, key=lambda v: tuple(map(int, v.split("."))), reverse=True):
        tc = install.find(v)
        if tc is not None:
            return tc
    raise ToolchainError(f"no Go toolchain is installed: run `gosyscall toolchain install {install.DEFAULT}`")


def run(ns) -> int:
    from emu.toolchain import build
    tc = pick(ns.go)
    t0 = time.monotonic()
    out = build.probe(tc.version, os.path.abspath(ns.output), toolchain=tc)
    took = time.monotonic() - t0
    shown = ns.output if not os.path.isabs(ns.output) else out
    print(f"built {shown} with Go {tc.version} in {took:.1f} s (static linux/amd64, -trimpath)")
    print(f"step through it: gosyscall run --binary {shown}   or   gosyscall repl --binary {shown}")
    return 0
