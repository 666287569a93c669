"""emu/gdbserver — gdb's remote protocol over the emulated Go process (``gosyscall gdbserver``).

packets.py (framing, checksums, escaping), conn.py (one connection: acks, bounded waits,
Ctrl-C), tdesc.py (the x86-64 target description), server.py (the commands), target.py and
worldtarget.py (the REPL's debugger engines as a one-thread or many-thread process),
symfile.py and dwarf.py (an ELF with the image's symbols and line table for gdb to load),
listen.py (the listening socket, loopback by default).
"""
