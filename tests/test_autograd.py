"""The reference engine: every op's value and gradient, the edge cases, and deep graphs."""

import math

import pytest

from engine.autograd import Value


def grads(*values):
    return [v.grad for v in values]


def test_seed_example_relu_kills_every_gradient():
    a, b, c = Value(2), Value(-3), Value(10)
    e = (a + b * c).relu()
    e.backward()
    assert e.data == 0
    assert grads(a, b, c) == [0, 0, 0]


def test_seed_real_world_outcome():
    x, y, z = Value(2.0), Value(-3.0), Value(10.0)
    f = x * y + z
    f.backward()
    assert f.data == 4.0
    assert grads(x, y, z) == [-3.0, 2.0, 1.0]


@pytest.mark.parametrize(
    ("build", "data", "dx"),
    [
        (lambda x: x + 3, 5.0, 1.0),
        (lambda x: 3 + x, 5.0, 1.0),
        (lambda x: x - 3, -1.0, 1.0),
        (lambda x: 3 - x, 1.0, -1.0),
        (lambda x: x * 3, 6.0, 3.0),
        (lambda x: 3 * x, 6.0, 3.0),
        (lambda x: x / 4, 0.5, 0.25),
        (lambda x: 1 / x, 0.5, -0.25),
        (lambda x: x**3, 8.0, 12.0),
        (lambda x: x**-1, 0.5, -0.25),
        (lambda x: x**0.5, math.sqrt(2), 0.5 / math.sqrt(2)),
        (lambda x: -x, -2.0, -1.0),
        (lambda x: x.relu(), 2.0, 1.0),
        (lambda x: (-x).relu(), 0.0, 0.0),
        (lambda x: x.tanh(), math.tanh(2), 1 - math.tanh(2) ** 2),
        (lambda x: x.exp(), math.exp(2), math.exp(2)),
        (lambda x: x.log(), math.log(2), 0.5),
        (lambda x: x.sigmoid(), 1 / (1 + math.exp(-2)), math.exp(-2) / (1 + math.exp(-2)) ** 2),
        (lambda x: x.sin(), math.sin(2), math.cos(2)),
        (lambda x: x.cos(), math.cos(2), -math.sin(2)),
        (lambda x: x * x, 4.0, 4.0),
    ],
)
def test_each_op_forward_and_local_derivative(build, data, dx):
    x = Value(2.0)
    out = build(x)
    out.backward()
    assert out.data == pytest.approx(data, rel=1e-12)
    assert x.grad == pytest.approx(dx, rel=1e-12)
    assert out.grad == 1.0


def test_division_by_value_gives_both_gradients():
    a, b = Value(3.0), Value(2.0)
    (a / b).backward()
    assert (a.grad, b.grad) == (0.5, -0.75)


def test_relu_gradient_is_zero_at_exactly_zero():
    x = Value(0.0)
    y = x.relu()
    y.backward()
    assert (y.data, x.grad) == (0, 0)


def test_gradients_accumulate_over_every_use():
    x = Value(3.0)
    y = x * x + x  # 2x + 1 = 7
    y.backward()
    assert x.grad == 7.0


def test_shared_intermediate_runs_its_rule_once_after_all_uses():
    a, b, c = Value(2.0), Value(3.0), Value(4.0)
    d = a * b
    out = d * c + d
    out.backward()
    assert grads(a, b, c) == [15.0, 10.0, 6.0]


@pytest.mark.slow
def test_backward_on_100k_chain_does_not_hit_the_recursion_limit():
    x = Value(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.backward()
    assert x.grad == 1.0
    assert y.data == 1.0


def test_sigmoid_is_stable_at_extremes():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    big = Value(800.0)
    s = big.sigmoid()
    s.backward()
    assert big.grad == 0.0


def test_repr_shows_data_and_grad():
    v = Value(2.5)
    assert repr(v) == "Value(data=2.5, grad=0.0)"


@pytest.mark.parametrize(
    ("action", "error", "words"),
    [
        (lambda: Value(0) ** -1, ZeroDivisionError, r"0 \*\* -1"),
        (lambda: Value(0.0).log(), ValueError, "positive"),
        (lambda: Value(-2.0).log(), ValueError, "positive"),
        (lambda: Value(2.0) ** "2", TypeError, "exponent"),
        (lambda: Value(2.0) ** Value(2.0), TypeError, "exponent"),
        (lambda: Value("a"), TypeError, "int or float"),
        (lambda: Value(True), TypeError, "int or float"),
        (lambda: Value(None), TypeError, "int or float"),
        (lambda: Value(1.0) + "x", TypeError, "int or float"),
        (lambda: Value(1.0) / 0, ZeroDivisionError, "division by zero"),
        (lambda: Value(-8.0) ** 0.5, ValueError, "not a real number"),
        (lambda: Value(1000.0).exp(), OverflowError, "too large"),
    ],
)
def test_bad_inputs_raise_clear_errors(action, error, words):
    with pytest.raises(error, match=words):
        action()


def test_power_edge_derivatives():
    x = Value(0.0)
    (x**0).backward()
    assert x.grad == 0  # x^0 is constant
    y = Value(0.0)
    (y**0.5).backward()
    assert y.grad == math.inf  # the square root is vertical at 0, as in PyTorch
    z = Value(-2.0)
    (z**3).backward()
    assert z.grad == 12.0


def test_local_derivatives_are_stored_beside_each_forward_value():
    a, b = Value(2.0), Value(5.0)
    out = a * b
    assert out._prev == (a, b) and out._local == (5.0, 2.0) and out._op == "*"
