"""A small class for the class-grading tests: 10 students x 3 problems, built from the shipped
solutions, with a wrong answer, a file that raises, a syntax error, a hang and missing files."""

from __future__ import annotations

from pathlib import Path

from conftest import REPO

PROBLEMS = REPO / "hidden_tests"
SOL = {
    "basic": PROBLEMS / "basic-ops/solutions/correct/micrograd_textbook.py",
    "basic-wrong": PROBLEMS / "basic-ops/solutions/wrong/missing_output_seed.py",
    "more": PROBLEMS / "more-ops/solutions/correct/op_table_iterative.py",
    "more-wrong": PROBLEMS / "more-ops/solutions/wrong/negation_gradient_is_plus_one.py",
    "topo": PROBLEMS / "topo-sort/solutions/correct/creation_order.py",
    "topo-kahn": PROBLEMS / "topo-sort/solutions/correct/kahn_users_count.py",
}
# A correct topo-sort whose backward() never ends on a graph of more than 5000 nodes: only the
# 10,000-node chain case times out.
HANG_ON_LONG_CHAINS = '''

_backward_ok = Value.backward


def _hang_on_long_chains(self):
    seen, stack = set(), [self]
    while stack and len(seen) <= 5000:
        node = stack.pop()
        if id(node) not in seen:
            seen.add(id(node))
            stack.extend(node._prev)
    while len(seen) > 5000:
        pass
    _backward_ok(self)


Value.backward = _hang_on_long_chains
'''
SYNTAX_ERROR = "class Value:\n    def __init__(self, data)\n        self.data = data\n"

# student -> {problem slug: what the file holds}; None: no file.
CLASS: dict[str, dict[str, str | None]] = {
    "ada": {"basic-ops": "basic", "more-ops": "more", "topo-sort": "topo"},
    "bob": {"basic-ops": "basic-wrong", "more-ops": "more", "topo-sort": "topo-kahn"},
    "cy": {"basic-ops": "basic", "more-ops": None, "topo-sort": "hang"},
    "dee": {"basic-ops": "syntax", "more-ops": "more-wrong", "topo-sort": "topo"},
    "eve": {"basic-ops": "basic", "more-ops": None, "topo-sort": None},
    "fay": {"basic-ops": "basic", "more-ops": "basic", "topo-sort": "topo"},  # no __neg__: error
    "gus": {"basic-ops": "basic", "more-ops": "more", "topo-sort": "topo-kahn"},
    "hal": {"basic-ops": "=cmd|' /C calc'!A0", "more-ops": "more", "topo-sort": "topo"},
    "ivy": {"basic-ops": "basic", "more-ops": "more", "topo-sort": "topo"},
    "jo": {"basic-ops": None, "more-ops": None, "topo-sort": "topo"},
}


def source(kind: str) -> str:
    if kind == "hang":
        return SOL["topo"].read_text() + HANG_ON_LONG_CHAINS
    if kind == "syntax":
        return SYNTAX_ERROR
    if kind in SOL:
        return SOL[kind].read_text()
    return kind  # literal text


def by_student(root: Path) -> Path:
    """Layout (a): one folder per student, one <problem>.py per problem."""
    for student, files in CLASS.items():
        (root / student).mkdir(parents=True)
        for slug, kind in files.items():
            if kind is not None:
                (root / student / f"{slug}.py").write_text(source(kind))
    return root
