"""Measured explanations for behaviours a blind-written set of wrong solutions showed (issue #16).

Each wrong solution here is the reference with one edit, written for this test (the blind files
stay unseen test material); the suites are graded without their known mistakes, so what is said
comes from the probes alone. Correct solutions must get nothing from the same probes, and a `*`
that ignores `out.grad` must not be told its backward() runs the rules in the wrong order.
"""

from __future__ import annotations

import pytest

from conftest import REPO, patch
from engine.authoring.check import load_for_grading
from engine.grading import explain
from engine.grading.grade import grade

HIDDEN = REPO / "hidden_tests"
SLUGS = ("basic-ops", "more-ops", "activations", "gradient-check", "neural-net", "pytorch-names",
         "training-loop")


def _ref(slug: str) -> str:
    return (HIDDEN / slug / "reference.py").read_text()


@pytest.fixture(scope="module")
def suites(sandbox):
    """Each problem's suite without its known mistakes: what is said is measured."""
    out = {}
    for slug in SLUGS:
        suite = load_for_grading(HIDDEN / slug, sandbox)[1]
        suite["mistakes"] = []
        out[slug] = suite
    return out



def _node(data: str, rule: str) -> str:
    """A node built by hand, with its own backward rule (the references share one helper)."""
    return (f"out = Value({data}, (self, other))\n        def _backward():\n"
            f"            {rule}\n        out._backward = _backward\n        return out")


ADAM_STEP = ("m_hat = self.m[i] / (1 - self.beta1**self.t)\n"
             "            v_hat = self.v[i] / (1 - self.beta2**self.t)")

CASES = [
    ("basic-ops", ('out = Value(0 if self.data < 0 else self.data, (self,), "relu")',
                   'out = Value(0 if self.data < 0 else self.data, (), "relu")'),
     "Nothing behind your `relu` gets a gradient"),
    ("basic-ops", ("self.grad += (out.data > 0) * out.grad", "self.grad = (out.data > 0) * out.grad"),
     "A value used by your `relu` and by another operation keeps only relu's share"),
    ("more-ops", ("return self._node(self.data**n, (self,), (n * self.data ** (n - 1),))",
                  "out = Value(self.data**n, (self,))\n        def _backward():\n"
                  "            self.grad += n * out.data / self.data * out.grad\n"
                  "        out._backward = _backward\n        return out"),
     ("Your `**` raises ZeroDivisionError in backward() when the base is 0",
      "Your `**`'s gradient rule raises ZeroDivisionError when its input is 0")),
    # sigmoid's value is computed stably; only its gradient rule overflows (blind set 7 was told
    # "Your `sigmoid` raises OverflowError", as if a.sigmoid() itself had raised)
    ("activations", ("        return self._unary(s, s * (1 - s))",
                     "        out = Value(s, (self,))\n\n        def _backward():\n"
                     "            e = math.exp(-x)\n"
                     "            self.grad += e / (1 + e) ** 2 * out.grad\n\n"
                     "        out._backward = _backward\n        return out"),
     "Your `sigmoid`'s gradient rule raises OverflowError when its input is -800"),
    # no Value to call backward() on: neither "raises when its input is" nor "its gradient rule"
    ("activations", ("        return self._unary(s, s * (1 - s))", "        self._unary(s, s * (1 - s))"),
     "Your `sigmoid` does not return a Value"),
    ("activations", ("        return self._unary(t, 1 - t * t)", "        return t"),
     "Your `tanh` does not return a Value"),
    ("more-ops", ("return self._node(self.data - other.data, (self, other), (1, -1))",
                  _node("self.data - other.data",
                        "self.grad += out.grad; other.grad = -out.grad")),
     "Your `-` keeps only its right input's share when the same value is both its inputs"),
    ("activations", ("return self._unary(e, e)",
                     "out = Value(e, (self,))\n        def _backward():\n"
                     "            self.grad = e * out.grad\n        out._backward = _backward\n"
                     "        return out"),
     "A value used by your `exp` and by another operation keeps only exp's share"),
    ("activations", ("return self._unary(math.log(x), 1 / x)",
                     "out = Value(math.log(x), (self,))\n        def _backward():\n"
                     "            self.grad = out.grad / x\n        out._backward = _backward\n"
                     "        return out"),
     "A value used by your `log` and by another operation keeps only log's share"),
    ("activations", ("s = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))",
                     "s = 1 / (1 + math.exp(-x)) if x < 0 else math.exp(x) / (1 + math.exp(x))"),
     ("Your `sigmoid` overflows for large inputs of either sign",
      "Your `sigmoid` raises OverflowError when its input is 800")),
    ("activations", ("s = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))",
                     "s = math.exp(x) / (1 + math.exp(x))"),
     ("Your `sigmoid` overflows for large positive inputs",
      "Your `sigmoid` raises OverflowError when its input is 800")),
    ("activations", ("t = math.tanh(self.data)",
                     "t = 1 - 2 / (math.exp(2 * self.data) + 1)"),
     ("Your `tanh` overflows for large positive inputs",
      "Your `tanh` raises OverflowError when its input is 800")),
    ("gradient-check", ("        plus = list(xs)\n        minus = list(xs)\n        plus[i] += h\n"
                        "        minus[i] -= h\n",
                        "        plus = list(xs) if i == 0 else minus\n"
                        "        plus[i] += h\n        minus = list(plus)\n        minus[i] -= 2 * h\n"),
     "Your `numerical_grad` leaves each input it has nudged at x - h"),
    ("gradient-check", ("return max(abs(v.grad - n) for v, n in zip(values, numeric))",
                        "return sum(abs(v.grad - n) for v, n in zip(values, numeric))"),
     "Your `gradient_check` returns the sum of the differences' sizes"),
    ("gradient-check", ("return max(abs(v.grad - n) for v, n in zip(values, numeric))",
                        "return tuple(abs(v.grad - n) for v, n in zip(values, numeric))"),
     "Your `gradient_check` returns one number per input"),
    ("neural-net", ("act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)",
                    "act = sum((wi * xi for wi, xi in zip(self.w, x)), Value(self.b.data))"),
     "Your neuron adds the bias's number to its sum, but the bias Value itself is not in the graph"),
    ("neural-net", ("p.grad = 0", "p.data = 0"),
     "Your `zero_grad()` sets the weights' data to 0 and leaves every grad as it was"),
    ("pytorch-names", ("out.append(total + self.bias[j] if self.bias is not None else total)",
                       "out.append(total + self.bias[j].data if self.bias is not None else total)"),
     "Your `Linear` adds the biases' numbers to its outputs"),
    ("pytorch-names", ("return [w for row in self.weight for w in row] + (self.bias or [])",
                       "return [p for j, row in enumerate(self.weight) for p in "
                       "row + (self.bias[j:j + 1] if self.bias else [])]"),
     "Your `parameters()` lists each output's weight row followed by its bias"),
    ("pytorch-names", ("return [v.relu() for v in x]", "x[:] = [v.relu() for v in x]\n        return x"),
     ("Your `ReLU` overwrites the list it is given and returns that same list",
      "Your `ReLU` writes its outputs into the list it is given")),
    ("pytorch-names", ("if bias else None", "if bias else []"),
     "With bias=False, your `Linear`'s `bias` is [] (an empty list)"),
    ("pytorch-names", ("out.append(total + self.bias[j] if self.bias is not None else total)",
                       "out.append(total + self.bias[j])"),
     "Calling your `Linear(..., bias=False)` raises TypeError"),
    ("pytorch-names", ("    def parameters(self):\n        return []\n",
                       "    def parameters(self):\n        pass\n"),
     "Your `ReLU`'s `parameters()` returns None"),
    ("pytorch-names", ("return [p for layer in self.layers for p in layer.parameters()]",
                       "return [list(layer.parameters()) for layer in self.layers]"),
     "Your `Sequential`'s `parameters()` returns one list per layer"),
    ("training-loop", (ADAM_STEP, "m_hat = self.m[i] / (1 - self.beta1**self.t)\n"
                                  "            v_hat = self.v[i]"),
     "Your `Adam` bias-corrects m but not v"),
    ("training-loop", (ADAM_STEP, "m_hat = self.m[i]\n"
                                  "            v_hat = self.v[i] / (1 - self.beta2**self.t)"),
     "Your `Adam` bias-corrects v but not m"),
    ("training-loop", ("        self.t += 1\n        for i, p in enumerate(self.params):\n"
                       "            g = p.grad\n            self.m[i] = self.beta1",
                       "        for i, p in enumerate(self.params):\n"
                       "            g = p.grad\n            self.m[i] = self.beta1"),
     "Your `Adam`'s first step() raises ZeroDivisionError"),
]


