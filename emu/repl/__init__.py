"""emu/repl — ``gosyscall repl``: a gdb-style debugger over one Go syscall path.

``debugger.py`` is the engine (stepping, breakpoints, catchpoints, reverse execution by
snapshots, checkpoints) and prints nothing; ``snapshot.py`` saves and restores a whole
session; ``expr.py`` evaluates gdb expressions; ``views.py`` and ``context.py`` turn state
into text; ``domain.py`` holds the teaching commands' knowledge (ABI, runtime state,
lint); ``shell.py`` is the command loop (``cmd.Cmd``, pdb-style ``do_*`` methods).
"""
