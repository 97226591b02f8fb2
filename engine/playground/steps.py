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
from typing import Any

from engine.playground import errors
from engine.playground.discover import Graph
from engine.playground.readings import reading

MAX_STEPS = 5000
_MISSING = object()
_id, _len = id, len


class _Recorder:
    def __init__(self, graph: Graph) -> None:
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
        """The node whose rule wrote: the one drawn node among the writing frame's local
        variables that has ``written`` as an input; None when there is none or more than one."""
        try:
            values = list(frame.f_locals.values())
        except Exception:
            return None
        found = {self.index[_id(v)] for v in values
                 if _id(v) in self.index and _id(written) in self.inputs[self.index[_id(v)]]}
        return f"n{found.pop()}" if _len(found) == 1 else None


def record_backward(value: Any, graph: Graph, sources: errors.Sources) -> dict[str, Any]:
    """Run ``value.backward()`` and return a backward_trace (play.schema.json): every write to
    a drawn node's grad, in order (the first ``MAX_STEPS``; backward still runs to its end).
    An exception in backward is the trace's ``error``; the steps before it are kept."""
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
    return {"steps": recorder.steps, "truncated": recorder.truncated, "error": error}
