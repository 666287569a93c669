"""emu/binary — a real Go program's compiled syscall path on the emulated CPU (``--binary PROG``).

* ``load``: read a static linux/amd64 Go executable, pick the profile of its Go release,
  check the profile's g/m/p layout against its DWARF, find what the run needs (its
  segments, the entry points, ``runtime.entersyscall``/``exitsyscall``, ``runtime.m0``);
  no Unicorn: the gdb server and tests call it alone;
* ``plan9``: an instruction in Go's assembler syntax, as ``go tool objdump`` shows it;
* ``image``: the binary as the tracer and the REPL see it (``asm.image.Image``): its
  functions disassembled with Capstone as they are reached, each instruction with the
  binary's own file:line and symbol+offset, and the drivers that call into it;
* ``session``: the machine with the binary mapped where its ELF says, the drivers in a
  small text region of their own, the binary's ``entersyscall``/``exitsyscall`` hooked
  into the profile's runtime model;
* ``call``: ``--binary``/``--entry`` on the command line → a session and its call.
"""
