"""Grade many submissions at once: ``gradlab grade PROBLEM DIR --jobs N --out grades.csv``.

Worker processes (spawned, so single-threaded) get the suite once, then grade one file at a time,
every submission in its own killable child, forked by the worker's zygote
(``engine.sandbox.zygote``): a file that hangs, crashes or prints megabytes costs only its own
row, and a child never holds the expected values.

The pool is our own, not ``concurrent.futures``: whatever happens to a worker costs at most the
file it was grading. The parent gives each file a wall-clock limit (``file_deadline``); a worker
that dies (killed, crashed) or is stopped (SIGSTOP) is killed, replaced and its file graded again
(twice at most: a file that kills its worker every time gets an ``error`` row); a file past its
limit gets a ``timeout`` row and its worker is replaced. Rows come back in file order as soon as
they and every row before them are done, so the output is the same whatever ``--jobs`` is, and
the CLI writes them as they come.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import io
import json
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from engine.authoring.render import csv_cells

_suite: dict[str, Any] | None = None
_executor: Any = None

MAX_ATTEMPTS = 2  # a file whose worker dies this many times gets an error row
MARGIN = 30.0  # seconds on top of the suite's own limits: starting a worker and its zygote
POLL = 0.25  # how often busy workers are checked for being stopped


def collect(paths: list[Path]) -> list[Path]:
    """The .py files named, or found (recursively) in the folders named, sorted."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return sorted(dict.fromkeys(files))


def file_deadline(suite: dict[str, Any]) -> float:
    """The parent's wall-clock limit for one file: loading (the longest case limit), every case
    and probe's own limit, twice (a failing file's probes may run in a second pass), and a margin."""
    limits = [c["time_limit"] for c in [*suite["cases"], *suite.get("probes", [])]]
    return max(limits, default=5.0) + 2 * sum(limits) + MARGIN


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


def _work(conn: Connection, suite: dict[str, Any]) -> None:
    """A pool worker: (index, path) in, (index, row) out, until told to stop or the parent goes."""
    _init(suite)
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        index, path = task
        try:
            row = _grade_one(path)
        except Exception as exc:  # the grader's own failure: this file's row says so
            row = _failed_row(path, suite, "error", f"the grader failed on this file: {exc!r}")
        try:
            conn.send((index, row))
        except (OSError, ValueError):
            return


def _failed_row(path: str, suite: dict[str, Any], status: str, message: str) -> dict[str, Any]:
    return {"file": path, "status": status, "passed": 0, "total": len(suite["cases"]),
            "message": message, "report": None}


class _Worker:
    def __init__(self, context: Any, suite: dict[str, Any]) -> None:
        self.conn, theirs = context.Pipe()
        self.process = context.Process(target=_work, args=(theirs, suite), daemon=True)
        self.process.start()
        theirs.close()
        self.task: int | None = None
        self.deadline = float("inf")

    def stopped(self) -> bool:
        """Stopped by a signal (SIGSTOP, SIGTSTP) or a tracer: it will never answer. Linux only."""
        try:
            stat = Path(f"/proc/{self.process.pid}/stat").read_text()
        except OSError:
            return False
        return stat.rpartition(")")[2].split()[:1] in (["T"], ["t"])

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            os.kill(self.process.pid, signal.SIGKILL)  # a stopped process dies of SIGKILL too
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        self.process.join(2)
        if self.process.is_alive():
            self.kill()
        else:
            self.conn.close()


