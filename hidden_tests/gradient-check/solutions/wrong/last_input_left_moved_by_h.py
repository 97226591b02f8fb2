# Mistake: numerical_grad nudges the caller's xs in place and never puts the last input back, so the list it was given comes back with one entry moved by h.
# Hint: After numerical_grad returns, xs must hold exactly what it held before: nudge copies (plus = list(xs); minus = list(xs)), or end with xs[:] = original.
import math


class Value:
    """Given: a working Value (+ - * / **, numbers on either side, tanh, exp)."""

    def __init__(self, data, _children=()):
        self.data = data
        self.grad = 0
        self._backward = lambda: None
        self._prev = tuple(_children)

    @staticmethod
    def _wrap(x):
        return x if isinstance(x, Value) else Value(x)

    def _node(self, data, children, locals_):
        out = Value(data, children)

        def _backward():
            for child, local in zip(children, locals_):
                child.grad += local * out.grad

        out._backward = _backward
        return out

    def __add__(self, other):
        other = Value._wrap(other)
        return self._node(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other):
        other = Value._wrap(other)
        return self._node(self.data * other.data, (self, other), (other.data, self.data))

    def __neg__(self):
        return self._node(-self.data, (self,), (-1,))

    def __sub__(self, other):
        other = Value._wrap(other)
        return self._node(self.data - other.data, (self, other), (1, -1))

    def __truediv__(self, other):
        other = Value._wrap(other)
        a, b = self.data, other.data
        return self._node(a / b, (self, other), (1 / b, -a / b**2))

    def __pow__(self, n):
        return self._node(self.data**n, (self,), (n * self.data ** (n - 1),))

    def __radd__(self, other):
        return Value._wrap(other) + self

    def __rmul__(self, other):
        return Value._wrap(other) * self

    def __rsub__(self, other):
        return Value._wrap(other) - self

    def __rtruediv__(self, other):
        return Value._wrap(other) / self

    def tanh(self):
        t = math.tanh(self.data)
        return self._node(t, (self,), (1 - t * t,))

    def exp(self):
        e = math.exp(self.data)
        return self._node(e, (self,), (e,))

    def backward(self):
        topo, seen = [], set()

        def build(v):
            if id(v) not in seen:
                seen.add(id(v))
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        self.grad = 1
        for v in reversed(topo):
            v._backward()

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


def numerical_grad(f, xs, h=1e-6):
    """Central differences: how much f's output moves per unit of each input, one at a time."""
    original = list(xs)
    grads = []
    for i in range(len(xs)):
        xs[:] = original  # every input starts from the caller's values
        xs[i] = original[i] + h
        f_plus = f([Value(x) for x in xs]).data
        xs[i] = original[i] - h
        f_minus = f([Value(x) for x in xs]).data
        grads.append((f_plus - f_minus) / (2 * h))
    return grads


def gradient_check(f, xs, h=1e-6):
    """The largest absolute difference between backward()'s gradients and numerical ones."""
    values = [Value(x) for x in xs]
    f(values).backward()
    numeric = numerical_grad(f, xs, h)
    return max(abs(v.grad - n) for v, n in zip(values, numeric))
