"""The layout's import rules (DESIGN "Layout"), checked by walking every module's imports.

Every import counts: at the top of a module, inside a function (a lazy import still ties the
two modules), and under ``if TYPE_CHECKING:`` (a type-only import is still a dependency a
reader must follow).
"""
import ast
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
PACKAGES = ("asm", "runtime_py", "emu", "bench")     # the project's own code


def imports(path: pathlib.Path, root: pathlib.Path = ROOT) -> set[str]:
    """Top-level and dotted names of every import in a file, relative ones resolved.
    ``from pkg import name`` gives ``pkg`` and ``pkg.name`` (name may be a submodule)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    parts = path.relative_to(root).with_suffix("").parts
    pkg = ".".join(parts if parts[-1] == "__init__" else parts[:-1]).removesuffix(".__init__")
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module
            out.add(mod)
            out.update(f"{mod}.{a.name}" for a in node.names)
    return out


def files(package: str, root: pathlib.Path = ROOT):
    return sorted((root / package).rglob("*.py"))


def top(name: str) -> str:
    return name.split(".")[0]


def module_name(path: pathlib.Path, root: pathlib.Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_graph(root: pathlib.Path, packages) -> dict[str, set[str]]:
    """module -> the project modules it imports. A name that is not a module of the project
    (a function imported from a package, say) stands for the package's ``__init__``; so does
    the package of ``from pkg import sub`` (Python runs pkg/__init__.py first)."""
    paths = {module_name(p, root): p for pkg in packages for p in files(pkg, root)}
    graph = {}
    for mod, path in paths.items():
        deps = set()
        for name in imports(path, root):
            while name and name not in paths:        # pkg.func -> pkg
                name = name.rpartition(".")[0]
            if name and name != mod:
                deps.add(name)
        graph[mod] = deps
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One import loop per strongly connected group of modules (Tarjan), as a path that
    starts and ends at the same module, e.g. [a, b, a]."""
    index, low, stack, on, groups = {}, {}, [], set(), []

    def visit(v):                                  # iterative: no recursion limit on big graphs
        work = [(v, iter(sorted(graph.get(v, ()))))]
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        while work:
            node, it = work[-1]
            for w in it:
                if w not in graph:
                    continue
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph[w]))))
                    break
                if w in on:
                    low[node] = min(low[node], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        group.append(w)
                        if w == node:
                            break
                    if len(group) > 1:
                        groups.append(set(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return [_loop(graph, g) for g in groups]


def _loop(graph, group: set[str]) -> list[str]:
    """A shortest loop through the group's first module (breadth-first inside the group)."""
    start = min(group)
    prev, queue = {start: None}, [start]
    while queue:
        node = queue.pop(0)
        for w in sorted(graph[node] & group):
            if w == start:
                path = [node]
                while prev[path[-1]] is not None:
                    path.append(prev[path[-1]])
                return [start] + path[::-1][1:] + [start] if len(path) > 1 else [start, node, start]
            if w not in prev:
                prev[w] = node
                queue.append(w)
    return sorted(group)


def test_no_import_cycles():
    found = cycles(module_graph(ROOT, PACKAGES))
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_the_cycle_finder_finds_a_cycle(tmp_path):
    """A loop through a lazy import and a TYPE_CHECKING one is found and named; a tree
    without one is clean (so test_no_import_cycles cannot pass vacuously)."""
    pkg = tmp_path / "demo"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from demo.b import f\n")
    (pkg / "b.py").write_text("def f():\n    from demo import c\n")
    (pkg / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import a\n")
    (pkg / "d.py").write_text("import demo.a\n")
    assert cycles(module_graph(tmp_path, ["demo"])) == [["demo.a", "demo.b", "demo.c", "demo.a"]]
    (pkg / "c.py").write_text("")
    assert cycles(module_graph(tmp_path, ["demo"])) == []


def test_the_graph_sees_the_projects_imports():
    g = module_graph(ROOT, PACKAGES)
    assert "emu.kernel.dispatch" in g["emu.cpu.machine"]
    assert "emu.world.call" in g["emu.cli.run"]                      # a lazy import
    assert "emu.kernel.call" in g["emu.kernel.block"]                # a TYPE_CHECKING import


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
    found = imports(ROOT / "emu" / "cpu" / "machine.py")
    assert "unicorn" in found and "emu.kernel.dispatch" in found
