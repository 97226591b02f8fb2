"""Random expression graphs for generated cases, reproducible from a seed.

Each graph is a list of one-operation steps over named leaves (``n3 = n1 * a``), so intermediates
can be shared and leaves reused. Inputs and constants are small multiples of 0.5 (exact in binary
floating point) so a learner's correct code, which may add gradients in another order, gets the
same numbers; and relu inputs are often pushed to exactly 0 or just beside it, where a
``>=`` instead of ``>`` shows. Expected values come from the reference engine at compile time.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass

from engine.autograd import Value

CONSTANTS = (-2, -1, -0.5, 0.5, 2, 3)
MAX_MAGNITUDE = 1e4


@dataclass(frozen=True)
class OpForm:
    arity: int  # 1: one node (maybe with a constant); 2: two nodes
    template: str  # how the step reads, with {x}, {y} and {c}
    apply: Callable[..., Value]
    valid: Callable[..., bool] = lambda *args: True


def _pos(x: Value, *_: object) -> bool:
    return x.data > 0


OPS: dict[str, OpForm] = {
    "+": OpForm(2, "{x} + {y}", lambda x, y: x + y),
    "*": OpForm(2, "{x} * {y}", lambda x, y: x * y),
    "-": OpForm(2, "{x} - {y}", lambda x, y: x - y),
    "/": OpForm(2, "{x} / {y}", lambda x, y: x / y, lambda x, y: abs(y.data) >= 0.5),
    "+num": OpForm(1, "{x} + {c}", lambda x, c: x + c),
    "*num": OpForm(1, "{x} * {c}", lambda x, c: x * c),
    "-num": OpForm(1, "{x} - {c}", lambda x, c: x - c),
    "/num": OpForm(1, "{x} / {c}", lambda x, c: x / c),
    "num+": OpForm(1, "{c} + {x}", lambda x, c: c + x),
    "num*": OpForm(1, "{c} * {x}", lambda x, c: c * x),
    "num-": OpForm(1, "{c} - {x}", lambda x, c: c - x),
    "num/": OpForm(1, "{c} / {x}", lambda x, c: c / x, lambda x, c: abs(x.data) >= 0.5),
    "neg": OpForm(1, "-{x}", lambda x, c: -x),
    "**": OpForm(1, "{x} ** {k}", lambda x, c: x ** abs(int(c) or 2), lambda x, c: abs(x.data) <= 20),
    "relu": OpForm(1, "{x}.relu()", lambda x, c: x.relu()),
    "tanh": OpForm(1, "{x}.tanh()", lambda x, c: x.tanh()),
    "exp": OpForm(1, "{x}.exp()", lambda x, c: x.exp(), lambda x, c: x.data <= 5),
    "log": OpForm(1, "{x}.log()", lambda x, c: x.log(), _pos),
    "sigmoid": OpForm(1, "{x}.sigmoid()", lambda x, c: x.sigmoid()),
}


@dataclass
class Graph:
    values: dict[str, float]
    steps: list[str]
    expression: str


def _fmt(c: float) -> str:
    return repr(c) if c >= 0 else f"({c!r})"


def generate_graph(rng: random.Random, ops: list[str], nodes: tuple[int, int],
                   leaves: tuple[int, int]) -> Graph:
    """One random graph; retried until some node is used twice and every number stays small."""
    for _ in range(200):
        graph = _try_graph(rng, ops, nodes, leaves)
        if graph is not None:
            return graph
    raise ValueError(f"could not build a graph from ops {ops}: add '+' or '*' so nodes can be shared")


def _try_graph(rng: random.Random, ops: list[str], nodes: tuple[int, int],
               leaves: tuple[int, int]) -> Graph | None:
    n_leaves = rng.randint(*leaves)
    names = list(string.ascii_lowercase[:n_leaves])
    values = {name: rng.choice([k / 2 for k in range(-6, 7) if k != 0]) for name in names}
    live = {name: Value(v) for name, v in values.items()}
    uses = dict.fromkeys(names, 0)
    steps: list[str] = []
    target = rng.randint(*nodes)
    while len(steps) < target:
        op = rng.choice(ops)
        form = OPS[op]
        pool = list(live)
        # Prefer recent nodes so the graph grows deep, but keep older ones in play for sharing.
        x = pool[-1] if rng.random() < 0.4 else rng.choice(pool)
        if op == "relu" and ("+num" in ops or "+" in ops) and rng.random() < 0.5:
            # Move the relu's input to exactly 0 or just beside it: the kink is where bugs hide.
            shift = -live[x].data + rng.choice((0, 0, 0.5, -0.5))
            name = f"n{len(steps) + 1}"
            if "+num" in ops:
                steps.append(f"{name} = {x} + {_fmt(shift)}")
                live[name] = live[x] + shift
            else:  # only Value + Value is asked for: the shift is a new leaf
                leaf = string.ascii_lowercase[len(values)]
                values[leaf], live[leaf], uses[leaf] = shift, Value(shift), 1
                steps.append(f"{name} = {x} + {leaf}")
                live[name] = live[x] + live[leaf]
            uses[name] = 0
            uses[x] += 1
            x = name
        y = rng.choice(pool) if form.arity == 2 else None
        c = rng.choice(CONSTANTS)
        args = (live[x], live[y]) if y is not None else (live[x], c)
        if not form.valid(*args):
            continue
        try:
            out = form.apply(*args)
        except (ArithmeticError, ValueError):
            continue
        if abs(out.data) > MAX_MAGNITUDE:
            continue
        name = f"n{len(steps) + 1}"
        expr = form.template.format(x=x, y=y, c=_fmt(c), k=abs(int(c) or 2))
        steps.append(f"{name} = {expr}")
        live[name], uses[name] = out, 0
        uses[x] += 1
        if y is not None:
            uses[y] += 1
    # Fold every unused intermediate into the output so the whole graph matters.
    unused = [n for n in live if n.startswith("n") and uses[n] == 0]
    last = steps[-1].split(" = ")[0]
    expression = " + ".join(unused) if "+" in ops and len(unused) > 1 else last
    reuses = any(count >= 2 for count in uses.values())
    return Graph(values, steps, expression) if reuses else None
