# Iterative topological sort with an explicit stack; children kept in a list.
class Value:
    def __init__(self, data, children=None, backward=None):
        self.data = data
        self.grad = 0
        self.children = children or []
        self.backward_step = backward or (lambda: None)

    def __add__(self, other):
        if not isinstance(other, Value):
            other = Value(other)
        out = Value(self.data + other.data, [self, other])

        def step():
            self.grad += out.grad
            other.grad += out.grad

        out.backward_step = step
        return out

    def __mul__(self, other):
        if not isinstance(other, Value):
            other = Value(other)
        out = Value(self.data * other.data, [self, other])

        def step():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out.backward_step = step
        return out

    def relu(self):
        out = Value(self.data if self.data > 0 else 0, [self])

        def step():
            if self.data > 0:
                self.grad += out.grad

        out.backward_step = step
        return out

    def backward(self):
        order = []
        visited = set()
        stack = [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if node in visited:
                continue
            visited.add(node)
            stack.append((node, True))
            for child in node.children:
                if child not in visited:
                    stack.append((child, False))
        self.grad = 1
        for node in reversed(order):
            node.backward_step()
