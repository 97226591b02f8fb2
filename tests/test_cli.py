"""The `gradlab` command as instructors run it: exit codes, output, and `check`'s verdicts."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from conftest import BASIC, REFERENCE, REPO, write_problem

GRADLAB = [sys.executable, "-m", "engine.cli"]
SCHEMAS = REPO / "engine" / "schemas"


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GRADLAB, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_grade_accepts_the_textbook_solution_with_exit_0():
    result = run("grade", "basic-ops", str(BASIC / "solutions/correct/micrograd_textbook.py"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "39 of 39 passed" in result.stdout


@pytest.mark.slow
@pytest.mark.parametrize("wrong", sorted((BASIC / "solutions" / "wrong").glob("*.py")),
                         ids=lambda p: p.stem)
def test_grade_rejects_each_wrong_solution_with_exit_1(wrong):
    result = run("grade", "basic-ops", str(wrong))
    assert result.returncode == 1, result.stdout
    assert "FAIL" in result.stdout or "ERROR" in result.stdout


def test_grade_json_report_matches_its_schema():
    result = run("grade", "basic-ops", str(BASIC / "solutions/wrong/missing_output_seed.py"), "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    jsonschema.validate(report, json.loads((SCHEMAS / "report.schema.json").read_text()))
    assert report["status"] == "fail" and report["version"] == 1
    assert {t["status"] for t in report["tests"]} <= {"passed", "failed", "error", "timeout"}


def test_grade_by_path_to_a_problem_folder(tmp_path):
    root = write_problem(tmp_path / "mini")
    learner = tmp_path / "mine.py"
    learner.write_text(REFERENCE)
    result = run("grade", str(root), str(learner))
    assert result.returncode == 0 and "3 of 3 passed" in result.stdout


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["grade", "no-such-problem", "x.py"], "no problem 'no-such-problem'"),
        (["grade", "basic-ops", "/nonexistent/file.py"], "/nonexistent/file.py: no such file"),
        (["grade", "basic-ops"], "usage: gradlab grade PROBLEM FILE... (or gradlab grade --bundle"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_usage_exits_2_with_a_clear_message(args, words):
    result = run(*args)
    assert result.returncode == 2
    assert words in result.stderr
    assert "Traceback" not in result.stderr


def test_grade_on_a_broken_problem_exits_2_with_path_and_line(tmp_path):
    root = write_problem(tmp_path / "mini")
    (root / "cases" / "01-add.toml").write_text('name = "A"\nexpression = "a +"\n[values]\na = 1\n')
    learner = tmp_path / "mine.py"
    learner.write_text(REFERENCE)
    result = run("grade", str(root), str(learner))
    assert result.returncode == 2
    assert f"{root}/cases/01-add.toml:2: `expression` is not valid Python" in result.stderr


def test_unreadable_learner_file_is_bad_usage(tmp_path):
    learner = tmp_path / "binary.py"
    learner.write_bytes(b"\xff\xfe\x00garbage")
    result = run("grade", "basic-ops", str(learner))
    assert result.returncode == 2 and "cannot read it as UTF-8" in result.stderr


@pytest.mark.slow
def test_list_shows_problems_and_case_counts():
    result = run("list")
    assert result.returncode == 0
    assert "basic-ops" in result.stdout and "39 cases" in result.stdout


@pytest.mark.slow
def test_list_follows_the_course_order_as_the_site_does(tmp_path):
    """course.toml's `order` wins over problem.toml's, for `gradlab list` and class columns."""
    course = tmp_path / "course"
    for slug in ("basic-ops", "more-ops"):
        shutil.copytree(REPO / "hidden_tests" / slug, course / slug)
    (course / "course.toml").write_text('order = ["more-ops", "basic-ops"]\n')
    env = {**os.environ, "GRADLAB_PROBLEMS": str(course)}
    listed = subprocess.run([*GRADLAB, "list"], capture_output=True, text=True, cwd=REPO, env=env,
                            timeout=300)
    assert [line.split()[0] for line in listed.stdout.splitlines()] == ["more-ops", "basic-ops"]
    folder = tmp_path / "class" / "ada"
    folder.mkdir(parents=True)
    for slug in ("basic-ops", "more-ops"):
        (folder / f"{slug}.py").write_text(REFERENCE)
    graded = subprocess.run([*GRADLAB, "grade", "--class", str(folder.parent), "--format", "csv"],
                            capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert graded.stdout.splitlines()[0] == "id,name,more-ops,basic-ops,total", graded.stdout


def copy_basic(tmp_path: Path) -> Path:
    return Path(shutil.copytree(BASIC, tmp_path / "basic-ops"))


def test_check_says_a_wrong_solution_that_every_case_and_probe_accepts_may_not_be_wrong(tmp_path):
    root = copy_basic(tmp_path)
    (root / "solutions/wrong/actually_correct.py").write_text("# Mistake: none\n" + REFERENCE)
    result = run("check", str(root))
    assert result.returncode == 1
    assert (f"{root}/solutions/wrong/actually_correct.py:1: this wrong solution is accepted by "
            "every case and all ") in result.stderr
    assert "probes: if it is really wrong, add a case that it fails; if no case can, it is not " \
        "a mistake (move it to solutions/correct/)" in result.stderr


def test_check_names_a_wrong_solution_that_no_case_catches_but_a_probe_does(tmp_path):
    """Probes never count: a mistake only they see still needs a case."""
    root = copy_basic(tmp_path)
    for case in root.glob("cases/*.toml"):  # keep only cases where the root's grad is seeded...
        if "relu" in case.read_text() or "generated" in case.read_text():
            case.unlink()
    at_zero = REFERENCE.replace("(out.data > 0)", "(out.data >= 0)")
    assert at_zero != REFERENCE
    (root / "solutions/wrong/relu_ge.py").write_text("# Mistake: relu at 0\n" + at_zero)
    result = run("check", str(root))
    assert f"{root}/solutions/wrong/relu_ge.py:1: no case catches this wrong solution" \
        in result.stderr


def test_check_refuses_a_wrong_solution_without_a_mistake_header(tmp_path):
    root = copy_basic(tmp_path)
    wrong = (root / "solutions/wrong/mul_gradients_swapped.py").read_text()
    (root / "solutions/wrong/relu_ge.py").write_text(wrong.split("\n", 2)[2])  # no header lines
    (root / "solutions/wrong/typo.py").write_text("# Hint: swap them\n# mistake - swapped\n"
                                                  + wrong.split("\n", 2)[2])
    result = run("check", str(root))
    assert result.returncode == 1
    assert (f"{root}/solutions/wrong/relu_ge.py:1: no `# Mistake: ...` line in the first 10 "
            'lines: learners would be told "This looks like: relu ge"') in result.stderr
    assert f"{root}/solutions/wrong/typo.py:2: no `# Mistake: ...` line" in result.stderr
    assert "mul_gradients_swapped.py" not in result.stderr  # the shipped ones all have one


def test_check_reports_a_correct_solution_that_fails_with_the_case(tmp_path):
    root = copy_basic(tmp_path)
    bad = REFERENCE.replace("self.grad += (out.data > 0) * out.grad", "self.grad += out.grad")
    (root / "solutions/correct/not_really.py").write_text(bad)
    result = run("check", str(root))
    assert result.returncode == 1
    assert ("not_really.py:1: this correct solution fails case 'Reference example: ReLU on a "
            "negative value zeros all gradients': failed:") in result.stderr


def test_check_fails_when_the_starter_passes(tmp_path):
    root = copy_basic(tmp_path)
    (root / "starter.py").write_text(REFERENCE)
    result = run("check", str(root))
    assert result.returncode == 1
    assert "starter.py:1: the starter code passes every case" in result.stderr


def test_check_reports_expected_values_that_disagree_with_the_engine(tmp_path):
    root = copy_basic(tmp_path)
    case = root / "cases/06-multiplication.toml"
    case.write_text(case.read_text().replace("a = 5.0", "a = 4.0"))
    result = run("check", str(root))
    assert result.returncode == 1
    line = case.read_text().splitlines().index("a = 4.0") + 1
    assert (f"{case}:{line}: expected a.grad = 4.0 but the reference engine computes 5.0"
            in result.stderr)


def test_check_a_broken_problem_lists_every_issue(tmp_path):
    root = copy_basic(tmp_path)
    (root / "problem.toml").write_text('title = "x"\ndifficulty = "extreme"\n')
    (root / "cases/05-addition.toml").write_text('name = "A"\nexpression = "a +"\n[values]\na = 1\n')
    result = run("check", str(root))
    assert result.returncode == 1
    assert f"{root}/problem.toml:2:" in result.stderr
    assert f"{root}/cases/05-addition.toml:2:" in result.stderr


def make_class(folder: Path) -> Path:
    """A folder of submissions: correct, wrong, and three that misbehave."""
    folder.mkdir()
    for path in sorted((BASIC / "solutions").rglob("*.py"))[:8]:
        shutil.copy(path, folder / path.name)
    hang = REFERENCE.replace("    def relu(self):\n", "    def relu(self):\n        while True: pass\n")
    (folder / "zz_hangs.py").write_text(hang)
    (folder / "zz_exits.py").write_text("import os\nos._exit(3)\n")
    (folder / "zz_floods.py").write_text(REFERENCE.replace(
        "    def backward(self):\n", "    def backward(self):\n        print('x' * 10**6)\n"))
    (folder / "sub").mkdir()
    (folder / "sub" / "nested.py").write_text(REFERENCE)
    return folder


@pytest.mark.slow
def test_batch_grading_a_class_folder_to_csv_is_the_same_whatever_jobs(tmp_path):
    folder = make_class(tmp_path / "class")
    one = run("grade", "basic-ops", str(folder), "--jobs", "1", "--out", str(tmp_path / "one.csv"))
    two = run("grade", "basic-ops", str(folder), "--jobs", "2", "--out", str(tmp_path / "two.csv"))
    assert one.returncode == two.returncode == 1  # some submissions do not pass
    assert (tmp_path / "one.csv").read_text() == (tmp_path / "two.csv").read_text()
    rows = list(csv.DictReader((tmp_path / "two.csv").open()))
    assert len(rows) == 12
    by_name = {Path(r["file"]).name: r for r in rows}
    assert by_name["nested.py"]["status"] == "pass" and by_name["nested.py"]["score"] == "1.000"
    assert by_name["zz_hangs.py"]["status"] == "fail"
    assert by_name["zz_hangs.py"]["01-reference-example"] == "timeout"
    assert by_name["zz_exits.py"]["status"] == "error"
    assert by_name["zz_floods.py"]["status"] == "pass"  # printing is capped, not fatal
    assert "12 submissions: " in two.stdout


@pytest.mark.slow
def test_batch_grading_to_json_has_each_report(tmp_path):
    folder = make_class(tmp_path / "class")
    result = run("grade", "basic-ops", str(folder / "sub"), str(folder / "zz_exits.py"),
                 "--out", str(tmp_path / "grades.json"))
    data = json.loads((tmp_path / "grades.json").read_text())
    assert data["problem"] == "basic-ops" and len(data["submissions"]) == 2
    assert [Path(s["file"]).name for s in data["submissions"]] == ["nested.py", "zz_exits.py"]
    assert data["submissions"][0]["report"]["passed"] == 39
    assert result.returncode == 1
    assert "grading: 2/2 (100%)" in result.stderr  # progress on stderr, a plain line when piped


def test_batch_grading_names_a_missing_path():
    result = run("grade", "basic-ops", "/nonexistent/folder", "--jobs", "2")
    assert result.returncode == 2 and "/nonexistent/folder: no such file or folder" in result.stderr


@pytest.mark.slow
def test_new_scaffolds_a_problem_that_passes_check_at_once(tmp_path):
    result = run("new", "tanh-and-exp", "--dir", str(tmp_path))
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "tanh-and-exp"
    for name in ("problem.toml", "statement.md", "starter.py", "reference.py"):
        assert (folder / name).is_file()
    assert {p.name for p in (folder / "cases").glob("*.toml")} == {
        "01-example.toml", "02-intermediate.toml", "03-random.toml"}
    assert 'title = "Tanh and exp"' in (folder / "problem.toml").read_text()
    checked = run("check", "--mutants", str(folder))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "ok   wrong     assign_instead_of_accumulate.py caught by" in checked.stdout
    assert "0 survived" in checked.stdout and "= 100.0%" in checked.stdout  # strong from the start
    assert re.search(r"tanh-and-exp mutants: (\d+)/\1 \(100%\)", checked.stderr)  # progress


@pytest.mark.parametrize(("name", "words"), [("Bad Name", "lowercase letters, digits and single dashes"),
                                              ("basic-ops", "already exists")])
def test_new_refuses_bad_names_and_existing_folders(tmp_path, name, words):
    shutil.copytree(BASIC, tmp_path / "basic-ops")
    result = run("new", name, "--dir", str(tmp_path))
    assert result.returncode == 2 and words in result.stderr


def bundle_file(path: Path, code: str, solved: bool, passed: int) -> Path:
    """The site's export format (web/src/store.ts exportAll)."""
    path.write_text(json.dumps({"format": "gradlab-export", "version": 1, "exportedAt": "x",
                                "problems": {"basic-ops": {"code": code, "progress": {
                                    "solved": solved, "passed": passed, "total": 39,
                                    "suiteVersion": "0000000000000000"}}}}))
    return path


