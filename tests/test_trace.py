"""Trace problems (issue #18 part 1): the trace file format and `gradlab check`'s located errors,
the answers the build computes with the reference engine (against numbers worked out by hand),
and the known wrong answers: each said only where it is what that mistake gives."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import jsonschema
import pytest

from conftest import REPO
from engine.authoring.check import check_problem
from engine.authoring.problem import ProblemError, load_problem
from engine.authoring.trace import check_trace_problem, compile_trace_problem, load_trace_problem

TRACE = REPO / "hidden_tests" / "trace-by-hand"
SCHEMAS = REPO / "engine" / "schemas"


@pytest.fixture(scope="module")
def page() -> dict:
    return compile_trace_problem(load_trace_problem(TRACE))


def nodes(page: dict, trace_id: str) -> dict[str, dict]:
    trace = next(t for t in page["traces"] if t["id"] == trace_id)
    return {n["name"]: n for n in trace["nodes"]}


def said(node: dict, kind: str, answer: float) -> str | None:
    """The sentence the page says for `answer` (it matches within the tolerance the same way)."""
    hits = {w["say"] for w in node["wrong"][kind] if abs(w["answer"] - answer) <= 1e-9}
    assert len(hits) <= 1
    return next(iter(hits), None)


def test_the_issue_example_has_the_values_and_gradients_worked_out_by_hand(page):
    n = nodes(page, "01-reused")
    assert [(name, n[name]["formula"]) for name in ("t1", "t2", "t3", "L")] == [
        ("t1", "a * b"), ("t2", "t1 + c"), ("t3", "a + d"), ("L", "t2 * t3")]
    assert {k: v["value"] for k, v in n.items()} == {
        "a": 2, "b": 3, "c": 4, "d": 5, "t1": 6, "t2": 10, "t3": 7, "L": 70}
    # dL/dt2 = t3 = 7, dL/dt3 = t2 = 10, dL/da = 7*3 (through t1) + 10 (through t3) = 31
    assert {k: v["grad"] for k, v in n.items()} == {
        "L": 1, "t2": 7, "t3": 10, "t1": 7, "c": 7, "a": 31, "b": 14, "d": 10}


def test_relu_at_a_negative_input_passes_no_gradient(page):
    n = nodes(page, "02-relu-negative")  # L = relu(w*x) + b*x, w = -2, x = 3, b = 4
    assert {k: v["value"] for k, v in n.items()} == {
        "w": -2, "x": 3, "b": 4, "z": -6, "h": 0, "u": 12, "L": 12}
    assert {k: v["grad"] for k, v in n.items()} == {
        "L": 1, "h": 1, "u": 1, "z": 0, "w": 0, "b": 3, "x": 4}


def test_tanh_uses_its_output_in_its_derivative(page):
    n = nodes(page, "03-tanh")  # y = tanh(w*x + b), w = 0.5, x = 2, b = -0.5: s = 0.5
    y = 0.46211715726000974  # tanh(0.5)
    assert n["z"]["value"] == 1 and n["s"]["value"] == 0.5 and n["y"]["value"] == pytest.approx(y)
    d = 1 - y * y  # 0.78645
    assert n["s"]["grad"] == pytest.approx(d) and n["b"]["grad"] == pytest.approx(d)
    assert n["w"]["grad"] == pytest.approx(2 * d) and n["x"]["grad"] == pytest.approx(0.5 * d)


def test_pointed_hints_say_what_the_number_is(page):
    n = nodes(page, "01-reused")
    assert said(n["t2"], "grad", 10) == "That is `t2`'s value, not its gradient."
    assert said(n["t1"], "value", 7) == ("That is `t1`'s gradient; this cell asks for its value "
                                         "(the forward pass).")
    # only the contribution through t1 (7 * 3 = 21), or only through t3 (10)
    assert said(n["a"], "grad", 21) == ("`a` is used twice (by `t1` and `t3`): add both "
                                        "contributions; this is only the one through `t1`.")
    assert "only the one through `t3`" in said(n["a"], "grad", 10)
    r = nodes(page, "02-relu-negative")
    assert "relu passes no gradient back there" in said(r["z"], "grad", 1)
    assert said(r["w"], "grad", 3).startswith("This follows from a mistake at `z`")  # 1 * x
    t = nodes(page, "03-tanh")
    y = t["y"]["value"]
    assert "uses tanh's output `y`" in said(t["s"], "grad", y)
    assert "1 − `s`² with the input" in said(t["s"], "grad", 1 - 0.25)


def test_no_wrong_answer_is_near_the_right_one_or_said_two_ways(page):
    for trace in page["traces"]:
        tol = trace["tolerance"]
        for node in trace["nodes"]:
            for kind in ("value", "grad"):
                right = node[kind]
                for w in node["wrong"][kind]:
                    assert abs(w["answer"] - right) > max(tol["rel"] * abs(right), tol["abs"])
                    reach = 2 * max(tol["rel"] * abs(w["answer"]), tol["abs"])
                    others = [o for o in node["wrong"][kind]
                              if o is not w and abs(o["answer"] - w["answer"]) <= reach]
                    assert all(o["say"] == w["say"] for o in others), (node["name"], kind, w, others)


def test_the_page_data_matches_its_schema_and_every_trace_file_matches_its_own(page):
    schema = json.loads((SCHEMAS / "tracepage.schema.json").read_text())
    jsonschema.validate(page, schema, cls=jsonschema.Draft202012Validator)
    trace_schema = json.loads((SCHEMAS / "trace.schema.json").read_text())
    files = sorted((TRACE / "traces").glob("*.toml"))
    assert len(files) >= 3
    for path in files:
        jsonschema.validate(tomllib.loads(path.read_text()), trace_schema)


def test_gradlab_check_passes_the_shipped_trace_problem_and_code_loaders_refuse_it():
    result = check_problem(TRACE, executor=None)  # type: ignore[arg-type]  # no code: never run
    assert result.ok, result.issues
    assert result.lines[0] == "trace-by-hand: 3 traces compiled (a trace problem: no code)"
    with pytest.raises(ProblemError, match="has no code to grade"):
        load_problem(TRACE)


def test_the_trace_problem_comes_right_after_basic_ops():
    orders = {p.parent.name: tomllib.loads(p.read_text()).get("order")
              for p in (REPO / "hidden_tests").glob("*/problem.toml")}
    path = sorted(orders, key=orders.__getitem__)
    assert path[:3] == ["basic-ops", "trace-by-hand", "more-ops"]
    assert sorted(orders.values()) == list(range(1, len(orders) + 1))


def issues_for(tmp_path: Path, trace: str) -> list[str]:
    root = Path(shutil.copytree(TRACE, tmp_path / "trace-by-hand"))
    for path in (root / "traces").glob("*.toml"):
        path.unlink()
    (root / "traces" / "01-mine.toml").write_text(trace)
    issues, _, page = check_trace_problem(root)
    assert page is None
    return [i.replace(str(root / "traces") + "/", "") for i in issues]


GOOD_VALUES = "[values]\na = 2\nb = 3\n"


@pytest.mark.parametrize(("text", "expected"), [
    ('expresion = "L = a*b"\n' + GOOD_VALUES,
     "01-mine.toml:1: unknown key `expresion` in a trace file (did you mean `expression`?); "
     "allowed: expression, hints, names, title, tolerance, values"),
    ('title = "x"\nexpression = "L = a*b"\n[values]\na = 2\nb = "three"\n',
     "01-mine.toml:5: input `b` must be a number, got str 'three'"),
    ('title = "x"\nexpression = "L = a*b + c"\n' + GOOD_VALUES,
     "01-mine.toml:2: `c` in the expression has no value: add it to [values]"),
    ('title = "x"\n\nexpression = "L = a / b"\n' + GOOD_VALUES,
     "01-mine.toml:3: unsupported operation `a / b`: a trace uses +, *, relu(x) and tanh(x)"),
    ('expression = "L = 2*a*b"\n' + GOOD_VALUES,
     "01-mine.toml:1: a number (2) in the expression: give it a name in [values] (every node of "
     "a trace is named)"),
    ('expression = "L = a*b"\n[values]\na = 2\nb = 3\nc = 4\n',
     "01-mine.toml:5: input `c` is not used by the expression: remove it"),
    ('expression = "L = (a*b)+a"\nnames = ["t1", "t2"]\n' + GOOD_VALUES,
     "01-mine.toml:2: `names` has 2 names but the expression has 1 intermediate node(s) (every "
     "operation but the last, which is `L`)"),
    ('expression = "L = a*b"\n' + GOOD_VALUES + "[hints]\nq = 'x'\n",
     "01-mine.toml:6: `hints.q` names no node; nodes are a, b, L"),
    ('expression = "a*b"\n' + GOOD_VALUES,
     "01-mine.toml:1: `expression` must be one assignment naming the output, e.g. "
     "\"L = ((a*b)+c)*(a+d)\""),
    ('expression = "L = a*b"\n[values]\na = 2\nb = 3\n[tolerance]\nrel = 2\n',
     "01-mine.toml:6: `tolerance.rel` must be from 0 to 0.1, got 2"),
])
def test_a_bad_trace_file_is_reported_with_its_file_and_line(tmp_path, text, expected):
    assert expected in issues_for(tmp_path, text)


def test_problem_toml_keys_of_code_problems_are_refused_in_a_trace_problem(tmp_path):
    root = Path(shutil.copytree(TRACE, tmp_path / "trace-by-hand"))
    meta = root / "problem.toml"
    meta.write_text(meta.read_text() + 'starter = "starter.py"\n')
    issues, _, _ = check_trace_problem(root)
    assert issues == [f"{meta}:6: `starter` means nothing in a trace problem (there is no code): "
                      "remove it"]


def test_regrading_an_export_never_grades_code_for_a_trace_problem(tmp_path):
    """A trace problem has no code; a solved claim with no cells behind it (an export made
    before cells were exported) does not hold, as a code claim with no code does not."""
    from engine.authoring import bundle

    export = tmp_path / "export.json"
    progress = {"solved": True, "passed": 32, "total": 32, "suiteVersion": "abc"}
    export.write_text(json.dumps({"format": "gradlab-export", "version": 1, "exportedAt": "x",
                                  "problems": {"trace-by-hand": {"code": None, "progress": progress}}}))

    def grade_code(root: Path, code: str) -> dict:
        raise AssertionError("a trace problem has no code to grade")

    [row] = bundle.regrade(export, lambda slug: REPO / "hidden_tests" / slug, grade_code)
    assert (row["problem"], row["regraded"], row["holds"]) == ("trace-by-hand", "-", False)
    assert row["note"] == "no cells in the bundle"
    progress.update(solved=False, passed=0)  # nothing claimed, nothing typed: no row
    export.write_text(json.dumps({"format": "gradlab-export", "version": 1, "exportedAt": "x",
                                  "problems": {"trace-by-hand": {"code": None, "progress": progress}}}))
    assert bundle.regrade(export, lambda slug: REPO / "hidden_tests" / slug, grade_code) == []
