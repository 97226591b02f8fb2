"""Compile a validated problem into a suite: plain, JSON-ready data that the runner needs.

A suite holds what the learner may see (name, visibility, hint) and, per case, two separate
parts: ``spec``, the only thing the observer receives, and ``expected``, which only the judge reads.
Expected values not written by the instructor come from the reference engine (``engine.autograd``);
ones that are written are kept, and ``gradlab check`` reports any that disagree with the engine.
The schema is ``engine/schemas/suite.schema.json``.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import re
from collections.abc import Callable
from typing import Any, NotRequired, TypedDict

from engine.authoring import flatten
from engine.authoring.generate import generate_graph
from engine.authoring.probes import probe_specs, script_probe_files
from engine.authoring.problem import DEFAULT_TOLERANCE, NEXT_KEY, CaseFile, Problem, line_of
from engine.autograd import Value
from engine.grading import observe
from engine.grading.contract import (
    Case,
    DataSpec,
    Disagreement,
    EngineSpec,
    Spec,
    Suite,
    Tolerance,
    Trace,
)

SUITE_SCHEMA = "gradlab.suite/1"


class ReferenceError_(Exception):
    """The reference engine could not run a case: the case itself is broken."""

    def __init__(self, case: CaseFile, message: str, line: int = 1) -> None:
        self.case = case
        self.line = line  # in the case file: the key whose code failed, when that can be told
        super().__init__(message)


def _value_lines(source: str, key: str) -> list[tuple[int, str]]:
    """The lines (number, text) that ``key = ...``'s value spans in a TOML file, the key's own
    line with ``key =`` cut off: up to the next key or table outside a multi-line string."""
    start = line_of(source, key)
    lines = source.splitlines()
    head = re.compile(rf'^\s*"?{re.escape(key)}"?\s*=')
    if start > len(lines) or not head.match(lines[start - 1]):
        return []
    span: list[tuple[int, str]] = []
    quote = None
    for number in range(start, len(lines) + 1):
        text = lines[number - 1]
        if number > start and quote is None and NEXT_KEY.match(text):
            break
        span.append((number, head.sub("", text) if number == start else text))
        for mark in ("'''", '"""'):
            if text.count(mark) % 2 and quote in (None, mark):
                quote = None if quote == mark else mark
    return span


def error_line(case_file: CaseFile, kind: str, message: str) -> int:
    """Where in the case file the reference's error comes from: a name that is not defined, on
    the first line of the case's code that uses it; any other error, at the case's code (its
    `expression` for a data case). 1 when neither can be found."""
    spans = [_value_lines(case_file.source, key)
             for key in (("steps", "expression") if kind == "data" else ("script",))]
    undefined = re.match(r"name '(\w+)' is not defined", message)
    if undefined:
        word = re.compile(rf"\b{undefined.group(1)}\b")
        found = next((n for span in spans for n, text in span if word.search(text)), None)
        if found is not None:
            return found
    return next((span[0][0] for span in reversed(spans) if span), 1)


def make_case(*, id: str, name: str, kind: str, visibility: str, hint: str | None,
              on_fail: str | None, tolerance: Tolerance, time_limit: float, source: str,
              spec: Spec, expected: dict[str, float], features: list[str],
              disagreements: list[Disagreement], hints: list[str] | None = None,
              trace: Trace | None = None) -> Case:
    """A compiled case, the one way every case, probe and property graph is made.

    ``hints`` and ``trace`` are left out when not given (probes and random property graphs have
    no hint ladder; a case whose expression does not flatten has no trace). Keys in one order,
    so a suite compiles to the same JSON, and the same version, every time."""
    case: dict[str, Any] = {"id": id, "name": name, "kind": kind, "visibility": visibility,
                            "hint": hint}
    if hints is not None:
        case["hints"] = hints
    case.update(on_fail=on_fail, tolerance=tolerance, time_limit=time_limit, source=source,
                spec=spec, expected=expected, features=features)
    if trace is not None:
        case["trace"] = trace
    case["disagreements"] = disagreements
    return case  # type: ignore[return-value]


class CaseParts(TypedDict):
    """What one reference run gives a case (``compile_data``)."""

    spec: Spec
    expected: dict[str, float]
    features: list[str]
    trace: NotRequired[Trace]


def compile_problem(problem: Problem, seed: int | None = None) -> Suite:
    """Problem files -> suite. Raises ReferenceError_ when the engine cannot run a case.

    ``seed`` (``--fresh-seed``) replaces every generated case file's own seed, so a regrade draws
    graphs the learner never saw; None keeps the files' seeds, which the browser uses too."""
    cases: list[Case] = []
    for case_file in problem.cases:
        cases.extend(_compile_case(case_file, problem, seed))
    body: dict[str, Any] = {
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
        # Hidden graphs that do not count: they make failure signatures telling (engine.grading.diagnose).
        "probes": (compile_probes(problem.ops, problem.time_limit) if problem.ops else [])
        + compile_script_probes(problem),
    }
    text = json.dumps(body, sort_keys=True).encode()
    body["version"] = hashlib.sha256(text).hexdigest()[:16]
    return body  # type: ignore[return-value]


