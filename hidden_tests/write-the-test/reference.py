def check_engine(Value):
    """True when backward() gets one small graph right: a graph built so that each mistake an
    engine can make changes at least one of the numbers checked, all worked out by hand."""
    a = Value(3.0)
    b = Value(2.0)
    z = Value(0.0)  # relu exactly at its kink
    n = Value(-1.0)  # relu of a negative number: the only negative input
    d = a * b  # 6: two different numbers, and d is used twice below
    e = d * d + 2  # 38: a shared intermediate, and a plain number
    out = (e + a**2 + z.relu() + n.relu()) * 1.5  # 70.5; everything below gets upstream 1.5
    out.backward()
    # d.grad = 1.5 * 2d = 18; a.grad = b * d.grad + 1.5 * 2a = 36 + 9; b.grad = a * d.grad
    return (out.data, out.grad, d.grad, a.grad, b.grad, z.grad) == (70.5, 1, 18.0, 45.0, 54.0, 0)
