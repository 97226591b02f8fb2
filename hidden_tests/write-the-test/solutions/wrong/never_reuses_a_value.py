# Mistake: The test accepts an engine that assigns grads with `=` instead of adding with `+=`, and one that runs a shared node's rule twice, as a test that never uses a value twice does.
# Hint: Use an input twice (x * x + x) and an intermediate result twice (m = p * q; m + m): each node's grad must add up every use, once.
def check_engine(Value):
    a, b = Value(2.0), Value(5.0)
    out = (a * b) * 3
    out.backward()
    assert out.data == 30.0 and out.grad == 1
    assert a.grad == 15.0 and b.grad == 6.0

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
