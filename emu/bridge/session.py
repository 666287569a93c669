"""emu/bridge/session.py — a profile's image, the machine, the kernel and the runtime, wired together.

``Session.call(stub, trap, args)`` is one Go call of a syscall stub: a driver function
(``main.call<Stub>``) whose frame holds trap, a1…a6 and the result slots CALLs the stub;
the run stops at the sentinel after that CALL; r1, r2 and err are then read back from
the frame exactly where Go's caller reads them.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass

from asm import drivers
from asm.stub import Stub
from emu.bridge.runtime import RuntimeBridge
from emu.cpu import layout as L
from emu.cpu.imagecache import load_or_assemble
from emu.cpu.machine import DEFAULT_BUDGET, RFLAGS_INIT, Machine
from emu.cpu.regs import GPRS, REG_IDS
from emu.kernel.dispatch import Kernel
from emu.kernel.errno import SysError, errno_name
from emu.kernel.vfs import VFS
from emu.profile import DEFAULT, load
from emu.trace.events import EventLog


def check_count(stub: Stub, args: list) -> None:
    """ValueError unless ``stub`` takes ``args`` after the syscall number (commands check it
    before they print anything of the run)."""
    nargs = len(stub.args) - 1
    if len(args) > nargs:
        raise ValueError(f"{stub.name} takes {nargs} arguments after the syscall number, not {len(args)}")


@dataclass
class CallResult:
    r1: int
    r2: int
    err: int
    exit_status: int | None = None

    @property
    def errname(self) -> str | None:
        return errno_name(self.err) if self.err else None


class Session:
    """Everything for running calls of one profile's stubs."""

    def __init__(self, profile: str = DEFAULT, fs: str | None = None, strict: bool = False,
                 extra_stubs: list[Stub] | None = None, log: EventLog | None = None,
                 time_budget_ns: int | None = None):
        self.profile = profile
        self.prof = load(profile)
        if L.G1 + self.prof.layout.SIZEOF_G > L.HEAP_ARENA + L.HEAP_ARENA_SIZE:
            raise ValueError(f"profile {profile}: a g of {self.prof.layout.SIZEOF_G} bytes does not fit the heap arena")
        stubs = dict(self.prof.stubs)
        for s in extra_stubs or ():
            stubs[s.name] = s
        self.stubs = stubs
        # what a Go program calls (a register-ABI release has internal functions besides)
        self.entries = {n: stubs[n] for n in self.prof.entry_points} | {s.name: s for s in extra_stubs or ()}
        order = list(stubs.values())
        order += [drivers.driver(s) for s in self.entries.values()]
        order += [drivers.loop_driver(s) for s in self.entries.values()]
        self.image = load_or_assemble(order, L.TEXT_BASE, dict(L.TRAMPOLINES))
        if self.image.end() > L.TEXT_BASE + L.TEXT_SIZE:
            raise ValueError("the stubs do not fit in the text pages")
        self.wire(fs, strict, log, time_budget_ns)

    def wire(self, fs: str | None, strict: bool, log: EventLog | None, time_budget_ns: int | None,
             machine=Machine, runtime: dict | None = None) -> None:
        """The kernel model, the event log, the machine (``machine(image, kernel, log)``) and
        the runtime model (``runtime``: RuntimeBridge's m0/g0 addresses) around ``self.image``."""
        self.kernel = Kernel(fs=VFS(fs), strict=strict)
        self.log = log or EventLog()
        self.machine = machine(self.image, self.kernel, self.log)
        if time_budget_ns is not None:          # virtual time per call (Machine's default otherwise)
            self.machine.time_budget_ns = time_budget_ns
        self.runtime = RuntimeBridge(self.machine, self.prof, **(runtime or {}))
        self._heap = L.USER_HEAP
        self.setup_files: list[tuple[int, str]] = []     # (fd, path) opened before the run
        self.trap: int | None = None                      # the syscall number of the last call prepared

    # -- user memory for arguments ---------------------------------------------------
    def alloc(self, size: int, data: bytes = b"") -> int:
        """Reserve ``size`` bytes of the user heap (16-byte aligned) and fill with ``data``."""
        addr = self._heap
        end = addr + max(size, len(data))
        if end > L.USER_HEAP + L.USER_HEAP_SIZE:
            raise ValueError(f"the user heap holds {L.USER_HEAP_SIZE} bytes; arguments need more")
        self._heap = (end + 15) & ~15
        self.machine.mem.poke(addr, data.ljust(size, b"\0"))
        return addr

    def open_for_setup(self, path: str) -> int:
        """Open ``path`` read-only in the guest before the run (what os.Open did): fd or -errno."""
        try:
            f = self.kernel.vfs.open(path.encode("utf-8", "surrogateescape"), 0)     # O_RDONLY; bytes as typed
            fd = self.kernel.fds.alloc(f)
        except SysError as e:
            return -e.errno
        self.setup_files.append((fd, path))
        return fd

    def resolve_stub(self, name: str) -> Stub:
        for cand in (name, f"syscall.{name}"):
            if cand in self.entries:
                return self.entries[cand]
        raise ValueError(f"no stub {name!r}; this profile has: "
                         + ", ".join(n.split(".")[-1] for n in self.entries))

    # -- one call ------------------------------------------------------------------------
    def frame_base(self) -> int:
        """The driver's RSP: the bottom of Go's caller's frame."""
        return L.STACK_HI - L.FRAME_RESERVE

    def slot_addr(self, stub: Stub, slot: str) -> int:
        """Where the driver keeps the call's word ``slot`` (trap, a1…, r1, r2, err)."""
        return self.frame_base() + drivers.slot_offset(stub, slot)

    def read_result(self, stub: Stub) -> CallResult:
        """r1, r2, err as Go's caller holds them once the call returned."""
        r1, r2, err = self.machine.read_u64s(self.slot_addr(stub, "r1"), 3)
        return CallResult(r1, r2, err, self.machine.exit_status)

    driver_ns = "main"          # the package of the drivers' symbols (main.callSyscall)

    def describe(self) -> str:
        """What runs, for a run's title: ``profile go1.10``."""
        return f"profile {self.profile}"

    def notes(self) -> list[str]:
        """Lines a run's title adds (the binary session's notes on its release)."""
        return []

    def driver_symbol(self, stub: Stub, kind: str = "call", label: str = "") -> int:
        """Address of the driver of ``stub`` (``kind`` call or loop), or of its ``label``."""
        name = f"{self.driver_ns}.{kind}{stub.name.split('.')[-1]}"
        return self.image.symbols[f"{name}.{label}" if label else name]

    def prepare(self, stub: Stub, trap: int, args: list[int], regs: dict | None = None) -> int:
        """Write the caller's frame and the initial registers; return the driver's address."""
        check_count(stub, args)
        nargs = len(stub.args) - 1
        self.trap = trap
        words = [0] * drivers.spill_words(stub) + [trap] + list(args) + [0] * (nargs - len(args))
        words += [0] * len(stub.results)
        fp = self.frame_base()
        self.machine.mem.poke(fp, struct.pack(f"<{len(words)}Q", *(w & 0xFFFFFFFFFFFFFFFF for w in words)))
        init = dict.fromkeys(GPRS, 0)
        init.update(rip=0, rsp=fp, rflags=RFLAGS_INIT)
        init.update(self.runtime.entry_regs())          # the register ABI's g in R14
        init.update(regs or {})
        self.machine.set_regs(init)
        self.machine.uc.reg_write(REG_IDS["fs_base"], self.runtime.fs_base)
        return self.driver_symbol(stub)

    def call(self, stub: str, trap: int, args: list[int], budget: int = DEFAULT_BUDGET,
             regs: dict | None = None, repeat: int = 1) -> CallResult:
        """One Go call of ``stub`` — or ``repeat`` calls in a loop inside the guest."""
        s = self.resolve_stub(stub)
        begin = self.prepare(s, trap, args, regs)
        until = self.driver_symbol(s, label="done")
        if repeat != 1:
            if repeat < 1:
                raise ValueError("repeat must be at least 1")
            self.machine.uc.reg_write(REG_IDS["r12"], repeat)
            begin = self.driver_symbol(s, "loop")
            until = self.driver_symbol(s, "loop", "done")
        if self.machine.tracer is not None:
            self.machine.tracer.start()
        self.machine.run(begin, until, budget)
        if self.machine.exit_status is not None:      # exit/exit_group: the process is gone
            return CallResult(0, 0, 0, self.machine.exit_status)
        res = self.read_result(s)
        self.emit_result(s, res)
        return res

    def emit_result(self, stub: Stub, res: CallResult, tid: int | None = None) -> None:
        """The ``result`` event: r1, r2, err as the caller got them (a register-ABI call
        names the registers they came back in)."""
        how = {"regs": [drivers.intel_reg(r) for r in stub.abi.results]} if stub.abi is not None else {}
        self.log.emit("result", self.kernel.clock.now_ns, self.machine.tid if tid is None else tid,
                      r1=res.r1, r2=res.r2, err=res.err, errname=res.errname, **how)
