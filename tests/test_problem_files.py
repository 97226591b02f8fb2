"""Broken problem files: every mistake is reported as `path:line: message`, all in one run."""

from __future__ import annotations

import textwrap

import pytest

from conftest import write_problem
from engine.authoring.check import load_and_compile
from engine.authoring.problem import ProblemError


def issues_for(tmp_path, files: dict[str, str]) -> list[str]:
    root = write_problem(tmp_path / "p")
    for name, text in files.items():
        path = root / name
        if text is None:
            path.unlink()
        else:
            path.write_text(textwrap.dedent(text))
    with pytest.raises(ProblemError) as info:
        load_and_compile(root)
    return [str(i).replace(str(root) + "/", "") for i in info.value.issues]


BROKEN = [
    ({"problem.toml": 'title = "x"\ndifficulty = "medium"\norder = "first"\n'},
     "problem.toml:3: `order` must be an integer"),
    ({"problem.toml": 'title = "x"\ndifficulty = "extreme"\n'},
     "problem.toml:2: `difficulty` must be one of 'easy', 'medium', 'hard'"),
    ({"problem.toml": 'title = "x"\ntime_limt = 3\n'},
     "problem.toml:2: unknown key `time_limt` in problem.toml (did you mean `time_limit`?)"),
    ({"problem.toml": 'title = "x"\ntime_limit = -1\n'},
     "problem.toml:2: `time_limit` must be between 0 and 600 seconds"),
    ({"problem.toml": 'title = "x"\nops = ["+", "%"]\n'},
     "problem.toml:2: unknown operation '%' in `ops`"),
    ({"problem.toml": 'difficulty = "easy"\n'}, "problem.toml:1: missing required key `title`"),
    ({"problem.toml": 'title = "x\n'}, "problem.toml:1: invalid TOML"),
    ({"starter.py": None}, "starter.py:1: missing starter code: create this file"),
    ({"statement.md": ""}, "statement.md:1: statement is empty"),
    ({"cases/01-add.toml": 'name = "A"\nexpression = "a +"\n[values]\na = 1\n'},
     "cases/01-add.toml:2: `expression` is not valid Python"),
    ({"cases/01-add.toml": 'name = "A"\nexpression = "a + b"\n'},
     "cases/01-add.toml:1: a data case needs a `[values]` table"),
    ({"cases/01-add.toml": 'name = "A"\nexpression = "a"\n[values]\na = "two"\n'},
     "cases/01-add.toml:4: input `a` must be a number, got str 'two'"),
    ({"cases/01-add.toml": 'name = "A"\nexpression = "Value"\n[values]\nValue = 1\n'},
     "cases/01-add.toml:4: input name 'Value' must be a Python identifier other than"),
    ({"cases/01-add.toml": 'expression = "a"\n[values]\na = 1\n'},
     "cases/01-add.toml:1: missing required key `name`"),
    ({"cases/01-add.toml": 'name = "A"\nkind = "unit"\nexpression = "a"\n[values]\na = 1\n'},
     "cases/01-add.toml:2: `kind` must be one of 'data', 'script', 'generated'"),
    ({"cases/01-add.toml": 'name = "A"\nvisibility = "secret"\nexpression = "a"\n[values]\na = 1\n'},
     "cases/01-add.toml:2: `visibility` must be one of 'visible', 'hidden'"),
    ({"cases/01-add.toml": 'name = "A"\nexpresion = "a"\n[values]\na = 1\n'},
     "cases/01-add.toml:2: unknown key `expresion` in a data case (did you mean `expression`?)"),
    ({"cases/01-add.toml": 'name = "A"\nexpression = "a"\n[values]\na = 1\n[expected.grad]\nb = 1\n'},
     "cases/01-add.toml:6: `expected.grad.b` names no input"),
    ({"cases/01-add.toml": 'name = "A"\nexpression = "a"\ntolerance = { rel = -1 }\n[values]\na = 1\n'},
     "cases/01-add.toml:3: `tolerance.rel` must not be negative"),
    ({"cases/01-add.toml": 'name = "A"\nkind = "script"\nscript = """\nx = Value(1)\nif x\n"""\n'},
     "cases/01-add.toml:5: `script` is not valid Python"),
    ({"cases/01-add.toml": 'name = "A"\nkind = "generated"\ncount = 0\nseed = 1\n'},
     "cases/01-add.toml:3: `count` must be an integer from 1 to 200"),
    ({"cases/01-add.toml": 'name = "A"\nkind = "generated"\nseed = 1\ncount = 2\nnodes = [5, 2]\n'},
     "cases/01-add.toml:5: `nodes` must be [min, max]"),
    ({"cases/01-add.toml": 'name = "ReLU of a product: (a * b).relu()"\nexpression = "a"\n[values]\na = 1\n'},
     "cases/02-relu.toml:2: case name 'ReLU of a product: (a * b).relu()' is already used"),
    ({"problem.toml": 'title = 3\n'}, "problem.toml:1: `title` must be a string, got int 3"),
    ({"cases/01-add.toml": 'name = "A"\nkind = "generated"\nseed = "one"\ncount = 2\n'},
     "cases/01-add.toml:3: `seed` must be an integer, got str 'one'"),
    ({"cases/01-add.toml": 'name = "A"\nexpression = "a"\ntolerance = { rell = 1e-6 }\n[values]\na = 1\n'},
     "cases/01-add.toml:3: unknown key `rell` in `tolerance` (did you mean `rel`?); allowed: abs, rel"),
    ({"cases/01-add.toml": 'name = "A"\nexpression = "a"\n[values]\na = nan\n'},
     "cases/01-add.toml:4: input `a` must be a finite number, got nan"),
    ({"cases/01-add.toml": 'name = "A"\nexpression = "a.frobnicate()"\n[values]\na = 1\n'},
     "cases/01-add.toml:2: the reference engine fails on this case: AttributeError"),
]


