"""``gradlab check --mutants``: how strong is a problem's suite against plausible mistakes?

Every mutant of the reference (``engine.authoring.mutants``) runs against the suite. A mutant the
suite fails is killed. One it passes either behaves like the reference (equivalent: no score
penalty) or is a hole in the suite. Property testing tells them apart: the mutant is compared with
the reference engine on hundreds of random graphs built from the problem's ``ops`` (the same
generator as generated cases, more seeds, smaller graphs first). The first graph that shows a
difference becomes a proposed data case, its expected values from the reference engine, ready to
save under ``cases/``. A survivor no graph tells apart is reported as equivalent, with how many
graphs were tried: that is evidence, not proof. Random graphs only exercise ``Value``, so a
survivor outside that class (an ``MLP``, a helper) always stays a survivor.
"""

from __future__ import annotations

import ast
import copy
import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from engine.authoring import mutants as mutant_gen
from engine.authoring.generate import generate_graph
from engine.authoring.problem import DEFAULT_TOLERANCE, Problem
from engine.authoring.suite import make_case, reference_observations_plain
from engine.grading.contract import Case, DataSpec, Report, Suite, Tolerance
from engine.grading.grade import Executor, grade

MUTANT_TIME_LIMIT = 2.0  # seconds per case: a mutant that loops is killed, no need to wait longer
PROPERTY_GRAPHS = 300
PROPERTY_SEED = 20261124


@dataclass
class MutantResult:
    mutant: mutant_gen.Mutant
    status: str  # "killed" | "survived" | "equivalent"
    killed_by: str | None = None  # the first case that fails it
    how: str | None = None  # that case's status: failed, error, timeout...
    proposal: str | None = None  # a case file (TOML) that kills a survivor
    proposal_for: str | None = None  # the mutant whose listing shows that case first
    diff: str = ""

    def to_dict(self) -> dict[str, Any]:
        m = self.mutant
        return {"id": m.id, "operator": m.operator, "description": m.description, "line": m.line,
                "status": self.status, "killed_by": self.killed_by, "how": self.how,
                "proposal": self.proposal,
                "proposal_for": self.proposal_for, "diff": self.diff}


@dataclass
class MutationReport:
    slug: str
    reference: str  # path of the mutated file, for the diffs
    results: list[MutantResult] = field(default_factory=list)
    property_graphs: int = 0
    skipped: str | None = None  # why mutation testing did not run
    # The reference is a test (an engines problem): its mutants are killed by a buggy engine
    # they let through or a correct one they reject; no random graph can judge them.
    engines: bool = False

    def count(self, status: str) -> int:
        return sum(r.status == status for r in self.results)

    @property
    def score(self) -> float:
        """Killed over non-equivalent mutants (1.0 when there are none to kill)."""
        counted = self.count("killed") + self.count("survived")
        return self.count("killed") / counted if counted else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {"problem": self.slug, "reference": self.reference, "mutants": len(self.results),
                "killed": self.count("killed"), "survived": self.count("survived"),
                "equivalent": self.count("equivalent"), "score": round(self.score, 4),
                "property_graphs": self.property_graphs, "skipped": self.skipped,
                "results": [r.to_dict() for r in self.results]}


def run(problem: Problem, suite: Suite, executor: Executor, jobs: int = 2,
        graphs: int = PROPERTY_GRAPHS,
        on_start: Callable[[int], None] | None = None,
        on_mutant: Callable[[str], None] | None = None) -> MutationReport:
    """Mutation-test the suite. ``on_start(count)`` once the mutants are made, ``on_mutant(id)``
    as each is graded: the CLI's progress line (grading every mutant takes minutes)."""
    reference_path = problem.root / "reference.py"
    report = MutationReport(problem.slug, str(reference_path), engines=bool(problem.engines))
    try:
        mutants = mutant_gen.generate(problem.reference)
    except SyntaxError as exc:
        report.skipped = f"{reference_path}:{exc.lineno}: the reference does not parse: {exc.msg}"
        return report
    quick = _capped(suite)
    if on_start is not None:
        on_start(len(mutants))

    def grade_one(mutant: mutant_gen.Mutant) -> Report:
        report = grade(quick, mutant.source, executor)
        if on_mutant is not None:
            on_mutant(mutant.id)
        return report

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        graded = list(pool.map(grade_one, mutants))
        results = [_killed_or_not(m, r, problem.reference, reference_path.name)
                   for m, r in zip(mutants, graded, strict=True)]
        # Random graphs exercise the Value class only: a survivor elsewhere (an MLP, a helper
        # function) cannot be shown equivalent by them, so it stays a survivor.
        survivors = [r for r in results if r.status == "survived" and r.mutant.cls == "Value"]
        if survivors:
            properties = property_suite(problem, suite, executor, graphs)
            report.property_graphs = len(properties["cases"])
            failing = list(pool.map(lambda r: _failing_graphs(r, properties, executor), survivors))
            _propose(survivors, failing, properties)
    report.results = results
    return report


