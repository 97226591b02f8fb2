# A tape: every operation is appended when it runs, so creation order is already a topological
# order. backward() replays the tape in reverse.
TAPE = []


class Value:
    def __init__(self, data):
        self.data = data
        self.grad = 0

    def _record(self, inputs, local_grads):
        TAPE.append((self, inputs, local_grads))
        return self

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data)._record((self, other), (1, 1))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data)._record((self, other), (other.data, self.data))

    def relu(self):
        return Value(self.data if self.data > 0 else 0)._record((self,), (int(self.data > 0),))

    def backward(self):
        self.grad = 1
        for out, inputs, local_grads in reversed(TAPE):
            for node, local in zip(inputs, local_grads):
                node.grad += local * out.grad
