"""Localisation blames an operation only when the probes cannot show it is right (issue #16).

In topo-sort the starter gives a correct `*`; a learner whose backward() visits nodes in the wrong
order used to read "your `*` in `a * b` sends -36 to `b`". The probes measure every operation on
its own; when all of those pass, the learner is told the combining is wrong, not an operation.
"""

from __future__ import annotations

import pytest

from conftest import BASIC, REPO
from engine.authoring.check import load_and_compile
from engine.grading.grade import grade

TOPO = REPO / "hidden_tests" / "topo-sort"
ORDER = "every operation gives the right local gradients when run alone"


@pytest.fixture(scope="module")
def topo_suite():
    return load_and_compile(TOPO)[1]


@pytest.mark.parametrize("name", ["breadth_first_from_output", "pre_order_depth_first",
                                  "no_seen_set"])
def test_a_wrong_order_with_right_operations_blames_the_order_not_an_operation(
        topo_suite, sandbox, name):
    report = grade(topo_suite, (TOPO / "solutions/wrong" / f"{name}.py").read_text(), sandbox)
    wheres = [t.where for t in report.tests if t.where]
    assert wheres, name
    assert not any("your `" in w for w in wheres)  # no operation is blamed
    # each says the order, or that a node used twice does not add up (which names it too)
    assert all((ORDER in w and "look at the order backward() visits nodes" in w)
               or "does a rule run before all uses have added to it?" in w
               or "its gradient must be the sum of what each one sends" in w for w in wheres)
    assert any(ORDER in w for w in wheres)
    shown = next(w for t in report.tests if (w := t.where) and t.visibility == "visible")
    assert "(`b` ends with -36, -72 was expected)" in shown or name != "breadth_first_from_output"


def test_a_missing_seed_is_still_called_a_missing_seed(topo_suite, sandbox):
    report = grade(topo_suite, (TOPO / "solutions/wrong/missing_seed.py").read_text(), sandbox)
    wheres = [t.where for t in report.tests if t.where]
    assert wheres and all("(the seed), but it is 0" in w for w in wheres)


def test_a_wrong_operation_is_still_blamed_where_its_probe_fails(sandbox):
    suite = load_and_compile(BASIC)[1]
    report = grade(suite, (BASIC / "solutions/wrong/mul_gradients_swapped.py").read_text(), sandbox)
    wheres = [t.where for t in report.tests if t.where]
    assert any("your `*`" in w for w in wheres)
    assert not any(ORDER in w for w in wheres)
