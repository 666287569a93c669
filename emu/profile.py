"""emu/profile.py — a Go release as the emulator uses it: its code and its runtime model.

A profile pairs ``runtime_py/<release>`` (the scheduler model, its statuses and the byte
layout of g, m and p; ``runtime_py/profiles.py`` lists the releases) with the package of the
same name in ``asm/`` (``STUBS``: the functions of the syscall path as that release's
toolchain builds them; ``programs``: the thread world's goroutine programs). Shared emulator
code asks the profile for anything that differs between releases — which stubs exist, where
g's fields sit, how big a g or a goroutine's first stack is — and never spells one release's
facts itself.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from types import ModuleType

import runtime_py.profiles

DEFAULT = "go1.10"


@dataclass(frozen=True, eq=False)
class Profile:
    name: str            # "go1.10"
    code: ModuleType     # asm/<release>: STUBS, programs
    model: ModuleType    # runtime_py/<release>: Runtime, layout, gstatusname, runtime2 names

    @property
    def stubs(self) -> dict:
        return self.code.STUBS

    @property
    def entry_points(self) -> tuple[str, ...]:
        """The functions a Go program calls (the register-ABI releases have internal ones)."""
        return getattr(self.code, "ENTRY_POINTS", tuple(self.code.STUBS))

    @property
    def register_abi(self) -> bool:
        """Whether Go code of this release passes arguments in registers (go1.17+): g in R14."""
        stub = self.stubs[self.entry_points[0]]
        return stub.abi is not None and stub.abi.name == "ABIInternal"

    @property
    def programs(self) -> ModuleType:
        return self.code.programs

    @property
    def layout(self) -> ModuleType:
        return self.model.layout


# The releases the emulator runs end to end (a runtime model alone is not enough: the
# session, the world and the lessons must know the release's calling convention too).
EMULATED = ("go1.10", "go1.22", "go1.27")


def names() -> list[str]:
    """The supported profiles, oldest first."""
    return [n for n in EMULATED if n in runtime_py.profiles.PROFILES]


@cache
def load(name: str) -> Profile:
    """The profile called ``name``; ValueError naming the supported ones otherwise."""
    if name not in names():
        raise ValueError(f"unknown profile {name!r}; supported: {', '.join(names())}")
    model = runtime_py.profiles.load(name)
    code = importlib.import_module("asm." + model.__name__.rpartition(".")[2])   # asm/go1_10
    return Profile(name, code, model)
