"""emu/cli/repl.py — ``gosyscall repl``: step through the call ``gosyscall run`` would make.

Takes ``run``'s arguments. Commands come from the terminal (readline: history, tab
completion), or from ``-x FILE`` and/or a non-terminal stdin, echoed after the prompt so a
scripted session prints what the terminal would show.
"""
from __future__ import annotations

import sys

from emu.bridge.call import build, header, no_world_for_binary
from emu.cpu.machine import DEFAULT_BUDGET

from emu.trace.render import want_color

# Instructions one `continue` may run: far more than `run`'s budget, since Ctrl-C is there
# to stop a loop (about 2 s of guest time at the ~60 M instructions/s a continue runs).
REPL_BUDGET = 100 * DEFAULT_BUDGET
BUDGET_NOTE = (f"the REPL's budget: {REPL_BUDGET:,} instructions per continue (run's is {DEFAULT_BUDGET:,}: "
               "here Ctrl-C stops a loop); --budget N sets it")


def add_parser(sub, h) -> None:
    p = sub.add_parser("repl", help="step through the call in a gdb-style debugger (si, b, c, rsi, x, ...)")
    h.call_args(p)
    h.common(p)
    p.add_argument("-x", dest="script", metavar="FILE",
                   help="run the commands in FILE first (then stdin, if it is not a terminal)")
    from emu.world import options
    options.add_arguments(p)         # fd:pipe@T, --runnable, --gomaxprocs, --warm: the thread world


def run(ns, stdin=None, stdout=None) -> int:
    from emu.repl.debugger import Debugger
    from emu.repl.shell import Shell
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    script = None
    if ns.script:
        try:
            with open(ns.script, encoding="utf-8") as f:
                script = f.read().splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise ValueError(f"-x {ns.script}: cannot read it: {getattr(e, 'strerror', None) or e}") from None
    interactive = stdin.isatty() and stdout.isatty()
    color = want_color(ns.no_color, stdout)
    from emu.world import options
    world = None
    if options.wanted(ns):
        no_world_for_binary(ns)
        from emu.repl.worldshell import start
        shell, lines, world = start(ns, stdin, stdout, color, interactive, budget=ns.budget or REPL_BUDGET)
    else:
        session, stub, trap, args = build(ns)
        dbg = Debugger(session, stub, trap, [a.value for a in args], budget=ns.budget or REPL_BUDGET,
                       budget_note="" if ns.budget else BUDGET_NOTE)
        shell = Shell(dbg, stdin, stdout, color=color, interactive=interactive)
        lines = header(session, stub, trap, args)[:-1]
    try:
        for line in lines:
            shell.message(line)
        shell.message('Stopped at the first instruction. "help" lists the commands.')
        shell.show_context()
        if script is not None and shell.run_lines(script):
            return 0
        if script is None or interactive or not stdin.isatty():
            shell.loop()
    finally:
        if world is not None:
            world.close()
    return 0
