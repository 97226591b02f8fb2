# No graph search order at all: nodes are numbered as they are created, and the
# reachable ones run newest first.
class Value:
    created = 0

    def __init__(self, data, _children=()):
        Value.created += 1
        self.order = Value.created  # inputs always exist before the node made from them
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
        reachable, stack = {id(self): self}, [self]
        while stack:
            for child in stack.pop()._prev:
                if id(child) not in reachable:
                    reachable[id(child)] = child
                    stack.append(child)
        self.grad = 1
        for node in sorted(reachable.values(), key=lambda v: v.order, reverse=True):
            node._backward()

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