@pytest.mark.parametrize(("files", "message"), BROKEN, ids=[m.split(":")[0] + ":" + m.split(": ", 1)[1][:30]
                                                           for _, m in BROKEN])
def test_each_broken_input_gets_a_located_specific_message(tmp_path, files, message):
    issues = issues_for(tmp_path, files)
    assert any(i.startswith(message) for i in issues), issues
    assert all("Traceback" not in i for i in issues)


def test_every_broken_file_is_reported_in_one_run(tmp_path):
    issues = issues_for(tmp_path, {
        "problem.toml": 'title = "x"\ndifficulty = "extreme"\n',
        "cases/01-add.toml": 'name = "A"\nexpression = "a +"\n[values]\na = 1\n',
        "cases/02-relu.toml": 'name = "B"\nexpression = "a"\n[values]\na = "x"\n',
        "reference.py": None,
    })
    files = {i.split(":")[0] for i in issues}
    assert files == {"problem.toml", "cases/01-add.toml", "cases/02-relu.toml", "reference.py"}


def test_no_cases_is_an_issue(tmp_path):
    root = write_problem(tmp_path / "p")
    for case in (root / "cases").glob("*.toml"):
        case.unlink()
    with pytest.raises(ProblemError, match="no cases"):
        load_and_compile(root)


def test_generated_cases_are_reproducible_from_their_seed(tmp_path):
    cases = {"01-gen.toml": 'name = "G"\nkind = "generated"\nseed = 7\ncount = 5\n'}
    a = load_and_compile(write_problem(tmp_path / "a", cases))[1]["cases"]
    b = load_and_compile(write_problem(tmp_path / "b", cases))[1]["cases"]
    assert [c["spec"] for c in a] == [c["spec"] for c in b]
    assert len({c["spec"]["expression"] + str(c["spec"]["steps"]) for c in a}) == 5
    assert all(c["visibility"] == "hidden" for c in a)


def test_generated_cases_reach_relu_kinks_and_reuse(basic_suite):
    generated = [c for c in basic_suite["cases"] if c["id"].startswith("16-random-graphs")]
    features = {f for c in generated for f in c["features"]}
    assert {"relu_at_zero", "reused_input", "shared_intermediate", "plain_number"} <= features
