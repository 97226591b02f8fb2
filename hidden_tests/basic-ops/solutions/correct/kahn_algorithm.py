# Kahn's algorithm: count how many consumers each node has, release a node when all have run.
from collections import deque


class Value:
    def __init__(self, data, parents=(), rule=None):
        self.data = data
        self.grad = 0.0
        self.parents = tuple(parents)
        self.rule = rule

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), lambda g: (g, g))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        a, b = self.data, other.data
        return Value(a * b, (self, other), lambda g: (b * g, a * g))

    def relu(self):
        x = self.data
        return Value(max(x, 0), (self,), lambda g: (g if x > 0 else 0.0,))

    def backward(self):
        consumers = {}
        seen = {id(self)}
        todo = [self]
        while todo:
            node = todo.pop()
            for p in node.parents:
                consumers[id(p)] = consumers.get(id(p), 0) + 1
                if id(p) not in seen:
                    seen.add(id(p))
                    todo.append(p)
        self.grad = 1.0
        ready = deque([self])
        while ready:
            node = ready.popleft()
            if node.rule is None:
                continue
            for p, g in zip(node.parents, node.rule(node.grad)):
                p.grad += g
                consumers[id(p)] -= 1
                if consumers[id(p)] == 0:
                    ready.append(p)
