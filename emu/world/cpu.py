"""emu/world/cpu.py — running guest code of many threads on one Unicorn CPU (World's mixin).

A thread's turn on the CPU is a *slice*: its goroutine's registers go into the CPU and
``emu_start`` runs until something needs the world — a trampoline (a runtime call), a
SYSCALL, the end of the slice's time — or the guest faults. Unicorn cannot be re-entered
from a hook, so the hooks only record what happened and ``emu_stop()``; the world loop acts
once ``emu_start`` has returned.

Virtual time: a UC_HOOK_BLOCK hook adds ``insn_ns`` per instruction of each translated
block as it starts (instruction counts cached by block). A block hook that stops the CPU
stops it *before* the block (measured with Unicorn 2.1.4), so nothing is counted that did
not run; a trampoline's code hook stops before its RET runs, and the RET is uncounted.

Instructions are counted the same way (``insns``), against ``insn_budget`` (``--budget``): a
block that would take the count past it does not run — the block hook stops the CPU before
it — and the run ends with BudgetExceeded, the thread left queued at that block (a REPL that
raises the budget goes on from there).

Order: a slice starts at the thread's clock and may run until the next pending event plus
``quantum_ns``; but a runtime call or SYSCALL that comes later than the next pending event
waits (the thread is queued again with the action pending: a SYSCALL is rewound to run
again, a trampoline is remembered). So every runtime call and syscall happens in virtual-time
order and the trace's times never go back; only pure computation overlaps.
"""
from __future__ import annotations

from greenlet import greenlet
from unicorn import UC_HOOK_BLOCK, UC_HOOK_CODE

from emu.cpu import layout as L
from emu.cpu.regs import REG_IDS, SYSCALL_ARG_REGS, TRACE_REGS, RegBatch
from emu.errors import BudgetExceeded
from emu.world.chan import chanrecv1
from emu.world.osl import glet_body
from emu.world.thread import Wait

RIP, RSP, RDX, RFLAGS = (TRACE_REGS.index(r) for r in ("rip", "rsp", "rdx", "rflags"))
RFLAGS_INIT = 0x202


