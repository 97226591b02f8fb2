# Correct: index tuples walked with itertools.product, math.prod and math.fsum, one rule function per node.
import itertools
import math


class Value:
    """Given: a working Value with +, * (numbers on either side), relu and backward()."""

    def __init__(self, data, _children=()):
        self.data = data
        self.grad = 0
        self._backward = lambda: None
        self._prev = tuple(_children)

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __radd__(self, other):
        return self + other

    def __rmul__(self, other):
        return self * other

    def relu(self):
        out = Value(0 if self.data < 0 else self.data, (self,))

        def _backward():
            self.grad += (out.data > 0) * out.grad

        out._backward = _backward
        return out

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
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
            node._backward()

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"



# Index tuples instead of flat arithmetic: itertools.product walks every index of the output,
# each input's index is read off it (size-1 axes pinned to 0) and turned into a flat position
# (flat()). Each operation's backward is a rule(out) function.




class Tensor:
    def __init__(self, data, shape):
        if len(data) != math.prod(shape):
            raise ValueError(f"{len(data)} numbers do not fill the shape {shape}")
        self.data = data
        self.shape = shape
        self.grad = [0.0] * len(data)
        self._backward = lambda: None
        self._prev = ()

    def flat(self, index):
        """The flat position of an index tuple of this tensor (row-major)."""
        position = 0
        for i, n in zip(index, self.shape):
            position = position * n + i
        return position

    def read_from(self, out_index):
        """The index of this tensor that broadcasting reads for an index of a larger output."""
        tail = out_index[len(out_index) - len(self.shape):] if self.shape else ()
        return tuple(0 if n == 1 else i for i, n in zip(tail, self.shape))

    def _node(self, data, shape, inputs, rule):
        out = Tensor(data, shape)
        out._prev = inputs
        out._backward = lambda: rule(out)
        return out

    def _broadcast(self, other, f, d_self, d_other):
        rank = max(len(self.shape), len(other.shape))
        a = (1,) * (rank - len(self.shape)) + self.shape
        b = (1,) * (rank - len(other.shape)) + other.shape
        if any(x != y and min(x, y) != 1 for x, y in zip(a, b)):
            raise ValueError(f"{self.shape} and {other.shape} do not broadcast")
        shape = tuple(max(x, y) for x, y in zip(a, b))
        links = [(self.flat(self.read_from(ix)), other.flat(other.read_from(ix)))
                 for ix in itertools.product(*(range(n) for n in shape))]

        def rule(out):
            for k, (i, j) in enumerate(links):
                x, y, g = self.data[i], other.data[j], out.grad[k]
                self.grad[i] += d_self(x, y) * g
                other.grad[j] += d_other(x, y) * g

        data = [f(self.data[i], other.data[j]) for i, j in links]
        return self._node(data, shape, (self, other), rule)

    def __add__(self, other):
        return self._broadcast(other, lambda x, y: x + y, lambda x, y: 1.0, lambda x, y: 1.0)

    def __sub__(self, other):
        return self._broadcast(other, lambda x, y: x - y, lambda x, y: 1.0, lambda x, y: -1.0)

    def __mul__(self, other):
        return self._broadcast(other, lambda x, y: x * y, lambda x, y: y, lambda x, y: x)

    def sum(self, axis=None, keepdims=False, _scale=1.0):
        axes = range(len(self.shape)) if axis is None else [axis]
        kept = tuple(1 if d in axes else n for d, n in enumerate(self.shape))
        result = Tensor([0.0] * math.prod(kept), kept)
        into = [result.flat(result.read_from(ix))
                for ix in itertools.product(*(range(n) for n in self.shape))]
        for i, j in enumerate(into):
            result.data[j] += self.data[i] * _scale
        shape = kept if keepdims else tuple(n for d, n in enumerate(self.shape) if d not in axes)

        def rule(out):
            for i, j in enumerate(into):
                self.grad[i] += out.grad[j] * _scale

        return self._node(result.data, shape, (self,), rule)

    def mean(self, axis=None, keepdims=False):
        count = len(self.data) if axis is None else self.shape[axis]
        return self.sum(axis, keepdims, _scale=1.0 / count)

    def __matmul__(self, other):
        if len(self.shape) != 2 or len(other.shape) != 2 or self.shape[1] != other.shape[0]:
            raise ValueError(f"cannot multiply {self.shape} by {other.shape}")
        (n, k), m = self.shape, other.shape[1]
        a = [self.data[r * k:(r + 1) * k] for r in range(n)]
        b = [other.data[r * m:(r + 1) * m] for r in range(k)]
        data = [math.fsum(a[i][p] * b[p][j] for p in range(k)) for i in range(n) for j in range(m)]

        def rule(out):
            g = [out.grad[r * m:(r + 1) * m] for r in range(n)]
            for i, p in itertools.product(range(n), range(k)):  # G @ b^T
                self.grad[i * k + p] += sum(g[i][j] * b[p][j] for j in range(m))
            for p, j in itertools.product(range(k), range(m)):  # a^T @ G
                other.grad[p * m + j] += sum(a[i][p] * g[i][j] for i in range(n))

        return self._node(data, (n, m), (self, other), rule)

    def relu(self):
        def rule(out):
            for i, x in enumerate(self.data):
                self.grad[i] += out.grad[i] if x > 0 else 0.0

        return self._node([max(0.0, x) for x in self.data], self.shape, (self,), rule)

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        self.grad = [1.0] * len(self.data)
        for node in reversed(order):
            node._backward()
