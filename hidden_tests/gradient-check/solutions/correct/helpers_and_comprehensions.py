# A helper that returns a moved copy, and comprehensions throughout.
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


def shifted(xs, i, delta):
    return [x + delta if j == i else x for j, x in enumerate(xs)]


def evaluate(f, xs):
    return f([Value(x) for x in xs]).data


def numerical_grad(f, xs, h=1e-6):
    return [(evaluate(f, shifted(xs, i, h)) - evaluate(f, shifted(xs, i, -h))) / (2 * h)
            for i in range(len(xs))]


def gradient_check(f, xs, h=1e-6):
    values = [Value(x) for x in xs]
    out = f(values)
    out.backward()
    return float(max(abs(v.grad - n) for v, n in zip(values, numerical_grad(f, xs, h))))
