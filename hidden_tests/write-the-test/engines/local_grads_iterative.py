# Correct: inputs and local derivatives kept in lists, an iterative sort
class Value:
    __slots__ = ("data", "grad", "parents", "local_grads")

    def __init__(self, data, parents=(), local_grads=()):
        self.data = data
        self.grad = 0.0
        self.parents = list(parents)
        self.local_grads = list(local_grads)

    @staticmethod
    def lift(x):
        return x if isinstance(x, Value) else Value(x)

    def __add__(self, other):
        other = Value.lift(other)
        return Value(self.data + other.data, [self, other], [1.0, 1.0])

    def __mul__(self, other):
        other = Value.lift(other)
        return Value(self.data * other.data, [self, other], [other.data, self.data])

    def __pow__(self, n):
        return Value(self.data**n, [self], [n * self.data ** (n - 1)])

    def relu(self):
        positive = self.data > 0
        return Value(self.data if positive else 0.0, [self], [1.0 if positive else 0.0])

    def __radd__(self, other):
        return Value.lift(other) + self

    def __rmul__(self, other):
        return Value.lift(other) * self

    def backward(self):
        order, done, stack = [], set(), [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif id(node) not in done:
                done.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node.parents)
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += local * node.grad

    def __repr__(self):
        return f"Value({self.data}, grad={self.grad})"
