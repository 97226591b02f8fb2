"""Trace problems (problem.toml ``kind = "trace"``): no code; the learner computes a small graph's
values and gradients by hand, and the page checks each cell in TypeScript with no Python.

A trace problem folder::

    problem.toml        title, difficulty, order, summary, kind = "trace"
    statement.md        how to do a forward and a backward pass by hand
    traces/*.toml       one graph each (engine/schemas/trace.schema.json), shown in file-name order

The build computes every answer with the reference engine (engine/autograd.py) and, for each cell,
the known wrong answers with the one sentence that is true of each (a value given as a gradient,
one use of a reused node, relu's gradient passed through at a negative input, tanh's derivative
written with the wrong number...), so a wrong entry gets a pointed hint only when it is exactly
what that mistake gives. The page data's contract is engine/schemas/tracepage.schema.json.
"""

from __future__ import annotations

import ast
import hashlib
import json
import keyword
import math
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema.validators import Draft202012Validator

from engine.authoring.problem import (
    _PROBLEM_VALIDATOR,
    PROBLEM_SCHEMA,
    SLUG_RULE,
    ProblemError,
    ProblemIssue,
    _Collector,
    _read_text,
    _schema,
    is_slug,
    line_of,
    read_toml,
)
from engine.autograd import Value

TRACE_SCHEMA = _schema("trace.schema.json")
PAGE_SCHEMA = _schema("tracepage.schema.json")
_TRACE_VALIDATOR = Draft202012Validator(TRACE_SCHEMA)
DEFAULT_TOLERANCE = {key: rule["default"]
                     for key, rule in TRACE_SCHEMA["properties"]["tolerance"]["properties"].items()}
MAX_OPERATIONS = 12  # a graph done by hand, in a few minutes
BINARY = {ast.Add: "+", ast.Mult: "*"}
CALLS = ("relu", "tanh")
SUPPORTED = "+, *, relu(x) and tanh(x)"


def problem_kind(root: Path) -> str:
    """"trace" or "code" (the default; also when problem.toml is unreadable: load_problem says why)."""
    try:
        kind = tomllib.loads((Path(root) / "problem.toml").read_text(encoding="utf-8")).get("kind")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return "code"
    return kind if kind == "trace" else "code"


@dataclass(frozen=True)
class TraceNode:
    name: str
    op: str  # "input", "+", "*", "relu", "tanh"
    inputs: tuple[str, ...]
    formula: str


@dataclass
class TraceFile:
    id: str
    path: Path
    data: dict[str, Any]
    source: str
    nodes: list[TraceNode]  # inputs first, then operations in the order Python computes them

    @property
    def output(self) -> str:
        return self.nodes[-1].name

    @property
    def title(self) -> str:
        return self.data.get("title") or self.data["expression"]


@dataclass
class TraceProblem:
    slug: str
    root: Path
    title: str
    difficulty: str
    order: int
    summary: str
    statement: str
    traces: list[TraceFile] = field(default_factory=list)


def load_trace_problem(root: Path) -> TraceProblem:
    """Read and validate a trace problem folder; raises ProblemError listing every issue found."""
    root = Path(root)
    issues: list[ProblemIssue] = []
    meta_path = root / "problem.toml"
    meta, source = read_toml(meta_path, issues)
    meta = meta or {}
    if not is_slug(root.resolve().name):
        issues.append(ProblemIssue(root, 1, f"the folder name {root.resolve().name!r} is not a "
                                   f"problem name: use {SLUG_RULE}"))
    _Collector(issues, meta_path, source).schema(_PROBLEM_VALIDATOR, meta, "problem.toml")
    for key in ("starter", "reference", "time_limit", "ops"):
        if key in meta:
            issues.append(ProblemIssue(meta_path, line_of(source, key), f"`{key}` means nothing "
                                       "in a trace problem (there is no code): remove it"))
    name = meta.get("statement", "statement.md")
    statement = _read_text(root / (name if isinstance(name, str) else "statement.md"), issues,
                           "statement")
    rules = PROBLEM_SCHEMA["properties"]
    valid = not issues
    problem = TraceProblem(
        slug=root.name, root=root, title=(meta.get("title") if valid else None) or root.name,
        difficulty=meta.get("difficulty", rules["difficulty"]["default"]) if valid else "medium",
        order=meta.get("order", rules["order"]["default"]) if valid else 0,
        summary=meta.get("summary", "") if valid else "", statement=statement)
    paths = sorted((root / "traces").glob("*.toml"))
    if not paths:
        issues.append(ProblemIssue(root / "traces", 1, "no traces: add at least one traces/*.toml"))
    for path in paths:
        trace = load_trace(path, issues)
        if trace is not None:
            problem.traces.append(trace)
    if issues:
        raise ProblemError(issues)
    return problem


