"""Neurons, layers and multi-layer perceptrons built from ``Value``: the seed project's MLP."""

from __future__ import annotations

import random
from collections.abc import Sequence

from engine.autograd import Number, Value

Input = Sequence[Value | Number]


class Module:
    """Anything with parameters; ``zero_grad`` lives here so every model clears grads the same way."""

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self) -> None:
        # Gradients accumulate with +=, so they must be cleared before each backward pass.
        for p in self.parameters():
            p.grad = 0.0


class Neuron(Module):
    """``act(w . x + b)``: weights start uniform in [-1, 1], like micrograd's."""

    def __init__(self, nin: int, nonlin: str = "tanh", rng: random.Random | None = None) -> None:
        if nonlin not in ("tanh", "relu", "linear"):
            raise ValueError(f"nonlin must be 'tanh', 'relu' or 'linear', got {nonlin!r}")
        rng = rng or random.Random()
        self.w = [Value(rng.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(rng.uniform(-1, 1))
        self.nonlin = nonlin

    def __call__(self, x: Input) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"this neuron takes {len(self.w)} inputs, got {len(x)}")
        act = sum((wi * xi for wi, xi in zip(self.w, x, strict=True)), self.b)
        if self.nonlin == "tanh":
            return act.tanh()
        return act.relu() if self.nonlin == "relu" else act

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, {self.nonlin})"


class Layer(Module):
    """A list of neurons that all see the same inputs."""

    def __init__(self, nin: int, nout: int, nonlin: str = "tanh", rng: random.Random | None = None):
        self.neurons = [Neuron(nin, nonlin, rng) for _ in range(nout)]

    def __call__(self, x: Input) -> Value | list[Value]:
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer([{', '.join(map(repr, self.neurons))}])"


class MLP(Module):
    """``MLP(3, [4, 4, 1])``: tanh layers, as in the seed project (41 parameters)."""

    def __init__(
        self, nin: int, nouts: Sequence[int], nonlin: str = "tanh", seed: int | None = None
    ) -> None:
        rng = random.Random(seed)
        sizes = [nin, *nouts]
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin, rng) for i in range(len(nouts))]

    def __call__(self, x: Input) -> Value | list[Value]:
        out: Value | list[Value] | Input = x
        for layer in self.layers:
            out = layer(out)  # type: ignore[arg-type]  # only the last layer may return one Value
        return out  # type: ignore[return-value]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP([{', '.join(map(repr, self.layers))}])"
