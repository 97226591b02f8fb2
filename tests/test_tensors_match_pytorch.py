"""The tensors problem's expected numbers come from its reference; check them against PyTorch.

Every script case and probe of hidden_tests/tensors is run twice: with the reference `Tensor`,
and with `TorchTensor`, the same small API (flat `data`, `shape`, flat `grad`) over real float64
torch tensors, where broadcasting, `sum`/`mean`, `@`, `relu` and `backward()` are PyTorch's own.
Every recorded number (values, shapes, gradients, which shapes raise) must agree. The random
case draws the same shapes in both runs: `random` is seeded the same way before each.
"""

from __future__ import annotations

import math
import random
import runpy
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import REPO

torch = pytest.importorskip("torch")
PROBLEM = REPO / "hidden_tests" / "tensors"
SCRIPTS = [p for folder in ("cases", "probes") for p in sorted((PROBLEM / folder).glob("*.toml"))
           if "script" in tomllib.loads(p.read_text())]


class TorchTensor:
    """The problem's Tensor API on a torch tensor: every tensor a graph node keeping its grad."""

    def __init__(self, data: list[float] | None, shape: tuple[int, ...] | None,
                 _t: torch.Tensor | None = None) -> None:
        if _t is None:
            _t = torch.tensor(data, dtype=torch.float64).reshape(shape).requires_grad_()
        elif _t.requires_grad:
            _t.retain_grad()
        self.t = _t

    @property
    def data(self) -> list[float]:
        return self.t.detach().flatten().tolist()

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.t.shape)

    @property
    def grad(self) -> list[float]:
        g = self.t.grad
        return [0.0] * self.t.numel() if g is None else g.flatten().tolist()

    @staticmethod
    def _op(f: Callable[[], torch.Tensor]) -> TorchTensor:
        """PyTorch says RuntimeError where the problem asks for ValueError (shapes that do not fit)."""
        try:
            return TorchTensor(None, None, f())
        except RuntimeError as e:
            raise ValueError(str(e)) from None

    def __add__(self, other: TorchTensor) -> TorchTensor:
        return self._op(lambda: self.t + other.t)

    def __sub__(self, other: TorchTensor) -> TorchTensor:
        return self._op(lambda: self.t - other.t)

    def __mul__(self, other: TorchTensor) -> TorchTensor:
        return self._op(lambda: self.t * other.t)

    def __matmul__(self, other: TorchTensor) -> TorchTensor:
        assert self.t.dim() == other.t.dim() == 2, "the problem's @ is 2-D only"
        return self._op(lambda: self.t @ other.t)

    def sum(self, axis: int | None = None, keepdims: bool = False) -> TorchTensor:
        dims = tuple(range(self.t.dim())) if axis is None else (axis,)
        return self._op(lambda: self.t.sum(dim=dims, keepdim=keepdims))

    def mean(self, axis: int | None = None, keepdims: bool = False) -> TorchTensor:
        dims = tuple(range(self.t.dim())) if axis is None else (axis,)
        return self._op(lambda: self.t.mean(dim=dims, keepdim=keepdims))

    def relu(self) -> TorchTensor:
        return self._op(lambda: torch.relu(self.t))

    def backward(self) -> None:
        self.t.backward(torch.ones_like(self.t))


def _recorded(script: str, tensor_cls: type) -> dict[str, float]:
    out: dict[str, float] = {}

    def record(label: str, value: float) -> None:
        assert label not in out, f"label recorded twice: {label}"
        out[label] = value

    random.seed(20)
    exec(compile(script, "<case>", "exec"), {"Tensor": tensor_cls, "record": record})
    return out


@pytest.fixture(scope="module")
def reference_tensor() -> type:
    return runpy.run_path(str(PROBLEM / "reference.py"))["Tensor"]


@pytest.mark.parametrize("path", SCRIPTS, ids=[f"{p.parent.name}/{p.stem}" for p in SCRIPTS])
def test_reference_records_what_pytorch_records(path: Path, reference_tensor: type) -> None:
    script = tomllib.loads(path.read_text())["script"]
    ours = _recorded(script, reference_tensor)
    theirs = _recorded(script, TorchTensor)
    assert list(ours) == list(theirs)  # same labels, in the same order: same shapes, same errors
    for label, value in ours.items():
        assert math.isclose(value, theirs[label], rel_tol=1e-9, abs_tol=1e-9), (label, value,
                                                                                 theirs[label])


def test_the_comparison_covers_the_interesting_parts() -> None:
    """Guard against a suite that silently stops exercising what the problem is about."""
    assert len(SCRIPTS) >= 15
    text = "\n".join(p.read_text() for p in SCRIPTS)
    for needed in ("keepdims=True", " @ ", ".relu()", ".mean(", "raises ValueError", "(3, 1)",
                   "random.randint"):
        assert needed in text, needed


def test_torch_tensor_tells_a_broadcast_gradient_from_a_wrong_one(reference_tensor: type) -> None:
    """The adapter itself: b.grad of a row added to 2 rows is the sum over the rows."""
    for cls in (reference_tensor, TorchTensor):
        a = cls([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], (2, 3))
        b = cls([10.0, 20.0, 30.0], (3,))
        ((a + b) * cls([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], (2, 3))).backward()
        assert b.grad == [5.0, 7.0, 9.0]
        with pytest.raises(ValueError):
            a + cls([1.0, 2.0], (2,))
