# Mistake: The test rejects one correct engine and accepts the other: it relies on something only one of them does, such as a private attribute (`_prev`), a type, or a repr.
# Hint: Test only what every engine promises (data, grad, the operations, backward()); how an engine stores its graph is its own business.
def check_engine(Value):
    a, b = Value(2.0), Value(5.0)
    c = a * b
    assert set(c._prev) == {a, b}, "c should remember its inputs"
    out = c * 3
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

    for x0, data, grad in ((2.0, 2.0, 1), (-2.0, 0, 0), (0.0, 0, 0)):
        r = Value(x0)
        out = r.relu() * 4
        out.backward()
        assert out.data == data * 4 and r.grad == grad * 4
    return True
