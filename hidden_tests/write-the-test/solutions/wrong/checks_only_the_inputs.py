# Mistake: The test accepts an engine that sets the grad of the output and of every intermediate result back to 0 after backward(), as a test that checks only the inputs' grads does.
# Hint: backward() sets every node's grad: check the output's own (1) and an intermediate's (m = p * q; after (m + m).backward(), m.grad is 2).
def check_engine(Value):
    a, b = Value(2.0), Value(5.0)
    out = (a * b) * 3
    out.backward()
    assert out.data == 30.0
    assert a.grad == 15.0 and b.grad == 6.0

    x = Value(3.0)
    y = x * x + x
    y.backward()
    assert x.grad == 7.0

    p, q = Value(1.5), Value(2.0)
    m = p * q
    s = m + m
    s.backward()
    assert p.grad == 4.0 and q.grad == 3.0

    w = Value(3.0)
    v = 1 + w**3 + 2
    v.backward()
    assert v.data == 30.0 and w.grad == 27.0

    for x0, data, grad in ((2.0, 2.0, 1), (-2.0, 0, 0), (0.0, 0, 0)):
        r = Value(x0)
        out = r.relu() * 4
        out.backward()
        assert out.data == data * 4 and r.grad == grad * 4
    return True
