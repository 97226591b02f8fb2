# tanh and sigmoid written from exp(-|x|), which is always <= 1, so nothing overflows.
import math


def stable_tanh(x):
    e = math.exp(-2 * abs(x))
    t = (1 - e) / (1 + e)
    return t if x >= 0 else -t


def stable_sigmoid(x):
    e = math.exp(-abs(x))
    return 1 / (1 + e) if x >= 0 else e / (1 + e)


class Value:
    __slots__ = ("data", "grad", "parents", "locals")

    def __init__(self, data, parents=(), locals_=()):
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents
        self.locals = locals_

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def tanh(self):
        t = stable_tanh(self.data)
        return Value(t, (self,), (1 - t * t,))

    def exp(self):
        e = math.exp(self.data)
        return Value(e, (self,), (e,))

    def log(self):
        if self.data <= 0:
            raise ValueError("log needs a positive number")
        return Value(math.log(self.data), (self,), (1 / self.data,))

    def sigmoid(self):
        s = stable_sigmoid(self.data)
        return Value(s, (self,), (s * (1 - s),))

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node.parents)
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node.parents, node.locals):
                parent.grad += local * node.grad
