"""Measured explanations added after the last blind sets (tensors, classification, and a
gradient-check one): each fires on a one-edit wrong version of the reference written here."""

from __future__ import annotations

import pytest

from conftest import REPO, patch
from engine.authoring.check import load_for_grading
from engine.grading.grade import grade

HIDDEN = REPO / "hidden_tests"
CASES = [
    ("gradient-check", ("        grads.append((f_plus - f_minus) / (2 * h))\n",
                        "        grads.append(Value((f_plus - f_minus) / (2 * h)))\n"),
     "Your `numerical_grad` returns Values, not numbers"),
    ("tensors", ("lambda x, y: (1, -1)", "lambda x, y: (1, 1)"),
     "Your `-` sends its right input +out.grad"),
    ("tensors", ("                self.grad[i] += d_self * out.grad[k]\n"
                 "                other.grad[j] += d_other * out.grad[k]\n",
                 "                self.grad[i] = d_self * out.grad[k]\n"
                 "                other.grad[j] = d_other * out.grad[k]\n"),
     "A tensor used as both inputs of your `+` gets one use's gradient"),
    ("tensors", ("Tensor([_size(total.shape) / _size(self.shape)], ())",
                 "Tensor([1 / _size(self.shape)], ())"),
     "Your `mean` over one axis divides by the number of all the tensor's elements"),
    ("classification", ("        hits += scores.index(max(scores)) == label\n",
                        "        hits += (1 if scores[1] > scores[0] else 0) == label\n"),
     "Your `accuracy` is right with two classes, but with three it counted wrong every row"),
    # blind set 7: three wrong files that got no explanation, each reduced to one edit here
    ("classification", ("        hits += scores.index(max(scores)) == label\n",
                        "        hits += scores.index(max(scores[:-1])) == label\n"),
     "Your `accuracy` counts a row wrong whenever its largest logit is the last one"),
    ("tensors", ("                        self.grad[i * k + p] += g * b[p * m + j]\n",
                 "                        self.grad[i * k + p] += g * b[j * k + p]\n"),
     "Your backward of a @ b gives a the gradient out.grad @ b, not out.grad @ b transposed"),
    ("tensors", ("        left, right = _positions(self.shape, shape), _positions(other.shape, shape)\n",
                 "        left = [f % len(self.data) for f in range(_size(shape))]\n"
                 "        right = [f % len(other.data) for f in range(_size(shape))]\n"),
     "Your broadcasting of a (2, 1) column against a (2, 3) tensor takes the column's numbers"),
]


@pytest.fixture(scope="module")
def sandbox():
    from engine.sandbox.executor import best_executor

    return best_executor()


@pytest.mark.slow
@pytest.mark.parametrize(("slug", "edit", "said"), CASES, ids=[c[2][:40] for c in CASES])
def test_the_behaviour_is_said_from_what_was_measured(sandbox, slug, edit, said):
    _, suite = load_for_grading(HIDDEN / slug, sandbox)
    suite = {**suite, "mistakes": []}  # no known mistake to match: the probes alone speak
    source = patch((HIDDEN / slug / "reference.py").read_text(), *edit)
    report = grade(suite, source, sandbox)
    assert report.status == "fail"
    assert report.diagnosis is not None and report.diagnosis["basis"] == "measured", report.diagnosis
    assert report.diagnosis["mistake"].startswith(said), report.diagnosis
