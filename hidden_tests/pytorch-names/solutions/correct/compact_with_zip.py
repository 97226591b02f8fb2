# Compact: zip for the matrix-vector product, weight then bias in one list.
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
    def __init__(self, in_features, out_features, bias=True):
        s = in_features ** -0.5

        def draw():
            return Value(random.uniform(-s, s))

        self.weight = [[draw() for _ in range(in_features)] for _ in range(out_features)]
        self.bias = [draw() for _ in range(out_features)] if bias else None

    def __call__(self, x):
        biases = self.bias or [0] * len(self.weight)
        return [sum((w * v for w, v in zip(row, x)), b) for row, b in zip(self.weight, biases)]

    def parameters(self):
        return [w for row in self.weight for w in row] + list(self.bias or ())


class ReLU:
    def __call__(self, x):
        return list(map(Value.relu, x))

    def parameters(self):
        return []


class Sequential:
    def __init__(self, *layers):
        self.layers = layers

    def __call__(self, x):
        for f in self.layers:
            x = f(x)
        return x

    def parameters(self):
        return sum((layer.parameters() for layer in self.layers), [])
