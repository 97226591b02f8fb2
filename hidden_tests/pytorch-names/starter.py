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
        # Like torch.Tensor.item(): return the plain Python float inside.
        raise NotImplementedError

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


class Linear:
    """Like torch.nn.Linear(in_features, out_features, bias=True)."""

    def __init__(self, in_features, out_features, bias=True):
        # self.weight: out_features lists of in_features Values; self.bias: out_features Values
        # (or None when bias=False). Both start uniform in [-1/sqrt(in_features), +1/sqrt(in_features)].
        raise NotImplementedError

    def __call__(self, x):
        # A list of out_features Values: y[j] = sum_i weight[j][i] * x[i] + bias[j]
        raise NotImplementedError

    def parameters(self):
        # The weights row by row, then the biases.
        raise NotImplementedError


class ReLU:
    """Like torch.nn.ReLU()."""

    def __call__(self, x):
        raise NotImplementedError

    def parameters(self):
        raise NotImplementedError


class Sequential:
    """Like torch.nn.Sequential(*layers)."""

    def __init__(self, *layers):
        raise NotImplementedError

    def __call__(self, x):
        raise NotImplementedError

    def parameters(self):
        raise NotImplementedError
