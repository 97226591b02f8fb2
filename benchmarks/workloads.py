"""Engine workloads, written once against any micrograd-style ``Value`` class.

Stdlib only, so the same file runs under CPython and inside Pyodide. Each workload returns the
number of nodes it built, so the table can say what was measured.
"""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable
from typing import Any

XS = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
YS = [1.0, -1.0, -1.0, 1.0]


def balanced_tree(value_cls: Any, leaves: int = 30_000, seed: int = 0) -> int:
    """Forward + backward of a balanced tree of +, * and relu over ``leaves`` leaves (~100k nodes).

    Levels alternate ``x * y`` and ``((x + y) * 0.5).relu()`` so values stay near 1. Depth is about
    15, shallow enough for micrograd's recursive topological sort.
    """
    rng = random.Random(seed)
    inputs = [value_cls(rng.uniform(0.9, 1.1)) for _ in range(leaves)]
    level, nodes, depth = inputs, leaves, 0
    while len(level) > 1:
        nxt = []
        for i in range(0, len(level) - 1, 2):
            x, y = level[i], level[i + 1]
            if depth % 2 == 0:
                nxt.append(x * y)
                nodes += 1
            else:
                nxt.append(((x + y) * 0.5).relu())
                nodes += 4  # +, the 0.5 leaf, *, relu
        if len(level) % 2:
            nxt.append(level[-1])
        level, depth = nxt, depth + 1
    level[0].backward()
    return nodes, level[0]


def chain(value_cls: Any, length: int = 100_000) -> int:
    """Forward + backward of a chain ``length`` nodes deep (too deep for recursive backward)."""
    x = value_cls(0.5)
    y = x
    for i in range(length // 2):
        y = y * 1.0 if i % 2 else (y + 0.0).relu()
    y.backward()
    return 1 + 2 * (length // 2), y


def mlp_training(value_cls: Any, steps: int = 100, seed: int = 0) -> int:
    """The seed project's MLP(3, [4, 4, 1]) on its 4 points, plain gradient descent.

    Built from +, *, ** and relu only (micrograd has no tanh): ReLU hidden layers and a linear
    output, as in micrograd's own MLP. Same initial weights for every engine (from ``seed``).
    """
    rng = random.Random(seed)
    sizes = [3, 4, 4, 1]
    layers = [[([value_cls(rng.uniform(-1, 1)) for _ in range(nin)], value_cls(rng.uniform(-1, 1)))
               for _ in range(nout)] for nin, nout in itertools.pairwise(sizes)]
    params = [p for layer in layers for w, b in layer for p in [*w, b]]

    def forward(x: list[Any]) -> Any:
        for k, layer in enumerate(layers):
            outs = []
            for w, b in layer:
                act = b
                for wi, xi in zip(w, x, strict=True):
                    act = act + wi * xi
                outs.append(act.relu() if k < len(layers) - 1 else act)
            x = outs
        return x[0]

    for _ in range(steps):
        loss = value_cls(0.0)
        for x, y in zip(XS, YS, strict=True):
            diff = forward(x) + (-y)
            loss = loss + diff * diff
        for p in params:
            p.grad = 0
        loss.backward()
        for p in params:
            p.data -= 0.01 * p.grad
    return len(params), None


WORKLOADS: dict[str, Callable[..., tuple[int, Any]]] = {
    "tree": balanced_tree, "mlp": mlp_training, "chain": chain,
}


def time_workload(name: str, value_cls: Any, repeats: int = 5, scale: float = 1.0) -> dict[str, Any]:
    """Run one workload ``repeats`` times; seconds for each run, and what it built.

    ``scale`` shrinks the workload (the smoke test uses 0.05) without changing its shape.
    """
    size = {"tree": {"leaves": max(8, int(30_000 * scale))},
            "chain": {"length": max(8, int(100_000 * scale))},
            "mlp": {"steps": max(1, int(100 * scale))}}[name]
    runs, built = [], 0
    for _ in range(repeats):
        started = time.perf_counter()
        built, root = WORKLOADS[name](value_cls, **size)
        runs.append(time.perf_counter() - started)
        dismantle(root)
    return {"runs": runs, "built": built}


def dismantle(root: Any) -> None:
    """Cut every edge before the graph is freed (not timed).

    Pyodide 314 (Python 3.14 on wasm) overflows its C stack when a chain of more than about
    2,500 objects is deallocated recursively, and the interpreter dies; CPython does not.
    """
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        children = list(node._prev)
        node._prev = type(node._prev)()
        if hasattr(node, "_backward"):
            node._backward = None  # micrograd's closures hold their inputs too
        stack.extend(children)


def run_all(repeats: int, scale: float = 1.0) -> dict[str, Any]:
    """Both engines on tree and mlp, the reference alone on chain; imports both engines here so
    the same call works under CPython and in Pyodide."""
    from micrograd.engine import Value as Micrograd

    from engine.autograd import Value as Reference

    for cls in (Reference, Micrograd):  # untimed warm-up: lets the wasm engine tier up first
        time_workload("mlp", cls, 1, min(scale, 0.2))
        time_workload("tree", cls, 1, min(scale, 0.1))
    return {
        "tree": {"reference": time_workload("tree", Reference, repeats, scale),
                 "micrograd": time_workload("tree", Micrograd, repeats, scale)},
        "mlp": {"reference": time_workload("mlp", Reference, repeats, scale),
                "micrograd": time_workload("mlp", Micrograd, repeats, scale)},
        "chain": {"reference": time_workload("chain", Reference, repeats, scale)},
    }
