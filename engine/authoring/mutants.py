"""Mutants of a reference solution: small, plausible mistakes made from its syntax tree.

A strong suite fails every mutant that behaves differently from the reference. Each mutant is
one edit of one node (an operator swapped, ``+=`` turned into ``=``, a comparison moved by one,
an operand replaced by the other, a statement deleted, ...), applied to the source text at the
node's position so the diff an instructor reads is one line, comments and layout intact.
"""

from __future__ import annotations

import ast
import copy
import difflib
from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Mutant:
    id: str  # "M7": stable for the same reference file
    operator: str  # which kind of edit, e.g. "arith", "aug-assign"
    description: str  # the edit in words: "'+=' -> '='"
    line: int  # 1-based line of the edit in the reference
    source: str  # the whole mutated file
    cls: str | None = None  # the class the edit is in ("Value"), None at module level

    def diff(self, original: str, filename: str) -> str:
        lines = difflib.unified_diff(original.splitlines(keepends=True),
                                     self.source.splitlines(keepends=True),
                                     f"{filename}", f"{filename} (mutant {self.id})", n=1)
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


_ARITH: dict[type[ast.operator], tuple[type[ast.operator], ...]] = {
    ast.Add: (ast.Sub, ast.Mult), ast.Sub: (ast.Add,), ast.Mult: (ast.Div, ast.Add),
    ast.Div: (ast.Mult,), ast.Pow: (ast.Mult,), ast.FloorDiv: (ast.Div,), ast.Mod: (ast.Mult,),
}
_COMPARE: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE, ast.LtE: ast.Lt, ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq, ast.In: ast.NotIn, ast.NotIn: ast.In, ast.Is: ast.IsNot, ast.IsNot: ast.Is,
}
_SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**", ast.FloorDiv: "//",
           ast.Mod: "%", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==",
           ast.NotEq: "!=", ast.In: "in", ast.NotIn: "not in", ast.Is: "is", ast.IsNot: "is not"}
# Calls that only reorder or convert their argument: dropping one is a classic slip.
_PASS_THROUGH_CALLS = {"reversed", "sorted", "list", "float", "abs", "tuple"}
# The two numbers every autograd node carries: reading one where the other belongs.
_ATTRIBUTE_SWAPS = {"data": "grad", "grad": "data"}


@dataclass
class _Edit:
    node: ast.AST  # the node whose source text is replaced
    text: str  # its replacement
    operator: str
    description: str


def generate(source: str) -> list[Mutant]:
    """Every distinct mutant of ``source`` that still compiles, in source order."""
    tree = ast.parse(source)
    original = ast.dump(tree)
    seen = {original}
    mutants: list[Mutant] = []
    classes = [(n.lineno, n.end_lineno or n.lineno, n.name) for n in ast.walk(tree)
               if isinstance(n, ast.ClassDef)]
    for edit in sorted(_edits(tree), key=lambda e: (e.node.lineno, e.node.col_offset)):
        text = _apply(source, edit.node, edit.text)
        try:
            dumped = ast.dump(ast.parse(text))
            compile(text, "<mutant>", "exec")
        except SyntaxError:
            continue
        if dumped in seen:  # the same program as the reference or as an earlier mutant
            continue
        seen.add(dumped)
        inside = [c for c in classes if c[0] <= edit.node.lineno <= c[1]]
        cls = max(inside)[2] if inside else None  # the innermost class around the edit
        mutants.append(Mutant(f"M{len(mutants) + 1}", edit.operator, edit.description,
                              edit.node.lineno, text, cls))
    return mutants


def _apply(source: str, node: ast.AST, text: str) -> str:
    """Replace the node's own text (positions are UTF-8 byte offsets) with ``text``."""
    lines = source.splitlines(keepends=True)
    first, last = node.lineno - 1, node.end_lineno - 1  # type: ignore[attr-defined]
    head = lines[first].encode()[: node.col_offset].decode()  # type: ignore[attr-defined]
    tail = lines[last].encode()[node.end_col_offset:].decode()  # type: ignore[attr-defined]
    return "".join(lines[:first]) + head + text + tail + "".join(lines[last + 1:])


def _replaced(node: ast.AST, **changes: object) -> str:
    new = copy.deepcopy(node)
    for key, value in changes.items():
        setattr(new, key, value)
    return ast.unparse(new)


def _edits(tree: ast.Module) -> Iterator[_Edit]:
    for func, receivers in _functions(tree):
        for node in _own_nodes(func):
            yield from _node_edits(node, receivers)
        body_statements = [s for s in ast.walk(func) if isinstance(s, ast.stmt) and s is not func]
        for stmt in body_statements:
            if _deletable(stmt):
                yield _Edit(stmt, "pass", "delete", f"delete `{_short(stmt)}`")


