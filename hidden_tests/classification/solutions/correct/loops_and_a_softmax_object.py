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


class Softmax:
    """Softmax as a function object; the shift by the largest logit keeps exp() at most 1."""

    def __call__(self, logits):
        logits = list(logits)
        m = max(v.data for v in logits)
        exps = []
        for v in logits:
            exps.append((v + (-m)).exp())
        denom = exps[0]
        for e in exps[1:]:
            denom = denom + e
        return [e * denom**-1 for e in exps]


softmax = Softmax()


def cross_entropy(batch, labels):
    total = Value(0.0)
    n = 0
    for row, label in zip(batch, labels):
        m = max(v.data for v in row)
        lse = Value(m)
        s = Value(0.0)
        for v in row:
            s = s + (v - m).exp()
        lse = lse + s.log()
        total = total + (lse - row[label])
        n += 1
    return total / n


def accuracy(batch, labels):
    correct = 0
    for row, label in zip(batch, labels):
        best = 0
        for j in range(1, len(row)):
            if row[j].data > row[best].data:
                best = j
        if best == label:
            correct += 1
    return correct / len(batch)


def train(model, xs, ys, steps, lr):
    params = list(model.parameters())
    out = []
    while len(out) < steps:
        logits = [model(x) for x in xs]
        loss = cross_entropy(logits, ys)
        out.append(loss.data)
        for p in params:
            p.grad = 0
        loss.backward()
        for p in params:
            p.data += -lr * p.grad
    return out
