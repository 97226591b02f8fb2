"""The computational graph of a data case, node by node: for localising a mistake and drawing it.

A data case's expression (``(a + b * c).relu()``) is rewritten at compile time into one operation
per line (``t1 = b * c``, ``t2 = a + t1``, ``t3 = t2.relu()``): the same calls in the same order,
so the learner's code cannot tell the difference, but now every intermediate ``Value`` has a name
and its public ``data`` and ``grad`` can be read after ``backward()``. That is how the learner's
graph is discovered: through public behaviour only, whatever they call their private fields.

Comparing those numbers with the reference engine's finds the first operation that goes wrong,
forward (its output) or backward (what it sends to one of its inputs).
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field
from typing import Any

from engine.grading.observe import number

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


@dataclass
class Node:
    id: str  # a leaf's name, a step's target (n1), or t1, t2... for unnamed intermediates
    op: str  # "leaf", "+", "*", "relu", "neg", ...
    inputs: list[str] = field(default_factory=list)  # node ids, or plain numbers as text
    code: str = ""  # the line that makes it: "t1 = b * c"

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "op": self.op, "inputs": self.inputs, "code": self.code}


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
        if isinstance(expr, ast.BinOp) and type(expr.op) in _BINARY:
            left, right = emit(expr.left, None), emit(expr.right, None)
            op = _BINARY[type(expr.op)]
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


@dataclass
class Finding:
    node: str  # the first node where the learner's graph differs
    message: str  # what is wrong there, in a learner's words
    kind: str  # the same mistake in any graph and any style: "backward * right", "seed"


def _same(a: float | None, b: float, tol: dict[str, float]) -> bool:
    return a is not None and math.isclose(a, b, rel_tol=tol["rel"], abs_tol=tol["abs"])


def _fmt(x: float) -> str:
    return repr(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(x)


_SIDES = {0: "left input", 1: "right input"}


def _how(got: float | None, expected: float, tol: dict[str, float]) -> str:
    """How a wrong number relates to the right one, when that says something about the slip."""
    if got is None or expected == 0:
        return ""
    if _same(got, -expected, tol):
        return " sign"
    if got == 0:
        return " zero"
    return ""


def localise(trace: dict[str, Any], observations: dict[str, Any], tol: dict[str, float],
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
            if len(parts) == 2 and n.op in _BINARY.values():
                return f"{parts[0]} {n.op} {parts[1]}"
            if n.op not in _BINARY.values() and parts:
                return f"{parts[0]}.{n.op}({', '.join(parts[1:])})"
            return body

        full = expand_node(node, 0)
        return f"`{full}`" if len(full) <= 48 else f"`{node.code.split(' = ', 1)[1]}`"

    def show(value: float | None) -> str:
        return _fmt(value) if value is not None else "something that is not a number"

    for node in nodes:
        label = f"@{node.id}.data"
        if node.op == "leaf" or _same(got[label], expected[label], tol):
            continue
        inputs_ok = all(_same(got.get(f"@{i}.data"), expected[f"@{i}.data"], tol)
                        for i in node.inputs if i in by_id)
        if not inputs_ok:
            continue
        what = text(node)
        if show_numbers:
            message = (f"Forward pass: your `{node.op}` computes {show(got[label])} in {what} "
                       f"where {_fmt(expected[label])} was expected.")
        else:
            message = f"Forward pass: your `{node.op}` computes a wrong `data`."
        return Finding(node.id, message,
                       f"forward {node.op}{_how(got[label], expected[label], tol)}")
    out = by_id[trace["output"]]
    seed = got[f"@{out.id}.grad"]
    if not _same(seed, 1.0, tol):
        return Finding(out.id, "Backward pass: the output's own gradient should be 1 after "
                               f"backward() (the seed), but it is {show(seed)}.", "seed")
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
            where = (f"`{node.id}`, its {_SIDES.get(slots[0], 'input')}," if len(slots) == 1
                     else f"`{node.id}`, used as both its inputs,")
            code = text(user)
            if show_numbers:
                message = (f"Backward pass: your `{user.op}` in {code} sends {show(got[label])} to "
                           f"{where} where {_fmt(expected[label])} was expected.")
            else:
                message = f"Backward pass: your `{user.op}` sends a wrong gradient to {where[:-1]}."
            if len(slots) > 1:
                message += " Both uses must add up."
            side = "both" if len(slots) > 1 else _SIDES.get(slots[0], "input").split()[0]
            return Finding(node.id, message,
                           f"backward {user.op} {side}{_how(got[label], expected[label], tol)}")
        sends = [trace["edges"].get(f"{u.id}>{node.id}", 0.0) for u in users]
        uses = ", ".join(text(u) for u in users)
        lost = got[label] is not None and any(_same(got[label], s, tol) for s in sends)
        message = (f"Backward pass: `{node.id}` is used by {len(users)} operations ({uses}); its "
                   "gradient must be the sum of what each one sends"
                   + (f": expected {_fmt(expected[label])}, got {show(got[label])}."
                      if show_numbers else "."))
        if lost:
            message += (" It holds only one of them: is a gradient assigned with `=` where `+=` "
                        "belongs, or does a rule run before all uses have added to it?")
        return Finding(node.id, message, "sum lost" if lost else "sum")
    return None


def view(trace: dict[str, Any], observations: dict[str, Any],
         finding: Finding | None) -> dict[str, Any]:
    """What the page draws: each node with its op, the learner's and the expected data and grad."""
    nodes = [{**n, "data": number(observations.get(f"@{n['id']}.data")),
              "grad": number(observations.get(f"@{n['id']}.grad")),
              "expected_data": trace["expected"][f"@{n['id']}.data"],
              "expected_grad": trace["expected"][f"@{n['id']}.grad"]} for n in trace["nodes"]]
    return {"nodes": nodes, "output": trace["output"],
            "first_difference": finding.node if finding else None}


__all__ = ["Finding", "Node", "edge_contributions", "flat_code", "flatten", "localise", "view"]
