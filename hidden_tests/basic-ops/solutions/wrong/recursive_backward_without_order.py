# Mistake: backward() recurses into the inputs right after its own rule, without a topological order, so a shared node passes its gradient on before all of it has arrived.
# Hint: A node may pass its gradient on only after every use of it has added to its grad: sort topologically first, then run the rules in reverse.
class Value:
    def __init__(self, data, _children=(), _op=''):
        self.data = data
        self.grad = 0
        self._backward = lambda: None
        self._prev = set(_children)
        self._op = _op

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other), '+')
        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other), '*')
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(0 if self.data < 0 else self.data, (self,), 'ReLU')
        def _backward():
            self.grad += (out.data > 0) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        self.grad = 1
        done = set()
        def run(v):
            v._backward()
            for child in v._prev:
                if child not in done:
                    done.add(child)
                    run(child)
        run(self)

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
