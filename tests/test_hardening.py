"""The "Trust" hardening: what one learner's file, export or problem file can do to the grader
and to the instructor's terminal or spreadsheet, and what it must not."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REFERENCE, REPO, write_problem
from engine.authoring import batch
from engine.authoring.check import load_and_compile

GRADLAB = [sys.executable, "-m", "engine.cli"]
SLOW_LOAD = "import time\ntime.sleep(0.1)\n" + REFERENCE  # each load: a file takes seconds


def run(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*GRADLAB, *args], capture_output=True, text=True, cwd=cwd, timeout=300,
                          env=env)


# 1. The batch survives anything one file (or anything else) does to a pool worker.

def pool_workers(parent: int) -> list[int]:
    """The batch's worker processes: the children of ``parent`` that multiprocessing spawned."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == parent and b"spawn_main" in cmdline:
            found.append(int(stat.parent.name))
    return sorted(found)


def class_folder(root: Path, count: int = 6) -> Path:
    folder = root / "class"
    folder.mkdir()
    for i in range(count):
        (folder / f"s{i}.py").write_text(SLOW_LOAD)
    return folder


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers in /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSTOP], ids=["killed", "stopped"])
def test_a_killed_or_stopped_worker_is_replaced_and_its_file_graded_again(tmp_path, sig):
    root = write_problem(tmp_path / "mini", time_limit=5.0)
    folder = class_folder(tmp_path)
    out = tmp_path / "grades.csv"
    proc = subprocess.Popen([*GRADLAB, "grade", str(root), str(folder), "--jobs", "2",
                             "--out", str(out)], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        give_up = time.monotonic() + 120
        while not (workers := pool_workers(proc.pid)) and time.monotonic() < give_up:
            time.sleep(0.02)
        assert workers, "no pool worker appeared"
        time.sleep(0.5)  # it has a file by now: every file takes seconds
        os.kill(workers[0], sig)
        stdout, stderr = proc.communicate(timeout=240)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "Traceback" not in stderr, stderr
    assert proc.returncode == 0, stdout + stderr
    rows = list(csv.DictReader(out.open()))
    assert [Path(r["file"]).name for r in rows] == [f"s{i}.py" for i in range(6)]
    assert all(r["status"] == "pass" and r["score"] == "1.000" for r in rows), rows
    assert "6 submissions: 6 pass every case" in stdout
    assert not Path(f"/proc/{workers[0]}").exists() or \
        Path(f"/proc/{workers[0]}/stat").read_text().rpartition(")")[2].split()[0] == "Z"


@pytest.mark.slow
def test_a_file_past_its_wall_clock_limit_gets_a_timeout_row(tmp_path):
    root = write_problem(tmp_path / "mini", time_limit=10.0)
    _, suite = load_and_compile(root)
    files = [tmp_path / "a.py", tmp_path / "b.py", tmp_path / "c.py"]
    files[0].write_text(REFERENCE)
    files[1].write_text("import time\ntime.sleep(9)\n" + REFERENCE)  # within the suite's limits
    files[2].write_text(REFERENCE)
    started = time.monotonic()
    rows = list(batch.grade_many(suite, files, 2, deadline=5.0))
    assert time.monotonic() - started < 9
    assert [r["status"] for r in rows] == ["pass", "timeout", "pass"]
    assert rows[1]["message"] == "grading this file took longer than 5 s: stopped"
    assert batch.file_deadline(suite) > 10 * len(suite["cases"])


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGSTOP], ids=["killed", "stopped"])
def test_the_file_of_a_worker_killed_or_stopped_once_is_graded_again(tmp_path, sig):
    root = write_problem(tmp_path / "mini", time_limit=5.0)
    _, suite = load_and_compile(root)
    files = [tmp_path / f"{name}.py" for name in "abc"]
    for f in files:
        f.write_text(REFERENCE)
    victims = []

    def hit_b_once(pid: int, file: Path) -> None:
        if file.name == "b.py" and not victims:
            victims.append(pid)
            os.kill(pid, sig)

    rows = list(batch.grade_many(suite, files, 2, on_assign=hit_b_once))
    assert len(victims) == 1
    assert [(Path(r["file"]).name, r["status"], r["passed"]) for r in rows] == [
        ("a.py", "pass", 3), ("b.py", "pass", 3), ("c.py", "pass", 3)]


