# Mistake: The test accepts an engine whose relu lets the gradient through at exactly 0, and one whose relu returns a negative input unchanged, as a test that tries relu only on positive inputs does.
# Hint: Try relu where it is interesting: at exactly 0 (its gradient there is 0) and at a negative number (its output is 0).
def check_engine(Value):
    a, b = Value(2.0), Value(5.0)
    out = (a * b) * 3
    out.backward()
    assert out.data == 30.0 and out.grad == 1
    assert a.grad == 15.0 and b.grad == 6.0

    x = Value(3.0)
    y = x * x + x
    y.backward()
    assert x.grad == 7.0

    p, q = Value(1.5), Value(2.0)
    m = p * q
    s = m + m
    s.backward()
    assert m.grad == 2.0 and p.grad == 4.0 and q.grad == 3.0

    w = Value(3.0)
    v = 1 + w**3 + 2
    v.backward()
    assert v.data == 30.0 and w.grad == 27.0

    r = Value(2.0)
    out = r.relu() * 4
    out.backward()
    assert out.data == 8.0 and r.grad == 4.0
    return True
