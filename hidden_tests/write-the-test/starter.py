def check_engine(Value):
    """Return True when the engine whose class is `Value` computes the right data and gradients,
    and False (or raise AssertionError) when it does not.

    Value supports: Value(x), v.data, v.grad, + and * (with a Value or a plain number, on either
    side), v ** n (n a number), v.relu(), and out.backward().
    """
    a = Value(2.0)
    b = Value(3.0)
    c = a * b
    c.backward()
    # Compare c.data, a.grad and b.grad with numbers you work out by hand, on this graph and on
    # others built so that each mistake an engine can make changes a number you check.
    return True
