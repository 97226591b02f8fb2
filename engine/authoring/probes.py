"""Probes: small hidden graphs that each isolate one thing, made from a problem's ``ops``.

One operation with an upstream gradient other than 1, a reused leaf, a shared intermediate, relu at
exactly 0, the output seed. They do not count toward the score; they make a failure's outcome list
(its signature) telling enough to name a known mistake (``engine.grading.diagnose``). Compiled
into the suite by ``engine.authoring.suite.compile_probes``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

_BINARY = {"+": "+", "-": "-", "*": "*", "/": "/"}
_NUMBER_FORMS = {"+num": "a + 2", "-num": "a - 2", "*num": "a * 2", "/num": "a / 2",
                 "num+": "2 + a", "num-": "2 - a", "num*": "2 * a", "num/": "2 / a"}
# The same forms with a float: code that wraps only an int (`isinstance(other, int)`) fails these.
_FLOAT_FORMS = {op: form.replace("2", "0.5") for op, form in _NUMBER_FORMS.items()}
_UNARY = {"relu": "a.relu()", "tanh": "a.tanh()", "exp": "a.exp()", "log": "a.log()",
          "sigmoid": "a.sigmoid()", "neg": "-a", "**": "a ** 3"}
# Where a branch for negative inputs (a numerically stable sigmoid) can go wrong on its own.
_NEGATIVE = {"tanh": -2.0, "exp": -2.0, "sigmoid": -2.0}
# Inputs whose textbook formulas overflow (e^2x for tanh, e^-x for sigmoid); the results are finite.
_LARGE = {"tanh": (800.0, -800.0), "sigmoid": (800.0, -800.0)}


def probe_specs(ops: list[str]) -> list[dict[str, Any]]:
    """Small graphs that each test one thing, from the operations the problem asks for."""
    upstream = "*" in ops  # multiply by c = 3 so the upstream gradient is not 1
    probes: list[tuple[str, list[str], str, dict[str, float]]] = []

    def add(name: str, expression: str, values: dict[str, float], steps: list[str] | None = None,
            scale: bool = True) -> None:
        if scale and upstream:
            expression, values = f"({expression}) * c", {**values, "c": 3.0}
        probes.append((name, steps or [], expression, values))

    for op in ops:
        if op in _BINARY:
            add(f"{op} alone", f"a {op} b", {"a": 3.0, "b": -2.0}, scale=False)
            add(f"{op} with upstream gradient", f"a {op} b", {"a": 3.0, "b": -2.0})
            add(f"{op} with a reused leaf", f"a {op} a", {"a": 3.0})
        elif op in _NUMBER_FORMS:
            add(f"{op} with upstream gradient", _NUMBER_FORMS[op], {"a": 3.0})
            add(f"{op} with a float", _FLOAT_FORMS[op], {"a": 3.0})
        elif op in _UNARY:
            a = 0.5 if op in ("tanh", "sigmoid", "exp", "log") else 2.0
            add(f"{op} alone", _UNARY[op], {"a": a}, scale=False)
            add(f"{op} with upstream gradient", _UNARY[op], {"a": a})
            if op in _NEGATIVE:
                add(f"{op} of a negative", _UNARY[op], {"a": _NEGATIVE[op]})
            for big in _LARGE.get(op, ()):
                # Alone, so an error can only come from this operation (its value or its rule).
                add(f"{op} of {big:g}", _UNARY[op], {"a": big}, scale=False)
            if "+" in ops:
                # The output's + adds to a first: a rule that assigns a.grad then loses it.
                add(f"{op} of a leaf also added", f"{_UNARY[op]} + a", {"a": a}, scale=False)
    if "**" in ops:
        add("** at 0", "a ** 3", {"a": 0.0}, scale=False)
    if "relu" in ops:
        add("relu of a small positive", "a.relu()", {"a": 0.5})
    if "relu" in ops and "+" in ops:
        add("relu at exactly 0", "(a + b).relu()", {"a": 2.0, "b": -2.0})
        add("relu of a negative", "(a + b).relu()", {"a": 1.0, "b": -3.0})
    if "+" in ops and "*" in ops:
        add("shared intermediate", "d * c + d", {"a": 2.0, "b": 3.0, "c": 4.0},
            steps=["d = a * b"], scale=False)
        # The same with d's short path first in `_prev`: a breadth-first order from the output
        # reaches d (one step away) before d * c, and runs d's rule before d * c adds to it.
        add("shared intermediate, its short path first", "d + d * c",
            {"a": 2.0, "b": 3.0, "c": 4.0}, steps=["d = a * b"], scale=False)
        add("reused leaf in two operations", "a * b + a", {"a": 3.0, "b": 4.0}, scale=False)
        add("two different nodes with equal data", "a * b + c", {"a": 2.0, "b": 2.0, "c": 2.0},
            scale=False)
        # Each of d's two users reaches d first on some path: a backward that recurses without
        # a topological order runs d's rule before the other user has added to d.grad.
        add("intermediate used by two operations", "d * c + d * e",
            {"a": 2.0, "b": 3.0, "c": 4.0, "e": 5.0}, steps=["d = a * b"], scale=False)
        add("two different operations with equal data", "a * b + c * e",
            {"a": 2.0, "b": 3.0, "c": 3.0, "e": 2.0}, scale=False)
    if "*" in ops:
        # Three levels: a backward that runs only the output's rule and its inputs' misses a * b.
        add("a chain three deep", "a * b * e * f", {"a": 2.0, "b": 3.0, "e": 4.0, "f": 5.0},
            scale=False)
        # An intermediate as both inputs of one operation: a backward that counts users per
        # edge but crosses one off per distinct user never runs d's rule.
        add("an intermediate used twice by one operation", "d * d", {"a": 2.0, "b": 3.0},
            steps=["d = a * b"], scale=False)
    return [{"name": name, "steps": steps, "expression": expression, "values": values}
            for name, steps, expression, values in probes]


# ---- Script probes: written per problem, as data, in ``<problem>/probes/*.toml`` ----
#
# A problem graded by script cases (a network, an optimizer, a numerical gradient) has no graph for
# the data probes above to isolate. Its probes are script cases of its own, in ``probes/``, each
# recording a few numbers that measure one behaviour (which parameter came where, the velocity
# after two steps, how far the caller's list moved), plus ``[[explain]]`` rules: when the recorded
# numbers are exactly these, say this. ``engine.grading.explain`` applies the rules; a rule fires
# only when the probe failed and every number it names matches, so a sentence is never said on a
# guess. Rule keys: ``when`` (label = number, or label = {min, max, not}), ``claim`` (the
# learner-facing sentence, without a final full stop), ``evidence`` (may name recorded numbers as
# ``{label}``), optional ``kind`` (an ``engine.grading.explain.RANK`` key, "script" by default).

PROBE_KEYS = {"name", "script", "explain", "tolerance", "time_limit"}
RULE_KEYS = {"when", "claim", "evidence", "kind"}
CONDITION_KEYS = {"min", "max", "not"}


def script_probe_files(root: Path) -> list[tuple[Path, dict[str, Any]]]:
    """Every ``probes/*.toml`` of the problem at ``root``, read and checked; sorted by name.

    Raises ValueError naming the file and what is wrong: a probe is authored like a case and a
    mistake in one must stop ``gradlab check`` just as a broken case does."""
    out = []
    for path in sorted((root / "probes").glob("*.toml")):
        with path.open("rb") as f:
            data = tomllib.load(f)
        problems = _probe_issues(data)
        if problems:
            raise ValueError(f"{path}: " + "; ".join(problems))
        out.append((path, data))
    return out


def _probe_issues(data: dict[str, Any]) -> list[str]:
    issues = [f"unknown key {k!r}" for k in data if k not in PROBE_KEYS]
    if not isinstance(data.get("name"), str) or not data.get("name"):
        issues.append("`name` must be a non-empty string")
    if not isinstance(data.get("script"), str) or not data.get("script", "").strip():
        issues.append("`script` must be Python that calls record(label, value)")
    for i, rule in enumerate(data.get("explain", []), 1):
        if not isinstance(rule, dict):
            issues.append(f"explain rule {i} must be a table")
            continue
        issues += [f"explain rule {i}: unknown key {k!r}" for k in rule if k not in RULE_KEYS]
        if not isinstance(rule.get("claim"), str) or not isinstance(rule.get("evidence"), str):
            issues.append(f"explain rule {i} needs `claim` and `evidence` strings")
        when = rule.get("when")
        if not isinstance(when, dict) or not when:
            issues.append(f"explain rule {i} needs `when`: the recorded numbers it is about")
            continue
        for label, cond in when.items():
            ok = isinstance(cond, (int, float)) or (
                isinstance(cond, dict) and cond and set(cond) <= CONDITION_KEYS
                and all(isinstance(v, (int, float)) for v in cond.values()))
            if not ok:
                issues.append(f"explain rule {i}: `when.{label}` must be a number or a table "
                              "of min, max, not")
    return issues