def test_a_file_that_kills_its_worker_every_time_gets_an_error_row(tmp_path):
    root = write_problem(tmp_path / "mini", time_limit=5.0)
    _, suite = load_and_compile(root)
    files = [tmp_path / "a.py", tmp_path / "b.py"]
    for f in files:
        f.write_text(REFERENCE)
    victims = []

    def kill_b(pid: int, file: Path) -> None:
        if file.name == "b.py":
            victims.append(pid)
            os.kill(pid, signal.SIGKILL)

    rows = list(batch.grade_many(suite, files, 1, on_assign=kill_b))
    assert len(victims) == batch.MAX_ATTEMPTS
    assert [r["status"] for r in rows] == ["pass", "error"]
    assert rows[1]["message"] == "the grading process was killed while grading this file, 2 times: no grade"


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_grades_are_written_as_they_come_and_kept_when_the_batch_fails(tmp_path, suffix):
    root = write_problem(tmp_path / "mini")
    _, suite = load_and_compile(root)
    out = tmp_path / f"grades{suffix}"
    row = {"file": "a.py", "status": "pass", "passed": 3, "total": 3, "message": None, "report": None}

    def rows():
        yield row
        assert out.suffix == ".json" or len(out.read_text().splitlines()) == 2  # flushed already
        yield {**row, "file": "b.py"}
        raise RuntimeError("the grader crashed")

    with pytest.raises(RuntimeError):
        for _ in batch.write_grades(rows(), out, suite):
            pass
    text = out.read_text()
    if suffix == ".json":
        assert [s["file"] for s in json.loads(text)["submissions"]] == ["a.py", "b.py"]
    else:
        assert [r["file"] for r in csv.DictReader(text.splitlines())] == ["a.py", "b.py"]


# 2. Learner text cannot drive the instructor's terminal or spreadsheet.

TERMINAL_TRICK = "\r\x1b[2KHOLDS"  # return to column 0, erase the line, print a verdict


