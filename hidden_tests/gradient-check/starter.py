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
    """f takes a list of Values and returns a Value; xs is a list of floats.

    Return a list of floats: for each i, (f at xs with xs[i] + h  -  f at xs with xs[i] - h) / (2h),
    using the .data of f's result. Do not change xs.
    """
    raise NotImplementedError


def gradient_check(f, xs, h=1e-6):
    """Run f on Values made from xs and call backward() on the result; return the largest
    absolute difference between those Values' grads and numerical_grad(f, xs, h)."""
    raise NotImplementedError
