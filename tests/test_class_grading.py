"""`gradlab grade --class`, the gradebook files, sharding and `gradlab merge`, as instructors use
them: a 10-student, 3-problem class graded once whole and once in 3 shards (module fixture)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from class_fixture import CLASS, by_student, source

from conftest import REPO

GRADLAB = [sys.executable, "-m", "engine.cli"]
SCHEMA = json.loads((REPO / "engine/schemas/class.schema.json").read_text())
TITLES = ["Implementing basic autograd operations",
          "Subtraction, division, powers and numbers on the left",
          "backward() itself: a topological sort that scales"]

pytestmark = pytest.mark.slow


def run(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GRADLAB, *args], capture_output=True, text=True, cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("class")
    folder = by_student(root / "class")
    whole = run("grade", "--class", str(folder), "--jobs", "2", "--out", str(root / "whole.json"),
                "--detail", str(root / "detail.csv"))
    shards = [run("grade", "--class", str(folder), "--jobs", "2", "--shard", f"{i}/3",
                  "--out", str(root / f"shard{i}.json")) for i in (1, 2, 3)]
    return {"root": root, "folder": folder, "whole": whole, "shards": shards,
            "data": json.loads((root / "whole.json").read_text())}


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def without_seconds(data: dict) -> dict:
    for student in data["students"]:
        for result in student["results"].values():
            result["seconds"] = None
    return data


EXPECTED = {  # student -> (status, score) per problem, in path order
    "ada": [("pass", 10), ("pass", 10), ("pass", 10)],
    "bob": [("fail", 1.79), ("pass", 10), ("pass", 10)],
    "cy": [("pass", 10), ("missing", 0), ("timeout", 1)],
    "dee": [("error", 0), ("fail", 7.27), ("pass", 10)],
    "eve": [("pass", 10), ("missing", 0), ("missing", 0)],
    "fay": [("pass", 10), ("error", 0.3), ("pass", 10)],
    "gus": [("pass", 10), ("pass", 10), ("pass", 10)],
    "hal": [("error", 0), ("pass", 10), ("pass", 10)],
    "ivy": [("pass", 10), ("pass", 10), ("pass", 10)],
    "jo": [("missing", 0), ("missing", 0), ("pass", 10)],
}


def test_class_json_has_every_student_and_problem_with_status_score_and_message(graded):
    assert graded["whole"].returncode == 1, graded["whole"].stderr  # not everyone passes
    data = graded["data"]
    jsonschema.validate(data, SCHEMA)
    assert [p["slug"] for p in data["problems"]] == ["basic-ops", "more-ops", "topo-sort"]
    assert [p["points"] for p in data["problems"]] == [10, 10, 10]
    assert [s["id"] for s in data["students"]] == sorted(CLASS)
    assert data["seed"] is None and data["shard"] is None and data["scoring"] == "points"
    for student in data["students"]:
        got = [(r["status"], r["score"]) for r in student["results"].values()]
        assert got == EXPECTED[student["id"]], student["id"]
        assert student["score"] == round(sum(s for _, s in got), 2) and student["max"] == 30
        for slug, result in student["results"].items():
            assert (result["message"] == "") == (result["status"] == "pass"), (student["id"], slug)
    by_id = {s["id"]: s["results"] for s in data["students"]}
    assert by_id["cy"]["topo-sort"]["message"].startswith(
        "case 04-chain-10000 timed out: it took longer than its 5 s limit")
    assert by_id["cy"]["more-ops"] == {
        "status": "missing", "score": 0, "passed": 0, "total": 0, "file": None, "seconds": None,
        "diagnosis": None, "cases": [], "message": "no more-ops.py in the student's folder"}
    assert by_id["dee"]["basic-ops"]["message"].startswith("did not load: SyntaxError")
    assert by_id["bob"]["basic-ops"]["diagnosis"]["basis"] == "known"
    assert by_id["bob"]["basic-ops"]["file"] == "bob/basic-ops.py"
    assert [c["name"] for c in by_id["ada"]["topo-sort"]["cases"]] == data["problems"][2]["cases"]
    assert "grading: 25/25 (100%)" in graded["whole"].stderr  # progress, plain lines when piped


def test_canvas_csv_has_the_import_columns_points_possible_and_scores(graded):
    from engine.authoring import gradebook

    table = rows(gradebook.canvas_csv(graded["data"]))
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *TITLES]
    assert table[1] == ["Points Possible", "", "", "", "", "10", "10", "10"]
    assert table[2] == ["ada", "", "", "ada", "", "10", "10", "10"]
    assert table[3] == ["bob", "", "", "bob", "", "1.79", "10", "10"]
    assert table[4] == ["cy", "", "", "cy", "", "10", "0", "1"]
    assert len(table) == 2 + len(CLASS)


def test_moodle_and_plain_csv_hold_exact_scores(graded):
    from engine.authoring import gradebook

    moodle = rows(gradebook.moodle_csv(graded["data"]))
    assert moodle[0] == ["Username", "ID number", "Email address", *TITLES]
    assert moodle[4] == ["dee", "", "", "0", "7.27", "10"]
    plain = rows(gradebook.plain_csv(graded["data"]))
    assert plain[0] == ["id", "name", "basic-ops", "more-ops", "topo-sort", "total"]
    assert plain[6] == ["fay", "fay", "10", "0.3", "10", "20.3"]
    assert plain[10] == ["jo", "jo", "0", "0", "10", "10"]


def test_detail_file_has_a_row_per_case_and_one_for_a_missing_problem(graded):
    table = rows((graded["root"] / "detail.csv").read_text())
    assert table[0] == ["student", "problem", "case", "status", "message"]
    data = graded["data"]
    cases = {p["slug"]: len(p["cases"]) for p in data["problems"]}
    jo = [r for r in table if r[0] == "jo"]
    assert [r[1:4] for r in jo[:2]] == [["basic-ops", "", "missing"], ["more-ops", "", "missing"]]
    assert len(jo) == 2 + cases["topo-sort"]
    chain = next(r for r in table if r[:3] == ["cy", "topo-sort", "04-chain-10000"])
    assert chain[3] == "timeout" and "5 s" in chain[4]
    assert next(r for r in table if r[:2] == ["dee", "basic-ops"])[2:4] == ["", "error"]


def test_three_shards_merged_equal_one_machine(graded):
    root = graded["root"]
    for result in graded["shards"]:
        assert result.returncode in (0, 1), result.stderr
    shards = [json.loads((root / f"shard{i}.json").read_text()) for i in (1, 2, 3)]
    for i, shard in enumerate(shards, 1):
        jsonschema.validate(shard, SCHEMA)
        assert shard["shard"] == {"index": i, "count": 3}
    ids = [[s["id"] for s in shard["students"]] for shard in shards]
    assert sorted(i for shard in ids for i in shard) == sorted(CLASS) and all(ids)  # once each
    paths = [str(root / f"shard{i}.json") for i in (3, 1, 2)]  # any order
    merged = run("merge", *paths, "--out", str(root / "merged.json"))
    assert merged.returncode == 1, merged.stderr
    assert without_seconds(json.loads((root / "merged.json").read_text())) == \
        without_seconds(graded["data"])
    from engine.authoring import gradebook

    for fmt in ("canvas", "moodle", "csv"):
        out = root / f"merged-{fmt}.csv"
        assert run("merge", *paths, "--out", str(out), "--format", fmt).returncode == 1
        assert out.read_bytes() == gradebook.render(graded["data"], fmt).encode()


def test_the_class_report_shows_the_numbers_the_gradebook_holds(graded, tmp_path):
    """The HTML report and the plain CSV, both from one graded class: each student's per-problem
    scores and total agree, and so does the count of students who solved each problem."""
    import re

    from engine.authoring import gradebook

    result = run("report", str(graded["root"] / "whole.json"), "--out", str(tmp_path / "r.html"))
    assert result.returncode == 0, result.stderr
    assert "10 students, 3 problems" in result.stdout
    table = rows(gradebook.render(graded["data"], "csv"))  # what --format csv writes (as merge shows)
    html = (tmp_path / "r.html").read_text()
    shown = {m.group(1): m.group(2) for m in re.finditer(
        r'<tr data-student="([^"]+)" data-total="([^"]+)">', html)}
    assert len(shown) == len(table) - 1 == 10
    for row in table[1:]:
        student, problems, total = row[0], row[2:-1], row[-1]
        assert float(shown[student]) == float(total), (student, shown[student], total)
        cells = re.search(rf'<tr data-student="{re.escape(student)}".*?</tr>', html).group(0)
        assert [float(x) for x in re.findall(r'data-score="([^"]+)"', cells)] == \
            [float(x) for x in problems]
    for column, slug in enumerate(table[0][2:-1], start=2):
        solved = sum(float(row[column]) == 10 for row in table[1:])  # 10 points: every case passed
        assert f'<tr data-problem="{slug}" data-solved="{solved}"' in html, slug


def test_merge_refuses_missing_duplicate_and_mismatched_shards(graded, tmp_path):
    root = graded["root"]
    one, two, three = (str(root / f"shard{i}.json") for i in (1, 2, 3))
    result = run("merge", one, three)
    assert result.returncode == 2 and "missing shard(s) 2 of 3" in result.stderr
    result = run("merge", one, two, two, three)
    assert result.returncode == 2 and "duplicate shard 2/3" in result.stderr
    other = json.loads(Path(two).read_text())
    other["seed"] = 5
    (tmp_path / "seeded.json").write_text(json.dumps(other))
    result = run("merge", one, str(tmp_path / "seeded.json"), three)
    assert result.returncode == 2 and "seeded.json: its seed differs from" in result.stderr
    result = run("merge", str(root / "whole.json"))
    assert result.returncode == 2 and "whole.json: not a shard" in result.stderr


def test_a_closed_pipe_ends_quietly(graded):
    shards = " ".join(str(graded["root"] / f"shard{i}.json") for i in (1, 2, 3))
    result = subprocess.run(f"{sys.executable} -m engine.cli merge {shards} --format json | head -1",
                            shell=True, capture_output=True, text=True, cwd=REPO, timeout=120)
    assert result.stdout == "{\n"
    assert "Traceback" not in result.stderr and "BrokenPipe" not in result.stderr


def make_by_problem(folder: Path, students: dict[str, str]) -> Path:
    (folder / "basic-ops").mkdir(parents=True)
    for name, kind in students.items():
        (folder / "basic-ops" / f"{name}.py").write_text(source(kind))
    return folder


def test_roster_names_students_gives_missing_rows_and_refuses_the_unlisted(tmp_path):
    folder = make_by_problem(tmp_path / "class", {"u1": "basic", "u2": "basic-wrong"})
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name,sis_id,email,section,submitted_as\n"
                      "s-100,=HYPERLINK(\"x\"),9001,a@uni.edu,L1,u1\n"
                      "s-200,Ben Absent,9002,b@uni.edu,L2,\n")
    result = run("grade", "--class", str(folder), "--roster", str(roster))
    assert result.returncode == 2
    assert "basic-ops/u2.py: 'u2' is not in the roster" in result.stderr
    result = run("grade", "--class", str(folder), "--roster", str(roster), "--allow-unlisted",
                 "--format", "canvas", "--percent")
    assert result.returncode == 1, result.stderr
    table = rows(result.stdout)
    assert table[1] == ["Points Possible", "", "", "", "", "100"]
    assert table[2] == ["'=HYPERLINK(\"x\")", "", "9001", "s-100", "L1", "100"]  # neutralised
    assert table[3] == ["Ben Absent", "", "9002", "s-200", "L2", "0"]  # on the roster, no file
    assert table[4][3] == "u2" and 0 < float(table[4][5]) < 100


@pytest.mark.parametrize(("text", "words"), [
    ("name,email\nA,a@x\n", "roster.csv:1: the roster needs an `id` column"),
    ("id,name,phone\n1,A,5\n", "roster.csv:1: unknown roster column 'phone'"),
    ("id,name\n1,A\n1,B\n", "roster.csv:3: id '1' is already on line 2"),
    ("id,name\n1,A\n,B\n", "roster.csv:3: empty `id`"),
])
def test_a_bad_roster_is_named_with_its_line(tmp_path, text, words):
    folder = make_by_problem(tmp_path / "class", {"u1": "syntax"})
    (tmp_path / "roster.csv").write_text(text)
    result = run("grade", "--class", str(folder), "--roster", str(tmp_path / "roster.csv"))
    assert result.returncode == 2 and words in result.stderr, result.stderr


def test_export_files_grade_with_the_identity_they_carry(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()

    def export(name: str, body: dict) -> None:
        (folder / name).write_text(json.dumps({"format": "gradlab-export", "version": 1,
                                               "exportedAt": "x", **body}))

    export("download-1.json", {"name": "Ada Lovelace", "id": "ada7", "problems": {
        "basic-ops": {"code": source("basic"), "progress": None},
        "more-ops": {"code": None, "progress": None}}})
    export("old.json", {"problems": {"basic-ops": {"code": source("syntax"), "progress": None}}})
    result = run("grade", "--class", str(folder), "--problems", "basic-ops,more-ops",
                 "--format", "json")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    assert [(s["id"], s["name"]) for s in data["students"]] == [("ada7", "Ada Lovelace"),
                                                                ("old", "old")]
    ada = data["students"][0]["results"]
    assert ada["basic-ops"]["status"] == "pass" and ada["basic-ops"]["file"] == "download-1.json"
    assert ada["more-ops"]["status"] == "missing"
    assert data["students"][1]["results"]["basic-ops"]["status"] == "error"


@pytest.mark.parametrize(("make", "words"), [
    (lambda d: None, "nothing to grade"),
    (lambda d: ((d / "alice").mkdir(), (d / "alice" / "basic-ops.py").write_text("x"),
                (d / "basic-ops").mkdir(), (d / "basic-ops" / "bob.py").write_text("x")),
     "ambiguous layout"),
])
def test_an_empty_or_ambiguous_class_folder_is_named(tmp_path, make, words):
    folder = tmp_path / "class"
    folder.mkdir()
    make(folder)
    result = run("grade", "--class", str(folder))
    assert result.returncode == 2
    assert f"{folder}: " in result.stderr and words in result.stderr, result.stderr


def test_unknown_problems_and_a_bad_shard_are_bad_usage(tmp_path):
    folder = make_by_problem(tmp_path / "class", {"u1": "syntax"})
    result = run("grade", "--class", str(folder), "--problems", "basic-ops,no-such")
    assert result.returncode == 2 and "--problems: no problem 'no-such' here" in result.stderr
    result = run("grade", "--class", str(folder), "--shard", "4/3")
    assert result.returncode == 2 and "--shard '4/3': i must be between 1 and N" in result.stderr


@pytest.mark.parametrize(("score", "cell"), [(10.0, "10"), (6.666, "6.67"), (0.3, "0.3"),
                                             (0, "0"), (100.0, "100")])
def test_gradebook_numbers_are_plain(score, cell):
    from engine.authoring.gradebook import number

    assert number(score) == cell
