"""tests/runtime_py/go1_22/conftest.py: make rt22.py (and ../rt_*.py) importable."""

import sys
from pathlib import Path

for _dir in (Path(__file__).resolve().parent, Path(__file__).resolve().parent.parent):
    if str(_dir) not in sys.path:
        sys.path.insert(0, str(_dir))
