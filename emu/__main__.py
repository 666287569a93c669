"""``python -m emu`` is ``gosyscall``."""
from emu.cli import entry

entry()
