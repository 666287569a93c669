"""emu/gdbserver/target.py — what the protocol asks of the emulated process, over the REPL's engine.

The server (server.py) speaks the protocol; a target answers it. Both targets drive the
debugger engine the REPL uses — ``Debugger`` (emu/repl/debugger.py) for one thread,
``WorldDebugger`` for the thread world (worldtarget.py) — so breakpoints, stepping, the
end of the call, faults and budgets behave exactly as in ``gosyscall repl``.

What a stop becomes on the wire (gdb's signal numbers, gdb/signals.def):

    step, breakpoint              T05 (SIGTRAP); a breakpoint adds swbreak/hwbreak
    catchpoint at a SYSCALL       T05 syscall_entry:NR — before the kernel model runs
    after a caught SYSCALL        T05 syscall_return:NR — the kernel model has run
    Ctrl-C                        T02 (SIGINT)
    guest fault                   T0b (SIGSEGV)
    instruction/time budget       T18 (SIGXCPU, as the kernel's CPU-time limit does)
    runtime model's throw, a      T06 (SIGABRT: Go's fatal error would end the process)
    --strict violation
    resuming after one of these   X with that signal: the process dies of it (a budget of
                                  the one-thread run only pauses it: continue goes on)
    the call returned             W, status r1 & 0xff (the call's result as an exit code;
                                  the whole result line goes to gdb's console first)
    exit_group(N)                 W, status N & 0xff (what wait(2) reports)

While the target runs, the events the REPL would print (kernel entries and returns,
runtime calls, G and P transitions) are collected as console lines; the server sends them
to gdb as ``O`` packets before the stop reply.
"""
from __future__ import annotations

import io
from dataclasses import dataclass

from unicorn import x86_const as X

from emu.errors import BudgetExceeded, GuestFault
from emu.kernel.memory import Fault
from emu.cpu.machine import MAIN_TID
from emu.cpu.regs import REG_IDS, TRACE_REGS
from emu.trace.render import TextRenderer
from emu.gdbserver import tdesc

SIGINT, SIGTRAP, SIGABRT, SIGKILL, SIGSEGV, SIGXCPU = 2, 5, 6, 9, 11, 24
MAX_READ = 0x2000            # bytes one ``m`` reads (PacketSize / 2: two hex digits a byte)
# REPL commands ``monitor`` runs: they only look (running, breakpoints and the thread belong to gdb)
MONITOR = frozenset(("g", "goroutine", "goroutines", "m", "p", "print", "processors", "sched",
                     "abi", "syscall-args", "explain", "lint", "x", "info", "i", "ctx", "context"))
_UC = {n: getattr(X, f"UC_X86_REG_{n.upper()}")          # registers beyond the trace's 18
       for n in ("cs", "ss", "ds", "es", "fs", "gs", "fs_base", "gs_base", "mxcsr", "fpcw", "fpsw",
                 "fptag", "fcs", "fip", "fds", "fdp", "fop")
       + tuple(f"fp{i}" for i in range(8)) + tuple(f"xmm{i}" for i in range(16))}


class TargetError(Exception):
    """A request the target refuses; ``errno`` goes into the ``E`` reply."""

    def __init__(self, msg: str, errno: int = 22):
        super().__init__(msg)
        self.errno = errno


@dataclass
class StopEvent:
    kind: str                        # "signal" (T), "exited" (W) or "terminated" (X)
    signal: int = SIGTRAP
    tid: int | None = None
    reason: tuple[str, str] | None = None    # ("swbreak", ""), ("syscall_entry", "0"), ...
    status: int = 0


