"""Mutation testing (`gradlab check --mutants`): mutants are real slips, scores are honest."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap

import pytest

from conftest import REFERENCE, REPO, write_problem
from engine.authoring import mutants, mutation
from engine.authoring.check import load_and_compile

SMALL = textwrap.dedent('''\
    class Value:
        def __init__(self, data, children=()):
            self.data = data
            self.grad = 0
            self._prev = children

        def __mul__(self, other):
            out = Value(self.data * other.data, (self, other))
            def _backward():
                self.grad += other.data * out.grad
            out._backward = _backward
            return out

        def backward(self):
            label = "é" + str(self.data)  # not ASCII: positions are byte offsets
            self.grad = 1
            for v in reversed(self._prev):
                if v.data > 0:
                    v._backward()
    ''')


def _descriptions(source: str) -> set[str]:
    return {m.description for m in mutants.generate(source)}


def test_mutants_are_the_classic_slips_each_one_edit_that_compiles():
    generated = mutants.generate(SMALL)
    found = {m.description for m in generated}
    for expected in [
        "'+=' -> '=' in `self.grad += other.data * out.grad`",  # assign instead of accumulate
        "delete `self.grad = 1`",  # the output seed dropped
        "1 -> 0",  # the seed moved
        "'>' -> '>=' in `v.data > 0`",  # a comparison moved by one
        "right operand replaced by the left in `self.data * other.data`",
        "'*' -> '+' in `other.data * out.grad`",
        "`.data` -> `.grad` in `other.data`",
        "`self` -> `other` in `self.grad`",  # the closure's names mixed up
        "drop the call `reversed(...)` in `reversed(self._prev)`",
        "'+' -> '-' in `'é' + str(self.data)`",
    ]:
        assert expected in found, (expected, sorted(found))
    original_lines = SMALL.splitlines()
    for m in generated:
        ast.parse(m.source)
        changed = [i for i, (a, b) in enumerate(zip(original_lines, m.source.splitlines(), strict=True))
                   if a != b]
        assert changed == [m.line - 1], (m, changed)  # one line, the one it names
    assert len({m.source for m in generated}) == len(generated)  # no mutant twice
    names = [m.id for m in generated]
    assert names == [f"M{i}" for i in range(1, len(generated) + 1)]


def test_a_mutants_diff_shows_the_one_line_it_changes():
    m = next(m for m in mutants.generate(SMALL) if m.description == "delete `self.grad = 1`")
    diff = m.diff(SMALL, "reference.py")
    assert "-        self.grad = 1\n" in diff and "+        pass\n" in diff
    assert f"+++ reference.py (mutant {m.id})" in diff


# Children in a tuple, not a set: mutants then behave the same in every process (a set of Values
# iterates in memory-address order), so which mutants survive is the same on every run.
ORDERED = REFERENCE.replace("self._prev = set(_children)", "self._prev = _children")


@pytest.mark.slow
def test_a_weak_suite_gets_survivors_and_cases_that_kill_them(tmp_path, sandbox):
    # three small cases: no reuse in +, no relu gradient
    root = write_problem(tmp_path / "weak", reference=ORDERED)
    problem, suite = load_and_compile(root)
    report = mutation.run(problem, suite, sandbox, jobs=2)
    survivors = [r for r in report.results if r.status == "survived"]
    assert "'+=' -> '=' in `self.grad += out.grad`" in {r.mutant.description for r in survivors}
    assert all(r.proposal for r in survivors)
    assert 0 < report.score < 1
    # Save the proposed cases; now the suite kills every survivor, and the reference still passes.
    firsts = {r.proposal_for: r.proposal for r in survivors}
    for mutant_id, text in firsts.items():
        (root / "cases" / f"proposed-{mutant_id}.toml").write_text(text)
    problem, suite = load_and_compile(root)
    again = mutation.run(problem, suite, sandbox, jobs=2)
    assert again.count("survived") == 0
    killed = {r.mutant.id: r for r in again.results}
    for r in survivors:
        assert killed[r.mutant.id].status == "killed"
    assert any(killed[r.mutant.id].killed_by.startswith("Proposed:") for r in survivors)


@pytest.mark.slow
def test_without_ops_survivors_stay_survivors_with_no_guess(tmp_path, sandbox):
    root = write_problem(tmp_path / "noops")
    toml = (root / "problem.toml").read_text().replace('ops = ["+", "*", "relu"]\n', "")
    (root / "problem.toml").write_text(toml)
    problem, suite = load_and_compile(root)
    report = mutation.run(problem, suite, sandbox, jobs=2)
    assert report.count("equivalent") == 0 and report.count("survived") > 0
    assert all(r.proposal is None for r in report.results)
    assert "lists no `ops`" in mutation.render_text(report)


def _gradlab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=600)


@pytest.mark.slow
def test_cli_check_mutants_exit_code_diffs_and_saved_proposals(tmp_path):
    root = write_problem(tmp_path / "weak", reference=ORDERED)
    first = _gradlab("check", "--mutants", "--save-proposals", str(root))
    assert first.returncode == 1, first.stdout + first.stderr
    assert "SURVIVED" in first.stdout and "+            self.grad = out.grad" in first.stdout
    assert "this case would catch it" in first.stdout
    saved = sorted((root / "cases").glob("proposed-*.toml"))
    assert saved and "wrote" in first.stdout
    second = _gradlab("check", "--mutants", str(root))
    assert second.returncode == 0, second.stdout + second.stderr
    assert "0 survived" in second.stdout and "= 100.0%" in second.stdout
