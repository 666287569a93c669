"""The layout's import rules (DESIGN "Layout"), checked by walking every module's imports."""
import ast
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


def imports(path: pathlib.Path) -> set[str]:
    """Top-level and dotted names of every import in a file, relative ones resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    pkg = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                out.add(".".join(base + ([node.module] if node.module else [])))
            else:
                out.add(node.module)
    return out


def files(package: str):
    return sorted((ROOT / package).rglob("*.py"))


def top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("path", files("asm"), ids=lambda p: str(p.relative_to(ROOT)))
def test_asm_knows_nothing_of_emu_runtime_or_unicorn(path):
    bad = {n for n in imports(path) if top(n) in {"emu", "runtime_py", "unicorn"}}
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", files("runtime_py"), ids=lambda p: str(p.relative_to(ROOT)))
def test_runtime_py_uses_only_the_standard_library(path):
    bad = {n for n in imports(path)
           if top(n) != "runtime_py" and top(n) not in sys.stdlib_module_names}
    assert not bad, f"{path.name} imports {bad}"


@pytest.mark.parametrize("path", files("emu/kernel"), ids=lambda p: str(p.relative_to(ROOT)))
def test_kernel_model_imports_no_cpu(path):
    bad = {n for n in imports(path)
           if top(n) in {"unicorn", "keystone", "capstone", "asm", "runtime_py", "greenlet"}
           or (top(n) == "emu" and not n.startswith("emu.kernel"))}
    assert not bad, f"{path.name} imports {bad}"


def test_nothing_points_back_at_emu():
    for pkg in ("asm", "runtime_py"):
        for path in files(pkg):
            assert not {n for n in imports(path) if top(n) == "emu"}, path


def test_the_checker_sees_imports():
    """The walker itself must find imports, or every rule above passes vacuously."""
    found = imports(ROOT / "emu" / "machine.py")
    assert "unicorn" in found and "emu.kernel.dispatch" in found
