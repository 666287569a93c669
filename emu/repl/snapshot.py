"""emu/repl/snapshot.py — a whole session saved and put back: the basis of reverse execution.

A :class:`Snapshot` holds what can change while the guest runs:

- the CPU: ``uc.context_save()`` (every register, FS base included);
- guest memory: the host-backed regions (runtime data, g structs, stack, user heap) as
  bytes. The code pages are read-only and never change, so they are not saved. A region
  whose bytes equal the previous snapshot's shares that object, so a step that writes no
  memory costs a comparison, not a copy kept;
- the models: a ``copy.deepcopy`` of the kernel (fds, files, clock, console) and of the
  runtime model (every g, m, p, sched) in one call, so objects they share stay shared.
  It is taken only when the models may have changed — every change to them goes through
  a SYSCALL or a trampoline, and both emit events, so "an event other than an
  instruction was logged since the last copy" is the test;
- the event log's length and step counter, and the machine's exit status.

Restoring copies the saved models again (a snapshot can be restored many times) and
rewires the session's references to them: ``session.kernel``, ``machine.kernel``, the
runtime bridge's ``rt``/``os``/``addrs`` and the observer's clock. What is *not* undone:
output the REPL already printed, and anything outside the guest (a host file under
``--fs`` is only read, never written, so nothing there needs undoing).
"""
from __future__ import annotations

import copy
import ctypes
from dataclasses import dataclass

from emu.cpu.regs import REG_IDS


@dataclass(eq=False)
class ModelState:
    """Deep copies of the kernel and runtime model, and the bridge's address map."""

    kernel: object
    rt: object
    os: object
    addrs: dict            # copied object → guest address (RuntimeBridge.addrs, remapped)
    gen: int               # Snapshotter.gen when taken


@dataclass(eq=False)
class Snapshot:
    ctx: object
    mem: tuple             # bytes per host-backed region, in GuestMemory.regions order
    model: ModelState
    nevents: int
    step: int
    exit_status: int | None
    pc: int
    extra: dict            # the debugger's own per-snapshot state (stop state, ...)


class Snapshotter:
    """Takes and restores snapshots of one session."""

    def __init__(self, session):
        self.s = session
        self._live: ModelState | None = None     # a copy equal to the live models, if known
        self._last_mem: tuple = ()
        self.gen = 0                             # counts events that may change the models
        session.log.listeners.append(self._on_event)

    def _on_event(self, ev) -> None:
        if ev.kind != "insn":
            self.gen += 1

    def _keep(self) -> dict:
        """Objects a copy must share with the live session, not duplicate (deepcopy memo)."""
        b = self.s.runtime
        keep = (self.s, self.s.machine, self.s.log, b, b.observer, b.prof, b.layout)
        return {id(o): o for o in keep}

    def _host_regions(self):
        return [r for r in self.s.machine.mem.regions if r.buf is not None]

    def _model(self) -> ModelState:
        if self._live is not None and self._live.gen == self.gen:
            return self._live
        b = self.s.runtime
        memo = self._keep()
        kernel, rt, os_ = copy.deepcopy((self.s.kernel, b.rt, b.os), memo)
        addrs = {memo[id(obj)]: addr for obj, addr in b.addrs.items() if id(obj) in memo}
        self._live = ModelState(kernel, rt, os_, addrs, self.gen)
        return self._live

    def take(self, **extra) -> Snapshot:
        m = self.s.machine
        mem = []
        for i, r in enumerate(self._host_regions()):
            data = ctypes.string_at(ctypes.addressof(r.buf), r.size)
            if i < len(self._last_mem) and self._last_mem[i] == data:
                data = self._last_mem[i]
            mem.append(data)
        self._last_mem = tuple(mem)
        return Snapshot(ctx=m.uc.context_save(), mem=self._last_mem, model=self._model(),
                        nevents=self.s.log.count, step=self.s.log.step,
                        exit_status=m.exit_status, pc=m.uc.reg_read(REG_IDS["rip"]), extra=extra)

    def restore(self, snap: Snapshot) -> None:
        s, m = self.s, self.s.machine
        m.uc.context_restore(snap.ctx)
        for r, data in zip(self._host_regions(), snap.mem):
            ctypes.memmove(ctypes.addressof(r.buf), data, r.size)
        self._last_mem = snap.mem
        ms = snap.model
        s.log.truncate(snap.nevents)
        s.log.step = snap.step
        m.exit_status = snap.exit_status
        if ms is self._live and ms.gen == self.gen:
            return                  # the live models still equal this copy: nothing to undo
        memo = self._keep()
        kernel, rt, os_ = copy.deepcopy((ms.kernel, ms.rt, ms.os), memo)
        s.kernel = m.kernel = kernel
        b = s.runtime
        b.rt, b.os = rt, os_
        b.observer.clock = kernel.clock
        b.use_addrs({memo[id(k)]: addr for k, addr in ms.addrs.items() if id(k) in memo})
        self.gen += 1
        ms.gen = self.gen
        self._live = ms
