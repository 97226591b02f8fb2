"""Shared fixtures: the shipped basic-ops suite, and small throwaway problems for edge cases."""

from __future__ import annotations

import os
import tempfile
import textwrap
import tomllib
from pathlib import Path

import pytest

from engine.authoring.check import load_and_compile
from engine.grading.grade import InProcessExecutor
from engine.sandbox.executor import SubprocessExecutor

pytest_plugins = ["site_fixtures"]  # the built site, local servers and Chromium
# Known-mistake signatures are cached on disk between runs: tests use their own, empty cache.
os.environ["GRADLAB_CACHE"] = tempfile.mkdtemp(prefix="gradlab-cache-")

REPO = Path(__file__).resolve().parents[1]
BASIC = REPO / "hidden_tests" / "basic-ops"
# The shipped path's slugs in order, and its length (the site's "N of M" texts say it).
PATH = [toml.parent.name for toml in sorted(
    (REPO / "hidden_tests").glob("*/problem.toml"), key=lambda p: tomllib.loads(p.read_text())["order"])]
PATH_LENGTH = len(PATH)
REFERENCE = (BASIC / "reference.py").read_text()

MINI_CASES = {
    "01-add.toml": """
        name = "Addition: a + b"
        expression = "a + b"
        [values]
        a = 3
        b = 4
    """,
    "02-relu.toml": """
        name = "ReLU of a product: (a * b).relu()"
        expression = "(a * b).relu()"
        [values]
        a = 2
        b = -3
    """,
    "03-mul.toml": """
        name = "Hidden product"
        visibility = "hidden"
        expression = "a * b + a"
        [values]
        a = 5
        b = 7
    """,
}


def write_problem(root: Path, cases: dict[str, str] | None = None, time_limit: float = 1.0,
                  extra_meta: str = "", reference: str = REFERENCE) -> Path:
    """A small but complete problem folder; tests break one file at a time."""
    (root / "cases").mkdir(parents=True)
    (root / "solutions" / "correct").mkdir(parents=True)
    (root / "solutions" / "wrong").mkdir(parents=True)
    (root / "problem.toml").write_text(
        f'title = "Mini"\ndifficulty = "easy"\norder = 9\ntime_limit = {time_limit}\n'
        f'ops = ["+", "*", "relu"]\n{extra_meta}')
    (root / "statement.md").write_text("# Mini\n\nImplement `Value`.\n")
    (root / "starter.py").write_text("class Value:\n    pass\n")
    (root / "reference.py").write_text(reference)
    (root / "solutions" / "correct" / "same.py").write_text(reference)
    (root / "solutions" / "wrong" / "no_seed.py").write_text(
        "# Mistake: no seed\n" + reference.replace("self.grad = 1\n", "pass\n"))
    for name, text in (cases or MINI_CASES).items():
        (root / "cases" / name).write_text(textwrap.dedent(text))
    return root


@pytest.fixture(scope="session")
def basic_suite():
    return load_and_compile(BASIC)[1]


@pytest.fixture(scope="session")
def mini_suite(tmp_path_factory):
    return load_and_compile(write_problem(tmp_path_factory.mktemp("mini") / "mini"))[1]


@pytest.fixture(scope="session")
def sandbox():
    return SubprocessExecutor()


@pytest.fixture(scope="session")
def in_process():
    return InProcessExecutor()


def patch(source: str, old: str, new: str) -> str:
    """The reference solution with one change; fails loudly if the change does not apply."""
    assert old in source, old
    return source.replace(old, new)
