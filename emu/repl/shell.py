"""emu/repl/shell.py — the command loop: gdb's names over the debugger engine.

Modelled on CPython's ``cmd``/``pdb``: a command ``foo`` is ``do_foo`` (a ``-`` in a name
is ``_`` in the method), the docstring's first line is its usage, aliases are
assignments, output goes through :meth:`Shell.message`/:meth:`Shell.error`, and stdin/
stdout are injectable so a test drives the REPL with ``StringIO``. Every error is one line
and the loop goes on. Read from a terminal, lines are edited with readline (history, tab
completion) and an empty line repeats the last command; read from a file or a pipe, each
command is echoed after the prompt so the output reads as the terminal session would.
"""
from __future__ import annotations

import cmd
import difflib
import signal
import threading

from emu.errors import GosyscallError
from emu.kernel.sysnum import NAMES, lookup
from emu.regs import REG_IDS, TRACE_REGS, parse_reg
from emu.render import TextRenderer
from emu.repl import context as ctx, domain, views
from emu.repl.debugger import HISTORY, DebugError
from emu.repl.expr import Env, ExprError, evaluate
from emu.lesson.notes import note_for

RESUMING = ("stepi", "nexti", "continue", "finish", "reverse_stepi", "reverse_continue", "run",
            "restart")          # commands after which the context view is printed
INFO_TOPICS = ("registers", "breakpoints", "checkpoints", "display", "frame")


class DebugEnv(Env):
    """Expressions see the debugger's registers, memory, symbols and Go frame slots."""

    def __init__(self, shell: "Shell"):
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


def resolve_symbol(dbg, name: str) -> int:
    """A function, label or trampoline by Go name (``·`` or ``.``), or a unique suffix."""
    name = name.replace("·", ".")
    syms = dbg.image.symbols
    if name in syms:
        return syms[name]
    found = [k for k in syms if k.endswith("." + name)]
    if len(found) == 1:
        return syms[found[0]]
    if found:
        raise ExprError(f'"{name}" is ambiguous: ' + ", ".join(sorted(found)))
    raise ExprError(f'No symbol "{name}" in current context.')


