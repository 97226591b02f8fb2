"""Say what each operation does wrong, read off the probes: true by construction, no wrong file needed.

A known mistake (``engine.grading.diagnose``) names a cause, and a name can be wrong. This layer
names none it did not measure. Each probe (``engine.authoring.probes``) is a small graph that
isolates one thing: one operation alone, the same operation below another one (so the gradient
from above is not 1), one value used twice, a value used by two operations. When a probe fails,
the first wrong operation is found (``engine.grading.localise``) and its numbers are turned into a
``Measured``: what the learner's operation did, in their terms ("your `relu` lets gradient through
when its input is negative"), with the evidence ("relu(-2) passed 3 back to `a`, all of the 3 it
received; it should pass 0"). A claim is only as specific as the measurements: an operation's
rule is blamed only when the probe of that operation on its own fails too; when the rule is right
on its own and wrong in a bigger graph, the claim is about the order or the accumulation, and only
when the numbers show it (a rule that ran with a partial gradient, a value that kept one share).

Standard library only: this runs in Pyodide too.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from engine.grading import localise, observe
from engine.grading.contract import Case, Diagnosis, Observation
from engine.grading.observe import number
from engine.grading.wording import fmt_short

# Lower comes first: a wrong forward value explains every gradient after it, a missing seed
# every gradient, an operation's own rule the graphs it is in, and so on.
RANK = {"error": 0, "forward": 1, "seed": 2, "rule": 3, "script": 3, "reuse": 4, "upstream": 5,
        "order": 6, "sum": 7, "other": 8}
# What a wrong seed explains: with the output's grad not 1 when the rules ran, every rule passes on
# the wrong amount however right it is, so no operation is blamed next to a seed finding.
SEEDED = {"rule", "reuse", "upstream", "order", "sum"}
TOLERANCE = {"rel": 1e-6, "abs": 1e-9}


@dataclass(frozen=True)
class Measured:
    """One behaviour a probe measured: ``claim`` says it in the learner's terms (the same
    sentence for every probe that shows it, so probes agreeing are said once); ``evidence`` gives
    the probe's own numbers; ``kind`` is a ``RANK`` key, ``op`` the operation it is about."""

    kind: str
    op: str
    claim: str
    evidence: str