def load_trace(path: Path, issues: list[ProblemIssue]) -> TraceFile | None:
    """One trace file, checked against the schema, then its expression against its values."""
    data, source = read_toml(path, issues)
    if data is None:
        return None
    before = len(issues)
    c = _Collector(issues, path, source)
    c.schema(_TRACE_VALIDATOR, data, "a trace file")
    if len(issues) > before:
        return None
    nodes = _graph(data, c)
    if len(issues) > before or nodes is None:
        return None
    return TraceFile(id=path.stem, path=path, data=data, source=source, nodes=nodes)


def _graph(data: dict[str, Any], c: _Collector) -> list[TraceNode] | None:
    """The expression's nodes, or None after saying (located) what is wrong with it."""
    start = len(c.issues)
    values: dict[str, float] = data["values"]
    for name in values:
        if not name.isidentifier() or keyword.iskeyword(name) or name in CALLS:
            c.add(f"input name {name!r} must be a Python identifier (and not {', '.join(CALLS)})",
                  "values", name)
    text = data["expression"].strip()
    try:
        tree = ast.parse(text, mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        c.add(f"`expression` is not valid Python: {getattr(exc, 'msg', exc)} ({text[:60]!r})",
              "expression")
        return None
    if (len(tree.body) != 1 or not isinstance(tree.body[0], ast.Assign)
            or len(tree.body[0].targets) != 1 or not isinstance(tree.body[0].targets[0], ast.Name)):
        c.add("`expression` must be one assignment naming the output, e.g. "
              "\"L = ((a*b)+c)*(a+d)\"", "expression")
        return None
    output = tree.body[0].targets[0].id
    operations: list[tuple[str, tuple[str, ...]]] = []  # (op, inputs), in the order Python runs
    used: set[str] = set()
    ok = True

    def visit(node: ast.expr) -> int | str:
        """A leaf's name, or the index of the operation computing ``node``."""
        nonlocal ok
        if isinstance(node, ast.Name):
            if node.id not in values:
                c.add(f"`{node.id}` in the expression has no value: add it to [values]",
                      "expression")
                ok = False
            used.add(node.id)
            return node.id
        if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
            args = (visit(node.left), visit(node.right))
            operations.append((BINARY[type(node.op)], args))  # type: ignore[arg-type]
            return len(operations) - 1
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in CALLS and len(node.args) == 1 and not node.keywords):
            arg = visit(node.args[0])
            operations.append((node.func.id, (arg,)))  # type: ignore[arg-type]
            return len(operations) - 1
        if isinstance(node, ast.Constant):
            c.add(f"a number ({ast.unparse(node)}) in the expression: give it a name in [values] "
                  "(every node of a trace is named)", "expression")
        else:
            c.add(f"unsupported operation `{ast.unparse(node)}`: a trace uses {SUPPORTED}",
                  "expression")
        ok = False
        return "?"

    try:
        root = visit(tree.body[0].value)
    except RecursionError:
        c.add(f"`expression` nests too deeply: a trace has at most {MAX_OPERATIONS} operations",
              "expression")
        return None
    if not ok:
        return None
    if not isinstance(root, int):
        c.add("`expression` has no operation: a trace needs at least one (+, *, relu, tanh)",
              "expression")
        return None
    if len(operations) > MAX_OPERATIONS:
        c.add(f"`expression` has {len(operations)} operations: keep a trace by hand to at most "
              f"{MAX_OPERATIONS}", "expression")
        return None
    for name in values:
        if name not in used:
            c.add(f"input `{name}` is not used by the expression: remove it", "values", name)
    n_inner = len(operations) - 1
    names = data.get("names")
    if names is None:
        names = [f"t{i + 1}" for i in range(n_inner)]
    elif len(names) != n_inner:
        c.add(f"`names` has {len(names)} names but the expression has {n_inner} intermediate "
              f"node(s) (every operation but the last, which is `{output}`)", "names")
        return None
    all_names = [*values, *names, output]
    for name in [*names, output]:
        if not name.isidentifier() or keyword.iskeyword(name):
            c.add(f"node name {name!r} must be a Python identifier", "names" if name in names
                  else "expression")
        elif all_names.count(name) > 1:
            where = "names" if "names" in data else "expression"
            c.add(f"two nodes are named `{name}`: every input and node needs its own name"
                  + ("" if "names" in data else "; set `names` for the intermediate nodes"), where)
    hints = data.get("hints", {})
    for name in hints:
        if name not in all_names:
            c.add(f"`hints.{name}` names no node; nodes are {', '.join(all_names)}", "hints", name)
    if len(c.issues) > start:
        return None
    op_names = [*names, output]
    label = lambda arg: arg if isinstance(arg, str) else op_names[arg]  # noqa: E731
    nodes = [TraceNode(name, "input", (), _number(values[name])) for name in values]
    for (op, args), name in zip(operations, op_names, strict=True):
        ins = tuple(label(a) for a in args)
        formula = f"{ins[0]} {op} {ins[1]}" if op in BINARY.values() else f"{op}({ins[0]})"
        nodes.append(TraceNode(name, op, ins, formula))
    return nodes


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


