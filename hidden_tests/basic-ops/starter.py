class Value:
    def __init__(self, data):
        self.data = data
        self.grad = 0

    def __add__(self, other):
        # Return a new Value for self + other (other may also be a plain number).
        raise NotImplementedError

    def __mul__(self, other):
        # Return a new Value for self * other (other may also be a plain number).
        raise NotImplementedError

    def relu(self):
        # Return a new Value for max(0, self).
        raise NotImplementedError

    def backward(self):
        # Fill in .grad of every Value this one was computed from.
        raise NotImplementedError

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