def grade_many(suite: dict[str, Any], files: list[Path], jobs: int, *,
               deadline: float | None = None,
               on_assign: Callable[[int, Path], None] | None = None) -> Iterator[dict[str, Any]]:
    """One row per file, in the order given, each as soon as it and those before it are done.
    ``suite`` comes from ``load_for_grading`` (with its known mistakes, so rows carry a
    diagnosis), handed once to every worker. ``deadline``: seconds per file (default
    ``file_deadline``); ``on_assign(pid, file)`` is called as a worker is given a file (tests)."""
    limit = file_deadline(suite) if deadline is None else deadline
    paths = [str(f) for f in files]
    pending = collections.deque(range(len(paths)))
    attempts = [0] * len(paths)
    done: dict[int, dict[str, Any]] = {}
    context = multiprocessing.get_context("spawn")
    workers: list[_Worker] = []
    emitted = 0

    def lost(worker: _Worker, why: str) -> None:
        """The worker is gone or useless: kill it, and grade its file again or give up on it."""
        index = worker.task
        worker.kill()
        workers.remove(worker)
        if index is None:
            return
        attempts[index] += 1
        if why == "timeout":
            done[index] = _failed_row(paths[index], suite, "timeout",
                                      f"grading this file took longer than {limit:g} s: stopped")
        elif attempts[index] < MAX_ATTEMPTS:
            pending.appendleft(index)
        else:
            done[index] = _failed_row(paths[index], suite, "error",
                                      f"the grading process was {why} while grading this file, "
                                      f"{attempts[index]} times: no grade")

    try:
        while emitted < len(paths):
            while pending and (len(workers) < max(1, jobs) or any(w.task is None for w in workers)):
                worker = next((w for w in workers if w.task is None), None)
                if worker is None:
                    worker = _Worker(context, suite)
                    workers.append(worker)
                index = pending.popleft()
                try:
                    worker.conn.send((index, paths[index]))
                except (OSError, ValueError):
                    pending.appendleft(index)
                    lost(worker, "killed")
                    continue
                worker.task, worker.deadline = index, time.monotonic() + limit
                if on_assign is not None:
                    on_assign(worker.process.pid, files[index])
            busy = [w for w in workers if w.task is not None]
            if busy:
                soonest = min(w.deadline for w in busy) - time.monotonic()
                wait([x for w in busy for x in (w.conn, w.process.sentinel)],
                     timeout=max(0.0, min(POLL, soonest)))
            for worker in list(workers):
                if worker.task is not None and worker.conn.poll():
                    try:
                        index, row = worker.conn.recv()
                    except (EOFError, OSError):
                        lost(worker, "killed")
                        continue
                    done[index], worker.task = row, None
                elif not worker.process.is_alive():
                    lost(worker, "killed")
                elif worker.task is not None and worker.stopped():
                    lost(worker, "stopped")
                elif worker.task is not None and time.monotonic() > worker.deadline:
                    lost(worker, "timeout")
            while emitted in done:
                yield done.pop(emitted)
                emitted += 1
    finally:
        for worker in workers:
            worker.stop()


def csv_header(case_ids: list[str]) -> list[str]:
    return ["file", "status", "passed", "total", "score", *case_ids, "diagnosis", "message"]


def csv_row(row: dict[str, Any], case_ids: list[str]) -> list[Any]:
    """One submission's cells; text that comes from learners is neutralised (``csv_cell``)."""
    statuses = {t["id"]: t["status"] for t in (row["report"] or {}).get("tests", [])}
    score = f"{row['passed'] / row['total']:.3f}" if row["total"] else "0"
    diagnosis = ((row["report"] or {}).get("diagnosis") or {}).get("mistake", "")
    cells = [row["file"], row["status"], row["passed"], row["total"], score,
             *(statuses.get(i, "not run") for i in case_ids), diagnosis, row["message"] or ""]
    return csv_cells(cells)


def to_csv(rows: list[dict[str, Any]], case_ids: list[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_header(case_ids))
    for row in rows:
        writer.writerow(csv_row(row, case_ids))
    return out.getvalue()


def to_json(rows: list[dict[str, Any]], suite: dict[str, Any]) -> str:
    from engine.sandbox.isolation import status  # whether the submissions ran sandboxed

    return json.dumps({"problem": suite["problem"]["slug"], "suite_version": suite["version"],
                       "isolation": status().to_dict(), "submissions": rows}, indent=1)


def write_grades(rows: Iterator[dict[str, Any]], out: Path | None, suite: dict[str, Any]
                 ) -> Iterator[dict[str, Any]]:
    """Pass the rows on as they come, writing ``out`` on the way: a .csv row by row, flushed; a
    .json when the batch ends, however it ends (with the rows graded so far)."""
    case_ids = [c["id"] for c in suite["cases"]]
    if out is None:
        yield from rows
        return
    if out.suffix == ".json":
        graded: list[dict[str, Any]] = []
        try:
            for row in rows:
                graded.append(row)
                yield row
        finally:
            out.write_text(to_json(graded, suite))
        return
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        from engine.sandbox.isolation import status

        if not (isolation := status()).isolated:  # first line: "not isolated: ... (why)"
            writer.writerow([isolation.warning()])
        writer.writerow(csv_header(case_ids))
        f.flush()
        for row in rows:
            writer.writerow(csv_row(row, case_ids))
            f.flush()
            yield row
