"""Measured explanations for behaviours a blind set of wrong solutions showed (issue #16).

Each wrong solution here is written in the test (the reference with one behaviour changed), never
the blind file: the explanation must come from what the probes measure, so it holds for any code
that behaves so. Correct solutions stay silent; topo-sort's correct operations are not blamed for
a wrong order.
"""

from __future__ import annotations

import pytest

from conftest import REPO, patch
from engine.authoring.check import load_for_grading
from engine.grading import explain
from engine.grading.grade import grade

HIDDEN = REPO / "hidden_tests"
SLUGS = ("basic-ops", "more-ops", "activations", "topo-sort", "neural-net", "pytorch-names",
         "training-loop", "gradient-check")


def _ref(slug: str) -> str:
    return (HIDDEN / slug / "reference.py").read_text()


@pytest.fixture(scope="module")
def suites(sandbox):
    """Every problem's suite; tests drop the known mistakes where what is said must be measured."""
    return {slug: load_for_grading(HIDDEN / slug, sandbox)[1] for slug in SLUGS}


def _measured(suite: dict) -> dict:
    return {**suite, "mistakes": []}


SIGMOID_ASSIGNS = """        out = Value(s, (self,))

        def _backward():
            self.grad = s * (1 - s) * out.grad

        out._backward = _backward
        return out
"""

KAHN_ONCE_PER_USER = """    def backward(self):
        users, stack, seen = {}, [self], {id(self)}
        while stack:
            node = stack.pop()
            for child in node._prev:
                users[id(child)] = users.get(id(child), 0) + 1
                if id(child) not in seen:
                    seen.add(id(child))
                    stack.append(child)
        self.grad = 1
        ready = [self]
        while ready:
            node = ready.pop()
            node._backward()
            for key, child in {id(c): c for c in node._prev}.items():
                users[key] -= 1
                if users[key] == 0:
                    ready.append(child)

    def _unused(self):"""

