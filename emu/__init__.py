"""emu — the machine: Unicorn, hooks, the Linux kernel model, tracer, REPL, CLI."""
