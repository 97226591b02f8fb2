"""Grade one learner file against a compiled suite: observe, then judge, then report.

The runner does not care where observation happens: ``InProcessExecutor`` runs learner code in this
interpreter (the site's Pyodide worker, which enforces its own time limit from JavaScript), and
``engine.sandbox.executor.SubprocessExecutor`` runs it in a child process that can be killed (the CLI).
Both hand back the same plain observations, so the verdicts are the same.
"""

from __future__ import annotations

import time
from typing import Protocol

from engine.grading import diagnose, explain, observe
from engine.grading.contract import (
    Case,
    CaseResult,
    Diagnosis,
    LoadError,
    Observation,
    Observed,
    Outcome,
    Report,
    Suite,
)
from engine.grading.judge import judge_case
from engine.grading.wording import combining_wrong, load_error_message, order_not_ops


class Executor(Protocol):
    def observe(self, source: str, cases: list[Case]) -> Observed:
        """Return ``{"load_error": dict | None, "results": [observation per case, in order]}``."""
        ...


class InProcessExecutor:
    """Runs learner code in this interpreter: for Pyodide, and for trusted code on CPython."""

    def __init__(self, output_limit: int = observe.DEFAULT_OUTPUT_LIMIT) -> None:
        self.output_limit = output_limit

    def observe(self, source: str, cases: list[Case]) -> Observed:
        return observe.observe_all(source, [c["spec"] for c in cases], self.output_limit)


def grade(suite: Suite, source: str, executor: Executor,
          probes_first: bool = True) -> Report:
    """The whole pipeline for one submission; never raises for anything the learner wrote.

    When the suite carries known mistakes (``suite["mistakes"]``, see diagnose.py), a failing
    report names the closest one. ``probes_first=False`` runs the probes only after a case has
    failed, in a second pass: cheaper whenever most runs pass (the CLI and the browser); one pass
    suits a batch of mostly failing files."""
    report, signature, measured = _graded(suite, source, executor, probes_first)
    if report.status != "fail":
        return report
    mistakes = suite.get("mistakes")
    named = diagnose.diagnose(signature, mistakes) if mistakes else None
    if named is not None:
        named["evidence"] = explain.evidence(measured)
        report.diagnosis = named
    else:
        report.diagnosis = explain.diagnosis(measured) or engines_let_through(suite, report)
    return report


def engines_let_through(suite: Suite, report: Report) -> Diagnosis | None:
    """For a test the learner writes (engines cases), what their test did, summed up: which
    buggy engines it accepted and how many correct ones it rejected. True by construction: each
    case knows the engine it gave the test. None unless every failed case is an engines case whose
    test ran to a verdict (an error or a time-out says its own thing)."""
    cases = {c["id"]: c for c in suite["cases"]}
    failed = [t for t in report.tests if t.status != "passed"]
    if not failed or any(t.status != "failed" or "engine" not in cases.get(t.id, {})
                         for t in failed):
        return None
    engines = [cases[t.id]["engine"] for t in failed]
    accepted = [e for e in engines if "bug" in e]
    rejected = [e for e in engines if "bug" not in e]
    buggy = sum("bug" in c["engine"] for c in cases.values() if "engine" in c)
    correct = sum("bug" not in c["engine"] for c in cases.values() if "engine" in c)
    parts = []
    if accepted:
        parts.append(f"your test accepts {len(accepted)} of the {buggy} buggy engines")
    if rejected:
        parts.append(f"{'it' if parts else 'your test'} rejects {len(rejected)} of the {correct} "
                     "correct engines")
    evidence = [f"It accepts an engine whose {e['bug']}: {e['catch']}." for e in accepted]
    evidence += [f"It rejects a correct engine ({e.get('correct', 'a correct one')})."
                 for e in rejected]
    first = "; ".join(parts)
    return {"mistake": first[:1].upper() + first[1:] + ".", "hint": None, "score": 1.0,
            "basis": "measured", "evidence": evidence[:3]}


def grade_with_signature(suite: Suite, source: str, executor: Executor,
                         probes_first: bool = True) -> tuple[Report, list[Outcome]]:
    """The report, and how every case and probe came out (the failure signature)."""
    report, signature, _ = _graded(suite, source, executor, probes_first)
    return report, signature