def _functions(tree: ast.Module) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, list[str]]]:
    """Each function with the variables it reads attributes of (``self``, ``other``, ``out``...).

    Swapping one of those for another (``self.grad`` where ``other.grad`` belongs) is the mix-up
    learners make; swapping unrelated names (``self`` for ``_op``) would only add noise. A nested
    function (micrograd's ``_backward``) also sees its enclosing function's names.
    """
    def visit(node: ast.AST, outer: set[str]) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef,
                                                                  list[str]]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                visible = outer | {a.arg for a in child.args.posonlyargs + child.args.args
                                   + child.args.kwonlyargs}
                visible |= {t.id for n in _own_nodes(child) if isinstance(n, ast.Assign)
                            for t in n.targets if isinstance(t, ast.Name)}
                used = sorted({n.value.id for n in _own_nodes(child) if isinstance(n, ast.Attribute)
                               and isinstance(n.value, ast.Name) and n.value.id in visible})
                yield child, used
                yield from visit(child, visible)
            elif isinstance(child, ast.ClassDef):
                yield from visit(child, set())
            else:
                yield from visit(child, outer)

    yield from visit(tree, set())


def _own_nodes(func: ast.AST) -> Iterator[ast.AST]:
    """Nodes of this function, not of functions nested in it (those are visited on their own)."""
    stack = list(ast.iter_child_nodes(func))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            stack.extend(ast.iter_child_nodes(node))


def _deletable(stmt: ast.stmt) -> bool:
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
        return False  # a docstring
    return isinstance(stmt, ast.Expr | ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Return)


def _short(node: ast.AST, width: int = 60) -> str:
    text = ast.unparse(node).replace("\n", " ")
    return text if len(text) <= width else text[: width - 3] + "..."


def _node_edits(node: ast.AST, receivers: list[str]) -> Iterator[_Edit]:
    if isinstance(node, ast.BinOp):
        for new in _ARITH.get(type(node.op), ()):
            yield _Edit(node, _replaced(node, op=new()), "arith",
                        f"'{_SYMBOL[type(node.op)]}' -> '{_SYMBOL[new]}' in `{_short(node)}`")
        yield _Edit(node, _replaced(node, right=node.left), "operand",
                    f"right operand replaced by the left in `{_short(node)}`")
        yield _Edit(node, _replaced(node, left=node.right), "operand",
                    f"left operand replaced by the right in `{_short(node)}`")
    elif isinstance(node, ast.AugAssign):
        plain = ast.Assign(targets=[node.target], value=node.value, lineno=node.lineno)
        yield _Edit(node, ast.unparse(plain), "aug-assign",
                    f"'{_SYMBOL.get(type(node.op), '?')}=' -> '=' in `{_short(node)}`")
        for new in _ARITH.get(type(node.op), ())[:1]:
            yield _Edit(node, _replaced(node, op=new()), "aug-assign",
                        f"'{_SYMBOL[type(node.op)]}=' -> '{_SYMBOL[new]}=' in `{_short(node)}`")
    elif isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            if type(op) in _COMPARE:
                ops = list(node.ops)
                ops[i] = _COMPARE[type(op)]()
                yield _Edit(node, _replaced(node, ops=ops), "compare",
                            f"'{_SYMBOL[type(op)]}' -> '{_SYMBOL[type(ops[i])]}' in `{_short(node)}`")
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float):
        new_value = {0: 1, 1: 0}.get(node.value, node.value + 1)
        new_value = type(node.value)(new_value)
        yield _Edit(node, repr(new_value), "constant", f"{node.value!r} -> {new_value!r}")
    elif isinstance(node, ast.Constant) and isinstance(node.value, bool):
        yield _Edit(node, repr(not node.value), "constant", f"{node.value} -> {not node.value}")
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.Not):
        yield _Edit(node, ast.unparse(node.operand), "unary",
                    f"drop the '{'-' if isinstance(node.op, ast.USub) else 'not'}' in `{_short(node)}`")
    elif isinstance(node, ast.BoolOp):
        new = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield _Edit(node, _replaced(node, op=new), "boolean",
                    f"'{'and' if isinstance(node.op, ast.And) else 'or'}' -> "
                    f"'{'or' if isinstance(node.op, ast.And) else 'and'}' in `{_short(node)}`")
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
          and node.func.id in _PASS_THROUGH_CALLS and len(node.args) == 1 and not node.keywords):
        yield _Edit(node, ast.unparse(node.args[0]), "call",
                    f"drop the call `{node.func.id}(...)` in `{_short(node)}`")
    elif isinstance(node, ast.Attribute):
        if node.attr in _ATTRIBUTE_SWAPS:
            swapped = _ATTRIBUTE_SWAPS[node.attr]
            yield _Edit(node, _replaced(node, attr=swapped), "attribute",
                        f"`.{node.attr}` -> `.{swapped}` in `{_short(node)}`")
        if isinstance(node.value, ast.Name) and node.value.id in receivers:
            for other in receivers:
                if other != node.value.id:
                    yield _Edit(node.value, other, "variable",
                                f"`{node.value.id}` -> `{other}` in `{_short(node)}`")


__all__ = ["Mutant", "generate"]
