# Op names and a table of local gradients; floats throughout; an iterative topological sort.
LOCAL = {
    "+": lambda a, b, out: (1.0, 1.0),
    "-": lambda a, b, out: (1.0, -1.0),
    "*": lambda a, b, out: (b.data, a.data),
    "/": lambda a, b, out: (1.0 / b.data, -a.data / (b.data * b.data)),
    "neg": lambda a, out: (-1.0,),
}


def as_value(x):
    return x if isinstance(x, Value) else Value(float(x))


class Value:
    def __init__(self, data, inputs=(), op=None, local=None):
        self.data = float(data)
        self.grad = 0.0
        self.inputs = inputs
        self.op = op
        self.local = local  # for **: the exponent's derivative, fixed at creation

    def _binary(self, other, op, value):
        other = as_value(other)
        return Value(value(self.data, other.data), (self, other), op)

    def __add__(self, other):
        return self._binary(other, "+", lambda a, b: a + b)

    def __sub__(self, other):
        return self._binary(other, "-", lambda a, b: a - b)

    def __mul__(self, other):
        return self._binary(other, "*", lambda a, b: a * b)

    def __truediv__(self, other):
        return self._binary(other, "/", lambda a, b: a / b)

    def __neg__(self):
        return Value(-self.data, (self,), "neg")

    def __pow__(self, n):
        return Value(self.data**n, (self,), "**", n * self.data ** (n - 1))

    def __radd__(self, other):
        return as_value(other) + self

    def __rsub__(self, other):
        return as_value(other) - self

    def __rmul__(self, other):
        return as_value(other) * self

    def __rtruediv__(self, other):
        return as_value(other) / self

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node.inputs)
        self.grad = 1.0
        for node in reversed(order):
            if node.op is None:
                continue
            locals_ = (node.local,) if node.op == "**" else LOCAL[node.op](*node.inputs, node)
            for child, local in zip(node.inputs, locals_):
                child.grad += local * node.grad
