"""The computational graph of a data case, node by node: for localising a mistake and drawing it.

At compile time a data case's expression is rewritten into one operation per line
(``engine.authoring.flatten``), so every intermediate ``Value`` has a name and its public ``data``
and ``grad`` can be read after ``backward()``. That is how the learner's graph is discovered:
through public behaviour only, whatever they call their private fields.

Comparing those numbers with the reference engine's finds the first operation that goes wrong,
forward (its output) or backward (what it sends to one of its inputs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from engine.grading import wording
from engine.grading.contract import GraphNode, GraphView, Tolerance, Trace
from engine.grading.observe import number

# The binary operators a flat case may contain, by Python's AST node name (engine.authoring.flatten).
BINARY_OPS = {"Add": "+", "Sub": "-", "Mult": "*", "Div": "/", "Pow": "**"}
_OPERATORS = frozenset(BINARY_OPS.values())


@dataclass
class Node:
    id: str  # a leaf's name, a step's target (n1), or t1, t2... for unnamed intermediates
    op: str  # "leaf", "+", "*", "relu", "neg", ...
    inputs: list[str] = field(default_factory=list)  # node ids, or plain numbers as text
    code: str = ""  # the line that makes it: "t1 = b * c"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "op": self.op, "inputs": self.inputs, "code": self.code}


@dataclass
class Finding:
    node: str  # the first node where the learner's graph differs
    message: str  # what is wrong there, in a learner's words
    kind: str  # the same mistake in any graph and any style: "backward * right", "seed"


def _same(a: float | None, b: float, tol: Tolerance) -> bool:
    return a is not None and math.isclose(a, b, rel_tol=tol["rel"], abs_tol=tol["abs"])


_SIDES = {0: "left input", 1: "right input"}


def _how(got: float | None, expected: float, tol: Tolerance) -> str:
    """How a wrong number relates to the right one, when that says something about the slip."""
    if got is None or expected == 0:
        return ""
    if _same(got, -expected, tol):
        return " sign"
    if got == 0:
        return " zero"
    return ""


def localise(trace: Trace, observations: dict[str, Any], tol: Tolerance,
             show_numbers: bool) -> Finding | None:
    """The first operation whose output (forward) or gradient (backward) is wrong, or None when
    the learner's node values cannot be read or all agree."""
    nodes = [Node(**n) for n in trace["nodes"]]
    expected: dict[str, float] = trace["expected"]
    got = {label: number(observations.get(label)) for label in expected}
    by_id = {n.id: n for n in nodes}
    if any(got[f"@{n.id}.{attr}"] is None for n in nodes if n.op != "leaf"
           for attr in ("data", "grad")):
        return None  # some node's data or grad is not a readable number: no graph to compare

    def text(node: Node) -> str:
        """A node's operation as the learner would read it: `(x * y) + x`, not `t1 + x`."""
        def expand(name: str, depth: int) -> str:
            inner = by_id.get(name)
            if inner is None or inner.op == "leaf" or not name.startswith("t") or depth > 3:
                return name
            return f"({expand_node(inner, depth + 1)})"

        def expand_node(n: Node, depth: int) -> str:
            body = n.code.split(" = ", 1)[1]
            parts = [expand(i, depth) for i in n.inputs]
            if n.op == "neg":
                return f"-{parts[0]}"
            if len(parts) == 2 and n.op in _OPERATORS:
                return f"{parts[0]} {n.op} {parts[1]}"
            if n.op not in _OPERATORS and parts:
                return f"{parts[0]}.{n.op}({', '.join(parts[1:])})"
            return body

        full = expand_node(node, 0)
        return f"`{full}`" if len(full) <= 48 else f"`{node.code.split(' = ', 1)[1]}`"

    for node in nodes:
        label = f"@{node.id}.data"
        if node.op == "leaf" or _same(got[label], expected[label], tol):
            continue
        inputs_ok = all(_same(got.get(f"@{i}.data"), expected[f"@{i}.data"], tol)
                        for i in node.inputs if i in by_id)
        if not inputs_ok:
            continue
        message = wording.forward_wrong(node.op, text(node), got[label], expected[label],
                                        show_numbers)
        return Finding(node.id, message,
                       f"forward {node.op}{_how(got[label], expected[label], tol)}")
    out = by_id[trace["output"]]
    seed = got[f"@{out.id}.grad"]
    if not _same(seed, 1.0, tol):
        return Finding(out.id, wording.seed_wrong(seed), "seed")
    consumers: dict[str, list[Node]] = {}
    for node in nodes:
        for i in dict.fromkeys(node.inputs):
            consumers.setdefault(i, []).append(node)
    for node in reversed(nodes):
        label = f"@{node.id}.grad"
        if node is out or _same(got[label], expected[label], tol):
            continue
        users = consumers.get(node.id, [])
        if not users:
            continue
        if len(users) == 1:
            user = users[0]
            slots = [i for i, name in enumerate(user.inputs) if name == node.id]
            message = wording.backward_wrong(
                user.op, text(user), node.id,
                # A unary op's (relu's) only input is not its "left" one.
                ("input" if len(user.inputs) == 1 else _SIDES.get(slots[0], "input"))
                if len(slots) == 1 else None,
                got[label], expected[label], show_numbers)
            side = "both" if len(slots) > 1 else _SIDES.get(slots[0], "input").split()[0]
            return Finding(node.id, message,
                           f"backward {user.op} {side}{_how(got[label], expected[label], tol)}")
        sends = [trace["edges"].get(f"{u.id}>{node.id}", 0.0) for u in users]
        lost = got[label] is not None and any(_same(got[label], s, tol) for s in sends)
        message = wording.sum_wrong(node.id, [text(u) for u in users], got[label],
                                    expected[label], show_numbers, lost)
        return Finding(node.id, message, "sum lost" if lost else "sum")
    return None


def view(trace: Trace, observations: dict[str, Any], finding: Finding | None,
         tol: Tolerance) -> GraphView:
    """What the page draws: each node with its op, the learner's and the expected data and grad,
    and whether each matches (within the case's tolerance; not when the learner's is missing)."""
    nodes: list[GraphNode] = []
    for n in trace["nodes"]:
        data = number(observations.get(f"@{n['id']}.data"))
        grad = number(observations.get(f"@{n['id']}.grad"))
        expected_data = trace["expected"][f"@{n['id']}.data"]
        expected_grad = trace["expected"][f"@{n['id']}.grad"]
        nodes.append({**n, "data": data, "grad": grad, "expected_data": expected_data,
                      "expected_grad": expected_grad, "data_ok": _same(data, expected_data, tol),
                      "grad_ok": _same(grad, expected_grad, tol)})
    return {"nodes": nodes, "output": trace["output"],
            "first_difference": finding.node if finding else None}


__all__ = ["BINARY_OPS", "Finding", "Node", "localise", "view"]
