"""A case's figure (issue #18): the classification problem's training case gives the page what the
learner's code produced (losses, the trained model's boundary on a grid, the points), for a
passing run and a failing one, through the sandboxed child as through the in-process path; the
numbers are checked like recorded ones, and only cases that declare a figure (visible ones) get it.
"""

from __future__ import annotations

import json
import textwrap

import pytest
from test_problem_files import issues_for
from test_schemas import validate

from conftest import REPO, write_problem
from engine.authoring.check import load_and_compile
from engine.grading import observe
from engine.grading.grade import grade

CLASSIFY = REPO / "hidden_tests" / "classification"
TRAINING = "Training a 2-8-2 MLP"


@pytest.fixture(scope="module")
def suite():
    return load_and_compile(CLASSIFY)[1]


def figures(report: dict) -> dict[str, dict]:
    return {t["name"]: t["figure"] for t in report["tests"] if t["figure"] is not None}


def test_a_passing_run_draws_falling_losses_and_a_boundary_that_fits_the_points(suite, sandbox):
    report = grade(suite, (CLASSIFY / "reference.py").read_text(), sandbox).to_dict()
    validate(report, "report.schema.json")
    assert report["status"] == "pass"
    drawn = figures(report)
    assert list(drawn) == [t["name"] for t in report["tests"] if t["name"].startswith(TRAINING)]
    fig = next(iter(drawn.values()))
    losses = fig["losses"]
    assert len(losses) == 30 and all(isinstance(x, float) for x in losses)
    assert losses[-1] < losses[0] / 2 and losses[0] > 0.5
    assert fig["accuracy"] >= 0.9
    grid = fig["grid"]
    assert grid["size"] == 24 and len(grid["scores"]) == 24 * 24
    assert all(0 <= p <= 1 for p in grid["scores"])
    assert {p[2] for p in fig["points"]} == {0, 1} and len(fig["points"]) == 32
    # The boundary is the model's: the cell under each point mostly says that point's class.
    (left, right), (bottom, top) = grid["x"], grid["y"]
    agree = 0
    for x, y, label in fig["points"]:
        col = min(23, int((x - left) / (right - left) * 24))
        row = min(23, int((top - y) / (top - bottom) * 24))
        agree += (grid["scores"][row * 24 + col] >= 0.5) == (label == 1)
    assert agree >= 28
    assert len(json.dumps(fig)) < 20_000


def test_a_failing_run_draws_too_and_shows_the_loss_rising(suite, in_process):
    source = (CLASSIFY / "solutions/wrong/train_climbs_the_gradient.py").read_text()
    report = grade(suite, source, in_process).to_dict()
    validate(report, "report.schema.json")
    test = next(t for t in report["tests"] if t["name"].startswith(TRAINING))
    assert test["status"] == "failed"
    losses = [x for x in test["figure"]["losses"] if x is not None]
    assert losses[-1] > losses[0]
    assert test["figure"]["accuracy"] < 0.9


def test_only_the_case_that_declares_it_gets_the_figure_function(suite):
    case = next(c for c in suite["cases"] if c["name"].startswith("softmax:"))
    spec = {**case["spec"], "script": "figure('training', losses=[1.0])"}
    code, _ = observe.load((CLASSIFY / "reference.py").read_text())
    result = observe.run_case(code, spec)
    assert result["status"] == "error" and result["error"]["type"] == "NameError"
    assert "figure" not in result


class Odd(float):
    """A learner's number-like object: never drawn as a number."""


@pytest.mark.parametrize(("value", "drawn"), [
    (0.123456789, 0.123457), (3, 3), (float("nan"), None), (float("inf"), None), (True, None),
    (Odd(1.5), None), ("1.5", None), ([1.0, Odd(2.0)], [1.0, None]), ((0.5, 2), [0.5, 2]),
    ({"a": 1.0, 2: 3.0}, {"a": 1.0}),
])
def test_every_number_in_a_figure_is_checked_like_a_recorded_one(value, drawn):
    fig = observe._Figure()
    fig("training", value=value)
    assert fig.drawn == {"kind": "training", "value": drawn}


def test_a_figure_too_big_is_dropped_rather_than_sent():
    fig = observe._Figure()
    fig("training", scores=[0.5] * (observe.FIGURE_LEAVES + 1))
    assert fig.drawn is None


def test_a_hidden_case_gets_no_figure_and_check_says_so(tmp_path, in_process):
    script_case = """\
        name = "Drawn"
        kind = "script"
        figure = "training"
        {visibility}
        script = '''
        figure("training", losses=[1.0, 0.5])
        record("x", 1)
        '''
    """
    issues = issues_for(tmp_path, {"cases/03-drawn.toml": script_case.format(
        visibility='visibility = "hidden"')})
    assert any("03-drawn.toml" in i and "`figure` is drawn for visible cases only" in i
               for i in issues), issues
    root = write_problem(tmp_path / "visible", {"01.toml": textwrap.dedent(
        script_case.format(visibility=""))})
    suite = load_and_compile(root)[1]
    report = grade(suite, (root / "reference.py").read_text(), in_process).to_dict()
    assert report["tests"][0]["figure"] == {"kind": "training", "losses": [1.0, 0.5]}
