# Explicit loops and a Module base with a default parameters().
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



class Module:
    def parameters(self):
        return []


class Linear(Module):
    def __init__(self, in_features, out_features, bias=True):
        k = math.sqrt(1.0 / in_features)
        self.weight = []
        for _ in range(out_features):
            self.weight.append([Value(random.uniform(-k, k)) for _ in range(in_features)])
        self.bias = None
        if bias:
            self.bias = [Value(random.uniform(-k, k)) for _ in range(out_features)]

    def __call__(self, x):
        result = []
        for j in range(len(self.weight)):
            acc = self.bias[j] if self.bias is not None else Value(0.0)
            for i in range(len(x)):
                acc = acc + self.weight[j][i] * x[i]
            result.append(acc)
        return result

    def parameters(self):
        params = []
        for row in self.weight:
            params.extend(row)
        if self.bias is not None:
            params.extend(self.bias)
        return params


class ReLU(Module):
    def __call__(self, x):
        return [xi.relu() for xi in x]


class Sequential(Module):
    def __init__(self, *layers):
        self.layers = layers

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]
