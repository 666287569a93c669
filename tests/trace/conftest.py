"""tests/trace/conftest.py — the project's goldens live in tests/golden/, not beside these
tests; the helper module beside the tests is importable."""
import sys
from pathlib import Path

import pytest

_here = Path(__file__).resolve().parent
if str(_here) not in sys.path:
    sys.path.insert(0, str(_here))

GOLDEN_DIR = _here.parent / "golden"


@pytest.fixture
def gosyscall_golden_dir() -> Path:
    return GOLDEN_DIR
