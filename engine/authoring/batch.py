"""Grade many submissions at once: ``gradlab grade PROBLEM DIR --jobs N --out grades.csv``.

Worker processes (spawned, so single-threaded) get the suite once, then grade their
share of the files, every submission in its own killable child, forked by the worker's zygote
(``engine.sandbox.zygote``): a file that hangs, crashes or prints megabytes costs only its own
row, and a child never holds the expected values. Rows come back in file order, so the
output is the same whatever ``--jobs`` is.
"""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

_suite: dict[str, Any] | None = None
_executor: Any = None


def collect(paths: list[Path]) -> list[Path]:
    """The .py files named, or found (recursively) in the folders named, sorted."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return sorted(dict.fromkeys(files))


def _init(suite: dict[str, Any]) -> None:
    global _suite, _executor
    from engine.sandbox.executor import best_executor

    _executor = best_executor()
    _suite = suite


def _grade_one(path: str) -> dict[str, Any]:
    from engine.grading.grade import grade

    assert _suite is not None
    try:
        source = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return {"file": path, "status": "unreadable", "passed": 0, "total": len(_suite["cases"]),
                "message": f"cannot read it as UTF-8 text: {exc}", "report": None}
    report = grade(_suite, source, _executor).to_dict()  # one child per file, probes included
    return {"file": path, "status": report["status"], "passed": report["passed"],
            "total": report["total"], "message": report["message"], "report": report}


def grade_many(suite: dict[str, Any], files: list[Path], jobs: int) -> list[dict[str, Any]]:
    """One row per file, in the order given. ``suite`` comes from ``load_for_grading`` (with its
    known mistakes, so rows carry a diagnosis), made once here and handed to every worker."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context, initializer=_init,
                             initargs=(suite,)) as pool:
        return list(pool.map(_grade_one, [str(f) for f in files], chunksize=4))


def to_csv(rows: list[dict[str, Any]], case_ids: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["file", "status", "passed", "total", "score", *case_ids, "diagnosis",
                     "message"])
    for row in rows:
        statuses = {t["id"]: t["status"] for t in (row["report"] or {}).get("tests", [])}
        score = f"{row['passed'] / row['total']:.3f}" if row["total"] else "0"
        diagnosis = ((row["report"] or {}).get("diagnosis") or {}).get("mistake", "")
        writer.writerow([row["file"], row["status"], row["passed"], row["total"], score,
                         *(statuses.get(i, "not run") for i in case_ids), diagnosis,
                         row["message"] or ""])
    return out.getvalue()


def to_json(rows: list[dict[str, Any]], suite: dict[str, Any]) -> str:
    return json.dumps({"problem": suite["problem"]["slug"], "suite_version": suite["version"],
                       "submissions": rows}, indent=1)