# (problem, (old, new) in its reference, what the diagnosis starts with, a word of its evidence)
CASES = [
    ("basic-ops", ("        other = other if isinstance(other, Value) else Value(other)\n"
                   "        out = Value(self.data + other.data",
                   "        if isinstance(other, int):\n            other = Value(other)\n"
                   "        out = Value(self.data + other.data"),
     "Your `+` fails when the plain number is a float, not an int", "0.5"),
    ("more-ops", ("return Value._wrap(other) - self",
                  "return self._node(other - self.data, (self,), (1,))"),
     "Your `-` with a plain number on the left sends its Value input a gradient of the wrong sign",
     "d(2 - a)/da is -1"),
    ("more-ops", ("        return self._node(self.data - other.data, (self, other), (1, -1))\n",
                  """        out = Value(self.data - other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad = -out.grad

        out._backward = _backward
        return out
"""),
     ("Your `-` keeps only one of the two contributions when the same value is both its inputs",
      "Your `-` keeps only its right input's share when the same value is both its inputs"),
     ("the share of its right use alone", "the right use's share alone")),
    ("more-ops", ("(n * self.data ** (n - 1),)", "(n * self.data ** n / self.data,)"),
     "Your `**` raises ZeroDivisionError when its input is 0", "0 ** 3 should give 0"),
    ("activations", ("        t = math.tanh(self.data)\n",
                     "        e = math.exp(2 * self.data)\n        t = (e - 1) / (e + 1)\n"),
     "Your `tanh` raises OverflowError when its input is 800", "tanh(800) should give 1"),
    # log(0) returning -inf needs two edits (the value and its local derivative).
    ("activations", ("        if x <= 0:\n            raise ValueError(f\"log is only defined "
                     "for positive numbers, got {x}\")\n"
                     "        return self._unary(math.log(x), 1 / x)",
                     "        if x < 0:\n            raise ValueError(\"negative\")\n"
                     "        return self._unary(math.log(x) if x else -math.inf, "
                     "1 / x if x else math.inf)"),
     "Your `log` returns -inf for log(0) instead of raising ValueError", "-inf"),
    ("activations", ("        return self._unary(s, s * (1 - s))\n", SIGMOID_ASSIGNS),
     "A value used by two operations keeps only one of their contributions", "a.sigmoid()"),
    ("activations", ("math.exp(x) / (1 + math.exp(x))", "1 / (1 + math.exp(x))"),
     "Your `sigmoid` computes a wrong value for a negative input", "1 minus the right value"),
    # The reference's backward() is renamed and never called; this one runs instead.
    ("topo-sort", ("    def backward(self):\n", KAHN_ONCE_PER_USER + "\n"),
     "Your backward() runs a node's rule before all its users have added to its grad, or never "
     "runs it", "`d = a * b; d * d`"),
    # The output's own rule skipped (order[:-1] of the reversed order): the starter's `+` and `*`
    # are right and must not be blamed for sending nothing.
    ("topo-sort", ("        for node in reversed(order):\n", "        for node in reversed(order[:-1]):\n"),
     "Your backward() never runs the output's own rule", "out's rule ran 0 times"),
    ("topo-sort", ("stack.extend((child, False) for child in node._prev)",
                   "kids = list(node._prev)\n                node._prev = ()\n"
                   "                stack.extend((child, False) for child in kids)"),
     "Your backward() gives other gradients when it is called again on the same graph",
     "a second d.backward()"),
    ("topo-sort", ("""        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        self.grad = 1
        for node in reversed(order):
""", """        order, seen, i = [self], {id(self)}, 0
        while i < len(order):
            for child in order[i]._prev:
                if id(child) not in seen:
                    seen.add(id(child))
                    order.append(child)
            i += 1
        self.grad = 1
        for node in order:
"""), "Your backward() runs a node's rule before all its users have added to its grad",
     "`d = a * b; d + d * c`"),
    ("topo-sort", ("""    def backward(self):
""", """    def backward(self):
        order, seen = [], set()

        def visit(v):
            if id(v) not in seen:
                seen.add(id(v))
                for child in v._prev:
                    visit(child)
                order.append(v)

        visit(self)
        self.grad = 1
        for node in reversed(order):
            node._backward()

    def _unused(self):
"""), "Your backward() hits Python's recursion limit on a long chain", "RecursionError"),
    ("neural-net", ("class Neuron(Module):\n    def __init__(self, nin, nonlin=True):\n"
                    "        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]",
                    "class Neuron(Module):\n    w = []\n\n    def __init__(self, nin, nonlin=True):\n"
                    "        self.w.extend(Value(random.uniform(-1, 1)) for _ in range(nin))"),
     "Two separate `Neuron`s share parameter Values", "in common"),
    ("pytorch-names", ("return float(self.data)", "return self.data"),
     "Your `item()` returns an int for a Value made from an int", "Value(2).item() returned an int"),
    ("pytorch-names", ("        return [v.relu() for v in x]\n",
                       "        x[:] = [v.relu() for v in x]\n        return x\n"),
     "Your `ReLU` writes its outputs into the list it is given", "xs[0] was no longer"),
    ("training-loop", ("losses.append(loss.data)",
                       "losses.append(mse_loss([model(x) for x in xs], ys).data)"),
     "Each loss your `train()` returns is measured after that step's update", "0.8125"),
]

@pytest.mark.parametrize(("slug", "edit", "said", "shown"), CASES,
                         ids=[f"{c[0]}:{str(c[2] or '')[:40]}" for c in CASES])
def test_a_blind_sets_behaviour_is_said_from_measurements(suites, sandbox, slug, edit, said,
                                                           shown):
    report = grade(_measured(suites[slug]), patch(_ref(slug), *edit), sandbox)
    assert report.status == "fail"
    d = report.diagnosis
    assert d is not None and d["basis"] == "measured", d
    # A tuple: sentences each true of the edit (two probes can measure one behaviour).
    assert d["mistake"].startswith(said), d
    shown = shown if isinstance(shown, tuple) else (shown,)
    assert any(part in d["evidence"][0] for part in shown), d


