"""emu/bridge/runtime.py — the runtime model behind the trampolines, for one thread.

``runtime·entersyscall``/``runtime·exitsyscall`` are RETs whose hooks land here with
Go's ``getcallerpc()`` ([RSP]) and ``getcallersp()`` (RSP+8). After each call the
fields the guest can see — the current g (stackguard0, syscallsp, syscallpc,
atomicstatus, sched, ...) and m0's TLS slot — are written into guest memory at the
profile's offsets, so ``x/gx`` on the g struct shows what the model holds.

This is the single-thread world of ``gosyscall run``: m0 runs g1 on p0 and nothing
else exists, so nothing can block and exitsyscall always finds its P. The thread world
(``emu.world``) provides the OS layer for many Ms.
"""
from __future__ import annotations

import struct

from emu.cpu import layout as L
from emu.errors import GosyscallError
from runtime_py.observe import Observer


def g_name(gp) -> str:
    """``g7``; a g that has no goid yet is ``g0`` only if it is some M's g0, else ``g(new)``
    (newproc1 changes a new g's status twice before it gives it a goid)."""
    if gp.goid or (gp.m is not None and gp.m.g0 is gp):
        return f"g{gp.goid}"
    return "g(new)"


def describe(v):
    """A model value as it appears in an event: ints stay ints, structs get Go-ish names."""
    if isinstance(v, (bool, int, str)) or v is None:
        return v
    kind = type(v).__name__
    if kind == "g":
        return g_name(v)
    if kind == "m" and v.id == 0 and v.g0 is None:
        return "m(new)"           # allocm's new m before mcommoninit gives it an id (not m0)
    if kind in ("m", "p"):
        return f"{kind}{v.id}"
    return kind


class EventObserver(Observer):
    """Turns the model's notifications into events on the machine's log."""

    def __init__(self, log, clock, tid_of):
        self.log, self.clock, self.tid_of = log, clock, tid_of
        self.rt = None

    def _emit(self, kind, **data):
        self.log.emit(kind, self.clock.now_ns, self.tid_of(), **data)

    def call(self, name, /, **args):
        if self.log.active:
            self._emit("call", fn=name, args={k: describe(v) for k, v in args.items()})

    def gstatus(self, gp, old, new):
        if self.log.active:
            extra = {} if gp.goid else {"name": g_name(gp)}     # only where "g0" would mislead
            self._emit("gstatus", g=gp.goid, old=self.rt.gstatusname(old), new=self.rt.gstatusname(new),
                       **extra)

    def pstatus(self, pp, old, new):
        if old != new and self.log.active:
            self._emit("pstatus", p=pp.id, old=self.rt.pstatusname(old), new=self.rt.pstatusname(new))

    def traceev(self, name, /, **args):
        if self.log.active:
            self._emit("go", name=name, args={k: describe(v) for k, v in args.items()})

    def note(self, msg):
        if self.log.active:
            self._emit("note", text=msg)


class SingleThreadOS:
    """The OS layer when m0 is the only thread: time is the kernel's clock; nothing wakes."""

    def __init__(self, clock):
        self.clock = clock
        self.g = None

    def nanotime(self) -> int:
        return self.clock.now_ns

    def usleep(self, usec: int) -> None:
        self.clock.advance(usec * 1000)

    def osyield(self) -> None:
        pass

    def cputicks(self) -> int:
        return self.clock.now_ns          # a 1 GHz time-stamp counter on the virtual clock

    def parallel(self, site: str) -> None:
        """Nothing else runs beside the only thread; a loop that waits for another thread
        (findrunnable's) would never end."""
        if site == "findrunnable":
            raise GosyscallError("the runtime waits for work another thread would take; `gosyscall run` "
                                 "has one thread: use `gosyscall scenario`")

    def futexsleep(self, addr, val, ns) -> None:
        if getattr(addr, "key", None) != val:
            return
        if ns < 0:
            raise GosyscallError("the runtime parked the only thread (futexsleep with no timeout): "
                                 "use `gosyscall scenario` for runs with more than one thread")
        self.clock.advance(ns)

    def futexwakeup(self, addr, cnt) -> None:
        pass

    def newosproc(self, mp) -> None:
        raise GosyscallError("the runtime wants a new thread; `gosyscall run` has one: "
                             "use `gosyscall scenario`")

    def getg(self):
        return self.g

    def setg(self, gp) -> None:
        self.g = gp

    def gogo(self, buf) -> None:
        raise GosyscallError("the runtime switched goroutines; `gosyscall run` has one: use `gosyscall scenario`")

    def mcall(self, fn, gp) -> None:
        raise GosyscallError("exitsyscall took the slow path (mcall); `gosyscall run` has one thread")