def _common(case_file: CaseFile, problem: Problem) -> dict[str, Any]:
    """``make_case``'s arguments that come from the case file itself."""
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


def _compile_case(case_file: CaseFile, problem: Problem, seed: int | None = None) -> list[Case]:
    d = case_file.data
    if d["kind"] == "generated":
        return _generated_cases(case_file, problem, seed)
    if d["kind"] == "engines":
        return engine_cases(case_file, problem)
    parts: CaseParts | None
    if d["kind"] == "data":
        raw: DataSpec = {"id": case_file.id, "kind": "data", "values": d["values"],
                         "steps": d.get("steps", []), "expression": d["expression"],
                         "record": d.get("record", list(d["values"]))}
        parts = compile_data(raw, lambda spec: reference_observations(spec, case_file, problem))
        stated = {}
        if "data" in d.get("expected", {}):
            stated["result.data"] = d["expected"]["data"]
        stated.update({f"{k}.grad": v for k, v in d.get("expected", {}).get("grad", {}).items()})
    else:
        spec: Spec = {"id": case_file.id, "kind": "script", "script": d["script"]}
        if "figure" in d:
            spec["figure"] = d["figure"]
        parts = {"spec": spec, "expected": reference_observations(spec, case_file, problem),
                 "features": []}
        stated = dict(d.get("expected", {}))
    assert parts is not None  # reference_observations raises rather than return None
    reference = parts["expected"]
    # Stated values win, so a case means what its author wrote; `check` lists any disagreement.
    disagreements = [{"label": k, "stated": v, "reference": reference.get(k)}
                     for k, v in stated.items() if not _agree(v, reference.get(k), d)]
    return [make_case(**_common(case_file, problem), spec=parts["spec"],
                      expected={**reference, **stated}, features=parts["features"],
                      trace=parts.get("trace"), disagreements=disagreements)]


def engine_cases(case_file: CaseFile, problem: Problem) -> list[Case]:
    """One case per engine file: the learner's test must accept each correct engine (expected
    ``accepted`` 1) and reject each buggy one (0). Expected by construction, from the headers:
    nothing is computed, so nothing can disagree. Case ids and specs are numbered, never named
    after the engine, and the spec carries the engine without its header."""
    d = case_file.data
    function = d.get("function", "check_engine")
    correct = [e for e in problem.engines if not e.buggy]
    buggy = [e for e in problem.engines if e.buggy]
    out = []
    for i, engine in enumerate(correct + buggy, 1):
        if engine.buggy:
            n = buggy.index(engine) + 1
            name = f"{d['name']} rejects buggy engine {n} of {len(buggy)}"
        else:
            name = f"{d['name']} accepts a correct engine ({engine.header['correct']})"
        common = _common(case_file, problem)
        common.update(id=f"{case_file.id}-{i}", name=name, kind="engines")
        spec: EngineSpec = {"id": common["id"], "kind": "engine", "engine": engine.body,
                            "function": function}
        case = make_case(**common, spec=spec, expected={"accepted": 0 if engine.buggy else 1},
                         features=[], disagreements=[])
        case["engine"] = {"file": str(engine.path.relative_to(problem.root)), **engine.header}
        out.append(case)
    return out


def compile_data(raw: DataSpec, observe_reference: Callable[[DataSpec], dict[str, float] | None]
                 ) -> CaseParts | None:
    """A data case's spec, expected values, graph features and trace, from one reference run.

    The spec gets its one-operation-per-line form when the expression is plain operations (else
    it is graded but not drawn); ``observe_reference`` gives every observation, the per-node
    ones (``@t1.grad``) included, or None when the reference cannot run it.
    """
    try:
        nodes, output = flatten.flatten(raw["values"], raw["steps"], raw["expression"])
    except (ValueError, SyntaxError, AssertionError):
        nodes, output = None, None
    spec: DataSpec = raw if nodes is None else {
        **raw, "flat": flatten.flat_code(nodes), "output": output, "trace": [n.id for n in nodes]}
    observed = observe_reference(spec)
    if observed is None:
        return None
    leaves, scope, result = _reference_graph(spec)
    parts: CaseParts = {"spec": spec,
                        "expected": {k: v for k, v in observed.items() if not k.startswith("@")},
                        "features": graph_features(leaves, result)}
    if nodes is not None:
        parts["trace"] = {"nodes": [n.to_dict() for n in nodes], "output": output,
                          "expected": {k: v for k, v in observed.items() if k.startswith("@")},
                          "edges": flatten.edge_contributions(nodes, scope)}
    return parts


def _reference_graph(spec: DataSpec) -> tuple[dict[str, Value], dict[str, Any], Value]:
    """The case run on the reference engine, backward() done: its leaves, scope and result."""
    leaves = {name: Value(v) for name, v in spec["values"].items()}
    scope: dict[str, Any] = {"__builtins__": {}, **leaves}
    if "flat" in spec:
        for line in spec["flat"]:
            exec(line, scope)
        result = scope[spec["output"]]
    else:
        for step in spec["steps"]:
            exec(step, scope)
        result = eval(spec["expression"], scope)
    result.backward()
    return leaves, scope, result


