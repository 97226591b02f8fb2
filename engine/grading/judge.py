"""Compare what the observer saw with what was expected, and decide each case's verdict.

Works only on plain JSON from the observer: numbers are compared as real floats after their type
was checked, so nothing a learner's object does can make a case pass. What the learner reads
about it is worded in ``engine.grading.wording``.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from engine.grading import localise
from engine.grading.contract import Case, CaseResult, Mismatch, Observation, Outcome
from engine.grading.observe import number
from engine.grading.wording import (
    SKIPPED_MESSAGE,
    STOPPED_MESSAGE,
    case_timeout_message,
    check_failed_message,
    crash_message,
    describe_got,
    engine_message,
    error_message,  # re-exported too: tests/test_grader.py imports it from here
    hidden_message,
    load_timeout_error,  # re-exported: engine.sandbox.executor imports it from here
    load_timeout_message,  # re-exported, likewise
    visible_message,
)


def judge_case(case: Case, obs: Observation) -> CaseResult:
    """One case's verdict from its compiled form and the observer's result."""
    visible = case["visibility"] == "visible"
    result = CaseResult(
        id=case["id"], name=case["name"], status="passed", visibility=case["visibility"],
        output=obs.get("output", ""), output_truncated=obs.get("output_dropped", 0) > 0,
        duration_ms=obs.get("duration_ms", 0.0),
    )
    status = obs["status"]
    if status == "timeout":
        result.status = "timeout"
        # The browser knows the learner's line when its interrupt landed in their code.
        result.line = obs.get("line")
        result.message = case_timeout_message(case["time_limit"], result.line, obs.get("function"))
    elif status == "skipped":
        result.status = "timeout"
        result.message = SKIPPED_MESSAGE
    elif status == "stopped":
        result.status = "timeout"
        result.message = STOPPED_MESSAGE
    elif status == "crashed":
        result.status = "error"
        result.message = crash_message(obs.get("exit_code"))
    elif status == "error" and "engine" in case:
        result.status = "error"
        result.message, result.line = engine_message(case, obs)
    elif status == "error":
        result.status = "error"
        result.message, result.line = error_message(obs["error"], case, visible)
    elif status == "failed_assertion":
        result.status = "failed"
        text = obs["error"].get("message", "")
        result.message = check_failed_message(text) if visible else hidden_message(case, [])
    else:
        wrong = compare(case, obs.get("observations", {}))
        if wrong:
            result.status = "failed"
            # Which recorded values are wrong: telling for script cases, which have no graph.
            result.outcome = Outcome("fail", wrong=tuple(sorted(label for label, _, _ in wrong)),
                                     measured=measured(wrong))
            if "engine" in case:  # which engine was accepted or rejected says it all
                result.message, result.line = engine_message(case, obs)
            else:
                result.message = visible_message(case, wrong) if visible \
                    else hidden_message(case, wrong)
            if visible and "engine" not in case:
                result.details = _details(case, obs.get("observations", {}))
    figure_kind = case["spec"].get("figure")
    drawn = obs.get("figure")
    if visible and figure_kind and drawn and drawn.get("kind") == figure_kind:
        result.figure = drawn  # passed or not: a failing learner learns most from the picture
    if result.status != "passed":
        result.hint = case.get("hint")
        result.hints = case.get("hints") or []
    trace = case.get("trace")
    if trace and status == "ok":
        finding = None
        if result.status == "failed":
            finding = localise.localise(trace, obs.get("observations", {}), case["tolerance"],
                                     show_numbers=visible)
            result.where = finding.message if finding else None
            if finding:
                result.outcome = Outcome("fail", where=finding.kind,
                                         wrong=result.outcome.wrong if result.outcome else None,
                                         measured=result.outcome.measured if result.outcome
                                         else None)
        if visible:
            result.graph = localise.view(trace, obs.get("observations", {}), finding,
                                         case["tolerance"])
    if result.outcome is None:
        result.outcome = Outcome(_OUTCOMES[result.status])
    return result


_OUTCOMES: dict[str, Literal["pass", "fail", "error", "timeout"]] = {
    "passed": "pass", "failed": "fail", "error": "error", "timeout": "timeout"}


def measured(wrong: list[Mismatch]) -> str:
    """The wrong values, rounded so that the same mistake in another style measures the same
    ("a.grad=3,b.grad=-2"; "?" for what is not a number)."""
    parts = []
    for label, _, desc in sorted(wrong, key=lambda w: w[0]):
        got = number(desc)
        parts.append(f"{label}={'?' if got is None else format(got, '.6g')}")
    return ",".join(parts).replace("#", "")


def compare(case: Case, observations: dict[str, Any]) -> list[Mismatch]:
    """Every (label, expected, observed descriptor) that does not match, in the case's order."""
    tol = case["tolerance"]
    wrong = []
    for label, expected in case["expected"].items():
        desc = observations.get(label)
        got = number(desc)
        if got is None or not math.isclose(got, expected, rel_tol=tol["rel"], abs_tol=tol["abs"]):
            wrong.append((label, expected, desc))
    return wrong


def _details(case: Case, observations: dict[str, Any]) -> dict[str, Any]:
    spec = case["spec"]
    details: dict[str, Any] = {
        "expected": case["expected"],
        "got": {label: describe_got(observations.get(label)) for label in case["expected"]},
    }
    if spec["kind"] == "data":
        details.update(values=spec["values"], steps=spec.get("steps", []),
                       expression=spec["expression"])
    return details


def skipped_after(timed_out: Observation, cases: list[Case]) -> list[Observation]:
    """Observations for the cases not run after ``timed_out`` took its whole time limit."""
    return [{"id": c["id"], "status": "skipped", "after": timed_out["id"]} for c in cases]


__all__ = ["compare", "error_message", "judge_case", "load_timeout_error", "load_timeout_message",
           "measured",
           "skipped_after"]