@pytest.mark.parametrize(("slug", "edit", "said"), CASES,
                         ids=[f"{c[0]}:{c[2][:40]}" for c in CASES])
def test_a_behaviour_is_said_from_measurements(suites, sandbox, slug, edit, said):
    report = grade(suites[slug], patch(_ref(slug), *edit), sandbox)
    assert report.status == "fail"
    assert report.diagnosis is not None and report.diagnosis["basis"] == "measured"
    # `said`: the sentence, or a tuple of sentences that are each true of the edit (two probes
    # can measure one behaviour; whichever the grader says first is right)
    assert report.diagnosis["mistake"].startswith(said), report.diagnosis


def test_an_op_that_ignores_out_grad_is_not_told_the_order_is_wrong(suites, sandbox):
    """A `*` whose rule adds its local gradient alone, in a backward() with the right order: the
    shared-intermediate probe's numbers are what that `*` sends, not a rule run too early."""
    source = patch(_ref("basic-ops"), "            self.grad += other.data * out.grad\n"
                   "            other.grad += self.data * out.grad\n",
                   "            self.grad += other.data\n            other.grad += self.data\n")
    d = grade(suites["basic-ops"], source, sandbox).diagnosis
    assert d is not None and d["mistake"].startswith("Your `*` does not multiply its local "
                                                     "gradient by the gradient from above"), d
    assert not any("backward()" in e for e in d["evidence"]), d


def test_a_rule_run_too_early_is_still_said(suites, sandbox):
    """The guard above is only for an op whose own upstream probe failed with those numbers:
    rules run in forward order are still told so."""
    source = patch(_ref("basic-ops"), "reversed(topo)", "topo")
    d = grade(suites["basic-ops"], source, sandbox).diagnosis
    assert d is not None
    assert d["mistake"].startswith("Your backward() runs a node's rule before all its users"), d


@pytest.mark.parametrize("slug", SLUGS)
def test_correct_solutions_get_nothing_from_the_probes(suites, sandbox, slug):
    """A probe that failed on a correct solution could make its rules speak on a right one."""
    suite = suites[slug]
    paths = [HIDDEN / slug / "reference.py",
             *sorted((HIDDEN / slug / "solutions" / "correct").glob("*.py"))]
    for path in paths:
        observed = sandbox.observe(path.read_text(), suite["probes"])["results"]
        assert explain.explain(suite["probes"], observed) == [], path.name
