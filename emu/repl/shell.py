"""emu/repl/shell.py — the command loop: gdb's names over the debugger engine.

Modelled on CPython's ``cmd``/``pdb``: a command ``foo`` is ``do_foo`` (a ``-`` in a name
is ``_`` in the method), the docstring's first line is its usage, aliases are
assignments, output goes through :meth:`Shell.message`/:meth:`Shell.error`, and stdin/
stdout are injectable so a test drives the REPL with ``StringIO``. Every error is one line
and the loop goes on. Read from a terminal, lines are edited with readline (history, tab
completion) and an empty line repeats the last command; read from a file or a pipe, each
command is echoed after the prompt so the output reads as the terminal session would.
The commands live in cmds_running.py, cmds_breakpoints.py, cmds_data.py and cmds_go.py.
"""
from __future__ import annotations

import cmd
import difflib
import signal
import threading

from emu.errors import GosyscallError
from emu.repl import context as ctx
from emu.repl.cmds_breakpoints import BreakpointCommands
from emu.repl.cmds_data import DataCommands, DebugEnv
from emu.repl.cmds_go import GoCommands
from emu.repl.cmds_running import RunningCommands
from emu.repl.debugger import HISTORY, DebugError
from emu.repl.expr import ExprError
from emu.trace.render import TextRenderer, columns_for

RESUMING = ("stepi", "nexti", "continue", "finish", "reverse_stepi", "reverse_continue", "run",
            "restart")          # commands after which the context view is printed


class Shell(RunningCommands, BreakpointCommands, DataCommands, GoCommands, cmd.Cmd):
    """The command loop; the commands themselves are grouped by family in cmds_*.py, as gdb's
    help groups them (running, breakpoints, data, and the Go ones only gosyscall has)."""

    prompt = "(gosyscall) "
    identchars = cmd.IDENTCHARS + "-"
    doc_leader = ""

    def __init__(self, dbg, stdin, stdout, color: bool = False, interactive: bool = False):
        super().__init__(stdin=stdin, stdout=stdout)
        self.use_rawinput = interactive
        self.interactive = interactive
        self.dbg = dbg
        # a binary's steps carry their file:line column (its image says so: columns_for)
        self.paint = TextRenderer(color=color, columns=columns_for(dbg.image)) \
            if getattr(dbg.image, "show_lines", False) else TextRenderer(color=color)
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

    @staticmethod
    def _int(arg: str) -> int:
        try:
            return int(arg.strip(), 0)
        except ValueError:
            raise ExprError(f'Invalid number "{arg.strip()}".') from None

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

    def _complete_from(self, words, text):
        return [w for w in words if w.startswith(text)]
