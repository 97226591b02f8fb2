# __slots__, data converted to float, gradients as floats.
class Value:
    __slots__ = ("data", "grad", "_grad_fn", "_parents")

    def __init__(self, data, _parents=()):
        self.data = float(data)
        self.grad = 0.0
        self._grad_fn = None
        self._parents = _parents

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))

        def grad_fn():
            self.grad += 1.0 * out.grad
            other.grad += 1.0 * out.grad

        out._grad_fn = grad_fn
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))

        def grad_fn():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._grad_fn = grad_fn
        return out

    def relu(self):
        out = Value(max(0.0, self.data), (self,))

        def grad_fn():
            self.grad += (1.0 if self.data > 0.0 else 0.0) * out.grad

        out._grad_fn = grad_fn
        return out

    def backward(self):
        topo, visited = [], set()

        def build(v):
            if v not in visited:
                visited.add(v)
                for p in v._parents:
                    build(p)
                topo.append(v)

        build(self)
        self.grad = 1.0
        for v in reversed(topo):
            if v._grad_fn is not None:
                v._grad_fn()
