# Mistake: `1 / x` computes x / 1: __rtruediv__ divides the wrong way round.
# Hint: In __rtruediv__, other is the numerator: return Value(other) / self.
class Value:
    """Each operation is its own node, its forward value and local derivatives side by side."""

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
        return self / Value._wrap(other)

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
