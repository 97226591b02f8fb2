"""The worker's entry point in Pyodide: grade a ``run`` message with the same runner as the CLI.

The page enforces time limits: it interrupts Python (``pyodide.setInterruptBuffer``) when a case
runs too long or the learner presses Stop, or, without cross-origin isolation, terminates the
worker and starts a new one that is told which cases already timed out (``known``). Either way the
report is built here, by ``runner.grade``, so the browser and ``gradlab grade`` agree.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from engine.browser.protocol import check
from engine.grading import observe
from engine.grading.grade import grade
from engine.grading.judge import skipped_after
from engine.grading.wording import (
    LOAD_STOPPED_MESSAGE,
    load_crashed_error,
    load_timeout_error,
    load_timeout_message,
)

_suites: dict[str, dict[str, Any]] = {}


def add_suite(suite_json: str) -> str:
    """Keep a compiled suite (fetched by the worker) for later runs; returns its version."""
    suite = json.loads(suite_json)
    _suites[suite["problem"]["slug"]] = suite
    return suite["version"]


def loaded_suites() -> str:
    """JSON ``{slug: version}`` of the suites kept so far: those added before the build-time
    snapshot was taken are there at once after a restore, so the worker need not fetch them."""
    return json.dumps({slug: suite["version"] for slug, suite in _suites.items()})


_warm_up: list[str] = []


def keep_warm_up(message_json: str) -> None:
    """Remember a run message (public code only: a starter) for ``warm_up``."""
    _warm_up[:] = [message_json]


def warm_up() -> None:
    """Grade the remembered run and drop the report. A restored interpreter runs its first
    grading several times slower than later ones (the browser compiles the wasm behind each
    Python feature the first time it is used); the worker calls this while idle, so the
    learner's first Run is as quick as any other."""
    for message_json in _warm_up:
        run(message_json, lambda index, limit: None, lambda: "timeout")


class BrowserExecutor:
    """Observes in this interpreter, one case at a time, telling the page when each case starts.

    A run may call ``observe`` twice (the cases, then the probes once a case failed); the page
    numbers cases across both calls, so ``known`` and ``case_start`` indices continue from one
    call to the next, and a replaced worker replays the same calls in the same order."""

    def __init__(self, known: dict[int, str], case_start: Callable[[int, float], None],
                 interrupt_reason: Callable[[], str]) -> None:
        self.known = known
        self.case_start = case_start
        self.interrupt_reason = interrupt_reason
        self.first = 0  # the page's index of this call's first case

    def observe(self, source: str, cases: list[dict[str, Any]]) -> dict[str, Any]:
        try:
            return self._observe(source, cases)
        finally:
            self.first += len(cases)

    def _observe(self, source: str, cases: list[dict[str, Any]]) -> dict[str, Any]:
        load_limit = max((c["time_limit"] for c in cases), default=5.0)
        if -1 in self.known:  # an earlier worker was stopped or died while the module loaded
            return {"load_error": self._given_up_load(self.known[-1], load_limit), "results": []}
        self.case_start(-1, load_limit)
        try:
            code, error = observe.load(source)
            if error is None:
                error = observe.check_module(code)
        except KeyboardInterrupt:
            error = {"type": "KeyboardInterrupt"}
        if error is not None and error["type"] == "KeyboardInterrupt":
            error = self._interrupted_load(load_limit)
        if error is not None:
            return {"load_error": error, "results": []}
        results: list[dict[str, Any]] = []
        for index, case in enumerate(cases, self.first):
            if results and results[-1]["status"] == "timeout":
                # Fail fast, as the CLI does: later cases would most likely hang too.
                results.extend(skipped_after(results[-1], cases[index - self.first:]))
                break
            if index in self.known:
                results.append({"id": case["id"], "status": self.known[index]})
                if self.known[index] == "stopped":
                    break
                continue
            self.case_start(index, case["time_limit"])
            try:
                result = observe.run_case(code, case["spec"])
            except KeyboardInterrupt:  # landed between learner calls
                result = {"id": case["id"], "status": "error",
                          "error": {"type": "KeyboardInterrupt"}}
            if result["status"] == "error" and result["error"]["type"] == "KeyboardInterrupt":
                reason = self.interrupt_reason()
                status = "stopped" if reason == "stop" else "timeout"
                result = {"id": case["id"], "status": status, "output": result.get("output", ""),
                          "output_dropped": result.get("output_dropped", 0),
                          "duration_ms": result.get("duration_ms", 0)}
                results.append(result)
                if status == "stopped":
                    break
                continue
            results.append(result)
        return {"load_error": None, "results": results}

    def _interrupted_load(self, limit: float) -> dict[str, Any]:
        return self._given_up_load("stopped" if self.interrupt_reason() == "stop" else "timeout",
                                   limit)

    @staticmethod
    def _given_up_load(verdict: str, limit: float) -> dict[str, Any]:
        if verdict == "stopped":
            return load_timeout_error(LOAD_STOPPED_MESSAGE)
        if verdict == "crashed":
            return load_crashed_error()
        return load_timeout_error(load_timeout_message(limit))


def run(message_json: str, case_start: Callable[[int, float], None],
        interrupt_reason: Callable[[], str]) -> str:
    """Handle one ``run`` message; returns the report as JSON."""
    message = check(json.loads(message_json), "run")
    suite = _suites.get(message["slug"])
    if suite is None or suite["version"] != message["suiteVersion"]:
        raise ValueError(f"suite {message['slug']} {message['suiteVersion']} is not loaded")
    known = {int(k): v for k, v in message["known"].items()}
    executor = BrowserExecutor(known, case_start, interrupt_reason)
    # Probes (hidden, uncounted, for the diagnosis) only run once a case has failed: a passing
    # run, the common one, skips them.
    report = grade(suite, message["source"], executor, probes_first=False)
    return json.dumps(report.to_dict())
