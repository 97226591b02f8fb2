"""`--fresh-seed`: a regrade draws generated cases the learner never saw, reproducibly, and still
tells a correct solution from a wrong one."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import BASIC, REPO
from engine.authoring.check import load_and_compile
from engine.grading.grade import InProcessExecutor, grade

GRADLAB = [sys.executable, "-m", "engine.cli"]
CORRECT = (BASIC / "solutions/correct/micrograd_textbook.py").read_text()
WRONG = (BASIC / "solutions/wrong/relu_gradient_at_zero_is_one.py").read_text()


def generated(suite: dict) -> dict[str, dict]:
    return {c["id"]: c["spec"] for c in suite["cases"] if c["source"].endswith("random-graphs.toml")}


def test_a_fresh_seed_draws_other_graphs_for_generated_cases_only():
    _, usual = load_and_compile(BASIC)
    _, fresh = load_and_compile(BASIC, seed=1234)
    _, again = load_and_compile(BASIC, seed=1234)
    _, other = load_and_compile(BASIC, seed=99)
    assert generated(usual) and generated(fresh).keys() == generated(usual).keys()
    for case_id, spec in generated(fresh).items():
        assert (spec["values"], spec["steps"]) != (generated(usual)[case_id]["values"],
                                                   generated(usual)[case_id]["steps"]), case_id
    assert generated(fresh) == generated(again)  # reproducible from N
    assert generated(fresh) != generated(other)
    fixed = [c for c in usual["cases"] if c["id"] not in generated(usual)]
    assert fixed == [c for c in fresh["cases"] if c["id"] not in generated(fresh)]
    assert fresh["version"] != usual["version"]  # a report says which cases it was graded on


@pytest.mark.parametrize("seed", [1234, 99])
def test_with_a_fresh_seed_correct_still_passes_and_wrong_still_fails(seed):
    _, suite = load_and_compile(BASIC, seed=seed)
    assert grade(suite, CORRECT, InProcessExecutor()).status == "pass"
    report = grade(suite, WRONG, InProcessExecutor())
    assert report.status == "fail"
    # ...and the freshly drawn graphs themselves catch it, not only the fixed cases.
    assert any(t.status == "failed" for t in report.tests if t.id in generated(suite))


@pytest.mark.slow
def test_cli_prints_a_random_fresh_seed_and_the_class_json_records_it(tmp_path):
    mine = BASIC / "solutions/correct/micrograd_textbook.py"
    result = subprocess.run([*GRADLAB, "grade", "basic-ops", str(mine), "--fresh-seed"],
                            capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    assert re.search(r"fresh seed \d+ \(--fresh-seed \d+ draws the same cases again\)",
                     result.stderr)
    (tmp_path / "class" / "basic-ops").mkdir(parents=True)
    (tmp_path / "class" / "basic-ops" / "ada.py").write_text(mine.read_text())
    result = subprocess.run([*GRADLAB, "grade", "--class", str(tmp_path / "class"),
                             "--fresh-seed", "7", "--format", "json"],
                            capture_output=True, text=True, cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["seed"] == 7 and data["students"][0]["results"]["basic-ops"]["status"] == "pass"


def test_a_fresh_seed_that_is_not_a_number_is_bad_usage():
    result = subprocess.run([*GRADLAB, "grade", "basic-ops", "x.py", "--fresh-seed", "abc"],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert result.returncode == 2 and "--fresh-seed 'abc': give a whole number" in result.stderr
