"""emu/repl/cmds_go.py — the Shell's Go commands: the syscall ABI, the runtime
model's Gs, Ms, Ps and scheduler, explain and lint."""
from __future__ import annotations

from emu.cpu.regs import TRACE_REGS
from emu.lesson.notes import note_for
from emu.repl import domain, views


class GoCommands:
    """Mixin of Shell: what only gosyscall knows — the Go side of the path."""

    def do_abi(self, arg):
        """abi — the Linux x86-64 syscall registers, and which frame slot feeds which register."""
        self.say(domain.abi(self.dbg))

    def do_goroutine(self, arg):
        """g(oroutine) — every G of the runtime model with its status (* = the current one)."""
        self.say(domain.goroutines(self.dbg))
    do_g = do_goroutines = do_goroutine

    def do_m(self, arg):
        """m — every M (OS thread) of the runtime model."""
        self.say(domain.threads(self.dbg))

    def do_processors(self, arg):
        """processors — every P of the runtime model with its status (also `p` with no expression)."""
        self.say(domain.processors(self.dbg))

    def do_sched(self, arg):
        """sched — the global scheduler state (runtime.sched)."""
        self.say(domain.scheduler(self.dbg))

    def do_explain(self, arg):
        """explain — what the current instruction does, its role in Go's path, what will change."""
        d = self.dbg
        size, intel, go = views.insn_text(d, d.pc)
        insn = d.image.at(d.pc)
        self.message(f"{d.where(d.pc)}")
        self.message(f"  Intel: {intel}" + (f"    Go: {go}" if go else ""))
        note = note_for(insn.go if insn else "", intel, d.symbolize(d.pc) or "")
        if note:
            self.message("  " + note)
        if d.state != "stopped":
            return
        before, after, events = d.preview()
        changes = [f"{r} {before[r]:#x} → {after[r]:#x}" for r in TRACE_REGS
                   if before[r] != after[r] and r != "rip"]
        self.message("  Will change: " + (", ".join(changes) if changes else "no register but RIP")
                     + f"; next RIP {after['rip']:#x}{views.sym(d, after['rip'])}")
        lines = [self.paint.line(ev) for ev in events if ev.kind not in ("insn", "result")]
        lines = [line for line in lines if line is not None]
        if lines:                     # the kernel's and runtime's lines: not run yet, say so
            self.message("  What it will do (a dry run, undone: the call has not happened yet):")
            for line in lines:
                self.message(line)
        mem = [m for ev in events if ev.kind == "insn" for m in ev.data["mem"]]
        for addr, hexbytes in mem:
            self.message(f"  Will write {len(hexbytes) // 2} bytes at {addr:#x}")

    def do_lint(self, arg):
        """lint — check the current function's SYSCALL for the classic register mistakes."""
        warnings = domain.lint(self.dbg)
        for w in warnings:
            self.message("warning: " + w)
        if not warnings:
            self.message("lint: no problems found around the SYSCALL of this function")
