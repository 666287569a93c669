"""emu/repl/cmds_data.py — the Shell's data commands (gdb's "data" and "status"):
info, print, set, x, display, undisplay, context, syscall-args; expressions' environment."""
from __future__ import annotations

from emu.cpu.regs import REG_IDS, TRACE_REGS, parse_reg
from emu.repl import context as ctx
from emu.repl import views
from emu.repl.cmds_breakpoints import resolve_symbol
from emu.repl.expr import Env, ExprError, evaluate

INFO_TOPICS = ("registers", "breakpoints", "checkpoints", "display", "frame")


class DebugEnv(Env):
    """Expressions see the debugger's registers, memory, symbols and Go frame slots."""

    def __init__(self, shell):
        self.shell, self.dbg = shell, shell.dbg

    def reg(self, name: str) -> int:
        try:
            r = parse_reg(name)
        except ValueError:
            raise ExprError(f"Invalid register `{name.lstrip('$')}'") from None
        return self.dbg.regs()[r] if r in TRACE_REGS else self.dbg.m.uc.reg_read(REG_IDS[r])

    def u64(self, addr: int) -> int:
        return views.u64s(self.dbg.session.machine.mem, addr, 1)[0]

    def name(self, name: str) -> int:
        stub = ctx.stub_at(self.dbg, self.dbg.pc)
        if stub is not None and name in stub.slots:
            return self.u64(self.dbg.session.frame_base() + stub.fp_offset(name))
        return resolve_symbol(self.dbg, name)

    def history(self, ref: str) -> int:
        vals = self.shell.values
        if not vals:
            raise ExprError("History is empty.")
        if ref in ("$", "$$"):                 # the last value, the one before it
            ref = "$$0" if ref == "$" else "$$1"
        n = int(ref.lstrip("$"))
        if ref.startswith("$$"):
            idx = len(vals) - 1 - n
            if idx < 0:
                raise ExprError(f"History does not go back to $${n}.")
        else:
            idx = n - 1
            if not 0 <= idx < len(vals):
                raise ExprError(f"History has not yet reached ${n}.")
        return vals[idx]


