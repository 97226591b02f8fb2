"""The bridge problem says its numbers are PyTorch's: check the claim against real PyTorch."""

from __future__ import annotations

import runpy

import pytest

from conftest import REPO

torch = pytest.importorskip("torch")
BRIDGE = REPO / "hidden_tests" / "pytorch-names"


def test_sequential_linear_relu_matches_torch_nn_forward_and_backward():
    ns = runpy.run_path(str(BRIDGE / "reference.py"))
    weights = [0.5, -0.25, 0.75, 0.5, -1.0, 0.25, 0.1, -0.2, 0.3, 0.6, -0.4, 0.2, 0.05]  # case 07
    ours = ns["Sequential"](ns["Linear"](2, 3), ns["ReLU"](), ns["Linear"](3, 1))
    for p, w in zip(ours.parameters(), weights, strict=True):
        p.data = w
    out = ours([1.0, -2.0])[0]
    loss = (out + -0.5) * (out + -0.5)
    loss.backward()

    model = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 1)).double()
    with torch.no_grad():
        flat = iter(weights)
        for p in model.parameters():  # PyTorch's order: weight (row by row), then bias
            p.copy_(torch.tensor([next(flat) for _ in range(p.numel())],
                                 dtype=torch.float64).reshape(p.shape))
    t_out = model(torch.tensor([1.0, -2.0], dtype=torch.float64))[0]
    t_loss = (t_out - 0.5) ** 2
    t_loss.backward()
    assert out.item() == pytest.approx(t_out.item(), rel=1e-12)
    assert loss.item() == pytest.approx(t_loss.item(), rel=1e-12)
    grads = [g for p in model.parameters() for g in p.grad.flatten().tolist()]
    assert [p.grad for p in ours.parameters()] == pytest.approx(grads, rel=1e-12, abs=1e-15)
    assert any(g != 0 for g in grads)  # the case is not trivially zero
