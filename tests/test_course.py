"""course.toml: a course's title, intro, included shipped problems and order; every mistake named
with its file and line, as problem files are."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from jsonschema.validators import Draft202012Validator

from conftest import REPO
from engine import cli
from engine.authoring import scaffold
from engine.authoring.course import COURSE_SCHEMA, load_course
from engine.authoring.problem import ProblemError

SHIPPED = REPO / "hidden_tests"


def _course(tmp_path: Path, toml: str, *own: str) -> Path:
    root = tmp_path / "course"
    root.mkdir()
    for slug in own:
        scaffold.create(root, slug)
    (root / "course.toml").write_text(toml)
    return root


def _issues(root: Path) -> list[str]:
    with pytest.raises(ProblemError) as caught:
        load_course(root)
    return [str(issue) for issue in caught.value.issues]


def test_the_shipped_course_lists_every_shipped_problem_in_its_order():
    text = (SHIPPED / "course.toml").read_text()
    Draft202012Validator(COURSE_SCHEMA).validate(tomllib.loads(text))
    course = load_course(SHIPPED)
    assert course.title == "Gradlab"
    assert "one piece at a time" in course.intro
    assert [p.name for p in course.problems] == tomllib.loads(text)["order"]
    assert {p.name for p in course.problems} == {p.parent.name for p in SHIPPED.glob("*/problem.toml")}


def test_a_course_mixes_included_shipped_problems_with_its_own_in_its_order(tmp_path):
    root = _course(tmp_path, 'title = "Squares"\nintro = "Two *short* problems."\n'
                             'license = "CC BY 4.0"\ninclude = ["basic-ops"]\n'
                             'order = ["squares", "basic-ops"]\n', "squares")
    course = load_course(root)
    assert course.problems == [root / "squares", SHIPPED / "basic-ops"]
    assert course.site_info() == {"title": "Squares", "intro": "Two *short* problems.",
                                  "license": "CC BY 4.0"}


def test_problems_the_order_leaves_out_follow_by_their_own_order(tmp_path):
    root = _course(tmp_path, 'order = ["zeta"]\n', "alpha", "beta", "zeta")
    for slug, order in (("alpha", 5), ("beta", 2)):
        meta = root / slug / "problem.toml"
        lines = [line for line in meta.read_text().splitlines() if not line.startswith("order")]
        meta.write_text("\n".join([*lines, f"order = {order}"]) + "\n")
    assert [p.name for p in load_course(root).problems] == ["zeta", "beta", "alpha"]


def test_a_folder_without_course_toml_is_a_course_with_the_schema_defaults(tmp_path):
    scaffold.create(tmp_path, "only-one")
    course = load_course(tmp_path)
    assert (course.title, course.intro) == (COURSE_SCHEMA["properties"]["title"]["default"],
                                            COURSE_SCHEMA["properties"]["intro"]["default"])
    assert course.problems == [tmp_path / "only-one"] and course.license is None


def test_schema_mistakes_are_named_with_file_and_line(tmp_path):
    root = _course(tmp_path, 'title = "T"\n\ntitel = "typo"\nintro = 3\n'
                             'order = [\n  "one",\n  "Two",\n  "one",\n]\n', "one")
    toml = root / "course.toml"
    issues = _issues(root)
    assert any(i.startswith(f"{toml}:3: unknown key `titel`") and "did you mean `title`" in i
               for i in issues), issues
    assert f"{toml}:4: `intro` must be a string, got int 3" in issues
    assert any(i.startswith(f"{toml}:5: `order` has 'Two', which is not a problem name")
               for i in issues), issues
    assert f"{toml}:5: `order` lists 'one' more than once" in issues


def test_names_that_are_not_in_the_course_are_named_at_their_own_line(tmp_path):
    root = _course(tmp_path, 'include = [\n  "basic-ops",\n  "no-such-thing",\n  "mine",\n]\n'
                             'order = [\n  "mine",\n  "missing",\n]\n', "mine")
    toml = root / "course.toml"
    issues = _issues(root)
    assert len(issues) == 3, issues
    assert issues[0].startswith(f"{toml}:3: `include` names 'no-such-thing', which is no shipped "
                                "problem; shipped: activations, basic-ops")
    assert issues[1].startswith(f"{toml}:4: `include` names 'mine', but the course has a folder "
                                "of that name")
    assert issues[2].startswith(f"{toml}:8: `order` names 'missing', which is not in the course: "
                                "its problems are basic-ops, mine")


def test_invalid_toml_and_an_empty_course_are_reported(tmp_path):
    root = _course(tmp_path, 'title = "T"\n\nintro = \n')
    assert _issues(root)[0].startswith(f"{root / 'course.toml'}:3: invalid TOML")
    (root / "course.toml").write_text('title = "Nothing here"\n')
    assert _issues(root) == [f"{root / 'course.toml'}:1: the course has no problems: add a problem "
                             "folder (gradlab new NAME --dir FOLDER) or `include` a shipped one"]


def test_gradlab_check_reads_a_course_folder(tmp_path, capsys):
    root = _course(tmp_path, 'order = ["gone"]\n')
    assert cli.main(["check", str(root)]) == cli.EXIT_FAIL
    out, err = capsys.readouterr()
    assert f"{root / 'course.toml'}:1: `order` names 'gone', which is not in the course" in err
    assert f"{root / 'course.toml'}: 1 issue" in out
    assert "1 course.toml with issues" in out
