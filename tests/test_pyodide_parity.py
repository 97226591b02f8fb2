"""The browser's Python (real Pyodide, run in Node) gives the same verdicts as `gradlab grade`.

Every file in every problem's solutions/ (plus the starter) is graded both ways: CPython in a
child process, and Pyodide through `engine.browser.worker.run`, the worker's entry point.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

from conftest import REPO
from engine.authoring.browser_wheel import write_browser_wheel
from engine.authoring.check import load_and_compile
from engine.authoring.trace import problem_kind
from engine.grading.grade import grade

NODE = shutil.which("node")
PYODIDE = REPO / "node_modules" / "pyodide" / "pyodide.mjs"
pytestmark = pytest.mark.skipif(not (NODE and PYODIDE.exists()),
                                reason="needs node and npm install (./scripts/setup does both)")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel the site ships: the test grades with exactly what a learner's browser gets."""
    return write_browser_wheel(tmp_path_factory.mktemp("wheel"))


@pytest.mark.slow
def test_every_solution_file_gets_the_same_verdict_in_pyodide(wheel, tmp_path, sandbox):
    suites, jobs, files = {}, [], []
    for meta in sorted((REPO / "hidden_tests").glob("*/problem.toml")):
        if problem_kind(meta.parent) == "trace":
            continue  # no code: checked in the page, never by Python
        _, suite = load_and_compile(meta.parent)
        suites[suite["problem"]["slug"]] = suite
        for path in [*sorted((meta.parent / "solutions").rglob("*.py")), meta.parent / "starter.py"]:
            jobs.append({"slug": suite["problem"]["slug"], "source": path.read_text()})
            files.append(path)
    jobs_file = tmp_path / "jobs.json"
    jobs_file.write_text(json.dumps({"suites": {k: json.dumps(v) for k, v in suites.items()},
                                     "jobs": jobs}))
    result = subprocess.run([NODE, str(REPO / "tests/pyodide/grade_all.mjs"), str(wheel),
                             str(jobs_file)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    browser_reports = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(browser_reports) == len(jobs) > 20
    for path, job, b in zip(files, jobs, browser_reports, strict=True):
        a = grade(suites[job["slug"]], job["source"], sandbox).to_dict()
        assert (a["status"], a["passed"], a["total"]) == (b["status"], b["passed"], b["total"]), path
        verdict = lambda r: [_same_anywhere(t["id"], t["status"], t["message"], t["line"],  # noqa: E731
                                            t["hint"]) for t in r["tests"]]
        assert verdict(a) == verdict(b), path
        assert a["message"] == b["message"], path


def _same_anywhere(case_id, status, message, line, hint):
    """Two things may differ between CPython 3.11+ and Pyodide's Python: where a RecursionError
    surfaces (their stack limits differ), and the last digits of a float `sum()` (3.12 made it
    compensated). Everything else must match exactly."""
    if message:
        message = re.sub(r"-?\d+\.\d{10,}", lambda m: f"{float(m.group()):.9g}", message)
    if message and message.startswith("RecursionError"):
        return case_id, status, re.sub(r" \(line \d+, in \w+\)", "", message), None, hint
    return case_id, status, message, line, hint
