"""Imports go one way, by where code runs, and no module imports itself round a cycle.

    engine.autograd, nn, optim          the reference engine
    engine.grading                      pure grading: stdlib (+ engine.autograd); ships to Pyodide
    engine.playground                   the playground's Run: stdlib, grading (+ engine.autograd)
    engine.browser                      Pyodide's entry point: grading and the playground
    engine.sandbox                      CPython children: grading only (the child: observe only)
    engine.authoring                    the instructor's tools: anything above
    engine.cli                          the command: anything

Every import counts, function-level ones included (they hid two cycles before this test).
The browser wheel (engine.authoring.browser_wheel) must hold everything the worker imports.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from engine.authoring.browser_wheel import browser_files

ENGINE = Path(__file__).resolve().parents[1] / "engine"

# Which layers each layer may import (itself always allowed).
ALLOWED = {
    "engine": {"engine.autograd"},  # the package root re-exports Value
    "engine.autograd": set(),
    "engine.nn": {"engine.autograd"},
    "engine.optim": {"engine.autograd"},
    "engine.grading": {"engine.autograd"},
    "engine.playground": {"engine.grading", "engine.autograd"},
    "engine.browser": {"engine.grading", "engine.playground", "engine.autograd"},
    "engine.sandbox": {"engine.grading"},
    "engine.authoring": {"engine", "engine.autograd", "engine.nn", "engine.optim", "engine.grading",
                         "engine.browser", "engine.playground", "engine.sandbox"},
    "engine.cli": {"engine.authoring", "engine.sandbox", "engine.grading", "engine.autograd"},
}
# Modules that run where nothing but the standard library may be loaded.
STDLIB_ONLY = {"engine.grading.observe", "engine.sandbox.child", "engine.sandbox.zygote"}
# The sandboxed child may import the observer and nothing else of the grader; the zygote (which
# runs in the OS sandbox too) the child and the observer.
ONLY = {"engine.sandbox.child": {"engine.grading.observe"},
        "engine.sandbox.zygote": {"engine.grading.observe", "engine.sandbox.child"}}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ENGINE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else parts[0]


def imports_of(path: Path, module: str) -> set[str]:
    """Every ``engine`` module this file imports, at any depth in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1]
                                + ([base] if base else []))
            for alias in node.names:  # `from engine.grading import observe` names a module
                candidate = f"{base}.{alias.name}"
                found.add(candidate if _is_module(candidate) else base)
    return {name for name in found if name == "engine" or name.startswith("engine.")}


def _is_module(name: str) -> bool:
    path = ENGINE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def import_graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p, module_name(p)) for p in sorted(ENGINE.rglob("*.py"))}


def direction_violations(graph: dict[str, set[str]]) -> list[str]:
    bad = []
    for module, targets in graph.items():
        own = layer(module)
        for target in sorted(targets):
            if layer(target) == own or target.startswith(module + "."):
                continue
            if module in ONLY and target not in ONLY[module]:
                bad.append(f"{module} imports {target}: it may import only {sorted(ONLY[module])}")
            elif layer(target) not in ALLOWED.get(own, set()):
                bad.append(f"{module} imports {target}: {own} may not import {layer(target)}")
    return bad


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Each import cycle once, as the modules on it (Tarjan's strongly connected components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_imports_go_one_way():
    assert direction_violations(import_graph()) == []


def test_no_import_cycles():
    # The package's __init__ may import its submodules; submodules importing their package's
    # __init__ are not cycles through code, so package roots are left out of the graph.
    graph = {m: {t for t in ts if _is_module(t) and not (ENGINE.parent / Path(*t.split("."))
                                                          / "__init__.py").is_file()}
             for m, ts in import_graph().items()}
    assert cycles(graph) == []


def test_the_sandboxed_child_and_the_observer_import_only_the_standard_library():
    stdlib = sys.stdlib_module_names
    for module in STDLIB_ONLY:
        path = ENGINE.parent.joinpath(*module.split(".")).with_suffix(".py")
        tree = ast.parse(path.read_text())
        names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                 for a in n.names}
        names |= {n.module.split(".")[0] for n in ast.walk(tree)
                  if isinstance(n, ast.ImportFrom) and n.module and not n.level}
        outside = {n for n in names if n not in stdlib and n != "__future__"}
        # In the OS sandbox there is no engine package: the child, the zygote and the observer
        # are top-level copies there (engine.sandbox.isolation), importing each other by name.
        allowed = {"engine", "observe", "gradlab_child"} if module in ONLY else set()
        assert outside <= allowed, (module, outside)


def test_the_browser_wheel_holds_everything_the_worker_imports_and_nothing_else():
    graph = import_graph()
    needed, todo = set(), ["engine.browser.worker", "engine"]
    while todo:
        module = todo.pop()
        if module in needed:
            continue
        needed.add(module)
        todo.extend(graph.get(module, ()))
    shipped = {module_name(p) for p in browser_files() if p.suffix == ".py"}
    assert needed <= shipped, needed - shipped
    assert not {m for m in shipped if layer(m) in ("engine.authoring", "engine.sandbox", "engine.cli")}


@pytest.mark.parametrize("extra, expected", [
    ({"engine.grading.judge": {"engine.authoring.suite"}},
     "engine.grading.judge imports engine.authoring.suite: engine.grading may not import "
     "engine.authoring"),
    ({"engine.sandbox.child": {"engine.grading.judge"}},
     "engine.sandbox.child imports engine.grading.judge: it may import only "
     "['engine.grading.observe']"),
])
def test_a_wrong_way_import_is_caught(extra, expected):
    graph = import_graph()
    for module, targets in extra.items():
        graph[module] = graph[module] | targets
    assert expected in direction_violations(graph)


def test_a_cycle_is_caught():
    graph = {m: set(ts) for m, ts in import_graph().items()}
    graph["engine.grading.observe"].add("engine.grading.judge")  # judge imports observe already
    assert any({"engine.grading.judge", "engine.grading.observe"} <= set(c) for c in cycles(graph))
