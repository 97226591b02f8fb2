# No closures: each node stores its op name, and one table maps ops to their local gradients.
LOCAL_GRADS = {
    "+": lambda node: [1.0, 1.0],
    "*": lambda node: [node.inputs[1].data, node.inputs[0].data],
    "relu": lambda node: [1.0 if node.inputs[0].data > 0 else 0.0],
}


class Value:
    def __init__(self, data, inputs=(), op=None):
        self.data = data
        self.grad = 0.0
        self.inputs = list(inputs)
        self.op = op

    @staticmethod
    def wrap(x):
        return x if isinstance(x, Value) else Value(x)

    def __add__(self, other):
        other = Value.wrap(other)
        return Value(self.data + other.data, [self, other], "+")

    def __mul__(self, other):
        other = Value.wrap(other)
        return Value(self.data * other.data, [self, other], "*")

    def relu(self):
        return Value(max(0.0, self.data), [self], "relu")

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if id(node) in seen:
                return
            seen.add(id(node))
            for parent in node.inputs:
                visit(parent)
            order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            if node.op is None:
                continue
            for parent, local in zip(node.inputs, LOCAL_GRADS[node.op](node)):
                parent.grad += local * node.grad
