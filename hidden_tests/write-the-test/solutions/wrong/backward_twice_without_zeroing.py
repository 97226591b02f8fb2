# Mistake: The test rejects both correct engines: something it expects of them is not what a correct engine does. Common causes: a second backward() on a graph that reuses earlier inputs (their grads still hold the first backward()'s), an expected number worked out wrong, a comparison stricter than floating point allows, or a method the statement does not promise.
# Hint: Work each expected number out again. Gradients add up over backward() calls, so build each graph from fresh Values (or expect the sum).
def check_engine(Value):
    a, b = Value(2.0), Value(5.0)
    out = (a * b) * 3
    out.backward()
    assert out.data == 30.0 and out.grad == 1
    assert a.grad == 15.0 and b.grad == 6.0

    y = a * a + a
    y.backward()
    assert a.grad == 5.0

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
