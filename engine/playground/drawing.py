"""``draw(v)`` in the scratch code: the graph of ``v`` as a drawing (play.schema.json)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from engine.playground import errors
from engine.playground.discover import Graph, has_data_and_grad, read_graph
from engine.playground.readings import reading, short_repr
from engine.playground.steps import record_backward

MAX_DRAWINGS = 20
_id, _type = id, type


class Drawer:
    """Keeps one Run's drawings; ``function`` is the ``draw`` the scratch code calls."""

    def __init__(self, titles: dict[int, list[str]], sources: errors.Sources) -> None:
        self.titles = titles
        self.sources = sources
        self.drawings: list[dict[str, Any]] = []

    def function(self, namespace: dict[str, Any]) -> Callable[..., None]:
        drawer = self

        def draw(v: Any, steps: bool = False) -> None:
            """Draw the graph of the Value v; steps=True also steps through v.backward()."""
            drawer.draw(v, steps, namespace, sys._getframe(1))

        return draw

    def draw(self, value: Any, steps: bool, namespace: dict[str, Any], caller: Any) -> None:
        if len(self.drawings) >= MAX_DRAWINGS:
            raise RuntimeError(f"draw() can be called at most {MAX_DRAWINGS} times in one Run")
        if not has_data_and_grad(value):
            raise TypeError(f"draw() needs a Value, got {_type(value).__name__} {short_repr(value)}")
        graph = read_graph(value, namespace)
        trace = record_backward(value, graph, self.sources) if steps else None
        drawing = serialise(graph, labels(namespace, graph), trace)
        drawing["title"] = self._title(caller)
        self.drawings.append(drawing)

    def _title(self, caller: Any) -> str | None:
        if caller.f_code.co_filename != errors.SCRATCH_FILE:
            return None
        found = self.titles.get(caller.f_lineno, [])
        return found[0] or None if len(found) == 1 else None


def labels(namespace: dict[str, Any], graph: Graph) -> dict[int, str]:
    """Node id -> the name of a variable in the namespace that holds it (a public one first)."""
    wanted = {_id(node) for node in graph.nodes}
    found: dict[int, str] = {}
    for name, value in sorted(list(namespace.items()), key=lambda item: item[0].startswith("_")):
        if _id(value) in wanted and _id(value) not in found and not name.startswith("__"):
            found[_id(value)] = name
    return found


def serialise(graph: Graph, names: dict[int, str], trace: dict[str, Any] | None) -> dict[str, Any]:
    """The drawing as JSON-ready data; data and grad are read now (after backward, if it ran)."""
    nodes = [{"id": f"n{i}", "label": names.get(_id(node)), "op": graph.ops[i],
              "data": reading(node, "data"), "grad": reading(node, "grad")}
             for i, node in enumerate(graph.nodes)]
    return {"title": None, "nodes": nodes,
            "edges": [{"from": f"n{a}", "to": f"n{b}"} for a, b in graph.edges],
            "output": "n0", "truncated": graph.truncated, "note": graph.note, "steps": trace}
