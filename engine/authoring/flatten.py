"""Rewrite a data case's expression into one operation per line, at compile time.

``(a + b * c).relu()`` becomes ``t1 = b * c``, ``t2 = a + t1``, ``t3 = t2.relu()``: the same calls
in the same order, so the learner's code cannot tell the difference, but every intermediate
``Value`` now has a name whose public ``data`` and ``grad`` the observer can read after
``backward()``. The nodes (``engine.grading.localise.Node``) go into the suite's ``trace``, which
the grader reads to localise a mistake and the page reads to draw the graph.
"""

from __future__ import annotations

import ast
from typing import Any

from engine.grading.localise import BINARY_OPS as _BINARY
from engine.grading.localise import Node


def flatten(values: dict[str, Any], steps: list[str], expression: str) -> tuple[list[Node], str]:
    """Leaves, then one node per operation in the order Python evaluates them; and the output's id."""
    nodes = [Node(name, "leaf") for name in values]
    names = {n.id for n in nodes}
    aliases: dict[str, str] = {}  # `n2 = n1`: no new node, n2 is n1
    counter = [0]

    def emit(expr: ast.expr, target: str | None) -> str:
        """The node id (or literal text) for ``expr``, emitting its operations first."""
        if isinstance(expr, ast.Name):
            return aliases.get(expr.id, expr.id)
        if isinstance(expr, ast.Constant) or (isinstance(expr, ast.UnaryOp) and isinstance(
                expr.op, ast.USub) and isinstance(expr.operand, ast.Constant)):
            return ast.unparse(expr)
        if isinstance(expr, ast.BinOp) and type(expr.op).__name__ in _BINARY:
            left, right = emit(expr.left, None), emit(expr.right, None)
            op = _BINARY[type(expr.op).__name__]
            inputs, text = [left, right], f"{left} {op} {right}"
        elif isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
            operand = emit(expr.operand, None)
            op, inputs, text = "neg", [operand], f"-{operand}"
        elif (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)
              and not expr.keywords):
            receiver = emit(expr.func.value, None)
            args = [emit(a, None) for a in expr.args]
            op, inputs = expr.func.attr, [receiver, *args]
            text = f"{receiver}.{expr.func.attr}({', '.join(args)})"
        else:
            raise ValueError(f"cannot draw `{ast.unparse(expr)}` as one operation per node")
        if target is None:
            counter[0] += 1
            while f"t{counter[0]}" in names:
                counter[0] += 1
            target = f"t{counter[0]}"
        names.add(target)
        nodes.append(Node(target, op, inputs, f"{target} = {text}"))
        return target

    for step in steps:
        statement = ast.parse(step).body[0]
        assert isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name)
        name = statement.targets[0].id
        made = emit(statement.value, name)
        if made != name:
            aliases[name] = made
    return nodes, emit(ast.parse(expression, mode="eval").body, None)


def flat_code(nodes: list[Node]) -> list[str]:
    """The lines the observer runs instead of the case's own steps and expression."""
    return [n.code for n in nodes if n.op != "leaf"]


def edge_contributions(nodes: list[Node], scope: dict[str, Any]) -> dict[str, float]:
    """What each operation sends to each input in the reference engine (``"t3>t1": 4.0``).

    Read from the engine's ``_prev`` and ``_local`` by object identity, so an input used twice
    (``x * x``) gets the sum of both of its uses.
    """
    sent: dict[str, float] = {}
    for node in nodes:
        if node.op == "leaf":
            continue
        out = scope[node.id]
        for name in dict.fromkeys(i for i in node.inputs if i in scope):
            child = scope[name]
            total = sum(local * out.grad for prev, local in zip(out._prev, out._local, strict=True)
                        if prev is child)
            sent[f"{node.id}>{name}"] = float(total)
    return sent


__all__ = ["edge_contributions", "flat_code", "flatten"]