def _agree(stated: float, reference: float | None, d: dict[str, Any]) -> bool:
    tol = {**DEFAULT_TOLERANCE, **d.get("tolerance", {})}
    return reference is not None and math.isclose(stated, reference, rel_tol=tol["rel"],
                                                  abs_tol=tol["abs"])


def reference_observations_plain(spec: Spec) -> dict[str, float] | None:
    """Like reference_observations, for generated cases: None when the engine cannot run it."""
    result = observe.observe_with(Value, spec)
    if result["status"] != "ok":
        return None
    numbers = {k: observe.number(d) for k, d in result["observations"].items()}
    if any(v is None for v in numbers.values()):
        return None
    return numbers  # type: ignore[return-value]


def reference_observations(spec: Spec, case_file: CaseFile,
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
                                         f"{err['type']}: {err['message']}{where}",
                              error_line(case_file, spec["kind"], err["message"]))
    numbers = {}
    for label, desc in result["observations"].items():
        value = observe.number(desc)
        if value is None:
            raise ReferenceError_(case_file, f"the reference engine records a non-number for "
                                             f"{label!r}: {desc}")
        numbers[label] = value
    return numbers


def _generated_cases(case_file: CaseFile, problem: Problem, seed: int | None = None
                     ) -> list[Case]:
    d = case_file.data
    # A fresh seed is mixed with the file's id so two generated files never draw the same graphs.
    rng = random.Random(d["seed"] if seed is None else f"gradlab-fresh:{seed}:{case_file.id}")
    ops = d.get("ops", problem.ops)
    out = []
    for i in range(1, d["count"] + 1):
        drawn = generate_graph(rng, ops, tuple(d.get("nodes", (3, 10))),
                               tuple(d.get("leaves", (2, 4))))
        raw: DataSpec = {"id": f"{case_file.id}-{i}", "kind": "data", "values": drawn.values,
                         "steps": drawn.steps, "expression": drawn.expression,
                         "record": list(drawn.values)}
        parts = compile_data(raw, lambda spec: reference_observations(spec, case_file))
        assert parts is not None  # reference_observations raises rather than return None
        common = _common(case_file, problem)
        common.update(id=raw["id"], name=f"{d['name']} ({i} of {d['count']})")
        out.append(make_case(**common, spec=parts["spec"], expected=parts["expected"],
                             features=parts["features"], trace=parts.get("trace"),
                             disagreements=[]))
    return out


def compile_probes(ops: list[str], time_limit: float) -> list[Case]:
    """Probes as suite cases, expected values from the reference engine (``suite.probes``)."""
    cases = []
    for i, probe in enumerate(probe_specs(ops), 1):
        raw: DataSpec = {"id": f"probe-{i}", "kind": "data", "values": probe["values"],
               "steps": probe["steps"], "expression": probe["expression"],
               "record": list(probe["values"])}
        parts = compile_data(raw, reference_observations_plain)
        if parts is None:
            continue
        cases.append(make_case(id=raw["id"], name=f"probe: {probe['name']}", kind="data",
                               visibility="hidden", hint=None, on_fail=None,
                               tolerance=Tolerance(**DEFAULT_TOLERANCE), time_limit=time_limit,
                               source="probes", spec=parts["spec"], expected=parts["expected"],
                               features=[], trace=parts.get("trace"), disagreements=[]))
    return cases


def compile_script_probes(problem: Problem) -> list[Case]:
    """The problem's own probes (``probes/*.toml``, see ``engine.authoring.probes``) as hidden
    script cases, expected values from ``reference.py``, each with its ``explain`` rules."""
    cases = []
    try:
        files = script_probe_files(problem.root)
    except (ValueError, OSError) as exc:  # tomllib.TOMLDecodeError is a ValueError
        where = CaseFile(id="probes", path=problem.root / "probes", data={}, source="")
        raise ReferenceError_(where, str(exc)) from None
    for path, data in files:
        spec: Spec = {"id": f"probe-{path.stem}", "kind": "script", "script": data["script"]}
        case_file = CaseFile(id=spec["id"], path=path, data=data, source="")
        case = make_case(id=spec["id"], name=f"probe: {data['name']}", kind="script",
                         visibility="hidden", hint=None, on_fail=None,
                         tolerance=Tolerance(**{**DEFAULT_TOLERANCE, **data.get("tolerance", {})}),
                         time_limit=float(data.get("time_limit", problem.time_limit)),
                         source=str(path.relative_to(problem.root)), spec=spec,
                         expected=reference_observations(spec, case_file, problem), features=[],
                         disagreements=[])
        case["explain"] = data.get("explain", [])
        cases.append(case)
    return cases


def graph_features(leaves: dict[str, Value], result: Value) -> list[str]:
    """The tricky things a data case's graph contains, read off the reference engine's graph.

    A hidden case's failure message names these, so the learner knows what kind of situation
    broke without seeing the inputs.
    """
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
