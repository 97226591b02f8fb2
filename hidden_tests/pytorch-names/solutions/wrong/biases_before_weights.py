# Mistake: parameters() lists the biases before the weights.
# Hint: PyTorch's order is weight, then bias.
import math
import random


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

    def item(self):
        """Like torch.Tensor.item(): the plain Python number inside."""
        return float(self.data)

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


class Linear:
    """Like torch.nn.Linear: y = W x + b, with W stored as out_features rows of in_features."""

    def __init__(self, in_features, out_features, bias=True):
        bound = 1 / math.sqrt(in_features)
        self.weight = [[Value(random.uniform(-bound, bound)) for _ in range(in_features)]
                       for _ in range(out_features)]
        self.bias = [Value(random.uniform(-bound, bound)) for _ in range(out_features)] if bias else None

    def __call__(self, x):
        out = []
        for j, row in enumerate(self.weight):
            total = sum((w * xi for w, xi in zip(row, x)), Value(0))
            out.append(total + self.bias[j] if self.bias is not None else total)
        return out

    def parameters(self):
        return (self.bias or []) + [w for row in self.weight for w in row]


class ReLU:
    """Like torch.nn.ReLU: relu on every element; it has no parameters."""

    def __call__(self, x):
        return [v.relu() for v in x]

    def parameters(self):
        return []


class Sequential:
    """Like torch.nn.Sequential: feeds the input through the layers in order."""

    def __init__(self, *layers):
        self.layers = layers

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]