# -- the answers, and the known wrong ones -------------------------------------------------------

# A mistake in the backward pass: (node, input position) -> the local derivative the mistake uses
# there instead, or None where it does not apply.
Rule = Callable[[TraceNode, int], float | None]


def _forward(trace: TraceFile) -> dict[str, Value]:
    """Every node as a reference-engine Value, after backward() (its .grad is the answer)."""
    built: dict[str, Value] = {}
    for node in trace.nodes:
        ins = [built[i] for i in node.inputs]
        if node.op == "input":
            built[node.name] = Value(float(trace.data["values"][node.name]))
        elif node.op in ("+", "*"):
            built[node.name] = ins[0] + ins[1] if node.op == "+" else ins[0] * ins[1]
        else:
            built[node.name] = ins[0].relu() if node.op == "relu" else ins[0].tanh()
    built[trace.output].backward()
    return built


def _backward(trace: TraceFile, built: dict[str, Value], local: Rule | None = None,
              keep: tuple[str, int] | None = None) -> dict[str, float]:
    """The chain rule by hand, edge by edge, with one mistake: ``local`` replaces some local
    derivatives; ``keep`` = (node, k) keeps only the k-th contribution to that node's grad."""
    grad = {node.name: 0.0 for node in trace.nodes}
    grad[trace.output] = 1.0
    uses: dict[str, int] = {}
    for node in reversed(trace.nodes):
        for k, (child, right) in enumerate(zip(node.inputs, built[node.name]._local, strict=True)):
            mistaken = local(node, k) if local else None
            use = uses.get(child, 0)
            uses[child] = use + 1
            if keep and keep[0] == child and keep[1] != use:
                continue
            grad[child] += (right if mistaken is None else mistaken) * grad[node.name]
    return grad


def _uses(trace: TraceFile) -> dict[str, list[str]]:
    """Each node's users, one entry per use, in the order the backward pass reaches them."""
    users: dict[str, list[str]] = {node.name: [] for node in trace.nodes}
    for node in reversed(trace.nodes):
        for child in node.inputs:
            users[child].append(node.name)
    return users


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _fmt(x: float) -> str:
    return _number(x) if abs(x) >= 1e-4 or x == 0 else f"{x:.3g}"


def _short(x: float) -> str:
    return _fmt(float(f"{x:.4g}"))


def _times(n: int) -> str:
    return {2: "twice", 3: "three times"}.get(n, f"{n} times")


