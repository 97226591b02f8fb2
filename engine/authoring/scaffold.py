"""``gradlab new PROBLEM``: a complete problem folder that passes ``gradlab check`` at once.

One example of every file an instructor writes: metadata, statement, starter, reference, a data
case, a script case, a generated case, one correct and one wrong solution. Edit from there.
"""

from __future__ import annotations

from pathlib import Path

from engine.authoring.problem import SLUG_RULE, is_slug

REFERENCE = '''class Value:
    def __init__(self, data, _children=(), _local=()):
        self.data = data
        self.grad = 0
        self._prev = _children
        self._local = _local  # d(self)/d(input) for each input

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data + other.data, (self, other), (1, 1))

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def relu(self):
        return Value(max(self.data, 0), (self,), (1 if self.data > 0 else 0,))

    def backward(self):
        order, seen, stack = [], set(), [(self, False)]
        while stack:
            node, done = stack.pop()
            if done:
                order.append(node)
            elif node not in seen:
                seen.add(node)
                stack.append((node, True))
                stack.extend((child, False) for child in node._prev)
        self.grad = 1
        for node in reversed(order):
            for child, local in zip(node._prev, node._local):
                child.grad += local * node.grad
'''

FILES = {
    "problem.toml": '''title = "{title}"
difficulty = "easy"
order = 100
summary = "One line for the problem list."
time_limit = 5.0
# What the statement asks for: generated cases build random graphs from these.
ops = ["+", "*", "+num", "*num", "relu"]
''',
    "statement.md": '''# {title}

Say what to build, with math where it helps: $\\frac{\\partial (a b)}{\\partial a} = b$.

Implement a class `Value` with `+`, `*` (also with a plain number on the right), `relu()` and
`backward()`, which fills in `.grad` of every value the result was computed from.
''',
    "starter.py": '''class Value:
    def __init__(self, data):
        self.data = data
        self.grad = 0

    def __add__(self, other):
        raise NotImplementedError

    def __mul__(self, other):
        raise NotImplementedError

    def relu(self):
        raise NotImplementedError

    def backward(self):
        raise NotImplementedError
''',
    "reference.py": REFERENCE,
    "cases/01-example.toml": '''name = "Product plus a value: a * b + a"
hint = "a is used twice: its gradient is the sum of both contributions."
expression = "a * b + a"

[values]
a = 2
b = 3

[expected]
data = 8

[expected.grad]
a = 4.0
b = 2.0
''',
    "cases/02-intermediate.toml": '''name = "The output's own gradient is 1"
kind = "script"
script = \'\'\'
a = Value(2)
out = (a * 3).relu()
out.backward()
record("out.grad", out.grad)
record("a.grad", a.grad)
\'\'\'
''',
    "cases/03-random.toml": '''name = "Random graph"
kind = "generated"
seed = 1
count = 10
''',
    "solutions/correct/recursive_closures.py": '''# Another correct style: closures, recursive sort.
class Value:
    def __init__(self, data, _children=()):
        self.data = data
        self.grad = 0
        self._backward = lambda: None
        self._prev = set(_children)

    def __add__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data + other.data, (self, other))
        def _backward():
            self.grad += out.grad
            other.grad += out.grad
        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, Value) else Value(other)
        out = Value(self.data * other.data, (self, other))
        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad
        out._backward = _backward
        return out

    def relu(self):
        out = Value(max(self.data, 0), (self,))
        def _backward():
            self.grad += (self.data > 0) * out.grad
        out._backward = _backward
        return out

    def backward(self):
        topo, seen = [], set()
        def visit(v):
            if v not in seen:
                seen.add(v)
                for child in v._prev:
                    visit(child)
                topo.append(v)
        visit(self)
        self.grad = 1
        for v in reversed(topo):
            v._backward()
''',
    "solutions/wrong/assign_instead_of_accumulate.py": "# Mistake: gradients are assigned "
    "with = instead of accumulated with +=.\n# Hint: a value used twice gets gradient from both "
    "uses: add each one with +=.\n" + REFERENCE.replace(
        "child.grad += local * node.grad", "child.grad = local * node.grad"),
}


def create(root: Path, slug: str) -> Path:
    """Write the scaffold into ``root / slug``; refuses a bad name or an existing folder."""
    if not is_slug(slug):
        raise ValueError(f"problem names are {SLUG_RULE}; got {slug!r}")
    folder = root / slug
    if folder.exists():
        raise FileExistsError(f"{folder} already exists: choose another name")
    title = slug.replace("-", " ").capitalize()
    for name, text in FILES.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("{title}", title))
    return folder
