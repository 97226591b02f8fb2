"""``gradlab check``: the instructor's gate that says whether a problem's tests mean anything.

For each problem: the files are valid; the starter fails (a suite the starter passes tests
nothing); the reference solution and every ``solutions/correct/`` file pass every case; every
``solutions/wrong/`` file fails at least one case (and we say which) and names its mistake in a
``# Mistake:`` header (the learner reads that name in "This looks like: ..."); stated expected
values agree with the reference engine.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from engine.authoring import mistakes as known
from engine.authoring.problem import Problem, ProblemError, ProblemIssue, load_problem
from engine.authoring.suite import ReferenceError_, compile_problem
from engine.authoring.trace import check_trace_problem, problem_kind
from engine.grading import diagnose
from engine.grading.contract import Outcome, Report, Suite
from engine.grading.grade import Executor, grade_with_signature


@dataclass
class CheckResult:
    slug: str
    issues: list[str] = field(default_factory=list)  # each a complete `path:line: message`
    lines: list[str] = field(default_factory=list)  # what was verified, for the log
    problem: Problem | None = None  # loaded and compiled, when the files are valid
    suite: Suite | None = None
    trace: dict | None = None  # a trace problem's page data (it has no problem or suite)

    @property
    def ok(self) -> bool:
        return not self.issues


def load_and_compile(root: Path, seed: int | None = None) -> tuple[Problem, Suite]:
    """Both steps, with a broken case reported like any other problem-file issue; ``seed``: a
    fresh seed for the generated cases (``compile_problem``)."""
    problem = load_problem(root)
    try:
        return problem, compile_problem(problem, seed)
    except ReferenceError_ as exc:
        raise ProblemError([ProblemIssue(exc.case.path, 1, str(exc))]) from None


def load_for_grading(root: Path, executor: Executor, jobs: int = 2, seed: int | None = None
                     ) -> tuple[Problem, Suite]:
    """The suite plus the known mistakes' signatures, so failing reports name the mistake."""
    problem, suite = load_and_compile(root, seed)
    suite["mistakes"] = known.known_mistakes(problem, suite, executor, jobs)
    return problem, suite


def check_problem(root: Path, executor: Executor, jobs: int = 2) -> CheckResult:
    if problem_kind(root) == "trace":
        issues, lines, page = check_trace_problem(root)
        return CheckResult(slug=root.name, issues=issues, lines=lines, trace=page)
    result = CheckResult(slug=root.name)
    try:
        problem, suite = load_and_compile(root)
    except ProblemError as exc:
        result.issues.extend(map(str, exc.issues))
        return result
    result.problem, result.suite = problem, suite
    for case in suite["cases"]:
        for d in case["disagreements"]:
            case_file = next(c for c in problem.cases if c.id == case["id"])
            label = d["label"]
            keys = (("expected", "grad", label.rsplit(".", 1)[0]) if label.endswith(".grad")
                    and case["kind"] == "data" else ("expected", "data")
                    if label == "result.data" else ("expected", label))
            result.issues.append(
                f"{case_file.path}:{case_file.line_of(*keys)}: expected {label} = "
                f"{d['stated']} but the reference engine computes {d['reference']}")
    n = len(suite["cases"])
    result.lines.append(f"{problem.slug}: {n} cases compiled")
    submissions: list[tuple[str, Path, str]] = [
        ("starter", root / "starter.py", problem.starter),
        ("reference", root / "reference.py", problem.reference),
    ]
    for kind in ("correct", "wrong"):
        submissions += [(kind, path, path.read_text(encoding="utf-8"))
                        for path in problem.solutions(kind)]
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        graded = list(pool.map(lambda s: grade_with_signature(suite, s[2], executor), submissions))
    if not problem.solutions("correct"):
        result.issues.append(f"{root / 'solutions/correct'}:1: no correct solutions: add at least "
                             "one other correct style besides the reference")
    if not problem.solutions("wrong"):
        result.issues.append(f"{root / 'solutions/wrong'}:1: no wrong solutions: add the mistakes "
                             "learners make, one file each, so the suite is shown to catch them")
    for (kind, path, _), (report, signature) in zip(submissions, graded, strict=True):
        _judge_submission(kind, path, report, result, signature)
        if kind == "wrong":
            _check_header(path, result)
    # The wrong solutions were just graded: their signatures come from those same runs.
    wrong = [(path, g) for (kind, path, _), g in zip(submissions, graded, strict=True)
             if kind == "wrong"]
    mistakes = known.mistakes_from([p for p, _ in wrong], [g for _, g in wrong])
    named = diagnose.told_apart(mistakes)
    apart = [m for m in mistakes if named[m["file"]] == m["mistake"]]
    result.lines.append(f"  diagnosis: {len(apart)} of {len(mistakes)} wrong solutions are told "
                        f"apart by their failure signature ({len(suite.get('probes', []))} probes)")
    for m in mistakes:
        if named[m["file"]] != m["mistake"]:
            close = max((o for o in mistakes if o is not m),
                        key=lambda o: diagnose.similarity(diagnose.signature_of(m),
                                                          diagnose.signature_of(o)))
            result.lines.append(f"    not told apart: {m['file']} looks like {close['file']}: "
                                "a learner with either mistake gets no diagnosis, only the "
                                "per-case messages")
    return result


