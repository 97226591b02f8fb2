class Value:
    def __init__(self, data, _children=()):
        self.data = data
        self.grad = 0
        self._backward = lambda: None
        self._prev = list(_children)

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

    def __neg__(self):  # -self
        raise NotImplementedError

    def __sub__(self, other):  # self - other
        raise NotImplementedError

    def __truediv__(self, other):  # self / other
        raise NotImplementedError

    def __pow__(self, n):  # self ** n, n a plain int or float
        raise NotImplementedError

    def __radd__(self, other):  # other + self
        raise NotImplementedError

    def __rmul__(self, other):  # other * self
        raise NotImplementedError

    def __rsub__(self, other):  # other - self
        raise NotImplementedError

    def __rtruediv__(self, other):  # other / self
        raise NotImplementedError

    def backward(self):
        topo, seen = [], set()

        def build(v):
            if id(v) not in seen:
                seen.add(id(v))
                for child in v._prev:
                    build(child)
                topo.append(v)

        build(self)
        self.grad = 1
        for v in reversed(topo):
            v._backward()

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
