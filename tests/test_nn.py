"""Neurons, layers, MLPs and optimizers, and the seed project's training example."""

import pytest

from engine.autograd import Value
from engine.nn import MLP, Layer, Neuron
from engine.optim import SGD, Adam

XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]


def mse(model):
    return sum(((model(x) - y) ** 2 for x, y in zip(XS, YS, strict=True)), Value(0.0))


def test_mlp_shape_and_parameter_count():
    model = MLP(3, [4, 4, 1], seed=0)
    assert len(model.parameters()) == 41  # (3+1)*4 + (4+1)*4 + (4+1)*1
    assert isinstance(model([1.0, 2.0, -1.0]), Value)
    assert len(Layer(3, 4)([1.0, 2.0, 3.0])) == 4


def test_neuron_rejects_wrong_input_length():
    with pytest.raises(ValueError, match="takes 3 inputs"):
        Neuron(3)([1.0, 2.0])


def test_zero_grad_clears_every_parameter():
    model = MLP(3, [4, 1], seed=1)
    mse(model).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_seed_training_example_reaches_loss_under_0_01(seed):
    """The seed guide's loop: MLP(3, [4, 4, 1]), 4 points, plain gradient descent."""
    model = MLP(3, [4, 4, 1], seed=seed)
    losses = []
    for _ in range(200):
        loss = mse(model)
        model.zero_grad()
        loss.backward()
        for p in model.parameters():
            p.data -= 0.05 * p.grad
        losses.append(loss.data)
    assert losses[-1] < 0.01
    assert losses[-1] < losses[0]


@pytest.mark.parametrize(("make", "steps"), [
    (lambda ps: SGD(ps, lr=0.05), 200),
    (lambda ps: SGD(ps, lr=0.02, momentum=0.9), 150),
    (lambda ps: Adam(ps, lr=0.05), 150),
])
def test_optimizers_train_the_seed_example(make, steps):
    model = MLP(3, [4, 4, 1], seed=3)
    opt = make(model.parameters())
    for _ in range(steps):
        loss = mse(model)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert mse(model).data < 0.01


def test_optimizer_validation():
    with pytest.raises(ValueError, match="no parameters"):
        SGD([], lr=0.1)
    with pytest.raises(ValueError, match="positive"):
        Adam([Value(1.0)], lr=0)
