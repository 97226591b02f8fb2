# Mistake: keepdims=True is ignored: the summed axis is always dropped, so x.sum(1, keepdims=True) of a (2, 3) tensor has shape (2,), not (2, 1), and no longer lines up with x's rows.
# Hint: With keepdims=True, keep every summed axis in the shape with size 1: (2, 3).sum(1, keepdims=True) has shape (2, 1), so x - x.mean(1, keepdims=True) subtracts each row's own mean.
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


def _size(shape):
    """How many numbers a tensor of this shape holds (1 for the shape (), a single number)."""
    n = 1
    for d in shape:
        n *= d
    return n


def _strides(shape):
    """How far apart, in the flat list, two neighbours along each axis are (row-major)."""
    strides, step = [], 1
    for d in reversed(shape):
        strides.insert(0, step)
        step *= d
    return strides


def _broadcast_shape(a, b):
    """NumPy's rule: align the shapes at the right; each pair of sizes is equal or one is 1."""
    n = max(len(a), len(b))
    a, b = (1,) * (n - len(a)) + a, (1,) * (n - len(b)) + b
    out = []
    for x, y in zip(a, b):
        if x != y and 1 not in (x, y):
            raise ValueError(f"shapes {a} and {b} do not broadcast")
        out.append(max(x, y))
    return tuple(out)


def _positions(shape, out_shape):
    """For each position of out_shape (in flat order), the position of a tensor of `shape`
    broadcast to it: an axis of size 1, or a missing one, always reads index 0."""
    pad = len(out_shape) - len(shape)
    strides = _strides(shape)
    positions = []
    for flat in range(_size(out_shape)):
        source = 0
        for axis in range(len(out_shape) - 1, pad - 1, -1):
            flat, i = divmod(flat, out_shape[axis])
            if shape[axis - pad] > 1:
                source += i * strides[axis - pad]
        positions.append(source)
    return positions


class Tensor:
    """Numbers in a flat list (row-major) plus a shape; every operation remembers its inputs."""

    def __init__(self, data, shape):
        if len(data) != _size(shape):
            raise ValueError(f"{len(data)} numbers do not fill the shape {shape}")
        self.data = data
        self.shape = shape
        self.grad = [0.0] * len(data)
        self._backward = lambda: None
        self._prev = ()

    def _elementwise(self, other, forward, local):
        """`forward(x, y)` at every position of the broadcast shape; `local(x, y)` gives the two
        local derivatives. Gradients are added (+=) into the position each input was read from,
        so a broadcast input collects the sum over every position it was copied to."""
        shape = _broadcast_shape(self.shape, other.shape)
        left, right = _positions(self.shape, shape), _positions(other.shape, shape)
        pairs = list(zip(left, right))
        out = Tensor([forward(self.data[i], other.data[j]) for i, j in pairs], shape)
        out._prev = (self, other)

        def _backward():
            for k, (i, j) in enumerate(pairs):
                d_self, d_other = local(self.data[i], other.data[j])
                self.grad[i] += d_self * out.grad[k]
                other.grad[j] += d_other * out.grad[k]

        out._backward = _backward
        return out

    def __add__(self, other):
        return self._elementwise(other, lambda x, y: x + y, lambda x, y: (1, 1))

    def __sub__(self, other):
        return self._elementwise(other, lambda x, y: x - y, lambda x, y: (1, -1))

    def __mul__(self, other):
        return self._elementwise(other, lambda x, y: x * y, lambda x, y: (y, x))

    def sum(self, axis=None, keepdims=False):
        """Add up along `axis` (every axis when None); the reduced axes are dropped, or kept with
        size 1 when keepdims=True. Each input position adds into one output position."""
        kept = tuple(1 if axis in (None, d) else n for d, n in enumerate(self.shape))
        shape = tuple(n for d, n in enumerate(self.shape) if axis not in (None, d))
        into = _positions(kept, self.shape)
        data = [0.0] * _size(kept)
        for i, j in enumerate(into):
            data[j] += self.data[i]
        out = Tensor(data, shape)
        out._prev = (self,)

        def _backward():
            for i, j in enumerate(into):
                self.grad[i] += out.grad[j]  # d(sum)/d(each term) = 1

        out._backward = _backward
        return out

    def mean(self, axis=None, keepdims=False):
        """The sum divided by how many numbers went into each result."""
        total = self.sum(axis, keepdims)
        return total * Tensor([_size(total.shape) / _size(self.shape)], ())

    def __matmul__(self, other):
        """(n, k) @ (k, m) -> (n, m): out[i][j] = sum over p of self[i][p] * other[p][j]."""
        (n, k), (k_other, m) = self.shape, other.shape
        if k != k_other:
            raise ValueError(f"cannot multiply ({n}, {k}) by ({k_other}, {m})")
        a, b = self.data, other.data
        out = Tensor([sum(a[i * k + p] * b[p * m + j] for p in range(k))
                      for i in range(n) for j in range(m)], (n, m))
        out._prev = (self, other)

        def _backward():
            # d(out[i][j])/d(self[i][p]) = other[p][j] and /d(other[p][j]) = self[i][p], so
            # self.grad = out.grad @ other^T (n, k) and other.grad = self^T @ out.grad (k, m).
            for i in range(n):
                for j in range(m):
                    g = out.grad[i * m + j]
                    for p in range(k):
                        self.grad[i * k + p] += g * b[p * m + j]
                        other.grad[p * m + j] += a[i * k + p] * g

        out._backward = _backward
        return out

    def relu(self):
        passes = [x > 0 for x in self.data]  # where gradient flows: not at exactly 0 (PyTorch)
        out = Tensor([x if p else 0.0 for x, p in zip(self.data, passes)], self.shape)
        out._prev = (self,)

        def _backward():
            for i, p in enumerate(passes):
                if p:
                    self.grad[i] += out.grad[i]

        out._backward = _backward
        return out

    def backward(self):
        """Seed every position of this tensor with gradient 1 (as for its sum), then apply each
        node's rule once, outputs before inputs."""
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        self.grad = [1.0] * _size(self.shape)
        for node in reversed(order):
            node._backward()