def _capped(suite: Suite) -> Suite:
    quick = copy.deepcopy(suite)
    for case in quick["cases"]:
        case["time_limit"] = min(case["time_limit"], MUTANT_TIME_LIMIT)
    return quick


def _killed_or_not(mutant: mutant_gen.Mutant, report: Report, original: str,
                   filename: str) -> MutantResult:
    result = MutantResult(mutant, "survived", diff=mutant.diff(original, filename))
    if report.load_error is not None:
        result.status, result.killed_by, result.how = "killed", "loading the file", "error"
    else:
        first = next((t for t in report.tests if t.status != "passed"), None)
        if first is not None:
            result.status, result.killed_by, result.how = "killed", first.name, first.status
    return result


def property_suite(problem: Problem, suite: Suite, executor: Executor, graphs: int) -> Suite:
    """Random graphs over the problem's ops, smallest first, that the reference solution passes."""
    if not problem.ops:
        return {**suite, "cases": []}
    rng = random.Random(PROPERTY_SEED)
    cases = []
    for i in range(graphs):
        size = 1 + i * 9 // max(1, graphs)  # grow from 1 to 10 steps: the first hit is small
        try:
            graph = generate_graph(rng, problem.ops, (size, size), (1, 3))
        except ValueError:
            break
        spec: DataSpec = {"id": f"property-{i + 1}", "kind": "data", "values": graph.values,
                          "steps": graph.steps, "expression": graph.expression,
                          "record": list(graph.values)}
        expected = reference_observations_plain(spec)
        if expected is None:
            continue
        cases.append(make_case(id=spec["id"], name=f"random graph {i + 1}", kind="data",
                               visibility="visible", hint=None, on_fail=None,
                               tolerance=Tolerance(**DEFAULT_TOLERANCE),
                               time_limit=MUTANT_TIME_LIMIT, source="properties", spec=spec,
                               expected=expected, features=[], disagreements=[]))
    properties: Suite = {**suite, "cases": cases}
    # Keep only graphs the instructor's own reference gets right (it may not support every op).
    checked = grade(properties, problem.reference, executor)
    passing = {t.id for t in checked.tests if t.status == "passed"}
    return {**suite, "cases": [c for c in cases if c["id"] in passing]}


def _failing_graphs(result: MutantResult, properties: Suite,
                    executor: Executor) -> list[str]:
    """Ids of the random graphs this survivor gets wrong; none means equivalent."""
    if not properties["cases"]:
        return []
    report = grade(properties, result.mutant.source, executor)
    failing = [t.id for t in report.tests if t.status != "passed"]
    if report.load_error is None and not failing:
        result.status = "equivalent"
    return failing


def _propose(survivors: list[MutantResult], failing: list[list[str]],
             properties: Suite) -> None:
    """As few new cases as catch every survivor: greedily, the graph that catches the most."""
    order = {c["id"]: i for i, c in enumerate(properties["cases"])}
    uncovered = {i for i, ids in enumerate(failing) if ids}
    while uncovered:
        counts: dict[str, int] = {}
        for i in uncovered:
            for case_id in failing[i]:
                counts[case_id] = counts.get(case_id, 0) + 1
        best = min(counts, key=lambda c: (-counts[c], order[c]))
        caught = sorted((i for i in uncovered if best in failing[i]),
                        key=lambda i: int(survivors[i].mutant.id[1:]))
        case = properties["cases"][order[best]]
        text = proposed_case(case, [survivors[i].mutant for i in caught])
        for i in caught:
            survivors[i].proposal = text
            survivors[i].proposal_for = survivors[caught[0]].mutant.id
        uncovered -= set(caught)


