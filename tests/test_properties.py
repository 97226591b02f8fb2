"""Property tests: random expression graphs, compared with PyTorch and with finite differences.

Hypothesis draws a program: some leaves, then operations whose operands are any earlier node, so
leaves are reused and intermediates shared. The program is planned on plain floats (which also
decides domain guards such as "divide only by something away from 0"), then replayed with the
reference engine and with torch float64; data and every leaf's grad must agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pytest
import torch
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.autograd import Value

BINARY = ("+", "*", "-", "/")
UNARY = ("relu", "tanh", "exp", "log", "sigmoid", "sin", "cos", "neg", "**2", "**3", "**-1",
         "**0.5", "c+", "c*", "c-", "c/")
KINK = 1e-3  # finite differences are meaningless this close to relu's kink


@dataclass(frozen=True)
class Step:
    op: str
    x: int
    y: int = 0
    c: float = 1.0


def _usable(op: str, x: float, y: float, c: float) -> bool:
    """Domain guards, decided on plain floats so every backend builds the same graph."""
    return {
        "/": abs(y) >= 0.25, "**-1": abs(x) >= 0.25, "**0.5": x > 0.01, "log": x > 0.01,
        "exp": x < 8, "c/": abs(x) >= 0.25,
    }.get(op, True)


def apply(op, x, y, c, lib):
    """One operation on a backend: lib is 'value' (our engine) or 'torch'."""
    if op == "+":
        return x + y
    if op == "*":
        return x * y
    if op == "-":
        return x - y
    if op == "/":
        return x / y
    if op.startswith("**"):
        return x ** float(op[2:])
    if op == "neg":
        return -x
    if op == "c+":
        return c + x
    if op == "c*":
        return c * x
    if op == "c-":
        return c - x
    if op == "c/":
        return c / x
    if lib == "torch":
        return getattr(torch, op)(x)
    return getattr(x, op)()


def float_op(op, x, y, c):
    return {
        "relu": lambda: max(x, 0.0), "tanh": lambda: math.tanh(x), "exp": lambda: math.exp(x),
        "log": lambda: math.log(x), "sigmoid": lambda: 1 / (1 + math.exp(-x)),
        "sin": lambda: math.sin(x), "cos": lambda: math.cos(x),
    }.get(op, lambda: apply(op, x, y, c, "float"))()


@st.composite
def programs(draw):
    n_leaves = draw(st.integers(1, 4))
    leaves = draw(st.lists(st.floats(-3, 3, allow_nan=False).filter(lambda v: abs(v) > 1e-3),
                           min_size=n_leaves, max_size=n_leaves))
    steps = []
    values = list(leaves)
    for _ in range(draw(st.integers(1, 14))):
        op = draw(st.sampled_from(BINARY + UNARY))
        x = draw(st.integers(0, len(values) - 1))
        y = draw(st.integers(0, len(values) - 1))
        c = draw(st.sampled_from([-2.0, -0.5, 0.5, 1.5, 3.0]))
        if not _usable(op, values[x], values[y], c):
            continue
        out = float_op(op, values[x], values[y], c)
        if not math.isfinite(out) or abs(out) > 1e4:
            continue
        steps.append(Step(op, x, y, c))
        values.append(out)
    assume(steps)
    return leaves, steps


def run_engine(leaves, steps):
    nodes = [Value(v) for v in leaves]
    for s in steps:
        nodes.append(apply(s.op, nodes[s.x], nodes[s.y], s.c, "value"))
    out = nodes[-1]
    out.backward()
    return out.data, [n.grad for n in nodes[: len(leaves)]]


def run_torch(leaves, steps):
    nodes = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in leaves]
    for s in steps:
        nodes.append(apply(s.op, nodes[s.x], nodes[s.y], s.c, "torch"))
    out = nodes[-1]
    out.backward()
    return out.item(), [0.0 if n.grad is None else n.grad.item() for n in nodes[: len(leaves)]]


def run_floats(leaves, steps):
    """The program as a plain float function; also says whether a relu sits near its kink."""
    values = list(leaves)
    near_kink = False
    for s in steps:
        if s.op == "relu" and abs(values[s.x]) < KINK:
            near_kink = True
        values.append(float_op(s.op, values[s.x], values[s.y], s.c))
    return values[-1], near_kink


def close(a, b, rel, abs_):
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


@SETTINGS
@given(programs())
@pytest.mark.slow
def test_engine_matches_torch(program):
    leaves, steps = program
    data, grads = run_engine(leaves, steps)
    t_data, t_grads = run_torch(leaves, steps)
    assert close(data, t_data, 1e-9, 1e-9), (data, t_data)
    for g, tg in zip(grads, t_grads, strict=True):
        assert close(g, tg, 1e-7, 1e-7), (grads, t_grads)


@SETTINGS
@given(programs())
@pytest.mark.slow
def test_engine_matches_central_finite_differences(program):
    leaves, steps = program
    _, near_kink = run_floats(leaves, steps)
    assume(not near_kink)
    _, grads = run_engine(leaves, steps)
    eps = 1e-6
    for i in range(len(leaves)):
        up, down = list(leaves), list(leaves)
        up[i] += eps
        down[i] -= eps
        (f_up, kink_up), (f_down, kink_down) = run_floats(up, steps), run_floats(down, steps)
        assume(not (kink_up or kink_down))
        numeric = (f_up - f_down) / (2 * eps)
        scale = max(1.0, abs(numeric), abs(grads[i]))
        assert abs(numeric - grads[i]) <= 1e-4 * scale, (i, numeric, grads[i])


def test_shared_nodes_and_reused_leaves_are_exercised():
    """Guard against a strategy that silently stops generating the interesting graphs."""
    leaves = [2.0, -1.5]
    steps = [Step("*", 0, 0), Step("+", 2, 1), Step("*", 3, 2), Step("relu", 4), Step("tanh", 3)]
    steps.append(Step("+", 5, 6))
    data, grads = run_engine(leaves, steps)
    t_data, t_grads = run_torch(leaves, steps)
    assert data == pytest.approx(t_data)
    assert grads == pytest.approx(t_grads)


@pytest.mark.parametrize("x", [-3.0, -1.5, 0.0, 0.7, math.pi / 2, 2.5])
def test_sin_and_cos_match_torch(x):
    """sin(x) * cos(x) + cos(sin(x)): both ops, each upstream gradient other than 1, one leaf
    reused; the engine's data and grad must be torch float64's."""
    v = Value(x)
    out = v.sin() * v.cos() + v.sin().cos()
    out.backward()
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    t_out = torch.sin(t) * torch.cos(t) + torch.cos(torch.sin(t))
    t_out.backward()
    assert out.data == pytest.approx(t_out.item(), rel=1e-12, abs=1e-12)
    assert v.grad == pytest.approx(t.grad.item(), rel=1e-12, abs=1e-12)