def _graded(suite: Suite, source: str, executor: Executor, probes_first: bool
            ) -> tuple[Report, list[Outcome], list[explain.Measured]]:
    """The report, the failure signature, and what the failed probes measured."""
    started = time.perf_counter()
    cases = suite["cases"]
    probes = suite.get("probes", [])
    report = Report(problem=suite["problem"]["slug"], suite_version=suite["version"],
                    status="pass", total=len(cases))
    observed = executor.observe(source, cases + probes if probes_first else cases)
    measured: list[explain.Measured] = []
    error = observed["load_error"]
    if error is not None:
        message, line = load_error_message(error)
        report.status, report.message = "error", message
        report.load_error = LoadError(type=error["type"], message=message, line=line,
                                      column=error.get("column"),
                                      traceback=error.get("traceback", ""))
    else:
        by_id: dict[str, Observation] = {r["id"]: r for r in observed["results"]}
        stopped = any(r["status"] == "stopped" for r in observed["results"])
        for case in cases:
            obs = by_id.get(case["id"])
            if obs is None and stopped:
                continue  # the learner pressed Stop: later cases did not run and are not listed
            report.tests.append(judge_case(case, obs or {"id": case["id"], "status": "crashed",
                                                         "exit_code": None}))
        if report.passed < report.total:
            report.status = "fail"
            timed_out = any(r["status"] in ("timeout", "skipped") for r in observed["results"])
            # Not after a time-out (as one pass would have skipped them) nor after Stop: the
            # learner asked for their verdict now, not for the probes to hang again.
            if probes and not probes_first and not timed_out and not stopped:
                by_id.update((r["id"], r) for r in executor.observe(source, probes)["results"])
        probe_results = [judge_case(p, by_id.get(p["id"]) or {"id": p["id"], "status": "skipped"})
                         for p in probes]
        if report.status == "fail":
            seen = [by_id.get(p["id"]) for p in probes]
            measured = explain.explain(probes, seen)
            blame_the_order(report.tests, probe_results, measured,
                            explain.right_on_their_own(probes, seen))
    report.duration_ms = round((time.perf_counter() - started) * 1000, 3)
    if report.load_error is not None:
        return report, [], []
    return report, [diagnose.outcome(t) for t in report.tests + probe_results], measured


def blame_the_order(tests: list[CaseResult], probes: list[CaseResult],
                    measured: list[explain.Measured] | None = None,
                    right: set[str] | None = None) -> None:
    """Where every operation measured alone is right, say so instead of blaming one of them.

    Localising a case blames the first node whose gradient is wrong: "your `*` in `a * b` sends
    -36 to `b`". When backward() runs the rules in the wrong order, that `*` is correct (often
    the starter's own) and the number it sends is wrong only because its upstream gradient was
    not complete yet. The probes measure each of the problem's operations on its own
    (``engine.authoring.probes``: alone, with an upstream gradient other than 1, with one leaf as
    both inputs). When every one of those passes and the blamed operation is among them, a wrong
    gradient in a bigger graph comes from how backward() combines the rules (their order, a node
    visited twice or never), and that is what the learner is told. A failed or skipped
    per-operation probe (a timeout, Stop) leaves the per-operation message as it was; so does a
    blamed operation that no probe ran alone, and so does a node whose uses do not add up (that
    message already names both causes: `=` for `+=`, or a rule run too early). The outcome
    (``where`` kind, used to name known mistakes) is not changed.

    When not every per-operation probe passed, the probes may still show what is wrong
    (``measured``, from ``engine.grading.explain``): a seed measured wrong means every rule passed
    on the wrong amount, so no operation is blamed, the seed is; an order measured wrong (a rule
    that ran before its node's grad was complete, or never) clears each operation in ``right``
    (right alone, every other failure of its probes measured as the order or the seed: an
    operation the starter gives, say), and the blame goes to the order the probes measured."""
    alone = [p for p in probes if p.name.endswith(_ALONE)]
    if not alone:
        return
    every = all(p.status == "passed" for p in alone)
    found = measured or []
    seed = next((m for m in found if m.kind == "seed"), None)
    order = next((m for m in found if m.kind == "order"), None)
    cleared = {p.name.removeprefix("probe: ").split(" ", 1)[0] for p in alone} if every \
        else right or set()
    for test in tests:
        kind = test.outcome.where if test.outcome else None
        if test.where is None or kind is None:
            continue
        words = kind.split()
        if words[0] != "backward":
            continue  # "a node used twice holds one share" already names both causes: kept
        graph = test.graph
        node = next((n for n in graph["nodes"] if n["id"] == graph["first_difference"]), None) \
            if graph else None
        shown = (node["id"], node["grad"], node["expected_grad"], True) if node is not None \
            else ("", None, 0.0, False)
        if seed is not None:
            test.where = combining_wrong(*shown, None, seed.claim)
        elif words[1] not in cleared:
            continue
        elif every:
            test.where = order_not_ops(*shown)
        elif order is not None:
            test.where = combining_wrong(*shown, words[1], order.claim)


# The probes that measure one operation on its own (engine.authoring.probes names them so).
_ALONE = (" alone", " with upstream gradient", " with a reused leaf")