def proposed_case(case: Case, mutants: list[mutant_gen.Mutant]) -> str:
    """A data case file that these mutants fail and the reference passes."""
    spec, expected = case["spec"], case["expected"]
    used = _names_in(spec)
    leaves = [k for k in spec["values"] if k in used]
    ids = ", ".join(m.id for m in mutants)
    lines = [f'name = "Proposed: {_toml_text(spec["expression"])} (catches mutant'
             f'{"s" if len(mutants) > 1 else ""} {ids})"',
             'visibility = "hidden"',
             f'expression = "{spec["expression"]}"']
    if spec["steps"]:
        lines.append("steps = [" + ", ".join(f'"{s}"' for s in spec["steps"]) + "]")
    lines += ["", "[values]", *(f"{k} = {spec['values'][k]!r}" for k in leaves)]
    lines += ["", "[expected]", f"data = {expected['result.data']!r}", "", "[expected.grad]"]
    lines += [f"{k} = {expected[f'{k}.grad']!r}" for k in leaves]
    return "\n".join(lines) + "\n"


def _names_in(spec: DataSpec) -> set[str]:
    code = "\n".join([*spec["steps"], spec["expression"]])
    return {n.id for n in ast.walk(ast.parse(code)) if isinstance(n, ast.Name)}


def _toml_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', "'")


def render_text(report: MutationReport, show_killed: bool = False) -> str:
    if report.skipped:
        return f"{report.slug}: mutation testing skipped: {report.skipped}"
    n = len(report.results)
    killed, survived, equivalent = (report.count(s) for s in ("killed", "survived", "equivalent"))
    out = [f"{report.slug}: {n} mutants of {report.reference}: {killed} killed, {survived} survived, "
           f"{equivalent} equivalent"
           + (f" (no difference on {report.property_graphs} random graphs)" if equivalent else ""),
           f"{report.slug}: mutation score {killed}/{killed + survived} = {report.score:.1%}"]
    by_operator: dict[str, list[int]] = {}
    for r in report.results:
        counts = by_operator.setdefault(r.mutant.operator, [0, 0])
        counts[0] += 1
        counts[1] += r.status == "killed"
    out.append("  by kind of edit: " + ", ".join(f"{op} {k}/{total}"
                                                for op, (total, k) in sorted(by_operator.items())))
    for r in report.results:
        m = r.mutant
        if r.status == "killed" and show_killed:
            out.append(f"  killed     {m.id:<5} line {m.line:<4} {m.description}  <- {r.killed_by!r} "
                       f"({r.how})")
        elif r.status == "equivalent":
            out.append(f"  equivalent {m.id:<5} line {m.line:<4} {m.description}")
        elif r.status == "survived":
            out.append(f"  SURVIVED   {m.id:<5} line {m.line:<4} {m.description}")
            out.extend("    " + line for line in r.diff.rstrip("\n").splitlines())
            if r.proposal and r.proposal_for != m.id:
                out.append(f"    the case proposed for {r.proposal_for} catches it too")
            elif r.proposal:
                out.append("    this case would catch it (save it under cases/; expected values "
                           "come from the reference engine):")
                out.extend("      " + line for line in r.proposal.rstrip("\n").splitlines())
            elif report.engines:
                out.append("    this edit of your reference test still accepts every correct "
                           "engine and rejects every buggy one: add a buggy engine it lets "
                           "through (engines/*.py), or simplify the reference so the edit "
                           "cannot happen")
            elif m.cls != "Value":
                out.append("    random graphs test only the Value class: write a case this "
                           "mutant fails (or, if it cannot change behaviour, simplify the "
                           "reference)")
            else:
                out.append("    the problem lists no `ops` to draw random graphs from: write a "
                           "case this mutant fails, or accept it as equivalent")
    return "\n".join(out)


__all__ = ["MutantResult", "MutationReport", "property_suite", "proposed_case", "render_text", "run"]
