"""emu/world — the thread world: Ms as threads in virtual time on one CPU, sysmon, scenarios.

- ``World`` (world.py): the discrete-event simulation; ``boot``, ``run``, ``step_event``,
  ``step_insn``, ``state``/``state_text`` (the REPL's view).
- costs.py: every virtual-time cost and limit, with where its value comes from.
- cpu.py: guest slices on the one Unicorn engine; osl.py: the runtime's OS layer (greenlets).
- scenarios.py: ``threads``, ``block``, ``retake`` (``gosyscall scenario``), ``to_log``.
- call.py: one call from g1 in the world (``run``/``repl`` with ``fd:pipe@T``, ``--runnable``, ``--gomaxprocs``).
- options.py: the run/repl options and ``wanted`` — light, so the one-thread path never
  loads the world.

Import ``World`` from ``emu.world.world`` (this package imports nothing, for start-up time).
"""

