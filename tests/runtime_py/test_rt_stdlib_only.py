"""runtime_py imports only the standard library and itself."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "runtime_py"


def test_runtime_py_imports_only_stdlib():
    bad = []
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top != "runtime_py" and top not in sys.stdlib_module_names:
                    bad.append(f"{path.relative_to(ROOT.parent)}: {name}")
    assert bad == []
