"""Name the learner's mistake: match their failure signature against the known wrong solutions.

Every file in a problem's ``solutions/wrong/`` is a known mistake: its first line says what it
is (``# Mistake: ...``) and an optional ``# Hint: ...`` line says what to look at. Grading it
gives a *signature*: how each case and each probe came out. Probes are small hidden graphs that
do not count toward the score, made from the problem's ``ops`` so they isolate one thing each
(one operation with an upstream gradient other than 1, a reused leaf, a shared intermediate,
relu at exactly 0, the output seed). A learner's failing run has a signature too; when it is
close enough to one known mistake, and clearly closer than to any other, the report names it.
No close match, no guess.

An instructor adds a diagnosis by adding a wrong-solution file; nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from engine.grading.problem import DEFAULT_TOLERANCE, Problem

MATCH_AT_LEAST = 0.75  # share of the telling results (not both passing) that must agree
MARGIN = 0.15  # ... and by this much more than the next known mistake

_BINARY = {"+": "+", "-": "-", "*": "*", "/": "/"}
_NUMBER_FORMS = {"+num": "a + 2", "-num": "a - 2", "*num": "a * 2", "/num": "a / 2",
                 "num+": "2 + a", "num-": "2 - a", "num*": "2 * a", "num/": "2 / a"}
_UNARY = {"relu": "a.relu()", "tanh": "a.tanh()", "exp": "a.exp()", "log": "a.log()",
          "sigmoid": "a.sigmoid()", "neg": "-a", "**": "a ** 3"}


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
        elif op in _UNARY:
            a = 0.5 if op in ("tanh", "sigmoid", "exp", "log") else 2.0
            add(f"{op} alone", _UNARY[op], {"a": a}, scale=False)
            add(f"{op} with upstream gradient", _UNARY[op], {"a": a})
    if "relu" in ops and "+" in ops:
        add("relu at exactly 0", "(a + b).relu()", {"a": 2.0, "b": -2.0})
        add("relu of a negative", "(a + b).relu()", {"a": 1.0, "b": -3.0})
    if "+" in ops and "*" in ops:
        add("shared intermediate", "d * c + d", {"a": 2.0, "b": 3.0, "c": 4.0},
            steps=["d = a * b"], scale=False)
        add("reused leaf in two operations", "a * b + a", {"a": 3.0, "b": 4.0}, scale=False)
        add("two different nodes with equal data", "a * b + c", {"a": 2.0, "b": 2.0, "c": 2.0},
            scale=False)
    return [{"name": name, "steps": steps, "expression": expression, "values": values}
            for name, steps, expression, values in probes]


def compile_probes(ops: list[str], time_limit: float) -> list[dict[str, Any]]:
    """Probes as suite cases, expected values from the reference engine (``suite.probes``)."""
    from engine.grading.suite import compile_data, reference_observations_plain

    cases = []
    for i, probe in enumerate(probe_specs(ops), 1):
        raw = {"id": f"probe-{i}", "kind": "data", "values": probe["values"],
               "steps": probe["steps"], "expression": probe["expression"],
               "record": list(probe["values"])}
        parts = compile_data(raw, reference_observations_plain)
        if parts is None:
            continue
        case = {"id": raw["id"], "name": f"probe: {probe['name']}", "kind": "data",
                "visibility": "hidden", "hint": None, "on_fail": None,
                "tolerance": dict(DEFAULT_TOLERANCE), "time_limit": time_limit,
                "source": "probes", **parts, "features": [], "disagreements": []}
        cases.append(case)
    return cases


def token(test: Any) -> str:
    """One case's outcome, coarse enough to be the same for the same mistake in another style:
    where the graph first goes wrong when that is known (``fail:backward * right``)."""
    if test.status == "passed":
        return "pass"
    if test.status == "failed":
        return test.signature or "fail"
    return test.status


def header(path: Path) -> tuple[str, str | None]:
    """The mistake's name and hint from a wrong solution's comment header."""
    mistake, hint = path.stem.replace("_", " "), None
    for line in path.read_text(encoding="utf-8").splitlines()[:10]:
        found = re.match(r"#\s*(Mistake|Hint):\s*(.+)", line)
        if found and found.group(1) == "Mistake":
            mistake = found.group(2).strip()
        elif found:
            hint = found.group(2).strip()
    return mistake, hint


def cache_dir() -> Path:
    """Where signatures are kept between runs: $GRADLAB_CACHE, else ~/.cache/gradlab."""
    if os.environ.get("GRADLAB_CACHE"):
        return Path(os.environ["GRADLAB_CACHE"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gradlab"


def _cache_key(problem: Problem, suite: dict[str, Any]) -> str:
    """Changes with the suite, any wrong solution, or the grader code that makes signatures."""
    digest = hashlib.sha256(suite["version"].encode())
    for path in problem.solutions("wrong"):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(module.read_bytes())
    return digest.hexdigest()[:24]


def known_mistakes(problem: Problem, suite: dict[str, Any], executor: Any,
                   jobs: int = 2) -> list[dict[str, Any]]:
    """Each wrong solution's name, hint and signature (``suite.mistakes``).

    Grading every wrong solution takes seconds for problems that train networks, so the result
    is cached on disk (see cache_dir) under a key that changes whenever it could."""
    path = cache_dir() / f"signatures-{problem.slug}-{_cache_key(problem, suite)}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    from engine.grading.runner import grade_with_signature

    paths = problem.solutions("wrong")
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        graded = list(pool.map(lambda p: grade_with_signature(
            suite, p.read_text(encoding="utf-8"), executor), paths))
    mistakes = mistakes_from(paths, graded)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(mistakes), encoding="utf-8")
        tmp.replace(path)
    except OSError:
        pass  # a read-only home: no cache, same result
    return mistakes


def mistakes_from(paths: list[Path], graded: list[tuple[Any, list[str]]]) -> list[dict[str, Any]]:
    """Known mistakes from wrong solutions already graded: (report, signature) per path."""
    mistakes = []
    for path, (report, signature) in zip(paths, graded, strict=True):
        if report.status == "pass" or report.load_error is not None:
            continue  # check reports a wrong file nothing catches; one that cannot load tells nothing
        mistake, hint = header(path)
        mistakes.append({"mistake": mistake, "hint": hint, "file": path.name,
                         "signature": signature})
    return mistakes


def similarity(a: list[str], b: list[str]) -> float:
    """Agreement over the results that tell something (where not both passed)."""
    telling = [(x, y) for x, y in zip(a, b, strict=True) if not (x == y == "pass")]
    if not telling:
        return 0.0
    return sum(_agreement(x, y) for x, y in telling) / len(telling)


def _agreement(x: str, y: str) -> float:
    if x == y:
        return 1.0
    if x.startswith("fail") and y.startswith("fail"):
        # Where a data case first goes wrong ("fail:@...") is only known when the learner's graph
        # could be read; when one side knows only which values were wrong ("fail:=..."), or
        # nothing ("fail"), the two are compatible. Two different known places disagree.
        kinds = {t[:6] if t.startswith(("fail:@", "fail:=")) else t for t in (x, y)}
        return 1.0 if kinds == {"fail:@", "fail:="} or "fail" in (x, y) else 0.25
    return 0.0


def diagnose(signature: list[str], mistakes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The known mistake this signature matches, or None when none is close and unambiguous."""
    scored = sorted(((similarity(signature, m["signature"]), m) for m in mistakes
                     if len(m["signature"]) == len(signature)), key=lambda s: -s[0])
    if not scored or scored[0][0] < MATCH_AT_LEAST:
        return None
    best, mistake = scored[0]
    if len(scored) > 1 and scored[1][0] > best - MARGIN and scored[1][1]["mistake"] != mistake["mistake"]:
        return None  # two mistakes fit about as well: naming one would be a guess
    return {"mistake": mistake["mistake"], "hint": mistake["hint"], "score": round(best, 3)}


def told_apart(mistakes: list[dict[str, Any]]) -> dict[str, str | None]:
    """For ``gradlab check``: which known mistakes the others would not be confused with.

    Each mistake's own signature is diagnosed against the others plus itself; the result is
    the name it gets (itself when told apart, another's or None when not).
    """
    out = {}
    for m in mistakes:
        found = diagnose(m["signature"], mistakes)
        out[m["file"]] = found["mistake"] if found else None
    return out


__all__ = [
    "compile_probes",
    "diagnose",
    "header",
    "known_mistakes",
    "mistakes_from",
    "probe_specs",
    "similarity",
    "token",
    "told_apart",
]
