"""emu/repl/cmds_running.py — the Shell's running commands (gdb's "running" class):
si, ni, continue, finish, the reverse ones, run, restart, checkpoint."""
from __future__ import annotations

from asm.drivers import intel_reg
from emu.repl.expr import ExprError, evaluate


class RunningCommands:
    """Mixin of Shell: commands that move the machine (the context view follows each)."""

    def _count(self, arg: str) -> int:
        n = evaluate(arg, self.env) if arg.strip() else 1
        if not 0 < n <= 1_000_000:
            raise ExprError(f"count {n}: give 1 to 1000000")
        return n

    # -- running -------------------------------------------------------------------------------
    def do_stepi(self, arg):
        """si [N] — execute N instructions (default 1); calls are entered."""
        n = self._count(arg)
        self.report(self._executing(self.dbg.stepi, n, trace=n <= 200))
    do_si = do_stepi

    def do_nexti(self, arg):
        """ni [N] — like si, but a CALL is run until it returns."""
        n = self._count(arg)
        self.report(self._executing(self.dbg.nexti, n, trace=n <= 200))
    do_ni = do_nexti

    def do_continue(self, arg):
        """c(ontinue) — run until a breakpoint, a catchpoint, the end of the call or Ctrl-C."""
        self.report(self._executing(self.dbg.cont))
    do_c = do_cont = do_continue

    def do_finish(self, arg):
        """finish — run until the current function returns, then show its Go results."""
        self.message(f"Run till exit from {self.dbg.finishing()}")     # as gdb: before the steps
        fn, stop = self._executing(self.dbg.finish, trace=True)
        stub = self.dbg.session.stubs.get(fn)
        if stub is not None and stop.kind in ("step", "end"):
            if stub.abi is not None and stub.abi.results:      # the register ABI: AX, BX, CX
                regs = self.dbg.regs()
                vals = [f"{r} = {regs[intel_reg(reg)]}" for r, reg in zip(stub.results, stub.abi.results)]
                self.message(f"Value returned (in {', '.join(stub.abi.results)}): " + ", ".join(vals))
            else:
                fp = self.dbg.session.frame_base()
                vals = [f"{r} = {self.env.u64(fp + stub.fp_offset(r))}" for r in stub.results]
                self.message("Value returned (the caller's frame): " + ", ".join(vals))
        self.report(stop)

    def do_reverse_stepi(self, arg):
        """rsi [N] — go back N instructions (reverse-stepi); the whole machine is restored."""
        self.report(self.dbg.reverse_stepi(self._count(arg)))
    do_rsi = do_reverse_stepi

    def do_reverse_continue(self, arg):
        """rc — go back to the previous breakpoint or catchpoint (reverse-continue)."""
        self.report(self.dbg.reverse_continue())
    do_rc = do_reverse_continue

    def do_run(self, arg):
        """run — start the call again from its first instruction and continue."""
        self.dbg.restart()
        self.message(f"Starting {self.dbg.stub.name} again from {self.dbg.where(self.dbg.pc)}")
        self.do_continue("")
    do_r = do_run

    def do_restart(self, arg):
        """restart [N] — back to the first instruction, or to checkpoint N."""
        if arg.strip():
            cp = self.dbg.restart_checkpoint(self._int(arg))
            self.message(f"Switching to checkpoint {cp.num}: {cp.where}")
        else:
            self.dbg.restart()
            self.message(f"Back at the start: {self.dbg.where(self.dbg.pc)}")
        self.report(None)

    def do_checkpoint(self, arg):
        """checkpoint — save the whole machine here; `restart N` comes back to it."""
        cp = self.dbg.checkpoint()
        self.message(f"Checkpoint {cp.num} at {cp.where}")