class DataCommands:
    """Mixin of Shell: looking at and changing registers and memory."""

    def show_displays(self) -> None:
        for num, (fmt, expr) in self.displays.items():
            try:
                self.message(self._display_text(num, fmt, expr))
            except (ExprError, ValueError) as e:
                self.message(f"{num}: {expr}: {e}")

    def _display_text(self, num: int, fmt: str, expr: str) -> str:
        if fmt and fmt[-1] in "is":
            count, f, unit = views.parse_xspec(fmt, self.last_x)
            lines, _ = views.examine(self.dbg, evaluate(expr, self.env), count, f, unit)
            return f"{num}: x/{fmt} {expr}\n" + "\n".join(lines)
        v = evaluate(expr, self.env)
        shown = f"/{fmt} " if fmt else ""
        return f"{num}: {shown}{expr} = {views.print_value(self.dbg, expr, v, fmt)}"

    # -- looking -----------------------------------------------------------------------------------
    def do_info(self, arg):
        """i(nfo) registers [REG ...] | breakpoints | checkpoints | display | frame"""
        words = arg.split()
        if not words:
            raise ExprError('"info" must be followed by the name of an info command: '
                            + ", ".join(INFO_TOPICS))
        topic = next((t for t in INFO_TOPICS if t.startswith(words[0]) and len(words[0]) >= 1), None)
        if words[0] in ("r", "reg", "registers"):
            topic = "registers"
        if topic is None:
            raise ExprError(f'Undefined info command: "{words[0]}".  Try "help info".')
        getattr(self, f"_info_{topic}")(words[1:])
    do_i = do_info

    def _info_registers(self, names):
        regs = [parse_reg(n) for n in names] if names else list(views.INFO_REGS)
        self.say(views.info_registers(self.dbg, regs))

    def _info_breakpoints(self, _):
        self.say(views.info_breakpoints(self.dbg))

    def _info_checkpoints(self, _):
        if not self.dbg.checkpoints:
            self.message("No checkpoints.")
        for cp in self.dbg.checkpoints.values():
            self.message(f"  {cp.num}  {cp.where}")

    def _info_display(self, _):
        if not self.displays:
            self.message("There are no auto-display expressions now.")
        for num, (fmt, expr) in self.displays.items():
            self.message(f"{num}:   y  {'/' + fmt + ' ' if fmt else ''}{expr}")

    def _info_frame(self, _):
        self.say(ctx.frame(self.dbg) or ["No Go frame here (the driver has no arguments)."])

    def do_print(self, arg):
        """p(rint)[/FMT] EXPR — evaluate EXPR (formats x d u o t a c). `p` alone lists the Ps."""
        fmt, expr = _split_fmt(arg)
        if not expr.strip() and not fmt:
            return self.do_processors("")
        v = evaluate(expr, self.env)
        self.values.append(v)
        self.message(f"${len(self.values)} = {views.print_value(self.dbg, expr, v, fmt)}")
    do_p = do_print

    def do_set(self, arg):
        """set $REG = EXPR | set *ADDR = EXPR — change a register or a 64-bit word of memory."""
        target, eq, value = arg.partition("=")
        if not eq or not target.strip():
            raise ExprError("Usage: set $REG = EXPR  or  set *ADDR = EXPR")
        v = evaluate(value, self.env)
        target = target.strip()
        if target.startswith("*"):
            addr = evaluate(target[1:], self.env)
            try:
                self.dbg.session.machine.mem.write(addr, v.to_bytes(8, "little"))
            except Exception:
                raise ExprError(f"Cannot access memory at address {addr:#x}") from None
            return
        if not target.startswith("$"):
            raise ExprError(f'No symbol "{target}" in current context.  (registers are written $rax)')
        reg = parse_reg(target)
        self.dbg.m.uc.reg_write(REG_IDS[reg], v)

    def do_x(self, arg):
        """x/NFU ADDR — examine memory: N units (b h w g) in format F (x d u o t a c s i)."""
        spec, rest = ("", arg)
        if arg.startswith("/"):
            spec, _, rest = arg[1:].partition(" ")
        count, fmt, unit = views.parse_xspec(spec, self.last_x)
        if rest.strip():
            addr = evaluate(rest, self.env)
        elif self.next_x is not None:
            addr = self.next_x
        else:
            raise ExprError("Argument required (starting display address).")
        lines, self.next_x = views.examine(self.dbg, addr, count, fmt, unit)
        self.last_x = (fmt, unit if fmt not in "si" else self.last_x[1])
        self.say(lines)

    def do_display(self, arg):
        """display[/FMT] EXPR — show EXPR at every stop (display/i $pc: the next instruction)."""
        fmt, expr = _split_fmt(arg)
        if not expr.strip():
            return self.show_displays()
        text = self._display_text(self._next_display, fmt, expr)      # errors before adding
        self.displays[self._next_display] = (fmt, expr.strip())
        self._next_display += 1
        self.message(text)

    def do_undisplay(self, arg):
        """undisplay [N ...] — stop showing displays N (all without N)."""
        nums = [self._int(a) for a in arg.split()] or list(self.displays)
        for n in nums:
            if self.displays.pop(n, None) is None:
                raise ExprError(f"No display number {n}.")

    def do_context(self, arg):
        """ctx [on|off] — show the context view now; `off` stops showing it at every stop."""
        a = arg.strip()
        if a in ("on", "off"):
            self.auto_context = a == "on"
            self.message(f"The context view is {'shown' if self.auto_context else 'not shown'} at every stop.")
            return
        self.show_context()
    do_ctx = do_context

    def do_syscall_args(self, arg):
        """syscall-args — the syscall RAX names and its arguments by name, register and value."""
        self.say(ctx.syscall_args(self.dbg))

    def complete_info(self, text, line, begidx, endidx):
        if len(line[:begidx].split()) >= 2:
            return self._complete_from([f"${r}" if text.startswith("$") else r for r in views.INFO_REGS], text)
        return self._complete_from(INFO_TOPICS, text)
    complete_i = complete_info

    def complete_print(self, text, line, begidx, endidx):
        words = [f"${r}" for r in views.INFO_REGS] + sorted(self.dbg.image.symbols)
        return self._complete_from(words, text)
    complete_p = complete_x = complete_set = complete_display = complete_print


def _split_fmt(arg: str) -> tuple[str, str]:
    """``/x $rax`` → ("x", "$rax")."""
    if arg.startswith("/"):
        fmt, _, rest = arg[1:].partition(" ")
        return fmt, rest
    return "", arg
