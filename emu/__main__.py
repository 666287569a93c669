"""``python -m emu`` is ``gosyscall``."""
from emu.cli.main import entry

entry()
