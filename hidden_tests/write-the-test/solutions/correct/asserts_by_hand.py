def check_engine(Value):
    """One small graph per trap, each checked against numbers worked out by hand."""
    # * of two different numbers, and an operation after it (upstream gradient 3, not 1)
    a, b = Value(2.0), Value(5.0)
    out = (a * b) * 3
    out.backward()
    assert out.data == 30.0
    assert out.grad == 1
    assert a.grad == 15.0 and b.grad == 6.0

    # an input used twice: both uses add up
    x = Value(3.0)
    y = x * x + x
    y.backward()
    assert x.grad == 7.0

    # an intermediate used twice: its rule runs once, with its whole grad
    p, q = Value(1.5), Value(2.0)
    m = p * q
    s = m + m
    s.backward()
    assert m.grad == 2.0
    assert p.grad == 4.0 and q.grad == 3.0

    # plain numbers on either side, and a power
    w = Value(3.0)
    v = 1 + w**3 + 2
    v.backward()
    assert v.data == 30.0
    assert w.grad == 27.0

    # relu: positive, negative, and exactly 0
    for x0, data, grad in ((2.0, 2.0, 1), (-2.0, 0, 0), (0.0, 0, 0)):
        r = Value(x0)
        out = r.relu() * 4
        out.backward()
        assert out.data == data * 4, f"relu({x0}) * 4 gave {out.data}"
        assert r.grad == grad * 4, f"relu'({x0}) * 4 gave {r.grad}"
    return True
