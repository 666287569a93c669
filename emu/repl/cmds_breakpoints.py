"""emu/repl/cmds_breakpoints.py — the Shell's breakpoint commands: break, tbreak, delete,
catch syscall, and how a location (``*ADDR``, a symbol, ``FILE:LINE``) is found."""
from __future__ import annotations

from emu.kernel.sysnum import NAMES, lookup
from emu.repl.expr import ExprError, evaluate


def resolve_symbol(dbg, name: str) -> int:
    """A function, label or trampoline by Go name (``·`` or ``.``), or a unique suffix; a
    bare label is first looked for in the current function, then in the stub being run
    (``ok`` while stepping through your stub is your ``ok``), as gdb's current context."""
    name = name.replace("·", ".")
    syms = dbg.image.symbols
    if name in syms:
        return syms[name]
    here = dbg.function_of(dbg.pc) if hasattr(dbg, "function_of") else None
    for fn in dict.fromkeys(f for f in (here, getattr(getattr(dbg, "stub", None), "name", None)) if f):
        if f"{fn}.{name}" in syms:
            return syms[f"{fn}.{name}"]
    found = [k for k in syms if k.endswith("." + name)]
    if len(found) == 1:
        return syms[found[0]]
    if found:
        raise ExprError(f'"{name}" is ambiguous: ' + ", ".join(sorted(found)))
    raise ExprError(f'No symbol "{name}" in current context.')


class BreakpointCommands:
    """Mixin of Shell: where to stop."""

    # -- breakpoints -----------------------------------------------------------------------------
    def _location(self, arg: str) -> int:
        arg = arg.strip()
        if not arg:
            return self.dbg.pc
        if arg.startswith("*"):
            return evaluate(arg[1:], self.env)
        found = self.dbg.image.line_address(arg)          # FILE:LINE of a Go line
        if found is not None:
            return found
        file, colon, line = arg.rpartition(":")
        if colon and line.isdigit():                      # FILE:LINE with no instruction there
            files = {i.loc.rpartition(":")[0] for i in self.dbg.image.insns.values()}
            if file in files:
                raise ExprError(f'No line {line} in file "{file}" holds an instruction.')
            raise ExprError(f'No source file named {file}.')
        try:
            return resolve_symbol(self.dbg, arg)
        except ExprError as e:
            if "ambiguous" in str(e):
                raise
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

    def complete_break(self, text, line, begidx, endidx):
        return self._complete_from(sorted(self.dbg.image.symbols), text)
    complete_b = complete_tbreak = complete_break

    def complete_catch(self, text, line, begidx, endidx):
        if len(line[:begidx].split()) < 2:
            return self._complete_from(["syscall"], text)
        return self._complete_from(sorted(NAMES.values()), text)


def _is_syscall(word: str) -> bool:
    try:
        lookup(word)
        return True
    except ValueError:
        return False
