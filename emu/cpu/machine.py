"""emu/cpu/machine.py — one Unicorn x86-64 CPU running a profile's stubs against the kernel model.

What the hardware and Linux do that Unicorn does not, and this module does (DESIGN
"One syscall, end to end"): at SYSCALL, RCX ← address of the next instruction and
R11 ← RFLAGS (RF cleared), RAX ← result or -errno, every other register preserved;
RFLAGS starts at 0x202 as in a Linux user process. In the SYSCALL hook RIP still holds
the SYSCALL's own address; Unicorn adds its length afterwards.

The guest runs in ring 3 (emu/cpu/usermode.py), so a privileged instruction raises #GP
and an invalid one #UD; each is reported as a guest fault naming the instruction and the
signal Linux would send (SIGSEGV, SIGILL, ...), as a bad memory access is.

Hooks: one on the SYSCALL instruction, one per trampoline address (a real RET), one for
invalid memory, one for interrupts and exceptions, and three on instructions Unicorn lets
through in ring 3 (IN, OUT, SYSENTER) — never a per-instruction hook unless a tracer is
attached.
"""
from __future__ import annotations

import gc
import struct

from unicorn import (UC_ARCH_X86, UC_ERR_INSN_INVALID, UC_HOOK_INSN, UC_HOOK_INTR,
                     UC_HOOK_MEM_FETCH_UNMAPPED, UC_HOOK_MEM_READ_UNMAPPED,
                     UC_HOOK_MEM_WRITE_UNMAPPED, UC_HOOK_MEM_FETCH_PROT,
                     UC_HOOK_MEM_READ_PROT, UC_HOOK_MEM_WRITE_PROT,
                     UC_MEM_FETCH_UNMAPPED, UC_MEM_READ_UNMAPPED, UC_MEM_WRITE_UNMAPPED,
                     UC_MEM_FETCH_PROT, UC_MEM_READ_PROT, UC_MEM_WRITE_PROT,
                     UC_MODE_64, Uc, UcError)
from unicorn.x86_const import UC_X86_INS_IN, UC_X86_INS_OUT, UC_X86_INS_SYSENTER

from asm.image import Image
from emu.cpu import layout as L
from emu.cpu.hooks import add_code_hook, add_syscall_hook
from emu.cpu.memory import GuestMemory, R, W, X
from emu.cpu.regs import REG_IDS, SYSCALL_ARG_REGS, TRACE_REGS, RegBatch
from emu.cpu.usermode import enter_ring3, on_boot_page
from emu.errors import BudgetExceeded, GuestFault, StrictViolation
from emu.kernel.block import Deadlock
from emu.kernel.dispatch import Kernel
from emu.kernel.namei import WorkExceeded

RFLAGS_INIT = 0x202          # IF set + the always-one bit 1: a Linux user process
RF = 1 << 16                 # SYSCALL saves RFLAGS into R11 with RF cleared (Linux entry_64.S: R11 = RFLAGS)
MAIN_TID = 1000
DEFAULT_BUDGET = 1_000_000   # instructions per run unless the user asks otherwise
DEFAULT_TIME_BUDGET_NS = 10 * 1_000_000_000   # virtual time per run (generous: one call needs µs)

# CPU exceptions Unicorn reports through UC_HOOK_INTR: vector → (what, its mnemonic, the
# signal Linux sends the process; arch/x86/kernel/traps.c). A privileged instruction in
# ring 3 raises #GP.
_EXCEPTIONS = {0: ("divide error", "DE", "SIGFPE"), 1: ("debug exception", "DB", "SIGTRAP"),
               5: ("bound range exceeded", "BR", "SIGSEGV"), 6: ("invalid instruction", "UD", "SIGILL"),
               12: ("stack-segment fault", "SS", "SIGBUS"),
               13: ("privileged instruction or general protection fault", "GP", "SIGSEGV"),
               16: ("x87 floating-point error", "MF", "SIGFPE"), 17: ("alignment check", "AC", "SIGBUS"),
               19: ("SIMD floating-point error", "XM", "SIGFPE")}

_ACCESS = {UC_MEM_READ_UNMAPPED: "read of unmapped", UC_MEM_WRITE_UNMAPPED: "write to unmapped",
           UC_MEM_FETCH_UNMAPPED: "fetch from unmapped", UC_MEM_READ_PROT: "read of protected",
           UC_MEM_WRITE_PROT: "write to protected", UC_MEM_FETCH_PROT: "fetch from non-executable"}


