"""`gradlab check` says each thing once, in the right words, at the right line: "issues" (not a
second sense of "problem"), one typo reported once, a bad name at the line that uses it, and a
unary operation's only input called "its input"."""

from __future__ import annotations

import textwrap

import pytest

from conftest import BASIC, MINI_CASES, write_problem
from engine import cli
from engine.authoring.check import load_and_compile
from engine.authoring.problem import ProblemError
from engine.grading.grade import grade


def _issues_of(root) -> list[str]:
    with pytest.raises(ProblemError) as caught:
        load_and_compile(root)
    return [str(issue) for issue in caught.value.issues]


def test_one_typo_in_an_expected_value_is_one_issue(tmp_path, capsys):
    case = textwrap.dedent("""\
        name = "Product"
        expression = "a * b"

        [values]
        a = 3
        b = 4

        [expected.grad]
        a = 5.0
        """)
    root = write_problem(tmp_path / "mini", {**MINI_CASES, "01-product.toml": case})
    assert cli.main(["check", str(root)]) == cli.EXIT_FAIL
    out, err = capsys.readouterr()
    issues = [line for line in err.splitlines() if line.startswith(str(root))]
    assert issues == [f"{root / 'cases' / '01-product.toml'}:9: expected a.grad = 5.0 but the "
                      "reference engine computes 4.0 (so the reference and the correct solutions "
                      "fail this case too)"], err
    assert "mini: 1 issue\n" in out
    assert "checked 1 problem: 0 ok, 1 with issues" in out
    assert "problem(s)" not in out + err
    assert "same.py passes all but the cases with a wrong expected value" in out


def test_two_issues_are_counted_as_issues(tmp_path, capsys):
    root = write_problem(tmp_path / "mini")
    (root / "solutions" / "correct" / "same.py").unlink()
    (root / "solutions" / "wrong" / "no_seed.py").unlink()
    assert cli.main(["check", str(root)]) == cli.EXIT_FAIL
    out, _ = capsys.readouterr()
    assert "mini: 2 issues\n" in out


@pytest.mark.parametrize(("text", "line"), [
    ('name = "N"\nhint = "q is for quantity"\nexpression = "(a + q).relu()"\n\n[values]\na = 1\n', 3),
    ('name = "N"\nsteps = [\n  "d = a * 2",\n  "e = d + zed",\n]\nexpression = "e"\n\n[values]\na = 1\n', 4),
    ('name = "N"\nexpression = "a / b"\n\n[values]\na = 1\nb = 0\n', 2),
    ('name = "N"\nkind = "script"\nscript = """\nx = Value(2)\ny = x * undefined_name\n"""\n', 5),
])
def test_a_case_that_the_reference_cannot_run_is_reported_at_the_failing_line(tmp_path, text, line):
    root = write_problem(tmp_path / "mini", {**MINI_CASES, "01-broken.toml": text})
    issues = _issues_of(root)
    assert len(issues) == 1 and issues[0].startswith(f"{root / 'cases' / '01-broken.toml'}:{line}: "), issues


def test_a_unary_operations_only_input_is_its_input_not_its_left_one(basic_suite, in_process):
    wrong = (BASIC / "solutions" / "wrong" / "relu_gradient_times_output.py").read_text()
    report = grade(basic_suite, wrong, in_process)
    wheres = [t.where for t in report.tests if t.where and "`relu`" in t.where]
    assert wheres and all("its input" in w for w in wheres), wheres
    assert not any("left input" in (t.where or "") for t in report.tests)
    assert any("sends 1.5 to `t2`, its input, where 1 was expected" in w for w in wheres), wheres
