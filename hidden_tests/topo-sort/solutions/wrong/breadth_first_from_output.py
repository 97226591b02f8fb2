# Mistake: The nodes are run in breadth-first order from the output, which is not a topological order when paths have different lengths.
# Hint: A node must wait for ALL its users, including those on longer paths: sort topologically (depth-first post-order, or count users as Kahn's algorithm does).
class Value:
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
        order, seen, queue = [], {id(self)}, [self]
        while queue:
            node = queue.pop(0)
            order.append(node)
            for child in node._prev:
                if id(child) not in seen:
                    seen.add(id(child))
                    queue.append(child)
        self.grad = 1
        for node in order:
            node._backward()

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
