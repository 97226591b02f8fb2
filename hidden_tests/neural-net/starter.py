import random


class Value:
    """Given: a working Value with +, * (numbers on either side), relu and backward()."""

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
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, inputs_done = stack.pop()
            if inputs_done:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        self.grad = 1
        for node in reversed(order):
            node._backward()

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"


class Neuron:
    def __init__(self, nin, nonlin=True):
        # nin weights, random in [-1, 1], and a bias starting at 0: all Values.
        raise NotImplementedError

    def __call__(self, x):
        # w · x + b, then relu if nonlin. x is a list of numbers or Values.
        raise NotImplementedError

    def parameters(self):
        # The weights in order, then the bias.
        raise NotImplementedError


class Layer:
    def __init__(self, nin, nout, nonlin=True):
        raise NotImplementedError

    def __call__(self, x):
        # A list of the neurons' outputs, or the single Value when nout == 1.
        raise NotImplementedError

    def parameters(self):
        raise NotImplementedError


class MLP:
    def __init__(self, nin, nouts):
        # Layers of sizes nin -> nouts[0] -> nouts[1] -> ...; relu on every layer but the last.
        raise NotImplementedError

    def __call__(self, x):
        raise NotImplementedError

    def parameters(self):
        raise NotImplementedError

    def zero_grad(self):
        raise NotImplementedError
