"""Measured explanations for the problems graded by script cases (issue #16): each problem's own
probes (``probes/*.toml``) say what a wrong solution does, read off recorded numbers, for
mistakes no shipped wrong file makes; correct solutions get nothing; a seed set after the rules
is named as such, not blamed on an operation."""

from __future__ import annotations

import pytest

from conftest import REPO, patch
from engine.authoring.check import load_for_grading
from engine.grading import explain
from engine.grading.grade import grade

HIDDEN = REPO / "hidden_tests"


def _ref(slug: str) -> str:
    return (HIDDEN / slug / "reference.py").read_text()


@pytest.fixture(scope="module")
def suites(sandbox):
    """Each touched problem's suite, without its known mistakes: what is said is measured."""
    out = {}
    for slug in ("neural-net", "pytorch-names", "training-loop", "gradient-check", "topo-sort",
                 "tensors", "classification"):
        suite = load_for_grading(HIDDEN / slug, sandbox)[1]
        suite["mistakes"] = []
        out[slug] = suite
    return out


# Wrong solutions written for these tests (variants the shipped wrong files do not contain).
CASES = [
    ("neural-net", ("return self.w + [self.b]", "return [self.b] + self.w"),
     "Your `parameters()` lists the bias first, then the weights"),
    ("neural-net", ("return act.relu() if self.nonlin else act",
                    "return sum((wi * xi for wi, xi in zip(self.w, x)), Value(0)).relu() + self.b "
                    "if self.nonlin else act"),
     "Your neuron applies relu before adding the bias"),
    ("neural-net", ("return out[0] if len(out) == 1 else out", "return out"),
     "A layer with one output returns a list"),
    ("neural-net", ("nonlin=i != len(nouts) - 1", "nonlin=True"), "Your last layer applies relu"),
    ("pytorch-names", ("        self.layers = layers\n", "        self.layers = layers[:1]\n"),
     "Your `Sequential` applies only the first layer"),
    ("pytorch-names", ("if bias else None", "if True else None"),
     "Your `Linear(..., bias=False)` still has a bias"),
    ("training-loop", ("/ len(preds)", ""), "Your `mse_loss` returns the sum"),
    ("training-loop", ("self.t += 1\n        for i, p in enumerate(self.params):",
                       "for i, p in enumerate(self.params):\n            self.t += 1"),
     "Your `Adam` counts its step counter up once per parameter"),
    ("training-loop", ("self.params = list(params)\n        self.lr = lr\n        self.momentum",
                       "self.params = params\n        self.lr = lr\n        self.momentum"),
     "Your `SGD`, given its parameters as a generator"),
    ("gradient-check", ("for i in range(len(xs)):", "for i in range(len(xs) - 1):"),
     "Your `numerical_grad` skips the last input"),
    ("gradient-check", ("minus[i] -= h", "pass"),
     "Your `numerical_grad` divides a one-sided difference"),
    ("gradient-check", ("return max(abs(v.grad - n)", "return max((v.grad - n)"),
     "Your `gradient_check` returns the largest signed difference"),
    # Found on a blind-written file: it was told "does not use the h it is given".
    ("gradient-check", ("return max(abs(v.grad - n) for v, n in zip(values, numeric))",
                        "return max([abs(v.grad - n) for v, n in zip(values, numeric)][:-1],"
                        " default=0.0)"),
     "Your `gradient_check` reports no difference when there is only one input"),
    # Also from a blind-written file: a relative difference was told "largest signed difference".
    ("gradient-check", ("return max(abs(v.grad - n) for v, n in zip(values, numeric))",
                        "return max(abs(v.grad - n) / max(abs(v.grad), abs(n), 1e-300)"
                        " for v, n in zip(values, numeric))"),
     "Your `gradient_check` returns a relative difference"),
    # A broadcast input's grad replaced by a list of the output's shape (no shipped file does it).
    ("tensors", ("                self.grad[i] += d_self * out.grad[k]\n"
                 "                other.grad[j] += d_other * out.grad[k]\n",
                 "                self.grad[i] += d_self * out.grad[k]\n"
                 "                other.grad = other.grad + [0.0] * (len(out.grad) - len(other.grad))\n"
                 "                other.grad[k] += d_other * out.grad[k]\n"),
     "Your gradient of a broadcast input has the output's shape"),
]


@pytest.mark.parametrize(("slug", "edit", "said"), CASES,
                         ids=[f"{c[0]}:{c[2][:40]}" for c in CASES])
def test_a_script_problem_mistake_is_said_from_measurements(suites, sandbox, slug, edit, said):
    report = grade(suites[slug], patch(_ref(slug), *edit), sandbox)
    assert report.status == "fail"
    assert report.diagnosis is not None and report.diagnosis["basis"] == "measured"
    assert report.diagnosis["mistake"].startswith(said), report.diagnosis


def test_a_seed_set_after_the_rules_is_not_blamed_on_an_operation(suites, sandbox):
    """The issue's misnamed case: topo-sort's late seed was told "Your `+` sends no gradient"."""
    source = patch(_ref("topo-sort"), "        self.grad = 1\n        for node in reversed(order):"
                   "\n            node._backward()\n",
                   "        for node in reversed(order):\n            node._backward()\n"
                   "        self.grad = 1\n")
    d = grade(suites["topo-sort"], source, sandbox).diagnosis
    assert d is not None
    assert d["mistake"].startswith("Your backward() sets the output's grad to 1 only after")
    assert not any("Your `+`" in e or "Your `*`" in e for e in d["evidence"]), d