def _same(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and math.isclose(
        a, b, rel_tol=TOLERANCE["rel"], abs_tol=TOLERANCE["abs"])


def _n(x: float | None) -> str:
    return fmt_short(x) if x is not None else "something that is not a number"


def _short(name: str) -> str:
    """A probe's name without its prefix: "* alone"."""
    return name.removeprefix("probe: ")


class _Probe:
    """One probe's graph with the learner's and the expected numbers of every node."""

    def __init__(self, case: Case, obs: Observation) -> None:
        trace = case["trace"]  # type: ignore[typeddict-item]
        self.case, self.trace = case, trace
        self.nodes = {n["id"]: n for n in trace["nodes"]}
        self.observations = obs.get("observations", {})
        self.values = case["spec"].get("values", {})  # type: ignore[union-attr]

    def got(self, node: str, attr: str) -> float | None:
        return number(self.observations.get(f"@{node}.{attr}"))

    def expected(self, node: str, attr: str) -> float:
        return self.trace["expected"][f"@{node}.{attr}"]

    def text(self) -> str:
        """The probe's graph with its inputs: "`a * b` with a = 3, b = -2"."""
        steps = self.case["spec"].get("steps") or []  # type: ignore[union-attr]
        code = "; ".join([*steps, self.case["spec"]["expression"]])  # type: ignore[typeddict-item]
        values = ", ".join(f"{k} = {_n(v)}" for k, v in self.values.items())
        return f"`{code}` with {values}"

    def users(self, node: str) -> list[dict[str, Any]]:
        return [n for n in self.trace["nodes"] if node in n["inputs"]]


# Operations whose local derivatives (left, right) are the same whatever the data.
_CONSTANT_LOCALS = {"+": (1.0, 1.0), "-": (1.0, -1.0)}


def _rule_ok(op: str, passed: dict[str, bool]) -> bool:
    """Whether ``op``'s rule is shown right on its own: its one-operation probe passed."""
    return passed.get(f"probe: {op} alone", False)


def measure(case: Case, obs: Observation | None, passed: dict[str, bool]) -> Measured | None:
    """What one failed probe shows, or None when it shows nothing this module can say for sure.

    ``passed`` maps every probe's name to whether it passed: an operation's rule is blamed only
    when its own ``<op> alone`` probe failed as well (else it is right on its own, and what went
    wrong is the order or the accumulation)."""
    name = _short(case["name"])
    if obs is None or passed.get(case["name"], True):
        return None
    if case.get("explain") is not None:
        return _script(case, obs)
    op = name.split(" ", 1)[0]
    if obs["status"] == "error":
        err = obs.get("error", {})
        raised = f"{err.get('type', 'an error')}" + (f": {err['message']}" if err.get("message")
                                                        else "")
        expression = case["spec"].get("expression", "")  # type: ignore[union-attr]
        values = ", ".join(f"{k} = {_n(v)}" for k, v in
                           case["spec"].get("values", {}).items())  # type: ignore[union-attr]
        if op.endswith("num") or op.startswith("num"):
            base = op.replace("num", "")
            as_int = f"probe: {op} with upstream gradient"
            if name.endswith("with a float") and passed.get(as_int, False):
                # The same form with the int 2 passed: what fails is the float, measured.
                return Measured("error", op, f"your `{base}` fails when the plain number is a "
                                "float, not an int", f"`{expression}` raised {raised}, while the "
                                f"same with 2 in place of 0.5 works")
            if passed.get(f"probe: {base} alone", False):
                return Measured("error", op, f"your `{base}` fails when one side is a plain number",
                                f"`{expression}` raised {raised}, while `a {base} b` with two "
                                "Values works")
        shown = f"`{expression}` with {values}" if values else f"`{expression}`"
        trace = case.get("trace")
        # A graph of this one operation on the input a (and plain numbers): nothing else can
        # have raised, so the error is the operation's own.
        node = next((n for n in trace["nodes"] if n["op"] == op and n["inputs"][:1] == ["a"]
                     and all(i not in case["spec"].get("values", {})  # type: ignore[union-attr]
                             for i in n["inputs"][1:])), None) \
            if trace and len([n for n in trace["nodes"] if n["op"] != "leaf"]) == 1 else None
        a = case["spec"].get("values", {}).get("a")  # type: ignore[union-attr]
        seen = obs.get("observations", {})
        in_backward = bool(seen.get(observe.BACKWARD_CALLED))
        if seen.get(observe.NOT_A_VALUE) and node is not None and not in_backward:
            return Measured("error", op, f"your `{op}` does not return a Value",
                            f"{shown} gave something that is not a Value, so backward() could "
                            f"not be called on it ({raised})")
        if node is not None and a is not None and trace is not None:
            # One operation on the input a alone: say which input, and what it should give.
            right = trace["expected"][f"@{node['id']}.data"]
            code = re.sub(r"\ba\b", _n(a), node["code"].split(" = ", 1)[1]) \
                if op in localise.BINARY_OPS.values() else f"{op}({_n(a)})"
            if in_backward:  # the value was made; its rule raised
                slope = trace["expected"].get("@a.grad")
                return Measured("error", op, f"your `{op}`'s gradient rule raises "
                                f"{err.get('type', 'an error')} when its input is {_n(a)}",
                                f"{shown} gave a value, then backward() raised {raised}; "
                                + (f"its gradient there is {_n(slope)}" if slope is not None
                                   else f"{code} should give {_n(right)}"))
            return Measured("error", op, f"your `{op}` raises {err.get('type', 'an error')} when "
                            f"its input is {_n(a)}", f"{shown} raised {raised}; {code} should "
                            f"give {_n(right)}")
        if in_backward:
            return Measured("error", op, f"calling backward() on {shown} raises "
                            f"{err.get('type', 'an error')}",
                            f"{shown} gave a value, then backward() raised {raised}")
        return Measured("error", op, f"{shown} raises {err.get('type', 'an error')}",
                        f"{shown} raised {raised}")
    if obs["status"] in ("timeout", "skipped"):
        return None
    if obs["status"] != "ok" or "trace" not in case:
        return None
    probe = _Probe(case, obs)
    leaves = [n for n in probe.nodes if probe.nodes[n]["op"] == "leaf"]
    distinct = len({probe.expected(n, "grad") for n in leaves}) == len(leaves) >= 2
    if distinct and all(_same(probe.got(n, "grad"), probe.expected(n, "grad") + 1) for n in leaves):
        shown = ", ".join(f"`{n}` {_n(probe.got(n, 'grad'))} (not {_n(probe.expected(n, 'grad'))})"
                          for n in leaves)
        return Measured("seed", "backward", "every input's gradient comes out 1 more than it "
                        "should, as if gradients started at 1 instead of 0",
                        f"in {probe.text()} the grads were {shown}")
    finding = localise.localise(probe.trace, probe.observations, case["tolerance"],
                                show_numbers=True)
    if finding is None:
        return None
    kind = finding.kind.split()
    if kind[0] == "forward":
        return _forward(probe, finding.node, passed)
    if finding.kind == "seed":
        out = probe.trace["output"]
        return Measured("seed", "backward", "after backward() the output's own gradient is not 1",
                        f"in {probe.text()}, the output's grad was {_n(probe.got(out, 'grad'))} "
                        "after backward(); it should be 1")
    if kind[0] == "backward":
        return _backward(probe, finding.node, passed)
    if kind[0] == "sum":
        return _shared(probe, finding.node, passed)
    return None


def _forward(probe: _Probe, node_id: str, passed: dict[str, bool]) -> Measured:
    node = probe.nodes[node_id]
    op = node["op"]
    got, expected = probe.got(node_id, "data"), probe.expected(node_id, "data")
    ins = [probe.expected(i, "data") for i in node["inputs"] if i in probe.nodes]
    relation = ""
    if len(ins) == 1 and _same(got, ins[0]):
        relation = ", its input unchanged"
    elif _same(got, -expected) and expected != 0:
        relation = ", the right value's negative"
    elif got is not None and _same(got, 1 - expected) and not _same(expected, 0.5):
        relation = ", 1 minus the right value"
    region, right = "", ""
    if op == "relu" and len(ins) == 1:
        region = (" when its input is negative" if ins[0] < 0 else " when its input is 0"
                  if ins[0] == 0 else " when its input is positive")
    elif len(ins) == 1 and ins[0] < 0 and op not in localise.BINARY_OPS.values() \
            and _rule_ok(op, passed):
        # Its `<op> alone` probe (a positive input, engine.authoring.probes) passed, data included.
        region = " for a negative input"
        right = "; it is right for the positive input it was also tried on"
    shown = f"{op}({_n(ins[0])})" if len(ins) == 1 and op not in localise.BINARY_OPS.values() \
        else f"`{node['code'].split(' = ', 1)[1]}`"
    return Measured("forward", op, f"your `{op}` computes a wrong value{region}",
                    f"{shown} gave {_n(got)}{relation}; it should be {_n(expected)} "
                    f"(in {probe.text()}){right}")


def _backward(probe: _Probe, node_id: str, passed: dict[str, bool]) -> Measured | None:
    """An operation sent a wrong gradient to ``node_id``, its only user's input."""
    user = probe.users(node_id)[0]
    op, inputs = user["op"], user["inputs"]
    got, expected = probe.got(node_id, "grad"), probe.expected(node_id, "grad")
    upstream, exp_upstream = probe.got(user["id"], "grad"), probe.expected(user["id"], "grad")
    both = inputs.count(node_id) > 1
    where = f"in {probe.text()}"
    own = probe.expected(node_id, "data")
    up = upstream if upstream is not None else 1.0
    if op == "relu" and got is not None and own <= 0 and _same(got, up) and not _same(up, 0.0):
        # relu passed something where it must pass 0, however the gradient above came about.
        return Measured("rule", op, "your `relu` lets the gradient through when its input is "
                        + ("negative" if own < 0 else "exactly 0"),
                        f"relu({_n(own)}) passed {_n(got)}, all of the {_n(up)} it received, back "
                        f"to its input; it should pass {_n(expected)} ({where})")
    if both and got is not None and _same(2 * got, expected) and not _same(expected, 0.0):
        return Measured(
            "reuse", op,
            f"your `{op}` keeps only one of the two contributions when the same value is both "
            "its inputs, as if it assigned `grad` instead of adding to it",
            f"{where}, `{node_id}`'s grad was {_n(got)}, one use's share; the two uses add up "
            f"to {_n(expected)}")
    if both and got is not None and op in _CONSTANT_LOCALS and upstream is not None \
            and _rule_ok(op, passed) and not _same(got, expected):
        # Local derivatives that do not depend on the data: each use's share is known exactly.
        shares = [local * upstream for local in _CONSTANT_LOCALS[op]]
        kept = [i for i, share in enumerate(shares) if _same(got, share)]
        if len(kept) == 1:
            return Measured(
                "reuse", op,
                f"your `{op}` keeps only one of the two contributions when the same value is "
                "both its inputs, as if it assigned `grad` instead of adding to it",
                f"{where}, `{node_id}`'s grad was {_n(got)}, the share of its "
                f"{('left', 'right')[kept[0]]} use alone; the two uses add up to {_n(expected)}")
    side = "both" if both else "only" if len(inputs) == 1 else "left" \
        if inputs.index(node_id) == 0 else "right"
    other = next((probe.expected(i, "data") for i in inputs if i != node_id and i in probe.nodes),
                 None)
    numbers = [i for i in inputs if i not in probe.nodes]
    if numbers and passed.get(f"probe: {op} with upstream gradient", False):
        # The same shape with two Values passed, so the order and the upstream are right: what
        # differs is the method for a plain number on this side (``__rsub__``, ``__radd__``...).
        return _number_form(probe, user, node_id, got, expected, upstream, exp_upstream, where)
    if not _rule_ok(op, passed):
        return _rule(probe, op, side, node_id, got, expected, upstream, own, other, where)
    # The rule is right on its own: what differs here is the gradient from above, or when it ran.
    if upstream is None or exp_upstream == 0 or expected == 0 or got is None:
        return None
    local = expected / exp_upstream
    ran_with = got / local
    if _same(ran_with, 1.0) and not _same(upstream, 1.0) and len(probe.users(user["id"])) <= 1:
        return Measured("upstream", op, f"your `{op}` does not multiply its local gradient by the "
                        "gradient from above (`out.grad`)",
                        f"{where}, `{node_id}` got {_n(got)}, the local gradient alone; with "
                        f"{_n(upstream)} from above it should get {_n(expected)}")
    if _same(ran_with, 1.0) and _mishandles_upstream(op, passed):
        return None  # what a rule that ignores `out.grad` sends: its own probe says so
    return _ran_with(probe, user, node_id, got, expected, ran_with, upstream, where)


def _mishandles_upstream(op: str, passed: dict[str, bool]) -> bool:
    """Whether ``op``'s own probe with a gradient from above other than 1 failed.

    ``_ran_with`` reads a wrong gradient as the rule having run with a partial grad, which holds
    only for a rule that scales by its grad correctly. A rule that sent its local gradient alone
    (as if its grad were 1), of an operation right alone but wrong under another one, is what
    ignoring ``out.grad`` gives: those numbers say nothing about the order the rules ran in."""
    return not passed.get(f"probe: {op} with upstream gradient", True)


def _ran_with(probe: _Probe, user: dict[str, Any], node_id: str, got: float, expected: float,
              ran_with: float, final: float | None, where: str) -> Measured | None:
    """``user``'s rule is right on its own, yet sent ``got``: what it sends for a grad of
    ``ran_with`` (summed over its runs), while its grad ends at ``final``.

    When everything the users send to ``user`` is positive (the probes are made so), its grad only
    grows while backward() runs: a rule that saw less than the final grad in total never ran after
    all its users had added to it, and one that saw more ran more than once."""
    name = user["id"]
    sends = [probe.trace["edges"].get(f"{u['id']}>{name}") for u in probe.users(name)]
    if final is None or not sends or any(x is None or x <= 0 for x in sends) or final <= 0:
        return None
    claim = "your backward() runs a node's rule before all its users have added to its grad"
    if _same(ran_with, 0.0):
        return Measured("order", "backward", claim + ", or never runs it",
                        f"{where}, `{name}`'s grad ends at {_n(final)} but its rule passed nothing "
                        f"on: `{node_id}` got {_n(got)} where {_n(expected)} was expected")
    if 0 < ran_with < final and not _same(ran_with, final):
        return Measured("order", "backward", claim,
                        f"{where}, `{node_id}` got {_n(got)}, what `{name}`'s rule sends when "
                        f"`{name}`'s grad is {_n(ran_with)}; its grad ends at {_n(final)}, so "
                        f"`{node_id}` should get {_n(expected)}")
    if ran_with > final and not _same(ran_with, final):
        return Measured("order", "backward", "your backward() runs a node's rule more than once",
                        f"{where}, `{node_id}` got {_n(got)}, more than the {_n(expected)} that "
                        f"`{name}`'s rule sends when it runs once, with its final grad "
                        f"{_n(final)}")
    return None


def _number_form(probe: _Probe, user: dict[str, Any], node_id: str, got: float | None,
                 expected: float, upstream: float | None, exp_upstream: float,
                 where: str) -> Measured | None:
    """An operation with a plain number on one side sent a wrong gradient to its Value input,
    while the same operation between two Values is right in the same graph."""
    op, code = user["op"], user["code"].split(" = ", 1)[1]
    if got is None or upstream is None or exp_upstream == 0:
        return None
    left = user["inputs"][0] not in probe.nodes
    form = f"`{op}` with a plain number on the {'left' if left else 'right'}"
    local = expected / exp_upstream
    said = (f"{where}, `{code}` has grad {_n(upstream)} and sent {_n(got)} to `{node_id}`; "
            f"d({code})/d{node_id} is {_n(local)}, so `{node_id}` should get {_n(expected)}")
    if _same(got, 0.0):
        return Measured("rule", op, f"your {form} sends no gradient to its Value input", said)
    if _same(got, -expected):
        return Measured("rule", op, f"your {form} sends its Value input a gradient of the "
                        "wrong sign", said)
    return Measured("rule", op, f"your {form} sends a wrong gradient to its Value input", said)


def _rule(probe: _Probe, op: str, side: str, node_id: str, got: float | None, expected: float,
          upstream: float | None, own: float, other: float | None, where: str) -> Measured:
    """The operation's own rule is wrong (its ``<op> alone`` probe failed too)."""
    if side == "both":
        return Measured("reuse", op, f"your `{op}` sends a wrong gradient when the same value is "
                        "both its inputs", f"{where}, `{node_id}`'s grad was {_n(got)}; it should "
                        f"be {_n(expected)}")
    side = "" if side == "only" else f" {side}"
    said = f"{where}, `{node_id}` (its{side} input) got {_n(got)}; it should get {_n(expected)}"
    up = upstream if upstream is not None else 1.0
    if got is not None and op == "*" and other is not None and not _same(own, other) \
            and _same(got, own * up):
        return Measured("rule", op, "your `*` gives each input its own data as gradient, not the "
                        "other input's", said + f", the other input's data ({_n(other)})"
                        + (f" times the {_n(up)} from above" if up != 1 else ""))
    if op == "relu" and got is not None and own > 0 and _same(got, up * own) and own != 1:
        return Measured("rule", op, "your `relu` multiplies the gradient by its output's value, "
                        "not by 1", f"relu({_n(own)}) passed {_n(got)} back, {_n(own)} times the "
                        f"{_n(up)} it received; it should pass {_n(expected)} ({where})")
    if got is not None and _same(got, 0.0):
        return Measured("rule", op, f"your `{op}` sends no gradient to its{side} input", said)
    if got is not None and _same(got, -expected):
        return Measured("rule", op, f"your `{op}` sends its{side} input a gradient of the wrong "
                        "sign", said)
    return Measured("rule", op, f"your `{op}` sends a wrong gradient to its{side} input", said)


def _shared(probe: _Probe, node_id: str, passed: dict[str, bool]) -> Measured | None:
    """A value used by several operations has the wrong grad, each operation right on its own."""
    users = probe.users(node_id)
    if not all(_rule_ok(u["op"], passed) for u in users):
        return None  # a rule is wrong on its own: its own probe says so
    got, expected = probe.got(node_id, "grad"), probe.expected(node_id, "grad")
    sends = {u["id"]: probe.trace["edges"].get(f"{u['id']}>{node_id}") for u in users}
    kept = [u for u in users if _same(got, sends[u["id"]])]
    codes = " and ".join(f"`{u['code'].split(' = ', 1)[1]}`" for u in users)
    if kept:
        # Two users that send the same amount: which one's share it kept is not measured.
        which = f"`{kept[0]['code'].split(' = ', 1)[1]}`" if len(kept) == 1 else "one of them"
        return Measured("sum", "backward", "a value used by two operations keeps only one of "
                        "their contributions to its grad",
                        f"in {probe.text()}, `{node_id}` is used by {codes}; its grad was "
                        f"{_n(got)}, only what {which} sends; it should be {_n(expected)}, the "
                        "sum")
    return Measured("sum", "backward", "a value used by two operations gets a wrong total gradient",
                    f"in {probe.text()}, `{node_id}` is used by {codes}; its grad was {_n(got)}; "
                    f"it should be {_n(expected)}, the sum of what each sends")


def _script(case: Case, obs: Observation) -> Measured | None:
    """A failed script probe: the first of its ``explain`` rules whose numbers all match what was
    recorded (``engine.authoring.probes``), its evidence filled in with the recorded numbers; None
    when none matches (the probe then says nothing rather than guess)."""
    if obs["status"] != "ok":
        return None
    got = {label: number(d) for label, d in obs.get("observations", {}).items()}
    for rule in case.get("explain", []):
        if all(_holds(got.get(label), cond) for label, cond in rule["when"].items()):
            evidence = re.sub(r"\{([^{}]+)\}", lambda m: _n(got.get(m.group(1))), rule["evidence"])
            return Measured(rule.get("kind", "script"), _short(case["name"]), rule["claim"],
                            evidence)
    return None


def _holds(value: float | None, cond: float | dict[str, float]) -> bool:
    """Whether a recorded number meets a rule's condition: equal to a number (the grader's
    tolerance), or within ``min``/``max`` and not equal to ``not``."""
    if value is None or math.isnan(value):
        return False
    if not isinstance(cond, dict):
        return _same(value, float(cond))
    return (("min" not in cond or value >= cond["min"]) and ("max" not in cond
            or value <= cond["max"]) and ("not" not in cond or not _same(value, cond["not"])))


def explain(probes: list[Case], observed: list[Observation | None]) -> list[Measured]:
    """Every distinct behaviour the failed probes show, most basic first (``RANK``), each once.

    Next to a seed finding no operation is blamed (``SEEDED``): a seed that is missing, or set
    only after the rules ran, makes every rule pass on 0, right or not."""
    passed = {p["name"]: o is not None and o["status"] == "ok" and not _wrong(p, o)
              for p, o in zip(probes, observed, strict=True)}
    found: dict[str, Measured] = {}
    for case, obs in zip(probes, observed, strict=True):
        m = measure(case, obs, passed)
        if m is not None and m.claim not in found:
            found[m.claim] = m
    if any(m.kind == "seed" for m in found.values()):
        found = {c: m for c, m in found.items() if m.kind not in SEEDED}
    return sorted(found.values(), key=lambda m: RANK[m.kind])


# The probes that measure one operation on its own (engine.authoring.probes names them so).
PER_OPERATION = ("alone", "with upstream gradient", "with a reused leaf")


def right_on_their_own(probes: list[Case], observed: list[Observation | None]) -> set[str]:
    """The operations shown right on their own: the ``<op> alone`` probe passed and each other
    probe of that operation alone either passed or failed in a way measured as the order or the
    seed (a rule that ran before its grad was complete), never as the operation's own rule."""
    passed = {p["name"]: o is not None and o["status"] == "ok" and not _wrong(p, o)
              for p, o in zip(probes, observed, strict=True)}
    ok: dict[str, bool] = {}
    for case, obs in zip(probes, observed, strict=True):
        op, _, rest = _short(case["name"]).partition(" ")
        if rest not in PER_OPERATION or case.get("explain") is not None:
            continue
        m = None if passed[case["name"]] else measure(case, obs, passed)
        ok[op] = ok.get(op, True) and (passed[case["name"]] or (
            m is not None and m.kind in ("order", "seed")))
    return {op for op, fine in ok.items() if fine and passed.get(f"probe: {op} alone", False)}


def _wrong(case: Case, obs: Observation) -> bool:
    """Whether any recorded value of a probe is off (the judge's tolerance)."""
    tol = case["tolerance"]
    for label, expected in case["expected"].items():
        got = number(obs.get("observations", {}).get(label))
        if got is None or not math.isclose(got, expected, rel_tol=tol["rel"], abs_tol=tol["abs"]):
            return True
    return False


def diagnosis(measured: list[Measured], limit: int = 3) -> Diagnosis | None:
    """The report's diagnosis from what was measured: the most basic behaviour as its sentence,
    each behaviour's evidence below it. None when nothing was measured."""
    if not measured:
        return None
    first = measured[0].claim
    return {"mistake": first[:1].upper() + first[1:] + ".", "hint": None, "score": 1.0,
            "basis": "measured", "evidence": evidence(measured, limit)}


def evidence(measured: list[Measured], limit: int = 3) -> list[str]:
    """One line per behaviour: the claim, then the numbers that show it."""
    return [f"{m.claim[:1].upper() + m.claim[1:]}: {m.evidence}." for m in measured[:limit]]


__all__ = ["PER_OPERATION", "RANK", "Measured", "diagnosis", "evidence", "explain", "measure",
           "right_on_their_own"]
