"""tests/runtime_py/conftest.py: make the helper modules beside the tests importable."""

import sys
from pathlib import Path

_here = str(Path(__file__).resolve().parent)
if _here not in sys.path:
    sys.path.insert(0, _here)
