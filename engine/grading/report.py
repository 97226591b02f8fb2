"""The grading report: small, versioned, the same from the CLI and the site.

Modelled on Exercism's test-runner ``results.json``: an overall status plus one entry per case
with name, status, message and captured output. The JSON Schema is
``engine/schemas/report.schema.json``; bump REPORT_VERSION on any incompatible change.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

REPORT_VERSION = 1
CASE_STATUSES = ("passed", "failed", "error", "timeout")
STATUSES = ("pass", "fail", "error")  # error: the code could not be loaded, so no case ran


@dataclass
class CaseResult:
    id: str
    name: str
    status: str  # one of CASE_STATUSES
    message: str | None = None  # what went wrong, in words a learner can act on
    visibility: str = "visible"
    hint: str | None = None  # shown only when the case did not pass
    line: int | None = None  # the learner's line for an exception
    output: str = ""  # captured print output, capped
    output_truncated: bool = False
    duration_ms: float = 0.0
    details: dict[str, Any] | None = None  # visible cases: inputs, expected and got
    where: str | None = None  # the first operation that goes wrong (engine.grading.localise)
    graph: dict[str, Any] | None = None  # visible data cases: every node, got and expected
    hints: list[str] = field(default_factory=list)  # a ladder: concept, direction, specific, code
    # How it failed, coarsely ("fail:backward * right"), for matching known mistakes; not sent.
    signature: str | None = field(default=None, repr=False)


@dataclass
class LoadError:
    type: str
    message: str
    line: int | None = None
    column: int | None = None
    traceback: str = ""


@dataclass
class Report:
    problem: str
    suite_version: str
    status: str  # one of STATUSES
    tests: list[CaseResult] = field(default_factory=list)
    message: str | None = None
    load_error: LoadError | None = None
    total: int = 0
    duration_ms: float = 0.0
    diagnosis: dict[str, Any] | None = None  # the closest known mistake: {mistake, hint, score}
    version: int = REPORT_VERSION

    @property
    def passed(self) -> int:
        return sum(t.status == "passed" for t in self.tests)

    def to_dict(self) -> dict[str, Any]:
        # By hand, not dataclasses.asdict: that deep-copies every graph, a third of the time
        # it takes to grade a file in a batch. Nothing here is changed after grading.
        data = {name: getattr(self, name) for name in _REPORT_FIELDS}
        data["tests"] = [{name: getattr(t, name) for name in _CASE_FIELDS} for t in self.tests]
        data["load_error"] = asdict(self.load_error) if self.load_error else None
        data["passed"] = self.passed
        return data


_REPORT_FIELDS = [f.name for f in fields(Report) if f.name not in ("tests", "load_error")]
_CASE_FIELDS = [f.name for f in fields(CaseResult) if f.name != "signature"]


def from_dict(data: dict[str, Any]) -> Report:
    """Rebuild a report from its JSON form (the browser's report is checked this way too)."""
    fields = {k: v for k, v in data.items() if k not in ("passed", "tests", "load_error")}
    tests = [CaseResult(**t) for t in data.get("tests", [])]
    load_error = LoadError(**data["load_error"]) if data.get("load_error") else None
    return Report(**fields, tests=tests, load_error=load_error)


_MARKS = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "timeout": "TIMEOUT"}


def render_text(report: Report, title: str | None = None) -> str:
    """A readable report for the terminal."""
    lines = [f"{report.problem}: {title}" if title else report.problem]
    if report.load_error is not None:
        lines.append(f"  ERROR  {report.message}")
        if report.load_error.traceback:
            lines.extend("         " + t for t in report.load_error.traceback.rstrip().splitlines())
        lines.append(f"0 of {report.total} passed: no case ran")
        return "\n".join(lines)
    for t in report.tests:
        lines.append(f"  {_MARKS[t.status]:<7} {t.name}")
        if t.status != "passed":
            if t.message:
                lines.extend("          " + m for m in t.message.splitlines())
            if t.where:
                lines.append(f"          where: {t.where}")
            if t.hint:
                lines.append(f"          hint: {t.hint}")
            if t.output:
                cut = " (cut)" if t.output_truncated else ""
                lines.append(f"          output{cut}:")
                lines.extend("          | " + o for o in t.output.rstrip().splitlines()[:20])
    lines.append(f"{report.passed} of {report.total} passed")
    if report.diagnosis:
        lines.append(f"This looks like: {report.diagnosis['mistake']}")
        if report.diagnosis.get("hint"):
            lines.append(f"  hint: {report.diagnosis['hint']}")
    return "\n".join(lines)
