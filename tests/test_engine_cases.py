"""Engine cases (``kind = "engines"``): the learner writes a test, ``check_engine(Value)``, and
it is graded on engines: correct ones it must accept, buggy ones it must reject.

Covers the observer's verdicts (True/None accept; False or an exception reject; anything else an
error), a test that hangs or rejects the correct engine, the shipped problem's wrong tests each
failing on exactly the engines they let through (named by the engine file's header), the engine
file's header schema with file and line, and that nothing the learner's code can read names the
engine."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import REPO
from engine.authoring.check import load_and_compile
from engine.authoring.problem import ProblemError, load_problem, read_engine_header
from engine.grading.grade import grade

PROBLEM = REPO / "hidden_tests" / "write-the-test"
REFERENCE = (PROBLEM / "reference.py").read_text()


@pytest.fixture(scope="module")
def problem_and_suite():
    return load_and_compile(PROBLEM)


@pytest.fixture(scope="module")
def suite(problem_and_suite):
    return problem_and_suite[1]


def _failing_engines(report, suite) -> set[str]:
    by_id = {c["id"]: c for c in suite["cases"]}
    return {Path(by_id[t.id]["engine"]["file"]).stem for t in report.tests if t.status != "passed"}


def test_one_case_per_engine_with_expected_verdict_from_its_header(problem_and_suite):
    problem, suite = problem_and_suite
    cases = suite["cases"]
    assert len(cases) == len(problem.engines) == 12
    for case in cases:
        engine = case["engine"]
        assert case["expected"] == {"accepted": 0 if "bug" in engine else 1}
        # Correct engines come first; the buggy ones are numbered, never named.
        assert ("bug" in engine) == ("rejects buggy engine" in case["name"])
        spec = case["spec"]
        assert spec["kind"] == "engine" and spec["function"] == "check_engine"
        # Nothing the learner's process receives names the engine or its bug.
        assert "Bug" not in spec["engine"] and "Catch" not in spec["engine"]
        assert Path(engine["file"]).stem not in spec["id"] + spec["engine"]


@pytest.mark.parametrize("body, accepted, verdict", [
    ("return True", 1, "True"),
    ("pass", 1, "None"),
    ("return False", 0, "False"),
    ("assert Value(2.0).data == 3.0, 'wrong data'", 0, "raised"),
    ("return Value(1.0) - Value(2.0)", 0, "raised"),  # the engine has no `-`: an exception
])
def test_the_observer_records_accept_or_reject(suite, in_process, body, accepted, verdict):
    source = f"def check_engine(Value):\n    {body}\n"
    observed = in_process.observe(source, suite["cases"][:1])
    result = observed["results"][0]
    assert result["status"] == "ok"
    assert result["observations"]["accepted"] == accepted
    got = result["observations"]["verdict"]
    assert (got["kind"] if verdict == "raised" else got["repr"]) == verdict


def test_a_test_that_returns_something_else_is_an_error(suite, in_process):
    report = grade(suite, "def check_engine(Value):\n    return 0.5\n", in_process)
    first = report.tests[0]
    assert first.status == "error"
    assert first.message == ("`check_engine` must return True or False (or None, or raise "
                             "AssertionError); it returned 0.5.")


def test_a_test_that_rejects_the_correct_engine_says_how(suite, sandbox):
    source = textwrap.dedent("""\
        def check_engine(Value):
            a = Value(2.0)
            b = a * a
            b.backward()
            assert a.grad == 2.0, f"a.grad is {a.grad}"
            return True
        """)
    report = grade(suite, source, sandbox)
    correct = [t for t in report.tests if "accepts a correct engine" in t.name]
    assert [t.status for t in correct] == ["failed", "failed"]
    assert correct[0].message == (
        "Your test rejects a correct engine (closures, a recursive topological sort): it raised "
        "AssertionError: a.grad is 4.0 (line 5, in check_engine)")
    assert correct[0].line == 5
    report = grade(suite, "def check_engine(Value):\n    return False\n", sandbox)
    assert report.tests[1].message.startswith("Your test rejects a correct engine (inputs and "
                                              "local derivatives kept in lists, an iterative sort"
                                              "): `check_engine` returned False for it.")


def test_a_test_that_hangs_is_stopped_by_the_time_limit(suite, sandbox):
    quick = {**suite, "cases": [{**c, "time_limit": 0.5} for c in suite["cases"]]}
    report = grade(quick, "def check_engine(Value):\n    while True:\n        pass\n", sandbox)
    assert report.tests[0].status == "timeout"
    assert report.tests[0].message.startswith("Stopped after 0.5 s: your code did not finish.")
    assert all(t.status == "timeout" for t in report.tests[1:])  # skipped after it, not run


def test_a_test_that_recurses_forever_rejects_and_is_told_so(suite, sandbox):
    report = grade(suite, "def check_engine(Value):\n    return check_engine(Value)\n", sandbox)
    assert report.tests[0].status == "failed"
    assert "it raised RecursionError" in report.tests[0].message


def test_a_file_without_the_function_does_not_load(suite, in_process):
    report = grade(suite, "def check(Value):\n    return True\n", in_process)
    assert report.status == "error"
    assert report.message == "Your code must define a function named `check_engine` (found nothing)."
    # No Value class is needed when every case is an engine case.
    assert grade(suite, REFERENCE, in_process).status == "pass"


def test_the_engines_all_look_the_same_to_the_learner(suite, in_process):
    source = textwrap.dedent("""\
        import sys
        def check_engine(Value):
            print(Value.__name__, Value.__module__, Value.__qualname__,
                  sys.modules[Value.__module__].__file__)
            return True
        """)
    observed = in_process.observe(source, suite["cases"])
    assert {r["output"] for r in observed["results"]} == {
        "Value engine_under_test Value <engine>\n"}


# Which buggy engines each shipped wrong test lets through: its `# Mistake:` says so too.
LET_THROUGH = {
    "backward_twice_without_zeroing": {"closures", "local_grads_iterative"},
    "checks_only_data": {"assigns_grad_instead_of_adding", "backward_in_forward_order",
                         "clears_inner_grads", "mul_gradients_swapped", "mul_ignores_upstream",
                         "pow_derivative_off_by_one", "relu_passes_gradient_at_zero",
                         "visits_shared_nodes_twice"},
    "checks_only_the_inputs": {"clears_inner_grads"},
    "loose_tolerance": {"pow_derivative_off_by_one", "visits_shared_nodes_twice"},
    "multiplies_equal_numbers": {"mul_gradients_swapped"},
    "never_adds_a_plain_number": {"add_does_not_wrap_numbers"},
    "never_reuses_a_value": {"assigns_grad_instead_of_adding", "visits_shared_nodes_twice"},
    "one_operation_per_graph": {"backward_in_forward_order", "mul_ignores_upstream",
                                "visits_shared_nodes_twice"},
    "only_positive_inputs": {"relu_keeps_negative_inputs", "relu_passes_gradient_at_zero"},
    "reads_private_attributes": {"local_grads_iterative"},
}


def test_each_wrong_test_fails_on_the_engines_it_lets_through(problem_and_suite, sandbox):
    problem, suite = problem_and_suite
    wrong = problem.solutions("wrong")
    assert {p.stem for p in wrong} == set(LET_THROUGH)
    headers = {e.path.stem: e.header for e in problem.engines}
    for path in wrong:
        report = grade(suite, path.read_text(), sandbox)
        assert _failing_engines(report, suite) == LET_THROUGH[path.stem], path.name
        for test in report.tests:
            if test.status == "passed":
                continue
            stem = Path(next(c for c in suite["cases"] if c["id"] == test.id)["engine"]["file"]).stem
            header = headers[stem]
            if "bug" in header:  # named by its header, with how to catch it
                assert test.message == (f"Your test accepts an engine whose {header['bug']}: "
                                        f"{header['catch']}")
            else:
                assert test.message.startswith(f"Your test rejects a correct engine "
                                               f"({header['correct']}): ")


def test_a_correct_test_passes_every_engine(problem_and_suite, sandbox):
    problem, suite = problem_and_suite
    for path in problem.solutions("correct"):
        assert grade(suite, path.read_text(), sandbox).status == "pass", path.name


# ---- The engine file's header: engine.schema.json, reported with file and line ----


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "write-the-test"
    shutil.copytree(PROBLEM, root)
    return root


def _issues(root: Path) -> list[str]:
    with pytest.raises(ProblemError) as caught:
        load_problem(root)
    return [str(i) for i in caught.value.issues]


def test_header_is_read_from_the_leading_comments():
    header, lines, count = read_engine_header("# Bug: a\n# Catch: b\n#   c\nclass Value: pass\n")
    assert header == {"bug": "a", "catch": "b"} and lines == {"bug": 1, "catch": 2} and count == 3


@pytest.mark.parametrize("head, line, message", [
    ("# Bug: something\n", 1, "missing `# Catch:` line: an engine file starts with"),
    ("# Bug: something\n# Cach: try 0\n", 2,
     "unknown header line `# Cach:` (did you mean `# Catch:`?)"),
    ("# Correct: textbook\n# Bug: something\n", 2,
     "a correct engine has only a `# Correct:` line: no `# Bug:` or `# Catch:`"),
    ("# Bug: something\n# Catch:\n", 2, "`# Catch:` is empty"),
    ("class Value:\n", 1, "missing `# Bug:` line"),
])
def test_header_errors_name_the_file_and_line(tmp_path, head, line, message):
    root = _copy(tmp_path)
    path = root / "engines" / "mul_gradients_swapped.py"
    body = "\n".join(path.read_text().splitlines()[2:]) + "\n"
    path.write_text(head + body)
    issues = _issues(root)
    assert any(i.startswith(f"{path}:{line}: {message}") for i in issues), issues


def test_an_engine_that_is_not_python_or_has_no_value_is_reported(tmp_path):
    root = _copy(tmp_path)
    broken = root / "engines" / "zz_broken.py"
    broken.write_text("# Bug: x\n# Catch: y\nclass Value:\n    def f(self)\n")
    nameless = root / "engines" / "zz_nameless.py"
    nameless.write_text("# Bug: x\n# Catch: y\nclass Engine:\n    pass\n")
    issues = _issues(root)
    assert f"{broken}:4: the engine is not valid Python: expected ':'" in issues
    assert (f"{nameless}:3: an engine must define a class named `Value` (the learner's test "
            "receives it)") in issues


def test_an_engines_case_needs_correct_and_buggy_engines(tmp_path):
    root = _copy(tmp_path)
    for path in (root / "engines").glob("*.py"):
        if path.read_text().startswith("# Correct"):
            path.unlink()
    issues = _issues(root)
    assert issues == [f"{root / 'engines'}:1: an engines case needs at least one correct and one "
                      "buggy engine: add a correct engine (`# Correct: ...`) to engines/"]


def test_an_engines_case_with_an_unknown_key_is_located(tmp_path):
    root = _copy(tmp_path)
    case = root / "cases" / "01-every-engine.toml"
    case.write_text(case.read_text() + "tolerance = { rel = 0.1 }\n")
    issues = _issues(root)
    assert any(i.startswith(f"{case}:6: unknown key `tolerance` in an engines case") for i in issues), issues


def test_the_compiled_suite_and_a_report_match_their_schemas(suite, in_process):
    from test_schemas import validate

    validate(suite, "suite.schema.json")
    wrong = (PROBLEM / "solutions/wrong/only_positive_inputs.py").read_text()
    validate(grade(suite, wrong, in_process).to_dict(), "report.schema.json")
    for path in sorted((PROBLEM / "engines").glob("*.py")):
        validate(read_engine_header(path.read_text())[0], "engine.schema.json")


@pytest.mark.slow
def test_with_no_known_mistake_matching_the_summary_lists_what_the_test_let_through(suite, sandbox):
    """The measured summary of a weak test: how many buggy engines it accepted, each named with
    its catch line, and how many correct ones it rejected; nothing else is claimed."""
    alone = {**suite, "mistakes": [], "probes": []}
    lenient = grade(alone, "def check_engine(Value):\n    return True\n", sandbox)
    buggy = sum("bug" in c["engine"] for c in suite["cases"] if "engine" in c)
    assert lenient.diagnosis is not None and lenient.diagnosis["basis"] == "measured"
    assert lenient.diagnosis["mistake"] == f"Your test accepts {buggy} of the {buggy} buggy engines."
    assert all(e.startswith("It accepts an engine whose ") for e in lenient.diagnosis["evidence"])
    strict = grade(alone, "def check_engine(Value):\n    return False\n", sandbox)
    correct = sum("bug" not in c["engine"] for c in suite["cases"] if "engine" in c)
    assert strict.diagnosis is not None
    assert strict.diagnosis["mistake"] == f"Your test rejects {correct} of the {correct} correct engines."
