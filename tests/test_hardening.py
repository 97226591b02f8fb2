"""The "Trust" hardening: what one learner's file, export or problem file can do to the grader
and to the instructor's terminal or spreadsheet, and what it must not."""

from __future__ import annotations

import csv
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
