import math
import random


class Value:
    """Given: a working Value (+ - * / **, numbers on either side, relu, exp, log, backward())."""

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

    def __neg__(self):
        return self * -1

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __pow__(self, n):
        out = Value(self.data**n, (self,))

        def _backward():
            self.grad += n * self.data ** (n - 1) * out.grad

        out._backward = _backward
        return out

    def __truediv__(self, other):
        return self * other**-1

    def relu(self):
        out = Value(0 if self.data < 0 else self.data, (self,))

        def _backward():
            self.grad += (out.data > 0) * out.grad

        out._backward = _backward
        return out

    def exp(self):
        out = Value(math.exp(self.data), (self,))

        def _backward():
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self):
        if self.data <= 0:  # the same words in every Python (math.log's own differ by version)
            raise ValueError(f"log of {self.data}: log is defined only for positive numbers")
        out = Value(math.log(self.data), (self,))

        def _backward():
            self.grad += out.grad / self.data

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


class Neuron:
    def __init__(self, nin, nonlin):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, nin, nout, nonlin):
        self.neurons = [Neuron(nin, nonlin) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, nin, nouts):
        sizes = [nin] + nouts
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != len(nouts) - 1)
                       for i in range(len(nouts))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def make_moons(n, seed, noise=0.1):
    """Given: n points on two interleaved half circles, labels 0 and 1 alternating."""
    rng = random.Random(seed)
    xs, ys = [], []
    for i in range(n):
        label = i % 2
        t = math.pi * rng.random()
        if label == 0:
            x, y = math.cos(t) - 0.5, math.sin(t) - 0.25
        else:
            x, y = 0.5 - math.cos(t), 0.25 - math.sin(t)
        xs.append([x + rng.gauss(0, noise), y + rng.gauss(0, noise)])
        ys.append(label)
    return xs, ys


def log_softmax(logits):
    top = max(z.data for z in logits)
    shifted = [z - top for z in logits]
    log_total = sum(s.exp() for s in shifted).log()
    return [s - log_total for s in shifted]


def softmax(logits):
    return [lp.exp() for lp in log_softmax(logits)]


def cross_entropy(batch, labels):
    picked = [log_softmax(row)[y] for row, y in zip(batch, labels)]
    return -sum(picked) * (1.0 / len(picked))


def argmax(row):
    return max(range(len(row)), key=lambda j: row[j].data)


def accuracy(batch, labels):
    right = sum(1 for row, y in zip(batch, labels) if argmax(row) == y)
    return float(right) / len(labels)


def sgd_step(params, lr):
    for p in params:
        p.data = p.data - lr * p.grad


def train(model, xs, ys, steps, lr):
    history = []
    for step in range(steps):
        for p in model.parameters():
            p.grad = 0.0
        loss = cross_entropy(list(map(model, xs)), ys)
        loss.backward()
        sgd_step(model.parameters(), lr)
        history.append(float(loss.data))
    return history