@pytest.mark.slow
def test_bundle_regrade_says_whether_each_claim_holds(tmp_path):
    honest = bundle_file(tmp_path / "honest.json", REFERENCE, True, 39)
    wrong = (BASIC / "solutions/wrong/missing_output_seed.py").read_text()
    forged = bundle_file(tmp_path / "forged.json", wrong, True, 39)
    modest = bundle_file(tmp_path / "modest.json", wrong, False, 7)
    result = run("grade", "--bundle", str(honest), "--json")
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)
    assert row["holds"] and row["regraded"] == "39/39" and "claimed against suite" in row["note"]
    result = run("grade", "--bundle", str(tmp_path))  # a folder of bundles
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert any("forged.json" in line and "DOES NOT HOLD" in line for line in lines)
    assert any("modest.json" in line and "HOLDS" in line and "NOT" not in line for line in lines)
    assert modest.exists() and forged.exists()


@pytest.mark.slow
def test_bundle_regrade_out_csv_is_a_csv_a_spreadsheet_reads(tmp_path):
    wrong = (BASIC / "solutions/wrong/missing_output_seed.py").read_text()
    (tmp_path / "bundles").mkdir()
    bundle_file(tmp_path / "bundles" / "forged.json", wrong, True, 39)
    bundle_file(tmp_path / "bundles" / "honest.json", REFERENCE, True, 39)
    out = tmp_path / "regrade.csv"
    result = run("grade", "--bundle", str(tmp_path / "bundles"), "--out", str(out))
    assert result.returncode == 1 and "DOES NOT HOLD" in result.stdout  # the table on stdout
    rows = list(csv.DictReader(out.open(newline="")))
    assert [(Path(r["bundle"]).name, r["problem"], r["claimed"], r["holds"]) for r in rows] == [
        ("forged.json", "basic-ops", "39/39", "false"), ("honest.json", "basic-ops", "39/39", "true")]
    assert rows[0]["regraded"] != "39/39" and rows[1]["regraded"] == "39/39"
    # a learner's text never becomes a spreadsheet formula
    data = json.loads((tmp_path / "bundles" / "honest.json").read_text())
    data["problems"]["basic-ops"]["progress"]["suiteVersion"] = '=HYPERLINK("http://x","open")'
    (tmp_path / "bundles" / "honest.json").write_text(json.dumps(data))
    run("grade", "--bundle", str(tmp_path / "bundles" / "honest.json"), "--out", str(out))
    [row] = list(csv.DictReader(out.open(newline="")))
    assert row["claimed_suite"] == "'=HYPERLINK(\"http://x\",\"open\")"


