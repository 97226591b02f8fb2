"""The instructor's gate on every shipped problem: ``gradlab check --mutants``, run once.

For each problem under hidden_tests/: the files are valid, the starter fails, the reference and
every correct solution pass, every wrong solution is caught, and every mutant of the reference
that is not equivalent is killed. This is the only place the test run does mutation testing of
the shipped problems (scripts/test used to run it a second time before pytest).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.authoring import mutation
from engine.authoring.check import check_problem
from engine.authoring.trace import problem_kind
from engine.sandbox.executor import best_executor

REPO = Path(__file__).resolve().parents[1]
# Code problems: a trace problem has no code to check or mutate (tests/test_trace.py checks it).
PROBLEMS = sorted(p.parent for p in (REPO / "hidden_tests").glob("*/problem.toml")
                  if problem_kind(p.parent) == "code")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def executor():
    return best_executor()


@pytest.mark.parametrize("root", PROBLEMS, ids=[p.name for p in PROBLEMS])
def test_check_and_mutants_pass(root, executor):
    checked = check_problem(root, executor)
    assert checked.ok, "\n".join(checked.issues)
    assert any(line.endswith("cases compiled") for line in checked.lines)
    assert checked.problem is not None and checked.suite is not None
    report = mutation.run(checked.problem, checked.suite, executor, jobs=2)
    text = mutation.render_text(report)
    print(text)  # the gate's own words in the log (pytest -s, or on failure)
    assert report.skipped is None, report.skipped
    assert report.count("survived") == 0, text
    assert report.score == 1.0
    if root.name == "basic-ops":
        _basic_ops_details(checked.lines, report)


def _basic_ops_details(lines: list[str], report: mutation.MutationReport) -> None:
    """What basic-ops' gate must show beyond the counts: it is the problem the guide explains."""
    assert any("ok   wrong     assign_instead_of_accumulate.py caught by" in line for line in lines)
    assert len(report.results) > 100
    by_description = {r.mutant.description: r for r in report.results}
    # relu forward: `0 if x < 0` and `0 if x <= 0` give the same output, and random graphs agree
    assert by_description["'<' -> '<=' in `self.data < 0`"].status == "equivalent"
    # relu backward at the kink is a real bug, caught by the relu-at-zero cases
    kink = by_description["'>' -> '>=' in `out.data > 0`"]
    assert kink.status == "killed" and kink.how == "failed"
    assert by_description["delete `self.grad = 1`"].status == "killed"
    assert report.property_graphs >= 250  # equivalence was judged on many graphs, not a few
    killed = report.count("killed")
    assert f"mutation score {killed}/{killed} = 100.0%" in mutation.render_text(report)


def test_no_known_mistake_describes_its_example_file_instead_of_the_learners_code():
    """A known mistake's `# Mistake:` text is what every learner whose run matches it reads: it
    may say what that behaviour is, never what the example file happens to do ("`_prev` here",
    "a 50% tolerance here": blind set 7 was told such a cause its test did not have)."""
    import re

    said = [(path, path.read_text(encoding="utf-8").split("\n", 1)[0])
            for path in sorted(REPO.glob("hidden_tests/*/solutions/wrong/*.py"))]
    assert said
    here = [f"{p.parent.parent.parent.name}/{p.name}" for p, line in said
            if re.search(r"\bhere\b", line, re.IGNORECASE)]
    assert not here, here
