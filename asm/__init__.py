"""asm — Go-shaped assembly stubs and the Keystone assembler.

Imports nothing from ``emu`` or ``runtime_py`` and never touches Unicorn: it turns
Intel-syntax lines (each carrying the Go Plan 9 line it stands for) into an
:class:`~asm.image.Image` that knows its bytes, symbols, call sites and, for every
address, the Intel text, the Go line, the stub and the offset.
"""
