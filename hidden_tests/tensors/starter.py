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

    def __add__(self, other):
        # Broadcast the two shapes (align at the right), add position by position, and make
        # _backward add each output's gradient into the input positions it was read from.
        raise NotImplementedError

    def __sub__(self, other):
        raise NotImplementedError

    def __mul__(self, other):
        raise NotImplementedError

    def sum(self, axis=None, keepdims=False):
        # axis=None: every axis. keepdims=True keeps the summed axes with size 1.
        raise NotImplementedError

    def mean(self, axis=None, keepdims=False):
        raise NotImplementedError

    def __matmul__(self, other):
        # (n, k) @ (k, m) -> (n, m)
        raise NotImplementedError

    def relu(self):
        raise NotImplementedError

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
