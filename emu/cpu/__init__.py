"""emu/cpu — the emulated x86-64 CPU: the machine and its hooks (SYSCALL, trampolines, faults),
guest memory, registers, the fixed address map, disassembly and the assembled-image cache."""
