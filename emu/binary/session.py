"""emu/binary/session.py — one thread of a real Go binary: its code, the kernel model, the runtime model.

The address space, what a Go process has where the run needs it:

    the binary's PT_LOAD segments   where its ELF says (text r-x, rodata r--, data+bss rw-)
    the drivers                     a page of their own the binary does not use (DRIVER_TEXT,
                                    just below Go's 0x400000, else past the last segment)
    g1, its stack, the user heap    Go's heap arena, as in the fixed map (emu/cpu/layout.py)
    m0, g0                          the binary's own ``runtime.m0`` and ``runtime.g0``

``gosyscall.callSyscall`` (a driver, named apart from the program's own ``main``) calls the
binary's ``syscall.Syscall`` with the user's arguments in Go's registers, R14 = g and
FS:-8 = g as the runtime leaves them. The binary's ``runtime.entersyscall`` and
``runtime.exitsyscall`` are hooked at their first instruction: the hook runs the profile's
model with Go's ``getcallerpc()`` ([RSP]), ``getcallersp()`` (RSP+8) and, for go1.23+, the
caller's frame pointer (RBP), then returns as their RET would — RIP = the return address,
RSP + 8 — so the binary's own bodies never run. Writing RIP in a Unicorn code hook ends the
translated block there (Unicorn 2 restarts at the new RIP), and the hooks are in place
before anything is translated, so no cached block runs past them.
"""
from __future__ import annotations

from asm import drivers
from asm.stub import ABI, GO_INT_REGS, Stub
from emu.binary.image import BinaryImage
from emu.binary.load import Loaded
from emu.bridge.session import Session
from emu.cpu import layout as L
from emu.cpu.imagecache import load_or_assemble
from emu.cpu.machine import Machine
from emu.cpu.memory import R, W, X
from emu.cpu.regs import REG_IDS
from emu.profile import load as load_profile
from emu.toolchain.errors import BinaryError

DRIVER_TEXT = 0x3FF000          # below Go's linker base (0x400000 + headers): free in every Go binary
DRIVER_TEXT_SIZE = 0x1000
PAGE = 0x1000
DRIVER_NS = "gosyscall"         # gosyscall.callSyscall: the program may have a main.callSyscall


def _pages(lo: int, size: int) -> tuple[int, int]:
    return lo & ~(PAGE - 1), (lo + size + PAGE - 1) & ~(PAGE - 1)


def regions(loaded: Loaded) -> list[tuple[int, int, int, str]]:
    """(start, end, perms, name) of each page range the binary's segments take."""
    out = []
    for lo, size, _data, flags in loaded.binary.segments():
        a, b = _pages(lo, size)
        perms = (R if "r" in flags else 0) | (W if "w" in flags else 0) | (X if "x" in flags else 0)
        out.append((a, b, perms, f"{loaded.name} {flags}"))
    out.sort()
    for (a0, b0, _p, n0), (a1, _b1, _q, n1) in zip(out, out[1:]):
        if a1 < b0:
            raise BinaryError(f"{loaded.name}: two segments share a page at {a1:#x}; gosyscall maps whole pages")
    fixed = (L.HEAP_ARENA, L.USER_HEAP + L.USER_HEAP_SIZE)
    for a, b, _p, _n in out:
        if a < fixed[1] and fixed[0] < b:
            raise BinaryError(f"{loaded.name}: a segment at {a:#x} lies in Go's heap arena, where the run "
                              "keeps the goroutine")
    return out


def driver_base(loaded: Loaded) -> int:
    """Where the drivers go: DRIVER_TEXT if no segment uses it, else the page after the last one."""
    taken = regions(loaded)
    if all(b <= DRIVER_TEXT or DRIVER_TEXT + DRIVER_TEXT_SIZE <= a for a, b, _p, _n in taken):
        return DRIVER_TEXT
    return (max(b for _a, b, _p, _n in taken) + 0xFFFF) & ~0xFFFF


