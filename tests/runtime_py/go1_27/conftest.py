"""tests/runtime_py/go1_27/conftest.py: make the helper modules beside these tests importable."""

import sys
from pathlib import Path

_here = str(Path(__file__).resolve().parent)
if _here not in sys.path:
    sys.path.insert(0, _here)
