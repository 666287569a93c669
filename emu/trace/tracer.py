"""emu/trace/tracer.py — per-instruction tracing, attached only when a trace or step is asked for.

Each instruction's register changes and memory writes are attributed to *that*
instruction: at the hook for the next PC the registers are read in one batch and
diffed with the previous batch (learners are misled by traces that show values from
before an instruction). Events raised while an instruction executes — the syscall it
makes, the runtime call its trampoline runs — are held back and emitted right after it.
"""
from __future__ import annotations

from unicorn import UC_HOOK_MEM_WRITE

from emu.cpu.hooks import add_code_hook
from emu.cpu.regs import TRACE_REGS, RegBatch


class Tracer:
    def __init__(self, machine):
        self.m = machine
        self.batch = RegBatch(machine.uc, TRACE_REGS)
        self.prev: tuple[int, ...] | None = None
        self.pending: int | None = None
        self.writes: list[tuple[int, bytes]] = []
        self._info: dict[int, dict] = {}          # pc → the instruction's fixed fields

    def hooks(self, uc) -> list[int]:
        """Hook the machine's code regions only: nothing else can execute. The code
        hook runs once per instruction, so it is registered straight with the C library."""
        code = lambda addr, size: self._on_code(None, addr, size, None)   # noqa: E731
        fail = self.m.fail
        return [add_code_hook(uc, code, lo, hi, fail) for lo, hi in self.m.code_ranges()] + \
            [uc.hook_add(UC_HOOK_MEM_WRITE, self._on_write)]

    def start(self) -> None:
        """Take the register baseline; call before each run."""
        self.prev = self.batch.read()
        self.pending, self.writes = None, []

    def _on_code(self, uc, addr, size, _user) -> None:
        self.finish()
        self.pending = addr
        self.m.log.hold()

    def _on_write(self, uc, access, addr, size, value, _user) -> None:
        if self.pending is not None:
            self.writes.append((addr, (value & ((1 << (8 * size)) - 1)).to_bytes(size, "little")))

    def finish(self) -> None:
        """Complete the pending instruction: emit it, then whatever it caused."""
        pc = self.pending
        if pc is None:
            return
        now = self.batch.read()
        prev = self.prev if self.prev is not None else now
        changed = [[n, a, b] for n, a, b in zip(TRACE_REGS, prev, now) if a != b and n != "rip"]
        self.prev = now
        self.pending = None
        log = self.m.log
        log.step += 1
        data = dict(self._static(pc))
        data["regs"] = changed
        data["mem"] = [[a, b.hex()] for a, b in self.writes] if self.writes else []
        self.writes = []
        log.emit("insn", self.m.kernel.clock.now_ns, self.m.tid, **data)
        log.release()

    def abort(self) -> None:
        """The pending instruction faulted: it retired nothing; emit what it caused."""
        self.pending = None
        self.writes = []
        self.m.log.release()

    def _static(self, pc: int) -> dict:
        """What never changes about the instruction at ``pc`` (bytes, Intel and Go text,
        source line, function), worked out once per address."""
        info = self._info.get(pc)
        if info is None:
            insn = None if pc in self.m.trampolines.values() else self.m.image.at(pc)
            if insn is not None:
                info = dict(pc=pc, bytes=insn.data.hex(), intel=insn.intel, go=insn.go,
                            loc=insn.loc, where=insn.where)
            elif pc in self.m.trampolines.values():     # the model ran there: no disassembler needed
                info = self.m.trampoline_step(pc)
            else:
                info = dict(pc=pc, bytes=self._bytes(pc), intel=self._disasm(pc), go="", loc="",
                            where=self._symbol(pc))
            self._info[pc] = info
        return info

    def _symbol(self, pc: int) -> str:
        return self.m.image.symbolize(pc) or f"{pc:#x}"

    def _bytes(self, pc: int) -> str:
        return self._decode(pc)[0]

    def _disasm(self, pc: int) -> str:
        return self._decode(pc)[1]

    _cache: dict = {}

    def _decode(self, pc: int) -> tuple[str, str]:
        """Disassemble code that is not in the image, cached by address."""
        if pc not in self._cache:
            from emu.cpu.disasm import disasm_one
            self._cache[pc] = disasm_one(self.m.mem.read(pc, 16), pc)
        return self._cache[pc]
