def check_engine(Value):
    """Gradient checking: every input's grad against central differences, on functions that
    exercise each operation; the one point where that cannot work, relu at 0, by hand."""

    def numerical(f, xs, i, h=1e-5):
        up = list(xs)
        down = list(xs)
        up[i] += h
        down[i] -= h
        return (f([Value(x) for x in up]).data - f([Value(x) for x in down]).data) / (2 * h)

    def close(x, y):
        return abs(x - y) <= 1e-6 * max(1.0, abs(x), abs(y))

    functions = [
        (lambda v: v[0] * v[1] * 1.5, [2.0, -3.0]),
        (lambda v: (v[0] * v[0] + v[0]) * v[1], [1.5, 2.0]),
        (lambda v: (lambda m: (m + m * m) * 0.5)(v[0] * v[1]), [0.5, 3.0]),
        (lambda v: 2 + v[0] ** 3 * 0.5 + 1, [1.5]),
        (lambda v: (v[0].relu() + (v[1] * 2).relu()) * 3, [1.25, -0.75]),
    ]
    for f, xs in functions:
        values = [Value(x) for x in xs]
        out = f(values)
        out.backward()
        if out.grad != 1:
            return False
        # the forward pass too: the same function on plain floats
        if not close(out.data, f(list(map(_Plain, xs))).x):
            return False
        for i, v in enumerate(values):
            if not close(v.grad, numerical(f, xs, i)):
                return False
    z = Value(0.0)
    out = z.relu() * 2
    out.backward()
    return z.grad == 0 and out.data == 0


class _Plain:
    """A float with the same operations, to compute the expected forward value."""

    def __init__(self, x):
        self.x = x

    def __add__(self, other):
        return _Plain(self.x + (other.x if isinstance(other, _Plain) else other))

    __radd__ = __add__

    def __mul__(self, other):
        return _Plain(self.x * (other.x if isinstance(other, _Plain) else other))

    __rmul__ = __mul__

    def __pow__(self, n):
        return _Plain(self.x**n)

    def relu(self):
        return _Plain(max(0.0, self.x))
