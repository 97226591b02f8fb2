# Mistake: The test catches no wrong gradient, only wrong data and a failing `+`: every engine whose forward pass is right passes it, as happens when a test checks each result's data and never a grad.
# Hint: backward() is what you are testing: after it, compare the grad of every input (and of the output, 1) with the derivative you work out by hand.
def check_engine(Value):
    a, b = Value(2.0), Value(5.0)
    out = (a * b) * 3
    out.backward()
    assert out.data == 30.0

    x = Value(3.0)
    y = 1 + x**3 + x * x + 2
    y.backward()
    assert y.data == 39.0

    for x0, data in ((2.0, 2.0), (-2.0, 0), (0.0, 0)):
        r = Value(x0)
        out = r.relu() * 4
        out.backward()
        assert out.data == data * 4
    return True
