"""Record ``v.backward()`` one write to a ``grad`` at a time, whatever the learner's code is.

While backward runs, each class of the drawn graph's nodes gets a ``__setattr__`` that calls the
one it had (``object.__setattr__`` unless the learner wrote their own) and writes down every write
to ``grad`` of a drawn node: which node, its grad before and after, and, when it can be told for
sure, whose backward rule made it. Writes to objects that are not in the drawing (a tape's other
expressions, nodes past the drawing's cap) are ignored: the steps are replayed on the drawing.
Writes that bypass ``__setattr__`` (``vars(v)["grad"] = ...``) are not seen. The classes get
their own ``__setattr__`` back in a ``finally``, whatever happens.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from contextlib import suppress
from types import FunctionType
from typing import Any

from engine.playground import errors
from engine.playground.discover import Graph, attributes
from engine.playground.readings import reading

MAX_STEPS = 5000
_MISSING = object()
_id, _len, _type = id, len, type


class _Recorder:
    def __init__(self, graph: Graph) -> None:
        self.nodes = graph.nodes
        self.index = {_id(node): position for position, node in enumerate(graph.nodes)}
        self.inputs: list[set[int]] = [set() for _ in graph.nodes]
        for source, target in graph.edges:
            self.inputs[target].add(_id(graph.nodes[source]))
        self.steps: list[dict[str, Any]] = []
        self.truncated = False

    def hook(self, original: Callable[[Any, str, Any], None]) -> Callable[[Any, str, Any], None]:
        recorder = self

        def __setattr__(self: Any, name: str, value: Any) -> None:
            if name != "grad" or _id(self) not in recorder.index:
                original(self, name, value)
                return
            before = reading(self, "grad")
            original(self, name, value)
            if _len(recorder.steps) >= MAX_STEPS:
                recorder.truncated = True
                return
            recorder.steps.append({"node": f"n{recorder.index[_id(self)]}", "before": before,
                                   "after": reading(self, "grad"),
                                   "rule": recorder.rule(self, sys._getframe(1))})

        return __setattr__

    def rule(self, written: object, frame: Any) -> str | None:
        """The node whose rule wrote, when it can be told for sure: the node whose own backward
        function (an attribute holding a closure) is the writing frame; else the one drawn node
        among the frame's local variables that has ``written`` as an input. None otherwise."""
        try:
            names = frame.f_locals
            values = list(names.values())
        except Exception:
            return None
        found = {self.index[_id(v)] for v in values
                 if _id(v) in self.index and _id(written) in self.inputs[self.index[_id(v)]]}
        if _len(found) > 1 and frame.f_code.co_freevars:
            found = {i for i in found if _runs_as(self.nodes[i], frame, names)}
        return f"n{found.pop()}" if _len(found) == 1 else None


def _runs_as(node: object, frame: Any, names: Any) -> bool:
    """Whether ``frame`` runs one of ``node``'s own functions: same code, same closure cells."""
    for _, value in attributes(node):
        if _type(value) is FunctionType and value.__code__ is frame.f_code and value.__closure__:
            try:
                if all(names.get(n, _MISSING) is c.cell_contents
                       for n, c in zip(value.__code__.co_freevars, value.__closure__, strict=True)):
                    return True
            except ValueError:  # an empty cell
                continue
    return False


def record_backward(value: Any, graph: Graph, sources: errors.Sources) -> dict[str, Any]:
    """Run ``value.backward()`` and return a backward_trace (play.schema.json): every write to
    a drawn node's grad, in order (the first ``MAX_STEPS``; backward still runs to its end).
    An exception in backward is the trace's ``error``; the steps before it are kept."""
    zeroed = _zero_grads(graph.nodes)
    recorder = _Recorder(graph)
    classes = list({_id(type(n)): type(n) for n in graph.nodes}.values())
    classes = [c for c in classes if c.__flags__ & (1 << 9)]  # heap types: ours to patch
    originals = {c: c.__setattr__ for c in classes}  # all read before any is patched
    saved = {c: vars(c).get("__setattr__", _MISSING) for c in classes}
    error = None
    try:
        for klass in classes:
            type.__setattr__(klass, "__setattr__", recorder.hook(originals[klass]))
        try:
            value.backward()
        except Exception as exc:
            error = errors.describe(exc, sources)
    finally:
        for klass in classes:
            if saved[klass] is _MISSING:
                type.__delattr__(klass, "__setattr__")
            else:
                type.__setattr__(klass, "__setattr__", saved[klass])
    return {"steps": recorder.steps, "truncated": recorder.truncated, "error": error,
            "zeroed": zeroed}


def _zero_grads(nodes: list[Any]) -> bool:
    """Set every drawn node's grad to 0 when any is not 0 (``out.backward()`` already ran, as in
    ``out.backward(); draw(out, steps=True)``): a second backward() would add to the first, and
    the steps would show doubled numbers the learner's code never computes in one pass. Returns
    whether it did."""
    if all(reading(node, "grad") in (0, 0.0) for node in nodes):
        return False
    for node in nodes:
        with suppress(Exception):  # a grad that cannot be set: its steps start from what it holds
            node.grad = 0.0
    return True
