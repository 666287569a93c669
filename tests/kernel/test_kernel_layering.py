"""tests/kernel/test_kernel_layering.py — emu/kernel imports only the standard library and itself."""
from __future__ import annotations

import ast
import pathlib
import sys

import emu.kernel

KERNEL = pathlib.Path(emu.kernel.__file__).parent


def _imports(path: pathlib.Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module


def test_kernel_imports_only_stdlib_and_itself():
    bad = {(p.name, m) for p in KERNEL.glob("*.py") for m in _imports(p)
           if not m.startswith("emu.kernel") and m.split(".")[0] not in sys.stdlib_module_names}
    assert bad == set()


def test_kernel_modules_stay_small():
    assert {p.name: n for p in KERNEL.glob("*.py") if (n := len(p.read_text().splitlines())) > 400} == {}