@pytest.mark.parametrize("code", [
    f"raise ValueError({TERMINAL_TRICK!r})\n",  # a load error
    REFERENCE + f"\ndef _add(self, other):\n    print({TERMINAL_TRICK!r} + '\\x1b]0;title\\x07')\n"
                f"    raise ValueError({TERMINAL_TRICK!r})\nValue.__add__ = _add\n",  # a case error
], ids=["load", "case"])
def test_learner_text_reaches_the_terminal_with_its_control_characters_escaped(tmp_path, code):
    root = write_problem(tmp_path / "mini")
    learner = tmp_path / "mine.py"
    learner.write_text(code)
    result = run("grade", str(root), str(learner))
    assert result.returncode == 1, result.stderr
    assert "\r" not in result.stdout and "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "\\r\\x1b[2KHOLDS" in result.stdout


def test_escape_keeps_tabs_and_newlines_and_escapes_every_other_control():
    from engine.authoring.render import escape, one_line

    assert escape("a\tb\nc\r\x1b\x00\x7f\x85\u2028") == "a\tb\nc\\r\\x1b\\x00\\x7f\\x85\\u2028"
    assert one_line("a\nb\x9b") == "a\\nb\\x9b"


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(tmp_path):
    root = write_problem(tmp_path / "mini")
    (tmp_path / "=1+2.py").write_text(REFERENCE)
    result = run("grade", str(root), "=1+2.py", "--jobs", "1", "--out", "grades.csv", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    [row] = list(csv.DictReader((tmp_path / "grades.csv").open()))
    assert row["file"] == "'=1+2.py" and row["status"] == "pass"
    cells = {"file": "@SUM(A1).py", "status": "error", "passed": 0, "total": 3, "report": None}
    for start in ("=", "+", "-", "@", "\t", "\r"):
        [line] = list(csv.DictReader(io.StringIO(batch.to_csv(
            [{**cells, "message": start + 'HYPERLINK("http://x")'}], ["a"]), newline="")))
        assert line["message"] == "'" + start + 'HYPERLINK("http://x")' and line["file"][0] == "'"
    [line] = list(csv.DictReader(batch.to_csv([{**cells, "message": "fine"}], ["a"]).splitlines()))
    assert line["message"] == "fine"


# 3. A learner's export file can only be regraded, or refused in one line.

def export(problems: object, **top: object) -> str:
    return json.dumps({"format": "gradlab-export", "version": 1, "exportedAt": "x",
                       "problems": problems, **top})


GOOD_PROGRESS = {"solved": True, "passed": 3, "total": 3, "suiteVersion": "0000000000000000"}
MALFORMED_EXPORTS = {
    "entry-string": (export({"basic-ops": "code"}), "at problems/basic-ops: 'code' is not of type"),
    "entry-list": (export({"basic-ops": [1]}), "at problems/basic-ops: [1] is not of type"),
    "entry-number": (export({"basic-ops": 3}), "at problems/basic-ops: 3 is not of type"),
    "entry-null": (export({"basic-ops": None}), "at problems/basic-ops: None is not of type"),
    "deep-top": ("[" * 10000 + "]" * 10000, "nested more than 64 levels deep"),
    "deep-entry": (export({"basic-ops": {"code": "[" * 100 + "]" * 100, "progress": None},
                           "x": "PLACEHOLDER"}).replace('"PLACEHOLDER"', "[" * 10000 + "]" * 10000),
                   "nested more than 64 levels deep"),
    "top-list": ("[1, 2]", 'not a Gradlab export file (no "format": "gradlab-export")'),
    "problems-list": (export(["basic-ops"]), "at problems: ['basic-ops'] is not of type 'object'"),
    "name-dot": (export({"basic-ops/.": {"code": "x", "progress": None}}),
                 "problem name 'basic-ops/.' is not a problem name"),
    "name-parent": (export({"../hidden_tests/basic-ops": {"code": "x", "progress": None}}),
                    "problem name '../hidden_tests/basic-ops' is not a problem name"),
    "name-absolute": (export({str(REPO / "hidden_tests/basic-ops"): {"code": "x", "progress": None}}),
                      "is not a problem name"),
    "solved-string": (export({"basic-ops": {"code": "x", "progress": {**GOOD_PROGRESS,
                                                                      "solved": "false"}}}),
                      "at problems/basic-ops/progress"),
    "no-problems": (export({}), "this export holds no problems"),
    "control-chars": (export({"basic-ops": "\r\x1b[2KHOLDS"}), "'\\r\\x1b[2KHOLDS' is not of type"),
}


def test_every_malformed_export_is_refused_in_one_line_without_a_traceback(tmp_path):
    for name, (text, _) in MALFORMED_EXPORTS.items():
        (tmp_path / f"{name}.json").write_text(text)
    result = run("grade", "--bundle", str(tmp_path))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "\r" not in result.stdout + result.stderr and "\x1b" not in result.stdout + result.stderr
    errors = result.stderr.splitlines()
    assert len(errors) == len(MALFORMED_EXPORTS), result.stderr
    for name, (_, words) in MALFORMED_EXPORTS.items():
        [line] = [e for e in errors if f"/{name}.json:" in e]
        assert words in line, (name, line)
    assert len(result.stdout.splitlines()) == len(MALFORMED_EXPORTS)
    assert all("  DOES NOT HOLD  (" in line for line in result.stdout.splitlines())


def test_the_export_schema_and_the_engine_share_one_slug_rule():
    from engine.authoring import problem, scaffold

    schema = json.loads((REPO / "engine/schemas/export.schema.json").read_text())
    assert schema["properties"]["problems"]["propertyNames"]["pattern"] == problem.SLUG
    for good in ("basic-ops", "a", "tanh2-and-exp"):
        assert problem.is_slug(good)
    for bad in ("basic-ops/.", "../x", "/abs", "My_Problem", "a--b", "-a", "a-", "", "a\n"):
        assert not problem.is_slug(bad)
        with pytest.raises(ValueError):
            scaffold.create(Path("/nonexistent"), bad)


@pytest.mark.parametrize("name", ["basic-ops/.", "../hidden_tests/basic-ops",
                                  "hidden_tests/../hidden_tests/basic-ops/.."])
def test_a_problem_name_is_never_resolved_as_a_path_under_the_problems_folder(name, tmp_path):
    learner = tmp_path / "mine.py"
    learner.write_text(REFERENCE)
    env = {**os.environ, "GRADLAB_PROBLEMS": str(REPO / "hidden_tests")}
    result = run("grade", name, str(learner), cwd=tmp_path, env=env)
    assert result.returncode == 2 and "no problem" in result.stderr, result.stdout + result.stderr


# 4. Problem files stay inside their folder, and cannot crash the loader.

@pytest.mark.parametrize(("key", "value"), [("statement", "../outside.md"),
                                            ("starter", "/etc/hostname"),
                                            ("reference", "solutions/correct/same.py"),
                                            ("statement", ".."), ("starter", "")])
def test_problem_files_named_in_problem_toml_must_be_plain_names(tmp_path, key, value):
    from engine.authoring.problem import ProblemError, load_problem

    (tmp_path / "outside.md").write_text("# secret\n")
    root = write_problem(tmp_path / "mini", extra_meta=f"{key} = {json.dumps(value)}\n")
    with pytest.raises(ProblemError) as caught:
        load_problem(root)
    line = (root / "problem.toml").read_text().splitlines().index(f"{key} = {json.dumps(value)}") + 1
    assert any(str(issue).startswith(f"{root / 'problem.toml'}:{line}: the ")
               and "must be a file in the problem folder" in str(issue)
               for issue in caught.value.issues), caught.value.issues


@pytest.mark.parametrize("name", ["starter.py", "statement.md", "reference.py"])
def test_a_problem_file_that_links_outside_the_folder_is_refused(tmp_path, name):
    from engine.authoring.problem import ProblemError, load_problem

    root = write_problem(tmp_path / "mini")
    secret = tmp_path / "secret.txt"
    secret.write_text("the answers\n")
    (root / name).unlink()
    (root / name).symlink_to(secret)
    with pytest.raises(ProblemError) as caught:
        load_problem(root)
    [issue] = caught.value.issues
    assert str(issue).startswith(f"{root / name}:1: the ") and "outside the folder" in str(issue)
    (root / name).unlink()
    (root / "elsewhere.txt").write_text((root / "solutions/correct/same.py").read_text())
    (root / name).symlink_to(root / "elsewhere.txt")  # a link inside the folder is fine
    load_problem(root)


@pytest.mark.parametrize("where", ["problem.toml", "cases/01-add.toml"])
def test_too_deep_toml_is_an_issue_not_a_crash(tmp_path, where):
    from engine.authoring.problem import ProblemError, load_problem

    root = write_problem(tmp_path / "mini")
    with (root / where).open("a") as f:
        f.write("deep = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ProblemError) as caught:
        load_problem(root)
    assert f"{root / where}:1: lists or tables nested more than 64 levels deep" in \
        "\n".join(map(str, caught.value.issues))


def test_check_refuses_a_folder_name_that_is_not_a_slug(tmp_path):
    root = write_problem(tmp_path / "My_Problem")
    result = run("check", str(root))
    assert result.returncode == 1
    assert f"{root}:1: the folder name 'My_Problem' is not a problem name" in result.stderr
    assert "Traceback" not in result.stderr


# 5. A closed pipe ends gradlab quietly.

def test_output_into_a_closed_pipe_ends_without_a_traceback():
    proc = subprocess.Popen([*GRADLAB, "list"], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head` that has read enough
    stderr = proc.stderr.read()
    proc.wait(timeout=120)
    assert stderr == "", stderr
    assert proc.returncode == 1