def _mistakes(trace: TraceFile, built: dict[str, Value]
              ) -> list[tuple[dict[str, float], str, str, float]]:
    """Each known backward-pass mistake: (the grads it gives, the sentence at the node where it
    is made, that node's name, its rank for _unambiguous). The nodes further back inherit it."""
    out: list[tuple[dict[str, float], str, str, float]] = []
    users = _uses(trace)
    for name, who in users.items():
        if len(who) < 2:
            continue
        order = [n.name for n in trace.nodes]
        labels = _and([f"`{u}`" for u in sorted(set(who), key=order.index)])
        for k, user in enumerate(who):
            through = (f"one of its uses in `{user}`" if who.count(user) > 1
                       else f"the one through `{user}`")
            out.append((_backward(trace, built, keep=(name, k)),
                        f"`{name}` is used {_times(len(who))} (by {labels}): add "
                        f"{'both' if len(who) == 2 else f'all {len(who)}'} contributions; this is "
                        f"only {through}.", name, 0))
    for node in trace.nodes:
        if node.op == "relu" and built[node.inputs[0]].data < 0:
            x = node.inputs[0]
            out.append((_backward(trace, built, lambda n, k, node=node: 1.0 if n is node else None),
                        f"`{node.name}` = relu(`{x}`) with `{x}` = {_fmt(built[x].data)} < 0: relu "
                        "passes no gradient back there (its local derivative is 0, not 1).", x, 0))
        elif node.op == "tanh":
            x, t = node.inputs[0], built[node.name].data
            xv = built[x].data
            for wrong, say in (
                (t, f"this uses tanh's output `{node.name}` = {_short(t)} as its local derivative; "
                    f"tanh's derivative is 1 − {node.name}² = {_short(1 - t * t)}."),
                (1 - xv * xv, f"this uses 1 − `{x}`² with the input `{x}` = {_fmt(xv)}; tanh's "
                              f"derivative is 1 − {node.name}² with its output `{node.name}` "
                              f"= {_short(t)}."),
                (1.0, f"this passes the gradient through `{node.name}` = tanh(`{x}`) unchanged; "
                      f"multiply by tanh's local derivative 1 − {node.name}² = {_short(1 - t * t)}."),
            ):
                out.append((_backward(trace, built,
                                      lambda n, k, node=node, wrong=wrong: wrong if n is node else None),
                            say[0].upper() + say[1:], x, 0))
        elif node.op == "*" and node.inputs[0] != node.inputs[1]:
            for k, child in enumerate(node.inputs):
                other = node.inputs[1 - k]
                out.append((_backward(trace, built, lambda n, j, node=node, k=k:
                                      built[n.inputs[j]].data if n is node and j == k else None),
                            f"This multiplies by `{child}`'s own value; the local derivative of "
                            f"`{node.formula}` for `{child}` is the other factor, `{other}` = "
                            f"{_fmt(built[other].data)}.", child, 1.5))
    return out


def _near(x: float, y: float, tol: dict[str, float], factor: float = 1.0) -> bool:
    return abs(x - y) <= factor * max(tol["rel"] * max(abs(x), abs(y)), tol["abs"])


def _unambiguous(right: float, found: list[tuple[float, str, float]], tol: dict[str, float]
                 ) -> list[dict[str, Any]]:
    """The wrong answers whose sentence is the one to say. ``found``: (answer, sentence, rank);
    rank 0 a mistake in an operation's rule, 1 a value for a gradient or back, 1.5 the own factor
    for the other in a product (below 1: near the output it is also the node's own value), 2
    another node's number. Near the right answer: nothing (the entry counts as right). Where two answers are
    close enough for one entry to match both, the lower rank speaks (both sentences are true;
    it is the more useful), and when that still leaves two sentences, neither is said."""
    keep: list[dict[str, Any]] = []
    for answer, say, rank in found:
        if _near(answer, right, tol, 2):
            continue
        close = [(r, s) for a, s, r in found if _near(answer, a, tol, 2)]
        best = min(r for r, _ in close)
        if rank != best or len({s for r, s in close if r == best}) > 1:
            continue
        if not any(k["say"] == say and _near(answer, k["answer"], tol, 2) for k in keep):
            keep.append({"answer": answer, "say": say})
    return keep