class EngineTarget:
    """What both targets share: memory, breakpoints, ``monitor``, console lines, stops."""

    reverse = False                  # bs / bc (reverse step and continue)
    thread_names: dict | None = None

    def __init__(self, dbg, shell_class, exec_file: str | None = None):
        self.dbg = dbg
        self.log = dbg.session.log
        self.exec_path = exec_file
        self._bps: dict[tuple[str, int], int] = {}     # (sw|hw, addr) → the engine's number
        self.catch_num: int | None = None
        self.console: list[str] = []
        self.capturing = False
        self.exited = None                              # the StopEvent that ended the process
        self.orig_rax: dict[int, int] = {}              # tid → the last caught syscall's number
        self.detached = False
        self.fault_signal = SIGSEGV
        self.out = io.StringIO()
        self.shell = shell_class(dbg, io.StringIO(), self.out)
        self.log.listeners.remove(self.shell._on_event)    # monitor output only, no live echo
        self.paint = TextRenderer(color=False, threads=self.thread_names)
        self.log.listeners.append(self._on_event)

    # -- console lines -------------------------------------------------------------------------
    def _on_event(self, ev) -> None:
        if not self.capturing or self.dbg.quiet or ev.kind == "insn":
            return
        line = self.paint.line(ev)
        if line is not None:
            self.console.append(line)

    def take_console(self) -> list[str]:
        lines, self.console = self.console, []
        return lines

    # -- memory (one address space for every thread) ---------------------------------------------
    def read_memory(self, addr: int, length: int) -> bytes:
        """As many bytes from ``addr`` as are readable (up to ``length``); TargetError if none."""
        mem = self.dbg.session.machine.mem
        length = min(length, MAX_READ)
        out = bytearray()
        while len(out) < length:
            reg = mem.region(addr + len(out))
            if reg is None:
                break
            n = min(length - len(out), reg.end - (addr + len(out)))
            try:
                out += mem.read(addr + len(out), n)
            except Fault:
                break
        if length and not out:
            raise TargetError(f"cannot read memory at {addr:#x}", 14)       # EFAULT
        return bytes(out)

    def write_memory(self, addr: int, data: bytes) -> None:
        """Writable guest memory only: the code pages are the image the traces annotate."""
        try:
            self.dbg.session.machine.mem.write(addr, data)
        except Fault:
            raise TargetError(f"cannot write memory at {addr:#x}", 14) from None

    # -- breakpoints and catchpoints ---------------------------------------------------------------
    def insert(self, kind: str, addr: int) -> None:
        if (kind, addr) not in self._bps:
            self._bps[(kind, addr)] = self.dbg.add_breakpoint(addr).num

    def remove(self, kind: str, addr: int) -> None:
        num = self._bps.pop((kind, addr), None)
        if num is not None:
            self.dbg.delete([num])

    def breakpoint_kind(self, addr: int) -> str:
        return "swbreak" if ("sw", addr) in self._bps else "hwbreak"

    def catch_syscalls(self, nrs: frozenset | None | bool) -> None:
        """``False``: catch none; ``None``: every syscall; else those numbers."""
        if self.catch_num is not None:
            self.dbg.delete([self.catch_num])
            self.catch_num = None
        if nrs is not False:
            self.catch_num = self.dbg.add_catchpoint(nrs).num

    # -- monitor ------------------------------------------------------------------------------------
    def monitor(self, line: str) -> str:
        """A looking command of the REPL, printed exactly as the REPL prints it."""
        words = line.split()
        if not words or words[0] == "help":
            return ("monitor runs the gosyscall REPL's looking commands: "
                    + ", ".join(sorted(MONITOR)) + "\n(running, breakpoints and threads are gdb's own)\n")
        if words[0] not in MONITOR:
            return f'"{words[0]}" is not a monitor command; "monitor help" lists them.\n'
        self.out.seek(0)
        self.out.truncate()
        self.shell.onecmd(line)
        return self.out.getvalue()

    # -- stops -------------------------------------------------------------------------------------
    def _stop(self, stop, tid: int, nr: int | None) -> StopEvent:
        """The engine's Stop as a StopEvent; the REPL's own stop text goes to the console
        when gdb would not say it (results, faults, budgets)."""
        k = stop.kind
        if k in ("end", "exit"):
            status = self._exit_status(stop)
            self.exited = StopEvent("exited", status=status & 0xFF)
            return self.exited
        if k in ("fault", "budget"):
            self.console.append(stop.text)
            err = stop.error
            if k == "budget" or isinstance(err, BudgetExceeded):
                self.fault_signal = SIGXCPU
            elif err is None or isinstance(err, GuestFault):
                self.fault_signal = SIGSEGV
            else:                                       # the model's throw, a --strict violation
                self.fault_signal = SIGABRT
            return StopEvent("signal", self.fault_signal, tid)
        if k == "interrupt":
            return StopEvent("signal", SIGINT, tid)
        if k == "breakpoint":
            return StopEvent("signal", SIGTRAP, tid, (self.breakpoint_kind(self.pc_of(tid)), ""))
        if k == "catch-call":
            return StopEvent("signal", SIGTRAP, tid, ("syscall_entry", f"{nr:x}"))
        if k == "catch-return":
            self.orig_rax[tid] = nr
            return StopEvent("signal", SIGTRAP, tid, ("syscall_return", f"{nr:x}"))
        if k == "history":
            return StopEvent("signal", SIGTRAP, tid, ("replaylog", "begin"))
        return StopEvent("signal", SIGTRAP, tid)

    def pc_of(self, tid: int) -> int:
        return self.registers(tid)[tdesc.INDEX["rip"]]

    def _exit_status(self, stop) -> int:
        raise NotImplementedError

    def run_detached(self) -> list[str]:
        """gdb detached: without its breakpoints and catchpoints the call runs on to its end
        (or to what stops it: a fault, a budget); the console lines of that run."""
        for kind, addr in list(self._bps):
            self.remove(kind, addr)
        self.catch_syscalls(False)
        self.detached = True
        if self.exited is None and self.dbg.state == "stopped":
            self.capturing = True
            try:
                self.resume(False, self.threads()[0])
            finally:
                self.capturing = False
        return self.take_console()

    def after_fault(self, signal: int) -> StopEvent | None:
        """Resuming after a fault, a throw or the world's time budget: the process dies of
        the signal that stopped it (X), whatever gdb passes along."""
        if self.dbg.state == "faulted":
            self.exited = StopEvent("terminated", signal=self.fault_signal)
            return self.exited
        return None


