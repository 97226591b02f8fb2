# A dataclass that stores (parent, local gradient) pairs computed in the forward pass.
from dataclasses import dataclass, field


@dataclass(eq=False)
class Value:
    data: float
    grad: float = 0.0
    edges: list = field(default_factory=list)

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, edges=[(self, 1.0), (other, 1.0)])

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, edges=[(self, other.data), (other, self.data)])

    def relu(self):
        return Value(max(self.data, 0), edges=[(self, 1.0 if self.data > 0 else 0.0)])

    def backward(self):
        order, done = [], set()

        def visit(v):
            if v in done:
                return
            done.add(v)
            for parent, _ in v.edges:
                visit(parent)
            order.append(v)

        visit(self)
        self.grad = 1.0
        for v in reversed(order):
            for parent, local in v.edges:
                parent.grad += local * v.grad