def _check_header(path: Path, result: CheckResult) -> None:
    """A wrong solution must say what its mistake is: without ``# Mistake:`` the diagnosis falls
    back to the file name, and a learner reads "This looks like: relu ge"."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if known.has_mistake_header(lines):
        return
    where = next((i for i, text in enumerate(lines[:known.HEADER_LINES], 1)
                  if re.match(r"#\s*mistake\b", text, re.IGNORECASE)), 1)
    result.issues.append(
        f"{path}:{where}: no `# Mistake: ...` line in the first {known.HEADER_LINES} lines: "
        "learners would be told \"This looks like: "
        f"{path.stem.replace('_', ' ')}\"; start the file with `# Mistake: <what this code "
        "does wrong, in a sentence>` (and `# Hint: <what to do instead>`)")


def _judge_submission(kind: str, path: Path, report: Report, result: CheckResult,
                      signature: list[Outcome] | None = None) -> None:
    failing = [t for t in report.tests if t.status != "passed"]
    if kind == "starter":
        if report.status == "pass":
            result.issues.append(f"{path}:1: the starter code passes every case: the suite "
                                 "tests nothing the learner has to write")
        else:
            result.lines.append(f"  starter fails as it should ({report.passed}/{report.total})")
    elif kind in ("reference", "correct"):
        if report.status == "pass":
            result.lines.append(f"  ok   {kind:<9} {path.name} passes all {report.total}")
        elif report.load_error is not None:
            line = report.load_error.line or 1
            result.issues.append(f"{path}:{line}: this {kind} solution does not load: "
                                 f"{report.message}")
        else:
            for t in failing:
                line = t.line or 1
                result.issues.append(f"{path}:{line}: this {kind} solution fails case "
                                     f"{t.name!r}: {t.status}: {t.message}")
    elif report.status == "pass":
        probes = [o for o in (signature or [])[len(report.tests):]]
        if probes and all(o.status == "pass" for o in probes):
            result.issues.append(
                f"{path}:1: this wrong solution is accepted by every case and all {len(probes)} "
                "probes: if it is really wrong, add a case that it fails; if no case can, it is "
                "not a mistake (move it to solutions/correct/)")
        else:
            result.issues.append(f"{path}:1: no case catches this wrong solution: add a case "
                                 "that it fails")
    else:
        caught = report.message if report.load_error else (
            f"{len(failing)} of {report.total} cases, first {failing[0].name!r} "
            f"({failing[0].status})")
        result.lines.append(f"  ok   wrong     {path.name} caught by {caught}")


__all__ = ["CheckResult", "check_problem", "load_and_compile", "load_for_grading"]