@pytest.mark.parametrize("slug", SLUGS)
def test_correct_solutions_pass_every_probe_and_get_no_diagnosis(suites, sandbox, slug):
    """The new probes (a float number, negative inputs, a leaf also added, ** at 0, an
    intermediate used twice, the script probes) must pass on every correct style."""
    suite = suites[slug]
    probes = suite["probes"]
    for path in [HIDDEN / slug / "reference.py",
                 *sorted((HIDDEN / slug / "solutions" / "correct").glob("*.py"))]:
        observed = sandbox.observe(path.read_text(), probes)["results"]
        assert explain.explain(probes, observed) == [], path.name
        report = grade(suite, path.read_text(), sandbox)
        assert report.status == "pass" and report.diagnosis is None, path.name


FORWARD_ORDER = ("for node in reversed(order):", "for node in order:")
ONLY_OUTPUT = ("        for node in reversed(order):\n            node._backward()\n",
               "        self._backward()\n")


@pytest.mark.parametrize("edit", [FORWARD_ORDER, ONLY_OUTPUT], ids=["forward", "only-output"])
def test_a_wrong_order_does_not_blame_the_starters_operations(suites, sandbox, edit):
    """topo-sort's starter gives `+`, `*` and relu; a backward() that runs the rules in the wrong
    order used to read "your `*` in `(d * c) * k` sends 0 to `t1`"."""
    report = grade(_measured(suites["topo-sort"]), patch(_ref("topo-sort"), *edit), sandbox)
    wheres = [t.where for t in report.tests if t.where]
    assert wheres
    blamed = [w for w in wheres if "your `" in w and "is right on its own" not in w]
    assert blamed == [], blamed
    assert any("the probes show what is wrong: your backward() runs" in w
               for w in wheres)


BASIC_FORWARD = ("for v in reversed(topo):", "for v in topo:")
BASIC_ONLY_OUTPUT = ("        for v in reversed(topo):\n            v._backward()\n",
                     "        self._backward()\n")


def test_basic_ops_forward_order_and_only_the_output_rule_are_told_apart(suites, sandbox):
    """The same pair in basic-ops, where the rules may be called anything: a grad set before
    backward() shows when d's rule ran, or that it never did."""
    suite = suites["basic-ops"]
    for edit, own, claim in [
            (BASIC_FORWARD, "backward_in_forward_order.py",
             "Your backward() runs a node's rule before the rule of the node that uses it"),
            (BASIC_ONLY_OUTPUT, "only_direct_children.py",
             "Your backward() runs the output's rule but never the rule of the node below it")]:
        others = {**suite, "mistakes": [m for m in suite["mistakes"] if m["file"] != own]}
        d = grade(others, patch(_ref("basic-ops"), *edit), sandbox).diagnosis
        assert d is not None and d["basis"] == "measured", (own, d)
        assert any(e.startswith(claim) for e in d["evidence"]), (own, d)


def test_forward_order_and_only_the_output_rule_are_told_apart(suites, sandbox):
    """Each used to get the other's name when its own file was left out (leave-one-out): their
    signatures were the same. The topo-sort probe that watches when each rule runs differs."""
    suite = suites["topo-sort"]
    for edit, own, claim in [
            (FORWARD_ORDER, "forward_order.py",
             "Your backward() runs a node's rule before the rule of the node that uses it"),
            (ONLY_OUTPUT, "only_the_output_rule.py",
             "Your backward() runs the output's rule but never the rule of the node below it")]:
        others = {**suite, "mistakes": [m for m in suite["mistakes"] if m["file"] != own]}
        d = grade(others, patch(_ref("topo-sort"), *edit), sandbox).diagnosis
        assert d is not None and d["basis"] == "measured", (own, d)
        assert any(e.startswith(claim) for e in d["evidence"]), (own, d)
