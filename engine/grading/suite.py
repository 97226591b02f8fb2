"""Compile a validated problem into a suite: plain, JSON-ready data that the runner needs.

A suite holds what the learner may see (name, visibility, hint) and, per case, two separate
parts: ``spec``, the only thing the observer receives, and ``expected``, which only the judge reads.
Expected values not written by the instructor come from the reference engine (``engine.autograd``);
ones that are written are kept, and ``gradlab check`` reports any that disagree with the engine.
The schema is ``docs/schemas/suite.schema.json``.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from typing import Any

from engine.autograd import Value
from engine.grading import diagnose, graph, observe
from engine.grading.generate import generate_graph
from engine.grading.problem import DEFAULT_TOLERANCE, CaseFile, Problem

SUITE_SCHEMA = "gradlab.suite/1"


class ReferenceError_(Exception):
    """The reference engine could not run a case: the case itself is broken."""

    def __init__(self, case: CaseFile, message: str) -> None:
        self.case = case
        super().__init__(message)


def compile_problem(problem: Problem) -> dict[str, Any]:
    """Problem files -> suite. Raises ReferenceError_ when the engine cannot run a case."""
    cases: list[dict[str, Any]] = []
    for case_file in problem.cases:
        cases.extend(_compile_case(case_file, problem))
    body = {
        "schema": SUITE_SCHEMA,
        "problem": {
            "slug": problem.slug,
            "title": problem.title,
            "difficulty": problem.difficulty,
            "order": problem.order,
            "summary": problem.summary,
            "time_limit": problem.time_limit,
            "ops": problem.ops,
            "statement": problem.statement,
            "starter": problem.starter,
            "hints": problem.hints,
        },
        "cases": cases,
        # Hidden graphs that do not count: they make failure signatures telling (diagnose.py).
        "probes": diagnose.compile_probes(problem.ops, problem.time_limit) if problem.ops else [],
    }
    text = json.dumps(body, sort_keys=True).encode()
    body["version"] = hashlib.sha256(text).hexdigest()[:16]
    return body


def _common(case_file: CaseFile, problem: Problem) -> dict[str, Any]:
    d = case_file.data
    return {
        "id": case_file.id,
        "name": d["name"],
        "kind": d["kind"],
        "visibility": d.get("visibility", "hidden" if d["kind"] == "generated" else "visible"),
        "hint": d.get("hint"),
        "hints": d.get("hints", []),
        "on_fail": d.get("on_fail"),
        "tolerance": {**DEFAULT_TOLERANCE, **d.get("tolerance", {})},
        "time_limit": float(d.get("time_limit", problem.time_limit)),
        "source": str(case_file.path.relative_to(problem.root)),
    }


def _compile_case(case_file: CaseFile, problem: Problem) -> list[dict[str, Any]]:
    d = case_file.data
    if d["kind"] == "generated":
        return _generated_cases(case_file, problem)
    if d["kind"] == "data":
        spec = with_trace({"id": case_file.id, "kind": "data", "values": d["values"],
                           "steps": d.get("steps", []), "expression": d["expression"],
                           "record": d.get("record", list(d["values"]))})
        stated = {}
        if "data" in d.get("expected", {}):
            stated["result.data"] = d["expected"]["data"]
        stated.update({f"{k}.grad": v for k, v in d.get("expected", {}).get("grad", {}).items()})
    else:
        spec = {"id": case_file.id, "kind": "script", "script": d["script"]}
        stated = dict(d.get("expected", {}))
    reference, trace = split_trace(spec, reference_observations(spec, case_file, problem))
    # Stated values win, so a case means what its author wrote; `check` lists any disagreement.
    disagreements = [{"label": k, "stated": v, "reference": reference.get(k)}
                     for k, v in stated.items() if not _agree(v, reference.get(k), d)]
    case = {**_common(case_file, problem), "spec": spec, "expected": {**reference, **stated},
            "features": graph_features(spec), "disagreements": disagreements}
    if trace:
        case["trace"] = trace
    return [case]


def with_trace(spec: dict[str, Any]) -> dict[str, Any]:
    """Add the one-operation-per-line form of a data case, when it has one."""
    try:
        nodes, output = graph.flatten(spec["values"], spec["steps"], spec["expression"])
    except (ValueError, SyntaxError, AssertionError):
        return spec  # an expression that is not plain operations: graded, but not drawn
    return {**spec, "flat": graph.flat_code(nodes), "output": output,
            "trace": [n.id for n in nodes]}


def split_trace(spec: dict[str, Any], observed: dict[str, float]
                 ) -> tuple[dict[str, float], dict[str, Any] | None]:
    """Graded observations, and the per-node ones (with what each operation sends) apart."""
    graded = {k: v for k, v in observed.items() if not k.startswith("@")}
    if "flat" not in spec:
        return graded, None
    nodes, _ = graph.flatten(spec["values"], spec["steps"], spec["expression"])
    scope = _reference_scope(spec)
    trace = {"nodes": [n.to_dict() for n in nodes], "output": spec["output"],
             "expected": {k: v for k, v in observed.items() if k.startswith("@")},
             "edges": graph.edge_contributions(nodes, scope)}
    return graded, trace


def _reference_scope(spec: dict[str, Any]) -> dict[str, Any]:
    scope: dict[str, Any] = {"__builtins__": {}}
    scope.update({name: Value(v) for name, v in spec["values"].items()})
    for line in spec["flat"]:
        exec(line, scope)
    scope[spec["output"]].backward()
    return scope


def _agree(stated: float, reference: float | None, d: dict[str, Any]) -> bool:
    tol = {**DEFAULT_TOLERANCE, **d.get("tolerance", {})}
    return reference is not None and math.isclose(stated, reference, rel_tol=tol["rel"],
                                                  abs_tol=tol["abs"])


def reference_observations_plain(spec: dict[str, Any]) -> dict[str, float] | None:
    """Like reference_observations, for generated cases: None when the engine cannot run it."""
    result = observe.observe_with(Value, spec)
    if result["status"] != "ok":
        return None
    descs = result["observations"].values()
    if any(d["kind"] != "number" for d in descs):
        return None
    return {k: float(d["value"]) for k, d in result["observations"].items()}


def reference_observations(spec: dict[str, Any], case_file: CaseFile,
                           problem: Problem | None = None) -> dict[str, float]:
    """What the reference records for this case, as plain floats.

    Data cases need only ``Value``: the engine (``engine.autograd``) answers them. A script case
    may use anything the learner writes (``from solution import MLP``), so the problem's own
    ``reference.py`` runs it, loaded as the learner's module would be.
    """
    if spec["kind"] == "script" and problem is not None:
        code, error = observe.load(problem.reference)
        if error is not None:
            raise ReferenceError_(case_file, f"reference.py does not compile: {error['message']}")
        result = observe.run_case(code, spec)
        who = "reference.py"
    else:
        result = observe.observe_with(Value, spec)
        who = "the reference engine"
    if result["status"] != "ok":
        err = result["error"]
        where = f" (line {err['line']})" if err.get("line") else ""
        raise ReferenceError_(case_file, f"{who} fails on this case: "
                                         f"{err['type']}: {err['message']}{where}")
    numbers = {}
    for label, desc in result["observations"].items():
        if desc["kind"] != "number":
            raise ReferenceError_(case_file, f"the reference engine records a non-number for "
                                             f"{label!r}: {desc}")
        numbers[label] = float(desc["value"])
    return numbers


def _generated_cases(case_file: CaseFile, problem: Problem) -> list[dict[str, Any]]:
    d = case_file.data
    rng = random.Random(d["seed"])
    ops = d.get("ops", problem.ops)
    out = []
    for i in range(1, d["count"] + 1):
        drawn = generate_graph(rng, ops, tuple(d.get("nodes", (3, 10))),
                               tuple(d.get("leaves", (2, 4))))
        spec = with_trace({"id": f"{case_file.id}-{i}", "kind": "data", "values": drawn.values,
                           "steps": drawn.steps, "expression": drawn.expression,
                           "record": list(drawn.values)})
        reference, trace = split_trace(spec, reference_observations(spec, case_file))
        common = _common(case_file, problem)
        common.update(id=spec["id"], name=f"{d['name']} ({i} of {d['count']})")
        case = {**common, "spec": spec, "expected": reference,
                "features": graph_features(spec), "disagreements": []}
        if trace:
            case["trace"] = trace
        out.append(case)
    return out


def graph_features(spec: dict[str, Any]) -> list[str]:
    """The tricky things a data case's graph contains, read off the reference engine's graph.

    A hidden case's failure message names these, so the learner knows what kind of situation
    broke without seeing the inputs.
    """
    if spec["kind"] != "data":
        return []
    scope: dict[str, Any] = {"__builtins__": {}}
    leaves = {name: Value(v) for name, v in spec["values"].items()}
    scope.update(leaves)
    for step in spec["steps"]:
        exec(step, scope)
    result = eval(spec["expression"], scope)
    uses: dict[int, int] = {}
    seen: set[int] = set()
    stack = [result]
    features: set[str] = set()
    leaf_ids = {id(v) for v in leaves.values()}
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node._op == "relu" and node._prev[0].data == 0:
            features.add("relu_at_zero")
        for child in node._prev:
            uses[id(child)] = uses.get(id(child), 0) + 1
            if not child._prev and id(child) not in leaf_ids:
                features.add("plain_number")
            stack.append(child)
    for node_id, count in uses.items():
        if count > 1:
            features.add("reused_input" if node_id in leaf_ids else "shared_intermediate")
    return sorted(features)