class GuestCPU:
    """Mixin of World: slices of guest code, the hooks, the trampoline and SYSCALL actions."""

    def _init_cpu(self) -> None:
        uc = self.machine.uc
        self.uc = uc
        self.regs = RegBatch(uc, TRACE_REGS)
        self.sysregs = RegBatch(uc, ("rax",) + SYSCALL_ARG_REGS + ("rip", "rflags"))
        self.gregs: dict = {}          # goroutine -> its 18 registers while off the CPU
        self.skip: dict = {}           # goroutine -> trampoline whose call is done (run its RET)
        self.stop = None               # what stopped the current slice
        self.stop_pcs: set[int] = set()   # addresses that end the run when reached (run mode)
        self._limit = self._horizon_t = 0
        self._nblocks = 0
        self._skip_pc = None
        self._counting = True
        self.insns = 0                 # guest instructions retired, every thread
        self.insn_budget: int | None = None   # the run ends before insns - insn_base would pass it
        self.insn_base = 0
        self._hooks = [uc.hook_add(UC_HOOK_BLOCK, self._on_block)]
        self.machine.world = self
        self.machine.runtime_hook = self._on_trampoline

    # -- hooks (inside emu_start: record and stop) --------------------------------------------
    def _on_block(self, uc, addr, size, _user) -> None:
        if self._nblocks and self.clock.now_ns >= self._limit:
            uc.emu_stop()                     # the block does not run
            return
        n = 1                                 # step_insn: one instruction of it runs
        if self._counting:
            n = self.machine.block_insns(addr, size)
        if self.insn_budget is not None and self.insns - self.insn_base + n > self.insn_budget:
            self.stop = ("budget", addr)      # before the block: nothing of it runs
            uc.emu_stop()
            return
        self._nblocks += 1
        if self._counting:
            self.insns += n
            self.clock.now_ns += n * self.costs.insn_ns

    def _on_trampoline(self, name: str, callerpc: int, callersp: int, callerfp: int) -> None:
        if self._skip_pc == L.TRAMPOLINES[name]:
            self._skip_pc = None              # the call already ran: let its RET execute
            return
        self.stop = ("tramp", name, callerpc, callersp, callerfp)
        self._unretire()

    def on_syscall(self) -> None:
        """The machine's SYSCALL hook in a world (Machine._on_syscall)."""
        nr, *args, rip, rflags = self.sysregs.read()
        if self.clock.now_ns > self._horizon_t:
            self.stop = ("defer", rip)        # someone is earlier: this SYSCALL runs again later
            self._unretire()
            return
        res = self.machine.enter_kernel(nr, tuple(args))
        self.stop = ("syscall", res, rip, rflags)
        self.uc.emu_stop()

    def _on_stop_pc(self, uc, addr, size, _user) -> None:
        self.stop = ("end", addr)
        self._unretire()

    def _unretire(self) -> None:
        """Stop before the current instruction: it does not retire (nor count, nor trace)."""
        self.clock.now_ns -= self.costs.insn_ns
        if self._counting:
            self.insns -= 1
        if self.machine.tracer is not None:
            self.machine.tracer.abort()
        self.uc.emu_stop()

    def add_stop_pc(self, addr: int) -> None:
        """End the run when any thread reaches ``addr`` (before executing it)."""
        if addr in self.stop_pcs:
            return
        self.stop_pcs.add(addr)
        self._hooks.append(self.uc.hook_add(UC_HOOK_CODE, self._on_stop_pc, None, addr, addr))

    # -- one slice --------------------------------------------------------------------------
    def _guest(self, th, count: int = 0) -> str:
        """Run th's goroutine (``count`` = 1: one instruction): "runtime" (th.glet now holds
        a runtime call to run), "requeue", "blocked" or "end"."""
        gp = th.g
        self.clock.now_ns += self.clock.debt      # the syscalls its runtime code made so far
        self.clock.debt = 0
        self.regs.write(self.gregs[gp])
        self.uc.reg_write(REG_IDS["fs_base"], th.fs_base)
        self.mirror(th, gp)
        pending, th.pending = th.pending, None
        if pending is not None and pending[0] == "sysret":
            _, res, rip, rflags = pending
            self.machine.finish_syscall(res, rip, rflags)
            self.after_result(res)
            if self.machine.exit_status is not None:
                self.finish("exit", self.machine.exit_status)
                return "end"
        elif pending is not None:             # a trampoline reached while others were earlier
            self.start_runtime_call(th, *pending[1:])
            return "runtime"
        th.doing = f"g{gp.goid}"
        self.timeline_set(th, f"g{gp.goid}", "running")
        pc = self.regs.read()[RIP]
        horizon = self.horizon()
        self._horizon_t = horizon
        quantum = 0 if self.machine.tracer is not None else self.costs.quantum_ns
        self._limit = max(horizon, self.clock.now_ns) + quantum
        self._nblocks, self.stop = 0, None
        self._skip_pc = self.skip.pop(gp, None)
        if self.machine.tracer is not None:
            self.machine.tracer.start()
        base, self._counting = self.clock.now_ns, count == 0
        try:
            self.machine.step(pc, count)      # count 0: no instruction limit (Unicorn's)
        finally:
            self._skip_pc, self._counting = None, True
        if count:                             # one instruction, if it retired, costs insn_ns
            retired = self.stop is None or self.stop[0] == "syscall"
            self.clock.now_ns = base + (self.costs.insn_ns if retired else 0)
            self.insns += retired
        return self._after_slice(th, gp)

    def _after_slice(self, th, gp) -> str:
        regs = list(self.regs.read())
        stop, self.stop = self.stop, None
        th.t = self.clock.now_ns
        kind = stop[0] if stop is not None else "slice"
        if kind == "defer":
            regs[RIP] = stop[1]
        self.gregs[gp] = tuple(regs)
        if kind in ("slice", "defer"):
            self.requeue(th)
            return "requeue"
        if kind == "budget":                  # queued again at the block that did not run
            self.requeue(th)
            pc = stop[1]
            where = " ".join(filter(None, (f"{pc:#x}", self.image.symbolize(pc))))
            err = BudgetExceeded(f"instruction budget of {self.insn_budget} exhausted at {where} on "
                                 f"{th.name} (thread {th.tid}), after {self.insns - self.insn_base} instructions of "
                                 "every thread (raise it with --budget)")
            err.resumable = True              # the world is whole: a REPL may give it more and go on
            raise err
        if kind == "end":
            self.finish("end", stop[1])
            return "end"
        if kind == "tramp":
            if self.clock.now_ns > self._horizon_t:
                th.pending = stop
                self.requeue(th)
                return "requeue"
            self.start_runtime_call(th, *stop[1:])
            return "runtime"
        _, res, rip, rflags = stop            # a SYSCALL the kernel model has run
        if res.block is not None:
            self.block(th, Wait(res.block, True, res.nr, rip, rflags, self.clock.now_ns))
            hook = self.pipe_hooks.get(id(res.block.key)) if res.block.kind == "pipe_read" else None
            if hook is not None:
                hook(th)
            th.doing = f"g{gp.goid} in {res.name}: {res.block.describe()}"
            self.timeline_set(th, f"g{gp.goid} {res.name}", "syscall")
            return "blocked"
        th.pending = ("sysret", res, rip, rflags)
        self.requeue(th)
        return "requeue"

    # -- goroutines on the CPU ------------------------------------------------------------
    def fresh(self, gp) -> None:
        """gp starts at gp.sched (a new goroutine): its registers, and the return address
        newproc1's gostartcall left room for — runtime·goexit+1 — at sched.sp."""
        regs = [0] * len(TRACE_REGS)
        regs[RSP], regs[RIP], regs[RFLAGS] = gp.sched.sp, gp.sched.pc, RFLAGS_INIT
        regs[RDX] = self.addr_of(gp.sched.ctxt)
        self.mem.put_u64(gp.sched.sp, self.rt.goexitpc + 1)
        self.gregs[gp] = tuple(regs)

    def mirror(self, th, gp) -> None:
        """The g guest code can see: its struct (go1.10 offsets) and its M's TLS slot."""
        base = self.addr_of(gp)
        if base:
            lay = self.prof.layout
            self.mem.poke(base, lay.G_STRUCT.pack(*lay.g_values(gp, self.addr_of)))
        self.mem.put_u64(th.fs_base - 8, base)

    # -- runtime calls from guest code ---------------------------------------------------------
    def start_runtime_call(self, th, name: str, callerpc: int, callersp: int, callerfp: int) -> None:
        """The trampoline ``name`` was reached: its runtime function, on a greenlet that is
        the goroutine's stack while it is in the runtime."""
        gp = th.g
        self.entered[gp] = (name, callersp - 8)
        rt = self.rt
        calls = {
            "runtime.entersyscall": lambda: rt.entersyscall(callerpc, callersp, callerfp),
            "runtime.exitsyscall": lambda: rt.exitsyscall(callersp),
            "runtime.entersyscallblock": lambda: rt.entersyscallblock(callerpc, callersp, callerfp),
            "runtime.newproc": lambda: self.newproc_from_guest(callerpc, callersp),
            "runtime.goexit1": rt.goexit1,
            "runtime.chanrecv1": lambda: chanrecv1(rt, self.chan_at(self.mem.u64(callersp)),
                                                   self.mem.u64(callersp + 8)),
        }
        th.glet = greenlet(glet_body(calls[name], False), parent=self.main_glet)
        th.doing = f"g{gp.goid} in {name}"

    def newproc_from_guest(self, callerpc: int, callersp: int) -> None:
        """runtime·newproc(siz int32, fn *funcval) from its ABI0 frame; the world gives the
        new goroutine a 2 KiB stack (model: the caller supplies the stack)."""
        fnptr = self.mem.u64(callersp + 8)
        self.new_goroutine(self.mem.u64(fnptr), callerpc)
