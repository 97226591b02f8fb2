"""draw(v)'s cost in CPython: reading a graph and writing it as JSON (``python -m
benchmarks.playground_bench``). Printed only, beside a baseline timed in the same run (the
reference engine's own ``backward()`` on the same graph), because these machines are noisy."""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from engine.autograd import Value
from engine.playground import errors
from engine.playground.discover import read_graph
from engine.playground.drawing import labels, serialise
from engine.playground.steps import record_backward

MICROGRAD = (Path(__file__).resolve().parents[1]
             / "hidden_tests/basic-ops/solutions/correct/micrograd_textbook.py").read_text()


def best(task: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        task()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def wide(value_class: type, n: int) -> object:
    """A sum of n/2 products: n nodes or so, each input used once."""
    total = value_class(0.0)
    for i in range(n // 4):
        total = total + value_class(float(i)) * value_class(2.0)
    return total


def chain(value_class: type, n: int) -> object:
    x = value_class(1.0)
    for _ in range(n):
        x = x * 1.0
    return x


def draw_once(v: object, steps: bool = False) -> int:
    graph = read_graph(v, {})
    trace = record_backward(v, graph, errors.Sources("", "")) if steps else None
    return len(json.dumps(serialise(graph, labels({}, graph), trace)))


def main() -> None:
    namespace: dict[str, object] = {}
    exec(compile(MICROGRAD, "solution.py", "exec"), namespace)
    learner = namespace["Value"]
    sys.setrecursionlimit(10_000)
    for name, build, n in (("500-node graph", wide, 500), ("100,000-node chain", chain, 100_000)):
        for who, cls in (("reference", Value), ("micrograd-style", learner)):
            v = build(cls, n)  # type: ignore[arg-type]
            drawn = best(lambda v=v: draw_once(v))
            if name.startswith("500"):
                stepped = best(lambda v=v: draw_once(v, True), 3)
                base = best(lambda v=v: v.backward(), 3)  # type: ignore[attr-defined]
                print(f"{name:>20} {who:>16}: draw {drawn * 1000:7.2f} ms, draw+steps "
                      f"{stepped * 1000:7.2f} ms, plain backward {base * 1000:6.2f} ms "
                      f"(draw = {drawn / base:.1f}x backward)")
            else:
                print(f"{name:>20} {who:>16}: draw {drawn * 1000:7.2f} ms (1,000 nodes drawn)")


if __name__ == "__main__":
    main()
