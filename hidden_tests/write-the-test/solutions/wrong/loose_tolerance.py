# Mistake: The test accepts an engine whose `**` derivative is off by a factor of x, and one that runs a shared node's rule twice, as a test does whose comparisons are too loose to see those errors, or that never tries `**` and a shared intermediate result where the errors show.
# Hint: With inputs like 1.5 and 2.0 the arithmetic is exact: compare with ==, or, against numerical gradients, with a tolerance near 1e-6; and check x ** 2 and an intermediate used twice.
import math


def check_engine(Value):
    def near(got, want):
        return math.isclose(got, want, rel_tol=0.5)

    a, b = Value(2.0), Value(3.0)
    out = (a * b) * 3
    out.backward()
    assert near(out.data, 18.0) and out.grad == 1
    assert near(a.grad, 9.0) and near(b.grad, 6.0)

    x = Value(3.0)
    y = x * x + x
    y.backward()
    assert near(x.grad, 7.0)

    p, q = Value(1.5), Value(2.0)
    m = p * q
    s = m + m
    s.backward()
    assert near(m.grad, 2.0) and near(p.grad, 4.0) and near(q.grad, 3.0)

    w = Value(1.5)
    v = 1 + w**2 + 2
    v.backward()
    assert near(v.data, 5.25) and near(w.grad, 3.0)

    for x0, data, grad in ((2.0, 2.0, 1), (-2.0, 0, 0), (0.0, 0, 0)):
        r = Value(x0)
        out = r.relu() * 4
        out.backward()
        assert out.data == data * 4 and r.grad == grad * 4
    return True