class BinaryMachine(Machine):
    """The CPU with a Go binary mapped as its ELF says and its runtime entry points hooked."""

    def __init__(self, image: BinaryImage, kernel, log, loaded: Loaded, drivers_at: int):
        self.loaded = loaded
        self.drivers_at = drivers_at
        super().__init__(image, kernel, log, trampolines=loaded.hooks)

    def _map(self) -> None:
        m = self.mem
        for a, b, perms, name in regions(self.loaded):
            m.map(a, b - a, perms, name, host=bool(perms & W))   # code: mapped the ordinary way
        for lo, _size, data, _flags in self.loaded.binary.segments():
            m.poke(lo, data)                                  # the file's bytes; the rest (bss) is zero
        m.map(self.drivers_at, DRIVER_TEXT_SIZE, R | X, "gosyscall drivers", host=False)
        m.poke(self.drivers_at, b"\xcc" * DRIVER_TEXT_SIZE)
        m.poke(self.image.base, self.image.code)
        self.map_goroutine()

    def code_ranges(self) -> list[tuple[int, int]]:
        out = [(self.drivers_at, self.drivers_at + DRIVER_TEXT_SIZE - 1)]
        for a, b, perms, _n in regions(self.loaded):
            if perms & X:
                out.append((a, b - 1))
        return out

    def trampoline_step(self, pc: int) -> dict:
        """A hooked entry point in a trace: the model ran there and it returned as RET does;
        none of its bytes ran, so the step shows none."""
        name = next(n for n, a in self.trampolines.items() if a == pc)
        insn = self.image.at(pc)
        return dict(pc=pc, bytes="", intel="ret", go="RET\t// hooked: the runtime model ran instead",
                    loc=insn.loc if insn is not None else "", where=name)

    def after_trampoline(self, callerpc: int, rsp: int) -> None:
        """Return from the hooked function as its RET would: RSP + 8, RIP = the return address."""
        if self._error is not None:        # the model failed: the CPU is stopping there
            return
        self.uc.reg_write(REG_IDS["rsp"], rsp + 8)
        self.uc.reg_write(REG_IDS["rip"], callerpc)


def entry_stub(name: str, nargs: int) -> Stub:
    """A Go function called by ``--entry``: ``nargs`` integer words in Go's argument
    registers (AX, BX, CX, DI, SI, R8, R9, R10, R11), three results back in AX, BX, CX."""
    if not 0 < nargs <= len(GO_INT_REGS):
        raise ValueError(f"--entry {name}: give 1 to {len(GO_INT_REGS)} argument words "
                         f"(Go's integer argument registers), not {nargs}")
    args = tuple(GO_INT_REGS[:nargs])
    return Stub(name=name, frame="", args=args, results=("r1", "r2", "err"), lines=(),
                abi=ABI("ABIInternal", args, GO_INT_REGS[:3]), doc=f"{name}, a function of the binary")


class BinarySession(Session):
    """A Session whose code is a real Go binary's (see the module docstring)."""

    driver_ns = DRIVER_NS

    def __init__(self, loaded: Loaded, fs: str | None = None, strict: bool = False, log=None,
                 time_budget_ns: int | None = None, entry: Stub | None = None):
        self.loaded = loaded
        self.profile = loaded.profile
        self.prof = load_profile(loaded.profile)
        self.stubs = dict(self.prof.stubs)
        self.entries = {n: self.stubs[n] for n in loaded.entries}
        if entry is not None:
            self.stubs[entry.name] = self.entries[entry.name] = entry
        if not self.entries:
            raise BinaryError(f"{loaded.name}: it has none of {', '.join(self.prof.entry_points)}; "
                              "name a function to call with --entry")
        at = driver_base(loaded)
        order = [drivers.driver(s, DRIVER_NS) for s in self.entries.values()]
        order += [drivers.loop_driver(s, DRIVER_NS) for s in self.entries.values()]
        externs = {n: (loaded.binary.symbols[n].addr if entry is None or n != entry.name
                       else loaded.function(n).addr) for n in self.entries}
        code = load_or_assemble(order, at, externs)
        if code.end() > at + DRIVER_TEXT_SIZE:
            raise BinaryError(f"{loaded.name}: the drivers do not fit their page")
        roots = [n for n in self.stubs if n in loaded.binary.symbols]
        self.image = BinaryImage(loaded, code, roots)
        self.wire(fs, strict, log, time_budget_ns,
                  machine=lambda image, kernel, log_: BinaryMachine(image, kernel, log_, loaded, at),
                  runtime={"m0": loaded.m0, "g0": loaded.g0})

    def describe(self) -> str:
        return f"{self.loaded.name} ({self.loaded.version}) · profile {self.profile}"

    def notes(self) -> list[str]:
        return [f"note: {n}" for n in self.loaded.notes]

    def emit_result(self, stub: Stub, res, tid: int | None = None) -> None:
        """A function called by ``--entry`` returns what its signature says, not r1, r2, err:
        its result registers are shown as they are."""
        if stub.args[:1] == ("trap",):
            return super().emit_result(stub, res, tid)
        self.log.emit("result", self.kernel.clock.now_ns, self.machine.tid if tid is None else tid,
                      r1=res.r1, r2=res.r2, err=res.err, errname=None, entry=True,
                      regs=[drivers.intel_reg(r) for r in stub.abi.results])