class Machine:
    """The CPU, guest memory and the kernel model; runs code from an :class:`Image`."""

    def __init__(self, image: Image, kernel: Kernel, log, trampolines: dict[str, int] | None = None):
        self.image = image
        # runtime functions whose hook runs the model: name -> address (the fixed map's RETs)
        self.trampolines = dict(L.TRAMPOLINES if trampolines is None else trampolines)
        self.kernel = kernel
        self.log = log                    # the run's EventLog (emu.trace.events), from the session
        self.uc = Uc(UC_ARCH_X86, UC_MODE_64)
        self.mem = GuestMemory(self.uc)
        self.tid = MAIN_TID
        self.runtime_hook = None          # fn(name, callerpc, callersp, callerfp), set by the runtime bridge
        self.world = None                 # a thread world (emu.world) owning this CPU: see _on_syscall
        self.tracer = None
        self.exit_status: int | None = None
        self.exit_name = ""                   # exit or exit_group: the call that ended the process
        self.time_budget_ns = DEFAULT_TIME_BUDGET_NS   # per run(); None = unlimited
        self.deadline_ns: int | None = None            # virtual time the current run must end by
        self._error: Exception | None = None
        self._fault: tuple | None = None
        self._restore: dict | None = None     # registers to put back when a hook ends the run
        self._block_sizes: dict = {}          # (addr, size) -> instructions: block_insns
        self._hooks: list[int] = []
        self._sysregs = RegBatch(self.uc, ("rax",) + SYSCALL_ARG_REGS + ("rip", "rflags"))
        self._sysret = RegBatch(self.uc, ("rax", "rcx", "r11"))
        self._rsp = RegBatch(self.uc, ("rsp", "rbp"))
        self._all = RegBatch(self.uc, TRACE_REGS)
        self._all_names = set(TRACE_REGS)
        self._map()
        enter_ring3(self.uc, L.TEXT_BASE, L.STACK_HI - L.FRAME_RESERVE, RFLAGS_INIT)
        self.install_hooks()

    # -- address space ---------------------------------------------------------------
    def _map(self) -> None:
        m = self.mem
        m.map(L.TEXT_BASE, L.TEXT_SIZE, R | X, "text", host=False)
        m.map(L.RUNTIME_TEXT, L.RUNTIME_TEXT_SIZE, R | X, "runtime text", host=False)
        m.map(L.RUNTIME_DATA, L.RUNTIME_DATA_SIZE, R | W, "runtime data")
        self.map_goroutine()
        # int3 everywhere in the text pages: a stray jump traps instead of sliding along
        m.poke(L.TEXT_BASE, b"\xcc" * L.TEXT_SIZE)
        m.poke(L.RUNTIME_TEXT, b"\xcc" * L.RUNTIME_TEXT_SIZE)
        m.poke(self.image.base, self.image.code)
        for addr in L.TRAMPOLINES.values():
            m.poke(addr, b"\xc3")                  # a real RET: the model runs in the hook

    def map_goroutine(self) -> None:
        """The goroutine's g struct, its stack (a guard page below) and the user heap, in
        Go's heap arena."""
        m = self.mem
        m.map(L.HEAP_ARENA, L.HEAP_ARENA_SIZE, R | W, "heap arena (g structs)")
        m.map(L.STACK_LO, L.STACK_HI - L.STACK_LO, R | W, "goroutine stack")
        m.map(L.USER_HEAP, L.USER_HEAP_SIZE, R | W, "user heap")

    # -- hooks -------------------------------------------------------------------------
    def install_hooks(self) -> None:
        """(Re)install every hook; a tracer's hooks go first so it sees each instruction
        complete before a trampoline's runtime events (Unicorn calls hooks in order added)."""
        for h in self._hooks:
            self.uc.hook_del(h)
        self._hooks = []
        if self.tracer is not None:
            self._hooks += self.tracer.hooks(self.uc)
        add = self.uc.hook_add
        for name, addr in self.trampolines.items():  # hot: registered straight with the C library
            self._hooks.append(add_code_hook(self.uc, lambda a, s, n=name: self._on_trampoline(self.uc, a, s, n),
                                             addr, addr, self.fail))
        self._hooks.append(add_syscall_hook(self.uc, lambda: self._on_syscall(self.uc, None), self.fail))
        bad = (UC_HOOK_MEM_READ_UNMAPPED | UC_HOOK_MEM_WRITE_UNMAPPED | UC_HOOK_MEM_FETCH_UNMAPPED
               | UC_HOOK_MEM_READ_PROT | UC_HOOK_MEM_WRITE_PROT | UC_HOOK_MEM_FETCH_PROT)
        self._hooks.append(add(bad, self._on_bad_memory))
        self._hooks.append(add(UC_HOOK_INTR, self._on_interrupt))
        # Unicorn runs these in ring 3 (no I/O permission check; SYSENTER only calls hooks):
        # each ends the run as the fault Linux would turn it into.
        self._hooks.append(add(UC_HOOK_INSN, lambda uc, port, size, _u: self._on_ring3_insn("in") or 0,
                               None, 1, 0, UC_X86_INS_IN))
        self._hooks.append(add(UC_HOOK_INSN, lambda uc, port, size, value, _u: self._on_ring3_insn("out"),
                               None, 1, 0, UC_X86_INS_OUT))
        self._hooks.append(add(UC_HOOK_INSN, lambda uc, _u: self._on_ring3_insn("sysenter"),
                               None, 1, 0, UC_X86_INS_SYSENTER))

    def attach_tracer(self, tracer) -> None:
        self.tracer = tracer
        self.install_hooks()

    def detach_tracer(self) -> None:
        self.tracer = None
        self.install_hooks()

    def fail(self, err: BaseException) -> None:
        """Stop the CPU and remember why; ``run`` raises it once ``emu_start`` returns."""
        if self._error is None:
            self._error = err
        self.uc.emu_stop()

    def code_ranges(self) -> list[tuple[int, int]]:
        """[first, last] address of each region code can run from (what a tracer hooks)."""
        return [(L.TEXT_BASE, L.TEXT_BASE + L.TEXT_SIZE - 1),
                (L.RUNTIME_TEXT, L.RUNTIME_TEXT + L.RUNTIME_TEXT_SIZE - 1)]

    def trampoline_step(self, pc: int) -> dict:
        """What a trace shows for the trampoline at ``pc``: a one-byte RET."""
        name = next(n for n, a in self.trampolines.items() if a == pc)
        return dict(pc=pc, bytes="c3", intel="ret", go="RET\t// the runtime model ran here",
                    loc="", where=name)

    def _on_trampoline(self, uc, addr, size, name) -> None:
        rsp, rbp = self._rsp.read()
        callerpc = self.mem.u64(rsp)
        if self.runtime_hook is not None:
            # getcallerpc(), getcallersp(), and the caller's frame pointer (go1.23+ getcallerfp:
            # BP is unchanged by the CALL, so it is the caller's); errors reach fail()
            self.runtime_hook(name, callerpc, rsp + 8, rbp)
        self.after_trampoline(callerpc, rsp)

    def after_trampoline(self, callerpc: int, rsp: int) -> None:
        """After the model ran: nothing here, the trampoline's own RET returns."""

    def _on_syscall(self, uc, _user) -> None:
        if self.world is not None:
            self.world.on_syscall()         # the thread world runs the kernel when the thread may
        else:
            self._syscall()                 # errors reach fail() through the hook's guard

    def _syscall(self) -> None:
        rax, *args, rip, rflags = self._sysregs.read()
        res = self.enter_kernel(rax, tuple(args))
        if res.block is not None:
            self._check_time(res.block.until_ns, rip, res)
            res = self.block(res)
        self.finish_syscall(res, rip, rflags)

    def enter_kernel(self, nr: int, args: tuple):
        """The ``syscall`` event, then the kernel model runs call ``nr`` for this thread."""
        k, log = self.kernel, self.log
        if log.active:
            log.emit("syscall", k.clock.now_ns, self.tid, nr=nr, name=k.name_of(nr),
                     args=[[n, r, v] for n, r, v, _ in k.named_args(nr, args)])
        try:
            return k.syscall(self.mem, nr, args, tid=self.tid)
        except WorkExceeded as e:
            raise BudgetExceeded(f"instruction budget of {e.limit} exhausted by path lookups: {e.used} path "
                                 f"components walked in this run (each is charged as one instruction), the "
                                 f"last in {k.name_of(nr)} (raise it with --budget)") from None

    def finish_syscall(self, res, rip: int, rflags: int) -> None:
        """The call ``res`` of the SYSCALL at ``rip`` is over: RAX, RCX and R11 as Linux leaves
        them and the ``sysret`` event — or, for exit/exit_group, which never return, no register
        changes, the ``exit`` event and the end of the run: the process exited."""
        k, log, t = self.kernel, self.log, self.kernel.clock
        if getattr(res, "strict_violation", False):
            raise StrictViolation(f"--strict: unknown syscall {res.nr} at "
                                  f"{self.image.symbolize(rip) or hex(rip)} (the model returned -ENOSYS)")
        if res.exit_status is not None:
            if log.active:
                log.emit("sysret", t.now_ns, self.tid, nr=res.nr, name=res.name, ret=res.ret,
                         errno=res.errno, text=k.describe(self.mem, res))
                log.emit("exit", t.now_ns, self.tid, status=res.exit_status, name=res.name)
            self.exit_status, self.exit_name = res.exit_status, res.name
            self.uc.emu_stop()
            return
        ret = res.ret & 0xFFFFFFFFFFFFFFFF
        rcx, r11 = rip + 2, rflags & ~RF          # SYSCALL is 2 bytes: 0f 05
        self._sysret.write((ret, rcx, r11))
        if log.active:
            log.emit("sysret", t.now_ns, self.tid, nr=res.nr, name=res.name, ret=res.ret,
                     errno=res.errno, rcx=rcx, r11=r11, text=k.describe(self.mem, res))
        self._check_time(t.now_ns, rip, res)

    def _check_time(self, t_ns: int | None, rip: int, res) -> None:
        """BudgetExceeded if virtual time would pass this run's deadline (a sleep of 1e9 s
        must end as an error naming the call, not as a simulation that never finishes)."""
        if t_ns is None or self.deadline_ns is None or t_ns <= self.deadline_ns:
            return
        call = self.kernel.describe(self.mem, (res.nr, res.args))
        raise BudgetExceeded(f"virtual-time budget of {_seconds(self.time_budget_ns)} exceeded: {call} "
                             f"at {self._where(rip)} runs until t={_seconds(t_ns)} "
                             "(raise it with --time-budget)")

    def block(self, res):
        """A syscall that would block, with this thread alone in the world."""
        try:
            return self.kernel.run_blocked_alone(self.mem, res)
        except Deadlock as e:
            raise GuestFault(f"deadlock: {e}") from None

    def _on_bad_memory(self, uc, access, addr, size, value, _user) -> bool:
        self._fault = (access, addr, size)
        return False                     # let Unicorn stop with the error

    def _on_interrupt(self, uc, intno, _user) -> None:
        """A software interrupt (RIP after the INT) or a CPU exception (RIP at the instruction)."""
        pc = self.uc.reg_read(REG_IDS["rip"])
        soft = self._int_before(pc)
        if soft == intno and intno in (3, 0x80):
            name = {3: "int3", 0x80: "int 0x80 (the 32-bit syscall gate)"}[intno]
            self.fail(GuestFault(f"guest executed {name} near {self._where(pc)}",
                                 "SIGTRAP" if intno == 3 else None))
        elif soft == intno:         # #GP at the INT: RIP back on it, as the fault leaves it
            self._restore = {"rip": pc - 2}
            self.fail(GuestFault(f"guest fault: int {intno:#x} into a gate only the kernel may use "
                                 f"(#GP; Linux sends SIGSEGV) at {self._what(pc - 2)}", "SIGSEGV"))
        else:                       # an exception: the instruction at pc did not retire
            if self.tracer is not None:
                self.tracer.abort()
            name, code, sig = _EXCEPTIONS.get(intno, (f"CPU exception {intno}", str(intno), "SIGSEGV"))
            self.fail(GuestFault(f"guest fault: {name} (#{code}; Linux sends {sig}) at {self._what(pc)}", sig))

    def _int_before(self, pc: int) -> int | None:
        """N if the instruction just before ``pc`` is ``int N`` (``int3``: 3), else None."""
        try:
            if self.mem.read(pc - 1, 1) == b"\xcc":
                return 3
            two = self.mem.read(pc - 2, 2)
        except Exception:           # noqa: BLE001 - unreadable: not a software interrupt
            return None
        return two[1] if two[0] == 0xCD else None

    def _on_ring3_insn(self, what: str) -> None:
        """IN, OUT or SYSENTER reached (RIP at it): the run ends as Linux would end it. The
        hook runs after Unicorn decoded the instruction; RAX (an IN's destination) and RIP are
        put back so the state is the one before it, as a real fault leaves it."""
        pc, rax = self.uc.reg_read(REG_IDS["rip"]), self.uc.reg_read(REG_IDS["rax"])
        self._restore = {"rip": pc, "rax": rax}
        if self.tracer is not None:
            self.tracer.abort()     # it does not retire
        if what == "sysenter":
            why = ("sysenter, not a system call for 64-bit code (Linux's SYSENTER entry serves 32-bit "
                   "code: a 64-bit process gets SIGSEGV on Intel CPUs, SIGILL on AMD ones)")
        else:
            why = "I/O port instruction without I/O permission (#GP; Linux sends SIGSEGV)"
        self.fail(GuestFault(f"guest fault: {why} at {self._what(pc)}", "SIGSEGV"))

    def _what(self, pc: int) -> str:
        """:meth:`_where`, with the instruction's disassembly when it is not the image's."""
        if self.image.at(pc) is not None:
            return self._where(pc)
        try:
            from emu.cpu.disasm import disasm_one
            return f"{self._where(pc)} ({disasm_one(self.mem.read(pc, 15), pc)[1]})"
        except Exception:           # noqa: BLE001 - unreadable bytes: the address says enough
            return self._where(pc)

    def _where(self, pc: int) -> str:
        insn = self.image.at(pc)
        sym = self.image.symbolize(pc)
        if insn is not None:
            go = insn.go.split("//")[0].strip().replace("\t", " ")     # without its comment
            return f"{pc:#x} {insn.where} ({go}; {insn.intel})" if go else f"{pc:#x} {insn.where} ({insn.intel})"
        return f"{pc:#x}" + (f" {sym}" if sym else "")

    # -- running -----------------------------------------------------------------------
    def regs(self) -> dict[str, int]:
        return dict(zip(TRACE_REGS, self._all.read()))

    def set_regs(self, values: dict[str, int]) -> None:
        if values.keys() == self._all_names:
            self._all.write([values[n] for n in TRACE_REGS])     # one batch: the common case
            return
        for name, v in values.items():
            self.uc.reg_write(REG_IDS[name], v & 0xFFFFFFFFFFFFFFFF)

    def run(self, begin: int, until: int, budget: int = DEFAULT_BUDGET) -> None:
        """Run from ``begin`` until the PC reaches ``until``; raise what stopped it otherwise.
        The kernel's path lookups are charged on a meter of the same size (emu.kernel.vfs.Meter)."""
        self.kernel.vfs.meter.start(budget)
        self._emulate(begin, until, budget)
        pc = self.uc.reg_read(REG_IDS["rip"])
        if pc != until and self.exit_status is None:
            raise BudgetExceeded(f"instruction budget of {budget} exhausted at {self._where(pc)}")

    def step(self, begin: int, count: int = 1, stops=()) -> None:
        """Run from ``begin`` for at most ``count`` instructions, stopping early when the PC
        reaches one of ``stops`` (breakpoints: Unicorn exits, so no per-instruction hook);
        the instruction at ``begin`` always runs, even when ``begin`` is in ``stops``.

        Unlike :meth:`run`, using up ``count`` is a normal stop; faults and hook errors
        raise as in :meth:`run`. The SYSCALL and trampoline hooks fire as in a full run.
        Exits are always on, so ``emu_start``'s own end address plays no part: with it, a
        run reaching address 0 (``set $rip = 0``, ``jmp rax`` with RAX = 0) stopped there
        silently instead of faulting on the fetch.
        """
        stops = sorted(set(stops))
        self.uc.ctl_exits_enabled(True)
        try:
            if begin in stops:        # Unicorn never leaves an exit address: run that one alone
                self.uc.ctl_set_exits([])
                self._emulate(begin, 0, 1)
                begin = self.uc.reg_read(REG_IDS["rip"])
                count -= 1
                if count <= 0 or begin in stops or self.exit_status is not None:
                    return
            self.uc.ctl_set_exits(stops)
            self._emulate(begin, 0, count)
        finally:
            self.uc.ctl_exits_enabled(False)

    def forget_code(self, addr: int) -> None:
        """Drop translated blocks around ``addr``: Unicorn caches blocks by address alone, so a
        block translated before a hook or an exit was set at ``addr`` would run past it
        (unicorn-engine/unicorn#2341). [addr-1, addr+1), clamped to the 64-bit space."""
        self.uc.ctl_remove_cache(max(addr - 1, 0), min(addr + 1, (1 << 64) - 1))

    def interrupt(self) -> None:
        """Stop the CPU at the next instruction boundary (safe from a SIGINT handler)."""
        self.uc.emu_stop()

    def _emulate(self, begin: int, until: int, count: int) -> None:
        self._error = self._fault = self._restore = None
        now = self.kernel.clock.now_ns
        self.deadline_ns = None if self.time_budget_ns is None else now + self.time_budget_ns
        # A traced run allocates a few small objects per instruction and keeps them all:
        # Python's cyclic collector would rescan the growing trace again and again (it
        # halves the traced speed) while finding no cycles, so it pauses for the run.
        paused = self.tracer is not None and gc.isenabled()
        if paused:
            gc.disable()
        try:
            self.uc.emu_start(begin, until, 0, count)
        except UcError as e:
            pc = self.uc.reg_read(REG_IDS["rip"])
            if self.tracer is not None:
                if self.tracer.pending == pc:
                    self.tracer.abort()     # the instruction at pc faulted: it retired nothing
                else:
                    self.tracer.finish()    # it retired (a jump to 0); fetching the next one faulted
            if self._error is not None:
                raise self._error from None
            raise self._describe_fault(e, pc) from None
        finally:
            if self.tracer is not None:
                self.tracer.finish()
            if paused:
                gc.enable()
        if self._error is not None:
            if self._restore:
                self.set_regs(self._restore)
            raise self._error

    def _describe_fault(self, err: UcError, pc: int) -> GuestFault:
        if self._fault is not None:
            access, addr, size = self._fault
            if on_boot_page(addr):
                return GuestFault(f"guest fault: loading a segment register is not modelled (the "
                                  f"descriptor table is not mapped) at {self._what(pc)}", "SIGSEGV")
            what = _ACCESS.get(access, "bad access at")
            return GuestFault(f"guest fault: {what} memory at {addr:#x} ({size} bytes) by {self._where(pc)}",
                              "SIGSEGV")
        if err.errno == UC_ERR_INSN_INVALID:
            return GuestFault(f"guest fault: invalid instruction (#UD; Linux sends SIGILL) at {self._what(pc)}",
                              "SIGILL")
        return GuestFault(f"guest fault: {err} at {self._where(pc)}")

    def block_insns(self, addr: int, size: int) -> int:
        """How many instructions the translated block [addr, addr+size) holds: the image knows
        its own; elsewhere (a trampoline page's one-byte RETs, code outside the image) they are
        decoded. Cached by block."""
        n = self._block_sizes.get((addr, size))
        if n is None:
            n, a = 0, addr
            while a < addr + size:
                insn = self.image.at(a)
                if insn is not None:
                    a += insn.size
                elif L.RUNTIME_TEXT <= a < L.RUNTIME_TEXT + L.RUNTIME_TEXT_SIZE:
                    a += 1                  # the runtime page: one-byte RETs (and int3 filler)
                else:
                    try:
                        from asm.operands import decode
                        d = decode(self.mem.read(a, min(15, addr + size - a)), a)
                    except Exception:       # noqa: BLE001 - unreadable: count one byte
                        d = None
                    a += d.size if d is not None else 1
                n += 1
            self._block_sizes[(addr, size)] = n
        return n

    def read_u64s(self, addr: int, n: int) -> tuple[int, ...]:
        return struct.unpack(f"<{n}Q", self.mem.read(addr, 8 * n))


def _seconds(ns: int) -> str:
    """``10 s``, ``0.5 s``, ``1000000000.00005 s``: virtual time for messages, exact."""
    whole, frac = divmod(ns, 1_000_000_000)
    return f"{whole}.{frac:09d}".rstrip("0").rstrip(".") + " s"
