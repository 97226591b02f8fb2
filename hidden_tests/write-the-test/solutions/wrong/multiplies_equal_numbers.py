# Mistake: The test accepts an engine that gives each input of `*` its own value instead of the other input's, as a test does whose products all multiply equal numbers (3 * 3: each input's own value is then the other's too).
# Hint: Multiply two different numbers: after (a * b).backward() with a = 2 and b = 5, a.grad is 5 and b.grad is 2.
def check_engine(Value):
    a, b = Value(3.0), Value(3.0)
    out = (a * b) ** 2
    out.backward()
    assert out.data == 81.0 and out.grad == 1
    assert a.grad == 54.0 and b.grad == 54.0

    x = Value(3.0)
    y = x * x + x
    y.backward()
    assert x.grad == 7.0

    p, q = Value(2.0), Value(2.0)
    m = p * q
    s = m + m
    s.backward()
    assert m.grad == 2.0 and p.grad == 4.0 and q.grad == 4.0

    w = Value(3.0)
    v = 1 + w**3 + 2
    v.backward()
    assert v.data == 30.0 and w.grad == 27.0

    for x0, data, grad in ((2.0, 2.0, 1), (-2.0, 0, 0), (0.0, 0, 0)):
        r = Value(x0)
        out = r.relu()
        out.backward()
        assert out.data == data and r.grad == grad
    return True
