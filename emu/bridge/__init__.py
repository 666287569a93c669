"""emu/bridge — one thread of a Go program: the session wiring a profile's image, the machine,
the kernel model and the runtime model; the runtime bridge behind the trampolines; the call
as the user writes it (argument parsing)."""
