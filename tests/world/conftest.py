"""tests/world/conftest.py: helpers beside the tests are importable; small worlds to build on."""

import sys
from pathlib import Path

_here = str(Path(__file__).resolve().parent)
if _here not in sys.path:
    sys.path.insert(0, _here)