class RuntimeBridge:
    """The profile's runtime model, bootstrapped as Go's main goroutine on m0/p0."""

    def __init__(self, machine, profile, m0: int = L.M0, g0: int = L.G0):
        """``m0``/``g0``: where m0 and g0 live in guest memory (the fixed map's runtime data
        page, or a real binary's own ``runtime.m0``/``runtime.g0``)."""
        self.machine = machine
        self.m0_addr = m0
        self.prof = profile.model          # runtime_py/<release>
        self.layout = profile.layout
        self.register_abi = profile.register_abi
        clock = machine.kernel.clock
        self.observer = EventObserver(machine.log, clock, lambda: machine.tid)
        self.os = SingleThreadOS(clock)
        self.rt = self.prof.Runtime(self.os, Observer(), gomaxprocs=1)
        self.observer.rt = self.prof
        self.rt.bootstrap_main(L.STACK_LO, L.STACK_HI)   # the process start: not part of the trace
        self.rt.observer = self.observer
        # g, m and p compare by identity (dataclass eq=False), so they key the map directly
        self.addrs = {self.rt.m0: m0, self.rt.m0.g0: g0, self.os.getg(): L.G1}
        machine.runtime_hook = self.on_call
        self._views: dict[int, memoryview] = {}   # g address → its guest memory
        self._tls = None                          # the g last written to m0.tls[0]
        self._addr = self.addrs.get               # addr_of without the frame: mirror is hot
        self.mirror()

    @property
    def fs_base(self) -> int:
        """FS base = &m0.tls[0] + 8, so FS:-8 is m0.tls[0], which holds the current g."""
        return self.m0_addr + self.layout.M_TLS + 8

    def use_addrs(self, addrs: dict) -> None:
        """Replace the object → guest address map (the REPL restores copied models)."""
        self.addrs = addrs
        self._addr = addrs.get

    def addr_of(self, obj) -> int:
        """The guest address of a runtime struct (0 for one that has none in guest memory)."""
        try:
            return self.addrs.get(obj, 0)
        except TypeError:             # an unhashable value (a waitreason str is hashable)
            return 0

    def entry_regs(self) -> dict[str, int]:
        """Registers Go code expects on entry besides the arguments: in the register ABI
        (go1.17+) R14 holds the current g (X15 is zero, as Unicorn starts it)."""
        return {"r14": self.addr_of(self.os.getg())} if self.register_abi else {}

    def on_call(self, name: str, callerpc: int, callersp: int, callerfp: int = 0) -> None:
        if name == "runtime.entersyscall":
            self.rt.entersyscall(callerpc, callersp, callerfp)
        elif name == "runtime.exitsyscall":
            self.rt.exitsyscall(callersp)
        elif name == "runtime.entersyscallblock":
            self.rt.entersyscallblock(callerpc, callersp, callerfp)
        self.mirror()

    def mirror(self) -> None:
        """Write the current g (every mirrored field, packed straight into the guest's
        host-backed memory) and m0's TLS slot."""
        gp = self.os.getg()
        base = self.addr_of(gp)
        if base:
            lay = self.layout
            view = self._views.get(base)
            if view is None:
                view = self._views[base] = self.machine.mem.view(base, lay.G_STRUCT.size)
            lay.G_STRUCT.pack_into(view, 0, *lay.g_values(gp, self._addr))
        if base != self._tls:
            self.machine.mem.poke(self.m0_addr + self.layout.M_TLS, struct.pack("<Q", base))
            self._tls = base