class Shell(cmd.Cmd):
    prompt = "(gosyscall) "
    identchars = cmd.IDENTCHARS + "-"
    doc_leader = ""

    def __init__(self, dbg, stdin, stdout, color: bool = False, interactive: bool = False):
        super().__init__(stdin=stdin, stdout=stdout)
        self.use_rawinput = interactive
        self.interactive = interactive
        self.dbg = dbg
        self.paint = TextRenderer(color=color)
        self.env = DebugEnv(self)
        self.values: list[int] = []           # gdb's value history ($1, $2, ...)
        self.displays: dict[int, tuple[str, str]] = {}
        self._next_display = 1
        self.auto_context = True
        self.show_insns = False
        self.prev_regs: dict | None = None
        self.last_x: tuple[str, int] = ("x", 4)
        self.next_x: int | None = None
        dbg.session.log.listeners.append(self._on_event)

    # -- output ----------------------------------------------------------------------------
    def message(self, text: str = "") -> None:
        print(text, file=self.stdout)

    def say(self, lines) -> None:
        for line in lines:
            self.message(line)

    def error(self, text: str) -> None:
        print(self.paint.c("err", text) if self.paint.color else text, file=self.stdout)

    def _on_event(self, ev) -> None:
        if self.dbg.quiet or (ev.kind == "insn" and not self.show_insns):
            return
        line = self.paint.line(ev)
        if line is not None:
            self.message(line)

    # -- the loop ------------------------------------------------------------------------------
    def run_lines(self, lines) -> bool:
        """Run commands from an iterable of lines, echoing each; True if one said quit."""
        for line in lines:
            line = line.rstrip("\n")
            self.message(self.prompt + line)
            if self.onecmd(line):
                return True
        return False

    def loop(self) -> None:
        """Read commands until ``quit`` or end of input (Ctrl-D); Ctrl-C at the prompt is harmless."""
        if not self.interactive:
            self.run_lines(self.stdin)
            return
        self._readline()
        while True:
            try:
                line = input(self.prompt)
            except EOFError:
                self.message("quit")
                return
            except KeyboardInterrupt:
                self.message("Quit")
                continue
            if self.onecmd(line):
                return

    def _readline(self) -> None:
        try:
            import readline
        except ImportError:          # pragma: no cover - no readline on this Python
            return
        readline.set_completer(self.complete)
        readline.set_completer_delims(" \t\n=,()")
        readline.parse_and_bind("tab: complete")

    def onecmd(self, line: str) -> bool:
        try:
            return bool(self._onecmd(line))
        except (DebugError, ExprError, GosyscallError, ValueError) as e:
            self.error(str(e))
        except KeyboardInterrupt:
            self.error("Quit")
        finally:
            self.stdout.flush()
        return False

    def _onecmd(self, line: str):
        line = line.strip()
        if not line:
            return self.emptyline()
        if line.startswith("#"):
            return None
        if line == "?":
            line = "help"
        self.lastcmd = line
        name, arg, _ = self.parseline(line)
        fn = getattr(self, "do_" + name.replace("-", "_"), None) if name else None
        if fn is None:
            return self.default(line)
        return fn(arg or "")

    def emptyline(self):
        if self.interactive and self.lastcmd:
            return self._onecmd(self.lastcmd)
        return None

    def default(self, line: str):
        word = line.split()[0].split("/")[0]
        close = difflib.get_close_matches(word, self.command_names(), n=1, cutoff=0.6)
        hint = f' Did you mean "{close[0]}"?' if close else ' Try "help".'
        self.error(f'Undefined command: "{word}".{hint}')

    def command_names(self) -> list[str]:
        return sorted(n[3:].replace("_", "-") for n in dir(self) if n.startswith("do_"))

    def completenames(self, text, *ignored):
        return [n + " " for n in self.command_names() if n.startswith(text)]

    # -- reporting a stop --------------------------------------------------------------------------
    def _executing(self, fn, *args, trace: bool = False):
        """Run an execution command with Ctrl-C bound to the debugger's interrupt; ``trace``
        prints each instruction's trace line as it retires (stepping, not continuing)."""
        main = threading.current_thread() is threading.main_thread()
        old = signal.signal(signal.SIGINT, lambda *_: self.dbg.interrupt()) if main else None
        self.show_insns = trace
        try:
            return fn(*args)
        finally:
            self.show_insns = False
            if main:
                signal.signal(signal.SIGINT, old)

    def report(self, stop) -> None:
        if stop is not None and stop.text:
            self.message(stop.text)
        elif not self.auto_context:          # gdb's one-line location when no context view
            self.message(self.dbg.where(self.dbg.pc))
        if self.auto_context:
            self.show_context()
        self.show_displays()

    def show_context(self) -> None:
        self.say(ctx.context(self.dbg, self.paint, self.prev_regs))
        self.prev_regs = self.dbg.regs()

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
        fn, stop = self._executing(self.dbg.finish, trace=True)
        self.message(f"Run till exit from {fn}")
        stub = self.dbg.session.stubs.get(fn)
        if stub is not None and stop.kind in ("step", "end"):
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

    @staticmethod
    def _int(arg: str) -> int:
        try:
            return int(arg.strip(), 0)
        except ValueError:
            raise ExprError(f'Invalid number "{arg.strip()}".') from None

    # -- breakpoints -----------------------------------------------------------------------------
    def _location(self, arg: str) -> int:
        arg = arg.strip()
        if not arg:
            return self.dbg.pc
        if arg.startswith("*"):
            return evaluate(arg[1:], self.env)
        for a, insn in self.dbg.image.insns.items():     # FILE:LINE of a Go line
            if insn.loc == arg:
                return a
        try:
            return resolve_symbol(self.dbg, arg)
        except ExprError:
            raise ExprError(f'Function "{arg}" not defined.') from None

    def do_break(self, arg):
        """b(reak) [*ADDR | SYMBOL | FILE:LINE] — stop before the instruction there."""
        bp = self.dbg.add_breakpoint(self._location(arg))
        self.message(f"Breakpoint {bp.num} at {self.dbg.where(bp.addr)}")
    do_b = do_br = do_break

    def do_tbreak(self, arg):
        """tbreak [*ADDR | SYMBOL | FILE:LINE] — a breakpoint deleted when first hit."""
        bp = self.dbg.add_breakpoint(self._location(arg), temp=True)
        self.message(f"Temporary breakpoint {bp.num} at {self.dbg.where(bp.addr)}")

    def do_delete(self, arg):
        """delete [N ...] — delete breakpoints/catchpoints N (all of them without N)."""
        self.dbg.delete([self._int(a) for a in arg.split()])
    do_d = do_delete

    def do_catch(self, arg):
        """catch syscall [NAME|NR ...] — stop at the entry to and return from those syscalls."""
        words = arg.split()
        if not words or words[0] != "syscall":
            raise ExprError("Usage: catch syscall [NAME|NR ...]")
        try:
            nrs = frozenset(lookup(w) for w in words[1:]) or None
        except ValueError:
            bad = next(w for w in words[1:] if not _is_syscall(w))
            raise ExprError(f"Unknown syscall name '{bad}'.") from None
        bp = self.dbg.add_catchpoint(nrs)
        k = self.dbg.session.kernel
        what = "any syscall" if nrs is None else ("syscalls " if len(nrs) > 1 else "syscall ") + \
            " ".join(f"'{k.name_of(n)}' [{n}]" for n in sorted(nrs))
        self.message(f"Catchpoint {bp.num} ({what})")

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

    # -- the domain -------------------------------------------------------------------------------
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
        for ev in events:
            line = self.paint.line(ev) if ev.kind not in ("insn", "result") else None
            if line is not None:
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

    # -- help, quit ---------------------------------------------------------------------------------
    def do_help(self, arg):
        """h(elp) [COMMAND] — list the commands, or show one command's usage."""
        if arg.strip():
            name = arg.strip().replace("-", "_")
            fn = getattr(self, "do_" + name, None)
            if fn is None:
                return self.default(arg.strip())
            self.message(fn.__doc__.strip())
            aliases = self._aliases().get(fn.__func__, [])
            if len(aliases) > 1:
                self.message("Aliases: " + ", ".join(aliases))
            return
        self.message("Commands (gdb's names; `help CMD` for one):")
        for usage in sorted(fn.__doc__.strip().splitlines()[0] for fn in self._aliases()):
            self.message(f"  {usage}")
        self.message(self.help_footer())

    def help_footer(self) -> str:
        return (f"Reverse execution keeps the last {HISTORY} steps (a continue counts as one);"
                " everything in the guest is undone, printed text is not.")

    def _aliases(self) -> dict:
        out: dict = {}
        for n in self.command_names():
            fn = getattr(type(self), "do_" + n.replace("-", "_"))
            out.setdefault(fn, []).append(n)
        return out

    def do_quit(self, arg):
        """q(uit) — leave the debugger (Ctrl-D too)."""
        return True
    do_q = do_exit = do_quit

    # -- completion ---------------------------------------------------------------------------------
    def _complete_from(self, words, text):
        return [w for w in words if w.startswith(text)]

    def complete_break(self, text, line, begidx, endidx):
        return self._complete_from(sorted(self.dbg.image.symbols), text)
    complete_b = complete_tbreak = complete_break

    def complete_info(self, text, line, begidx, endidx):
        if len(line[:begidx].split()) >= 2:
            return self._complete_from([f"${r}" if text.startswith("$") else r for r in views.INFO_REGS], text)
        return self._complete_from(INFO_TOPICS, text)
    complete_i = complete_info

    def complete_catch(self, text, line, begidx, endidx):
        if len(line[:begidx].split()) < 2:
            return self._complete_from(["syscall"], text)
        return self._complete_from(sorted(NAMES.values()), text)

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


def _is_syscall(word: str) -> bool:
    try:
        lookup(word)
        return True
    except ValueError:
        return False