def test_bundle_regrade_names_a_file_that_is_not_an_export(tmp_path):
    (tmp_path / "notes.json").write_text('{"hello": 1}')
    result = run("grade", "--bundle", str(tmp_path / "notes.json"))
    assert result.returncode == 1
    assert 'notes.json: not a Gradlab export file (no "format": "gradlab-export")' in result.stderr


def test_bundle_regrade_says_in_one_line_what_breaks_the_export_schema(tmp_path):
    path = bundle_file(tmp_path / "bad.json", REFERENCE, True, 39)
    data = json.loads(path.read_text())
    data["problems"]["basic-ops"]["progress"]["passed"] = "all"
    path.write_text(json.dumps(data))
    result = run("grade", "--bundle", str(path))
    assert result.returncode == 1
    [line] = [line for line in result.stderr.splitlines() if "bad.json" in line]
    assert line.endswith("bad.json: not a valid Gradlab export file: at problems/basic-ops/progress/passed: "
                         "'all' is not of type 'integer'"), line


def test_bundle_accepts_and_ignores_scratch_code_and_old_files_still_read(tmp_path):
    from engine.authoring.bundle import BundleError, read_bundle, regrade

    old = bundle_file(tmp_path / "old.json", REFERENCE, True, 39)  # written before the playground
    assert "scratch" not in read_bundle(old)["problems"]["basic-ops"]
    data = json.loads(old.read_text())
    data["problems"]["basic-ops"]["scratch"] = "a = Value(2.0)\nprint(a)\n"
    new = tmp_path / "new.json"
    new.write_text(json.dumps(data))
    graded: list[str] = []

    def grade_code(root: Path, code: str) -> dict:
        graded.append(code)
        return {"status": "pass", "passed": 39, "total": 39, "suite_version": "0000000000000000",
                "message": None}

    rows = regrade(new, lambda slug: BASIC, grade_code)
    assert [row["regraded"] for row in rows] == ["39/39"]
    assert graded == [REFERENCE]  # the solution is regraded, the scratch code never is
    data["problems"]["basic-ops"]["scratch"] = 7
    new.write_text(json.dumps(data))
    with pytest.raises(BundleError, match="scratch"):
        read_bundle(new)
