# Mistake: The backward of +, -, *, sum, mean and @ replaces the input's grad list with its own contribution (`=`) instead of adding to it (`+=`), so a tensor used twice (x * x, or x in two operations) keeps only the last contribution.
# Hint: A tensor used in two places receives gradient from both: add each contribution into grad position by position with +=; never replace the list.
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



# Nested lists inside, recursion everywhere: a tensor's flat data is nested to its shape, inputs
# are expanded (copied) to the broadcast shape, and a gradient is summed back down to each input's
# shape by an explicit _sum_to, the way NumPy-based autograds "unbroadcast".


def _nest(flat, shape):
    if not shape:
        return flat[0]
    step = len(flat) // shape[0]
    return [_nest(flat[i * step:(i + 1) * step], shape[1:]) for i in range(shape[0])]


def _flatten(nested):
    if not isinstance(nested, list):
        return [nested]
    return [x for row in nested for x in _flatten(row)]


def _expand(nested, shape, target):
    """Copy axes of size 1 until `nested` (shape `shape`) has the shape `target`."""
    if not target:
        return nested
    rows = nested * target[0] if shape[0] == 1 else nested
    return [_expand(row, shape[1:], target[1:]) for row in rows]


def _add(x, y):
    if isinstance(x, list):
        return [_add(a, b) for a, b in zip(x, y)]
    return x + y


def _sum_to(nested, shape, target):
    """Sum `nested` (shape `shape`) over every axis where `target` has size 1 and `shape` not."""
    if not shape:
        return nested
    rows = [_sum_to(row, shape[1:], target[1:]) for row in nested]
    if target[0] == 1:
        total = rows[0]
        for row in rows[1:]:
            total = _add(total, row)
        return [total]
    return rows


def _map(f, *trees):
    if isinstance(trees[0], list):
        return [_map(f, *parts) for parts in zip(*trees)]
    return f(*trees)


def _count(shape):
    n = 1
    for d in shape:
        n *= d
    return n


def _broadcast(a, b):
    if len(a) < len(b):
        a = (1,) * (len(b) - len(a)) + a
    if len(b) < len(a):
        b = (1,) * (len(a) - len(b)) + b
    shape = []
    for x, y in zip(a, b):
        if x != y and x != 1 and y != 1:
            raise ValueError(f"cannot broadcast {a} with {b}")
        shape.append(y if x == 1 else x)
    return a, b, tuple(shape)


def _matmul(x, y):
    return [[sum(x_ip * y[p][j] for p, x_ip in enumerate(row)) for j in range(len(y[0]))]
            for row in x]


def _transpose(x):
    return [list(col) for col in zip(*x)]


class Tensor:
    def __init__(self, data, shape):
        shape = tuple(shape)
        if len(data) != _count(shape):
            raise ValueError(f"{len(data)} numbers do not fill the shape {shape}")
        self.data = data
        self.shape = shape
        self.grad = [0.0] * len(data)
        self._backward = lambda: None
        self._prev = ()

    def _accumulate(self, nested):
        self.grad = _flatten(nested)

    def _binary(self, other, f, df_self, df_other):
        sa, sb, shape = _broadcast(self.shape, other.shape)
        a = _expand(_nest(self.data, sa), sa, shape)
        b = _expand(_nest(other.data, sb), sb, shape)
        out = Tensor(_flatten(_map(f, a, b)), shape)
        out._prev = (self, other)

        def _backward():
            g = _nest(out.grad, shape)
            self._accumulate(_sum_to(_map(df_self, a, b, g), shape, sa))
            other._accumulate(_sum_to(_map(df_other, a, b, g), shape, sb))

        out._backward = _backward
        return out

    def __add__(self, other):
        return self._binary(other, lambda x, y: x + y, lambda x, y, g: g, lambda x, y, g: g)

    def __sub__(self, other):
        return self._binary(other, lambda x, y: x - y, lambda x, y, g: g, lambda x, y, g: -g)

    def __mul__(self, other):
        return self._binary(other, lambda x, y: x * y, lambda x, y, g: y * g,
                            lambda x, y, g: x * g)

    def _reduce(self, axis, keepdims, scale):
        kept = tuple(1 if axis is None or d == axis else n for d, n in enumerate(self.shape))
        summed = _sum_to(_nest(self.data, self.shape), self.shape, kept)
        data = [x * scale for x in _flatten(summed)]
        shape = kept if keepdims else tuple(n for d, n in enumerate(self.shape)
                                            if axis is not None and d != axis)
        out = Tensor(data, shape)
        out._prev = (self,)

        def _backward():
            g = _expand(_nest([x * scale for x in out.grad], kept), kept, self.shape)
            self._accumulate(g)

        out._backward = _backward
        return out

    def sum(self, axis=None, keepdims=False):
        return self._reduce(axis, keepdims, 1.0)

    def mean(self, axis=None, keepdims=False):
        n = self.shape[axis] if axis is not None else len(self.data)
        return self._reduce(axis, keepdims, 1.0 / n)

    def __matmul__(self, other):
        if len(self.shape) != 2 or len(other.shape) != 2 or self.shape[1] != other.shape[0]:
            raise ValueError(f"cannot multiply {self.shape} by {other.shape}")
        a, b = _nest(self.data, self.shape), _nest(other.data, other.shape)
        out = Tensor(_flatten(_matmul(a, b)), (self.shape[0], other.shape[1]))
        out._prev = (self, other)

        def _backward():
            g = _nest(out.grad, out.shape)
            self._accumulate(_matmul(g, _transpose(b)))
            other._accumulate(_matmul(_transpose(a), g))

        out._backward = _backward
        return out

    def relu(self):
        out = Tensor([x if x > 0 else 0.0 for x in self.data], self.shape)
        out._prev = (self,)

        def _backward():
            for i, x in enumerate(self.data):
                if x > 0:
                    self.grad[i] += out.grad[i]

        out._backward = _backward
        return out

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for child in node._prev:
                    visit(child)
                order.append(node)

        visit(self)
        self.grad = [1.0] * len(self.data)
        for node in reversed(order):
            node._backward()