class SingleTarget(EngineTarget):
    """One call on one thread (``Debugger``): thread 1000, registers straight from the CPU."""

    reverse = True

    def __init__(self, dbg, exec_file: str | None = None):
        from emu.repl.shell import Shell
        super().__init__(dbg, Shell, exec_file)
        self.uc = dbg.machine.uc

    def threads(self) -> list[int]:
        return [] if self.exited else [MAIN_TID]

    def extra_info(self, tid: int) -> str:
        rt = self.dbg.session.runtime
        g = rt.os.getg() if rt is not None else None
        return f"m0, g{g.goid}" if g is not None and getattr(g, "goid", 0) else "m0"

    def trace_registers(self, tid: int) -> dict[str, int]:
        """The 18 registers a trace follows, in one batch (what a stop reply carries)."""
        return self.dbg.regs()

    def registers(self, tid: int) -> list[int | None]:
        return cpu_registers(self.uc, self.dbg.regs(), self.uc.reg_read(REG_IDS["fs_base"]),
                             self.orig_rax.get(tid, -1))

    def set_register(self, tid: int, index: int, value: int) -> None:
        write_cpu_register(self.uc, index, value, self.registers(tid)[index])
        if tdesc.REGS[index].name == "orig_rax":
            self.orig_rax[tid] = value

    @staticmethod
    def may_run_long(step: bool) -> bool:
        return not step              # one instruction (a blocking SYSCALL ends in virtual time)

    def resume(self, step: bool, tid: int | None, signal: int = 0) -> StopEvent:
        dead = self.after_fault(signal)
        if dead is not None:
            return dead
        pc = self.dbg.pc
        nr = self.uc.reg_read(REG_IDS["rax"]) if pc in self.dbg.syscall_sites else None
        stop = self.dbg.stepi(1) if step else self.dbg.cont()
        if stop.kind == "catch-call":
            nr = self.uc.reg_read(REG_IDS["rax"])       # the SYSCALL about to run
        return self._stop(stop, MAIN_TID, nr)

    def reverse_resume(self, step: bool) -> StopEvent:
        stop = self.dbg.reverse_stepi(1) if step else self.dbg.reverse_continue()
        nr = self.uc.reg_read(REG_IDS["rax"]) if stop.kind == "catch-call" else None
        return self._stop(stop, MAIN_TID, nr)

    def interrupt(self) -> None:
        self.dbg.interrupt()

    def _exit_status(self, stop) -> int:
        m = self.dbg.machine
        if m.exit_status is not None:
            return m.exit_status
        return self.dbg.session.read_result(self.dbg.stub).r1


def cpu_registers(uc, regs: dict, fs_base: int, orig_rax: int) -> list[int | None]:
    """Every register of the description: ``regs`` (the 18 a trace follows) for the GPRs,
    RIP and RFLAGS, ``fs_base`` for the thread, the rest straight from the CPU."""
    out: list[int | None] = [regs[n] for n in TRACE_REGS[:16]] + [regs["rip"], regs["rflags"] & 0xFFFFFFFF]
    out += [uc.reg_read(_UC[n]) for n in ("cs", "ss", "ds", "es", "fs", "gs")]
    top = uc.reg_read(_UC["fpsw"]) >> 11 & 7
    for i in range(8):                     # st(i) is physical register (TOP + i) mod 8
        mant, exp = uc.reg_read(_UC[f"fp{(top + i) & 7}"])
        out.append(mant | (exp & 0xFFFF) << 64)
    out += [uc.reg_read(_UC[n]) for n in ("fpcw", "fpsw", "fptag", "fcs", "fip", "fds", "fdp", "fop")]
    out += [uc.reg_read(_UC[f"xmm{i}"]) for i in range(16)]
    out += [uc.reg_read(_UC["mxcsr"]), orig_rax & 0xFFFFFFFFFFFFFFFF, fs_base, uc.reg_read(_UC["gs_base"])]
    return out


WRITABLE = frozenset(TRACE_REGS[:16]) | {"rip", "eflags", "fs_base", "gs_base", "mxcsr", "orig_rax"} \
    | {f"xmm{i}" for i in range(16)}


def write_cpu_register(uc, index: int, value: int, current: int | None) -> None:
    """Set one register on the CPU; the general, vector and base registers only (a write
    that changes nothing is accepted for any register, as ``G`` writes them all)."""
    name = tdesc.REGS[index].name
    if value == current:
        return
    if name not in WRITABLE:
        raise TargetError(f"register {name} cannot be written here")
    if name == "orig_rax":
        return
    if name == "eflags":
        uc.reg_write(REG_IDS["rflags"], value)
    else:
        uc.reg_write(REG_IDS.get(name) or _UC[name], value)
