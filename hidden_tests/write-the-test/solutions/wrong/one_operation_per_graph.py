# Mistake: The test accepts an engine that forgets to multiply by the upstream gradient, one that runs the rules from the inputs up, and one that runs a shared node's rule twice, as a test does whose graphs are each one operation (the gradient arriving at every operation is then 1, and the order never matters).
# Hint: Chain operations: in (a * b) * 3 the product receives 3, not 1, and its rule must run after the outer one.
def check_engine(Value):
    a, b = Value(2.0), Value(5.0)
    out = a * b
    out.backward()
    assert out.data == 10.0 and out.grad == 1
    assert a.grad == 5.0 and b.grad == 2.0

    x = Value(3.0)
    y = x * x
    y.backward()
    assert x.grad == 6.0

    s, t = Value(1.5), Value(2.0)
    u = s + t
    u.backward()
    assert u.data == 3.5 and s.grad == 1 and t.grad == 1

    k = Value(1.5)
    j = k + 2
    j.backward()
    assert j.data == 3.5 and k.grad == 1

    w = Value(3.0)
    v = w**3
    v.backward()
    assert v.data == 27.0 and w.grad == 27.0

    for x0, data, grad in ((2.0, 2.0, 1), (-2.0, 0, 0), (0.0, 0, 0)):
        r = Value(x0)
        out = r.relu()
        out.backward()
        assert out.data == data and r.grad == grad
    return True