@pytest.mark.parametrize("slug", ["neural-net", "pytorch-names", "training-loop",
                                  "gradient-check", "topo-sort", "tensors",
                                  "classification"])
def test_correct_solutions_pass_every_script_probe(suites, sandbox, slug):
    """A probe that failed on a correct solution could make its rules speak on a right one."""
    suite = suites[slug]
    probes = [p for p in suite["probes"] if p["kind"] == "script"]
    assert probes
    for path in sorted((HIDDEN / slug / "solutions" / "correct").glob("*.py")):
        observed = sandbox.observe(path.read_text(), probes)["results"]
        assert explain.explain(probes, observed) == [], path.name
        report = grade(suite, path.read_text(), sandbox)
        assert report.status == "pass" and report.diagnosis is None, path.name


def test_a_rule_speaks_only_when_every_number_matches():
    case = {"name": "probe: p", "kind": "script", "expected": {"x": 1.0, "y": 2.0},
            "tolerance": {"rel": 1e-9, "abs": 1e-9},
            "explain": [{"when": {"x": 3, "y": {"min": 0, "not": 2}}, "claim": "c",
                         "evidence": "x was {x}"}]}
    ok = {"id": "p", "status": "ok"}

    def said(x, y):
        return explain.explain([case], [{**ok, "observations": {"x": x, "y": y}}])

    assert [m.evidence for m in said(3.0, 5.0)] == ["x was 3"]
    assert said(3.0, -1.0) == []  # y below min
    assert said(4.0, 5.0) == []  # x not the rule's number: nothing is guessed
    assert said(1.0, 2.0) == []  # the probe passed


# classification's wrong files, each graded as if unseen (no known mistakes in the suite): the
# probes alone must say what each does, and say nothing else.
CLASSIFY_SAID = {
    "softmax_without_max_subtraction": "Your `softmax` overflows on large logits",
    "log_of_a_zero_probability": "Your `cross_entropy` takes the log of a probability that rounds",
    "log_sum_exp_without_the_max": "Your `cross_entropy` overflows on large logits",
    "label_off_by_one": "Your `cross_entropy` uses the logit at label - 1",
    "loss_summed_not_averaged": "Your `cross_entropy` adds up the rows' losses",
    "loss_without_the_minus": "Your `cross_entropy` returns log p[label] without the minus",
    "accuracy_on_the_wrong_axis": "Your `accuracy` gave 1 row of 4 right when all 4 are",
    "accuracy_counts_instead_of_fraction": "Your `accuracy` returns the number of rows",
    "train_without_zero_grad": "Your `train()` does not set the grads to 0",
    "train_climbs_the_gradient": "Your `train()` moves the parameters up the gradient",
}


def test_every_classification_mistake_is_said_from_measurements_alone(suites, sandbox):
    wrong = HIDDEN / "classification" / "solutions" / "wrong"
    assert {p.stem for p in wrong.glob("*.py")} == set(CLASSIFY_SAID)
    for stem, said in CLASSIFY_SAID.items():
        d = grade(suites["classification"], (wrong / f"{stem}.py").read_text(), sandbox).diagnosis
        assert d is not None and d["basis"] == "measured", stem
        assert d["mistake"].startswith(said), (stem, d)
        assert len(d["evidence"]) == 1, (stem, d["evidence"])


# Each shipped tensors mistake, with no known mistakes in the suite (so nothing can be named by
# signature), is still said correctly from the probes' measurements, never as another mistake.
TENSOR_WRONG = {
    "broadcast_aligned_at_the_left": "Your broadcasting aligns shapes at the left",
    "broadcast_grad_not_summed": "Your gradient of a broadcast input is not summed",
    # two probes measure it (x + x, and a tensor reused across operations): either sentence is true
    "grad_assigned_not_accumulated": ("A tensor used twice gets only one of its two contributions",
                                      "A tensor used as both inputs of your `+` gets one use's"),
    "keepdims_ignored": "Your `sum` ignores keepdims=True",
    "matmul_gradient_not_transposed": "Your backward of a @ b uses b and a untransposed",
    "mean_gradient_not_divided": "Your `mean` passes the gradient back undivided",
    "relu_gradient_at_zero_is_one": "Your `relu` lets the gradient through at exactly 0",
    "sum_axes_counted_from_the_right": "Your `sum` takes the axes the other way round",
}


def test_every_tensors_wrong_file_has_a_said_mistake():
    shipped = {p.stem for p in (HIDDEN / "tensors" / "solutions" / "wrong").glob("*.py")}
    assert shipped == set(TENSOR_WRONG)


@pytest.mark.parametrize(("stem", "said"), sorted(TENSOR_WRONG.items()))
def test_each_tensors_mistake_is_said_from_measurements(suites, sandbox, stem, said):
    source = (HIDDEN / "tensors" / "solutions" / "wrong" / f"{stem}.py").read_text()
    report = grade(suites["tensors"], source, sandbox)
    assert report.status == "fail"
    assert report.diagnosis is not None and report.diagnosis["basis"] == "measured"
    assert report.diagnosis["mistake"].startswith(said), report.diagnosis