def compile_trace(trace: TraceFile) -> dict[str, Any]:
    """One trace as the page gets it (tracepage.schema.json#/$defs/trace)."""
    built = _forward(trace)
    tol = {**DEFAULT_TOLERANCE, **trace.data.get("tolerance", {})}
    mistakes = _mistakes(trace, built)
    grads = {name: v.grad for name, v in built.items()}
    assert all(_near(g, grads[n], tol) for n, g in _backward(trace, built).items()), \
        "the chain rule by hand must agree with the reference engine"
    # Which nodes a mistake made at node m reaches: m, then everything m's grad flows into.
    below: dict[str, set[str]] = {}
    for node in trace.nodes:
        below[node.name] = {node.name}.union(*(below[i] for i in node.inputs))
    hints = trace.data.get("hints", {})
    nodes = []
    for node in trace.nodes:
        value, grad = built[node.name].data, grads[node.name]
        others = [n for n in trace.nodes if n.name != node.name]
        value_wrong = [(grad, f"That is `{node.name}`'s gradient; this cell asks for its value "
                        "(the forward pass).", 1)]
        value_wrong += [(built[o.name].data, f"That is `{o.name}`'s value, not `{node.name}`'s.", 2)
                        for o in others]
        if node.op in ("relu", "tanh"):
            x = node.inputs[0]
            value_wrong.append((built[x].data, f"That is `{x}` itself, {node.op}'s input; "
                                f"`{node.name}` = {node.formula}"
                                + (f" = max(0, {x})." if node.op == "relu" else "."), 0))
        grad_wrong = [(value, f"That is `{node.name}`'s value, not its gradient.", 1)]
        grad_wrong += [(grads[o.name], f"That is `{o.name}`'s gradient, not `{node.name}`'s.", 2)
                       for o in others]
        grad_wrong += [(built[o.name].data, f"That is `{o.name}`'s value; this cell asks for "
                        f"`{node.name}`'s gradient.", 2) for o in others]
        for wrong, say, at, rank in mistakes:
            if node.name in below[at] and node.name != trace.output:
                text = say if node.name == at else (
                    f"This follows from a mistake at `{at}`: {say[0].lower() + say[1:]}")
                grad_wrong.append((wrong[node.name], text, rank))
        nodes.append({
            "name": node.name, "op": node.op, "inputs": list(node.inputs), "formula": node.formula,
            "value": value, "grad": grad, "hint": hints.get(node.name),
            "wrong": {"value": [] if node.op == "input" else _unambiguous(value, value_wrong, tol),
                      "grad": _unambiguous(grad, grad_wrong, tol)},
        })
    return {"id": trace.id, "title": trace.title, "expression": trace.data["expression"],
            "output": trace.output, "tolerance": tol, "nodes": nodes}


def compile_trace_problem(problem: TraceProblem) -> dict[str, Any]:
    """The page data for the whole problem (tracepage.schema.json)."""
    traces = [compile_trace(t) for t in problem.traces]
    version = hashlib.sha256(json.dumps(traces, sort_keys=True).encode()).hexdigest()[:12]
    for trace in traces:
        for node in trace["nodes"]:
            if not all(math.isfinite(x) for x in (node["value"], node["grad"])):
                raise ProblemError([ProblemIssue(problem.root / "traces" / f"{trace['id']}.toml", 1,
                                                 f"`{node['name']}` is not a finite number")])
    return {"version": version,
            "problem": {"slug": problem.slug, "title": problem.title, "statement": problem.statement},
            "traces": traces}


def check_trace_problem(root: Path) -> tuple[list[str], list[str], dict[str, Any] | None]:
    """``gradlab check`` for a trace problem: (issues, lines verified, page data when valid)."""
    try:
        problem = load_trace_problem(root)
        page = compile_trace_problem(problem)
    except ProblemError as exc:
        return [str(i) for i in exc.issues], [], None
    lines = [f"{problem.slug}: {len(page['traces'])} traces compiled (a trace problem: no code)"]
    for trace in page["traces"]:
        cells = len(cells_of(trace))
        pointed = sum(len(n["wrong"]["value"]) + len(n["wrong"]["grad"]) for n in trace["nodes"])
        lines.append(f"  ok   {trace['id']}: {trace['expression']}: {cells} cells, "
                     f"{pointed} known wrong answers with a pointed hint")
    return [], lines, page


# --- marking the cells a learner typed (their export file) ---------------------------------------
# The page checks each cell as it is typed (web/src/tracecheck.ts); an export file carries what was
# typed, and `gradlab grade` marks it again here with the same rules, so an instructor's count is
# the count the learner saw ("20 of 32 cells right").

