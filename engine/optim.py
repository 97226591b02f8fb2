"""Optimizers that update ``Value`` parameters in place from their ``grad``."""

from __future__ import annotations

import math
from collections.abc import Iterable

from engine.autograd import Value


class Optimizer:
    def __init__(self, parameters: Iterable[Value], lr: float) -> None:
        self.parameters = list(parameters)
        if not self.parameters:
            raise ValueError("the optimizer got no parameters to update")
        if lr <= 0:
            raise ValueError(f"the learning rate must be positive, got {lr}")
        self.lr = lr

    def zero_grad(self) -> None:
        for p in self.parameters:
            p.grad = 0.0

    def step(self) -> None:
        raise NotImplementedError


class SGD(Optimizer):
    """Plain gradient descent, with optional momentum: ``v = m v + g; p -= lr v``."""

    def __init__(self, parameters: Iterable[Value], lr: float = 0.01, momentum: float = 0.0):
        super().__init__(parameters, lr)
        self.momentum = momentum
        self.velocity = [0.0] * len(self.parameters)

    def step(self) -> None:
        for i, p in enumerate(self.parameters):
            self.velocity[i] = self.momentum * self.velocity[i] + p.grad
            p.data -= self.lr * self.velocity[i]


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction, as in the seed guide."""

    def __init__(
        self,
        parameters: Iterable[Value],
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
    ) -> None:
        super().__init__(parameters, lr)
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = [0.0] * len(self.parameters)
        self.v = [0.0] * len(self.parameters)
        self.t = 0

    def step(self) -> None:
        self.t += 1
        for i, p in enumerate(self.parameters):
            self.m[i] = self.beta1 * self.m[i] + (1 - self.beta1) * p.grad
            self.v[i] = self.beta2 * self.v[i] + (1 - self.beta2) * p.grad**2
            m_hat = self.m[i] / (1 - self.beta1**self.t)
            v_hat = self.v[i] / (1 - self.beta2**self.t)
            p.data -= self.lr * m_hat / (math.sqrt(v_hat) + self.eps)
