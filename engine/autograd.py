"""The reference scalar autograd engine.

Written to be read like micrograd's ``engine.py``: every operation builds its output node and, right
beside it, the closure that pushes the output's gradient back to its inputs (the local derivative
times the upstream gradient, accumulated with ``+=``). Two things differ from micrograd on purpose:

- ``backward()`` sorts the graph without recursion, so a chain of 100,000 nodes works;
- bad inputs raise a clear Python error instead of producing a wrong number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

Number = int | float


def _no_backward() -> None:
    """Leaves have nothing to propagate; one shared function keeps leaves small and fast."""


def _check_number(x: object, what: str) -> None:
    # bool is an int subclass, but Value(True) is almost always a bug, so it is refused too.
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"{what} must be an int or float, got {type(x).__name__} {x!r}")


class Value:
    """A scalar that remembers how it was computed, so ``backward()`` can fill in every ``grad``."""

    __slots__ = ("_backward", "_op", "_prev", "data", "grad")

    def __init__(self, data: Number, _children: Iterable[Value] = (), _op: str = "") -> None:
        _check_number(data, "Value data")
        self.data = data
        self.grad = 0.0
        self._backward: Callable[[], None] = _no_backward
        self._prev = tuple(_children)
        self._op = _op

    # -- binary operations ---------------------------------------------------------------------

    def __add__(self, other: Value | Number) -> Value:
        other = _as_value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward() -> None:
            self.grad += out.grad  # d(a+b)/da = 1
            other.grad += out.grad  # d(a+b)/db = 1

        out._backward = _backward
        return out

    def __mul__(self, other: Value | Number) -> Value:
        other = _as_value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward() -> None:
            self.grad += other.data * out.grad  # d(ab)/da = b
            other.grad += self.data * out.grad  # d(ab)/db = a

        out._backward = _backward
        return out

    def __pow__(self, exponent: Number) -> Value:
        if isinstance(exponent, Value):
            raise TypeError("Value ** Value is not supported: the exponent must be an int or float")
        _check_number(exponent, "the exponent of **")
        if self.data == 0 and exponent < 0:
            raise ZeroDivisionError(f"0 ** {exponent} is undefined (division by zero)")
        if self.data < 0 and not float(exponent).is_integer():
            raise ValueError(f"{self.data} ** {exponent} is not a real number")
        out = Value(self.data**exponent, (self,), f"**{exponent}")

        def _backward() -> None:
            self.grad += exponent * self.data ** (exponent - 1) * out.grad  # d(a^n)/da = n a^(n-1)

        out._backward = _backward
        return out

    def __truediv__(self, other: Value | Number) -> Value:
        other = _as_value(other)
        if other.data == 0:
            raise ZeroDivisionError(f"division by zero: {self.data} / {other.data}")
        out = Value(self.data / other.data, (self, other), "/")

        def _backward() -> None:
            self.grad += out.grad / other.data  # d(a/b)/da = 1/b
            other.grad += -self.data / other.data**2 * out.grad  # d(a/b)/db = -a/b^2

        out._backward = _backward
        return out

    # -- unary operations ----------------------------------------------------------------------

    def relu(self) -> Value:
        out = Value(self.data if self.data > 0 else 0, (self,), "relu")

        def _backward() -> None:
            self.grad += (1 if self.data > 0 else 0) * out.grad  # 0 at exactly 0, by convention

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward() -> None:
            self.grad += (1 - t * t) * out.grad  # d tanh(a)/da = 1 - tanh(a)^2

        out._backward = _backward
        return out

    def exp(self) -> Value:
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"exp({self.data}) is too large for a float") from None
        out = Value(e, (self,), "exp")

        def _backward() -> None:
            self.grad += e * out.grad  # d e^a/da = e^a

        out._backward = _backward
        return out

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(f"log is only defined for positive numbers, got {self.data}")
        out = Value(math.log(self.data), (self,), "log")

        def _backward() -> None:
            self.grad += out.grad / self.data  # d ln(a)/da = 1/a

        out._backward = _backward
        return out

    def sigmoid(self) -> Value:
        x = self.data
        # Two forms so that neither branch calls exp() on a large positive number.
        s = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))
        out = Value(s, (self,), "sigmoid")

        def _backward() -> None:
            self.grad += s * (1 - s) * out.grad  # d sigma(a)/da = sigma(a)(1 - sigma(a))

        out._backward = _backward
        return out

    # -- derived operations: built from the ones above, so they need no backward of their own ---

    def __neg__(self) -> Value:
        return self * -1

    def __sub__(self, other: Value | Number) -> Value:
        return self + (-_as_value(other))

    def __radd__(self, other: Number) -> Value:
        return self + other

    def __rsub__(self, other: Number) -> Value:
        return _as_value(other) - self

    def __rmul__(self, other: Number) -> Value:
        return self * other

    def __rtruediv__(self, other: Number) -> Value:
        return _as_value(other) / self

    # -- backpropagation -----------------------------------------------------------------------

    def backward(self) -> None:
        """Fill in ``grad`` of every node this one depends on, by the chain rule.

        The topological sort is an explicit-stack depth-first search: micrograd's recursive one
        stops at Python's recursion limit, about 1,000 nodes deep.
        """
        topo: list[Value] = []
        visited: set[int] = set()
        stack: list[tuple[Value, bool]] = [(self, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                topo.append(node)
            elif id(node) not in visited:
                visited.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev if id(child) not in visited)
        self.grad = 1.0
        for node in reversed(topo):
            node._backward()

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"


def _as_value(x: Value | Number) -> Value:
    """Wrap a plain number so ``v + 1`` and ``v * 2`` work; anything else is a clear TypeError."""
    if isinstance(x, Value):
        return x
    _check_number(x, "the other operand")
    return Value(x)