# Digits split one way only (\d+(\.\d*)?), so a long run of them that fails cannot backtrack.
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?"
_ENTRY = re.compile(rf"({_NUMBER})(?:/({_NUMBER}))?", re.IGNORECASE | re.ASCII)
ENTRY_MAX = 100  # tracecheck.ts's ENTRY_MAX
# JavaScript's whitespace (String.prototype.trim and \s), which is not Python's: U+FEFF is in it,
# U+0085 and U+001C-U+001F are not.
_JS_SPACE = re.compile("[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")


def is_blank(text: str) -> bool:
    """An empty cell, as the page decides it (JavaScript's ``trim()``)."""
    return not _JS_SPACE.sub("", text)


def parse_entry(text: str) -> float | None:
    """A number as a learner types it: 2, -0.5, .786, 1e-3, 3/4, a typographic minus; None when
    it is not one (tracecheck.ts's parseEntry, rule for rule)."""
    t = _JS_SPACE.sub("", re.sub("[\u2212\u2013]", "-", text))
    if not t or len(t) > ENTRY_MAX:
        return None
    match = _ENTRY.fullmatch(t)
    if not match:
        return None
    try:
        x = float(match[1]) / (1.0 if match[2] is None else float(match[2]))
    except ZeroDivisionError:  # JavaScript gives Infinity or NaN: not finite, not a number
        return None
    return x if math.isfinite(x) else None


def cells_of(trace: dict[str, Any]) -> list[tuple[str, str, float]]:
    """A compiled trace's cells, in page order: (key, what it asks, the answer). A value for every
    operation (inputs are given), a gradient for every node; key "<trace id>/<node>/<kind>"."""
    out = []
    for node in trace["nodes"]:
        for kind in ("value", "grad"):
            if kind == "value" and node["op"] == "input":
                continue
            what = f"{node['name']}'s value" if kind == "value" else \
                f"d{trace['output']}/d{node['name']}"
            out.append((f"{trace['id']}/{node['name']}/{kind}", what, node[kind]))
    return out


@dataclass(frozen=True)
class TraceMarks:
    """One trace's cells as marked: how many are right, and which are wrong or left empty."""

    id: str
    right: int
    total: int
    wrong: tuple[str, ...]  # what each wrong cell asks, in page order
    empty: int

    @property
    def typed(self) -> int:
        """Cells with something in them, right or wrong."""
        return self.total - self.empty


def mark_cells(page: dict[str, Any], typed: dict[str, str]) -> list[TraceMarks]:
    """Every trace of a compiled trace problem (``compile_trace_problem``) against what was typed."""
    marks = []
    for trace in page["traces"]:
        tol = trace["tolerance"]
        right, wrong, empty = 0, [], 0
        for key, what, answer in cells_of(trace):
            text = typed.get(key, "")
            entry = parse_entry(text) if isinstance(text, str) else None
            if not isinstance(text, str) or is_blank(text):
                empty += 1
            elif entry is not None and abs(entry - answer) <= max(tol["rel"] * abs(answer),
                                                                   tol["abs"]):
                right += 1
            else:
                wrong.append(what)
        marks.append(TraceMarks(trace["id"], right, right + len(wrong) + empty, tuple(wrong),
                                empty))
    return marks


def marks_line(mark: TraceMarks) -> str:
    """"5 of 12 cells right; wrong: dL/dt2, t1's value; 3 empty" ('' when all are right)."""
    if mark.right == mark.total:
        return ""
    parts = [f"{mark.right} of {mark.total} cells right"]
    if mark.wrong:
        parts.append("wrong: " + ", ".join(mark.wrong))
    if mark.empty:
        parts.append(f"{mark.empty} empty")
    return "; ".join(parts)


@dataclass(frozen=True)
class Tally:
    """A whole trace problem as marked: cells right, cells in all, cells typed, and the first
    trace not all right (None when every cell is)."""

    right: int
    total: int
    typed: int
    first: TraceMarks | None

    def first_line(self) -> str:
        """"trace 01-reused: 5 of 12 cells right; wrong: ..." ('' when every cell is right)."""
        return "" if self.first is None else f"trace {self.first.id}: {marks_line(self.first)}"


def tally(marks: list[TraceMarks]) -> Tally:
    """The traces' marks summed up (``mark_cells``)."""
    return Tally(sum(m.right for m in marks), sum(m.total for m in marks),
                 sum(m.typed for m in marks), next((m for m in marks if m.right < m.total), None))
