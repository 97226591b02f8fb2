"""Batch grading throughput: ``gradlab grade basic-ops DIR --jobs N`` over generated submissions.

Baseline, measured in the same run: one process grading the files one by one, each in a fresh
interpreter (what ``gradlab grade PROBLEM FILE`` does per file).
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASIC = ROOT / "hidden_tests" / "basic-ops"


def make_submissions(folder: Path, count: int) -> list[Path]:
    """``count`` files cycled from the problem's correct and wrong examples, each made distinct."""
    examples = sorted((BASIC / "solutions").rglob("*.py"))
    files = []
    for i in range(count):
        path = folder / f"student{i:04d}.py"
        path.write_text(f"# submission {i}\n" + examples[i % len(examples)].read_text())
        files.append(path)
    return files


def measure(repeats: int, count: int, log: Callable[[str], None]) -> dict[str, list[float]]:
    from engine.authoring.batch import grade_many
    from engine.authoring.check import load_for_grading
    from engine.grading.grade import grade
    from engine.sandbox.executor import SubprocessExecutor

    out: dict[str, list[float]] = {"batch_jobs2_fps": [], "batch_jobs1_fps": [], "sequential_fps": []}
    folder = Path(tempfile.mkdtemp(prefix="gradlab-bench-"))
    try:
        files = make_submissions(folder, count)
        executor = SubprocessExecutor()
        _, suite = load_for_grading(BASIC, executor)  # the same suite, known mistakes included
        sample = files[: max(10, count // 10)]
        for i in range(repeats):
            log(f"  grading run {i + 1}/{repeats} ({count} files)")
            for jobs in (2, 1):
                started = time.perf_counter()
                rows = list(grade_many(suite, files, jobs))
                out[f"batch_jobs{jobs}_fps"].append(len(rows) / (time.perf_counter() - started))
            started = time.perf_counter()
            for path in sample:
                grade(suite, path.read_text(), executor)
            out["sequential_fps"].append(len(sample) / (time.perf_counter() - started))
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return out


def rows(figures: dict[str, Any], count: int) -> list[str]:
    base = figures["sequential_fps"]["median"]
    lines = ["| figure | min | median | max | baseline (median) | ratio | target | |",
             "|---|---:|---:|---:|---|---:|---:|---|"]
    for key, what, target in (("batch_jobs2_fps", f"batch, --jobs 2, {count} files", 200),
                              ("batch_jobs1_fps", f"batch, --jobs 1, {count} files", None),
                              ("sequential_fps", "one process, file by file (baseline)", None)):
        f = figures[key]
        ok = "" if target is None else ("ok" if f["median"] >= target else "MISSED")
        tgt = f">= {target} files/s" if target else ""
        lines.append(f"| {what} | {f['min']:.0f} | {f['median']:.0f} files/s | {f['max']:.0f} | "
                     f"sequential_fps ({base:.0f}) | {f['median'] / base:.2f}x | {tgt} | {ok} |")
    return lines
