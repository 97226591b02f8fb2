"""Grade a whole class, every problem, in one command: ``gradlab grade --class DIR``.

The class folder is laid out in one of three ways, told apart by what it holds:

- ``by-student``: one folder per student, one ``<problem>.py`` per problem inside
  (``alice/basic-ops.py``), as GitHub Classroom clones or an LMS download unpacks;
- ``by-problem``: one folder per problem, named by its slug, one ``<student>.py`` per student
  inside (``basic-ops/alice.py``);
- ``exports``: the site's "Export progress" files (``*.json``), each with code for many problems,
  and for a trace problem (answered by hand on the site) the cells the learner typed, marked
  again here with the page's rules.

The result is one ``gradlab-class`` document (engine/schemas/class.schema.json): every
gradebook file, the detail file, ``gradlab merge`` and ``gradlab report`` are made from it.
Grading reuses the batch pool (``engine.authoring.batch``), one problem at a time.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.authoring import batch, bundle
from engine.authoring.problem import is_slug
from engine.authoring.render import one_line
from engine.authoring.trace import mark_cells, marks_line, tally

CLASS_FORMAT = "gradlab-class"
CLASS_VERSION = 1
ROSTER_COLUMNS = ("id", "name", "sis_id", "email", "section", "submitted_as")
MESSAGE_LIMIT = 300  # characters of a result's one-line message


class ClassError(ValueError):
    """The class folder, roster or options cannot be graded as given; says which file."""


@dataclass
class Student:
    """Who a gradebook row is for. ``key``: the name on disk (folder, file stem, or the id an
    export file carries) that a roster's ``submitted_as`` matches."""

    key: str
    id: str
    name: str
    sis_id: str | None = None
    email: str | None = None
    section: str | None = None
    source: str = ""  # where this identity came from, for error messages


@dataclass
class Submission:
    key: str  # the student's key
    problem: str
    path: Path  # the file graded (for exports, the code or trace cells written to a temporary file)
    shown: str  # the file as the class JSON names it: relative to the class folder


@dataclass
class Found:
    """What a class folder holds."""

    layout: str
    students: dict[str, Student]
    submissions: list[Submission]
    ignored: list[str] = field(default_factory=list)  # files skipped, said on stderr
    tmp: tempfile.TemporaryDirectory[str] | None = None  # exports' code, kept while grading


def _visible(entries: Iterable[Path]) -> list[Path]:
    return sorted(p for p in entries if not p.name.startswith((".", "_")))


def detect_layout(folder: Path, known: set[str]) -> str:
    """Which of the three layouts ``folder`` uses, or a ClassError naming it when none or many."""
    if not folder.is_dir():
        raise ClassError(f"{folder}: no such folder")
    entries = _visible(folder.iterdir())
    dirs = [p for p in entries if p.is_dir()]
    exports = [p for p in entries if p.is_file() and p.suffix == ".json"]
    problem_dirs = [d for d in dirs if d.name in known]
    student_dirs = [d for d in dirs if d.name not in known and any(d.glob("*.py"))]
    found = [name for name, present in (("exports", exports), ("by-problem", problem_dirs),
                                        ("by-student", student_dirs)) if present]
    if not found:
        raise ClassError(f"{folder}: nothing to grade: no student folders (alice/basic-ops.py), "
                         "no problem folders (basic-ops/alice.py) and no export files (*.json)")
    if len(found) > 1:
        examples = {"exports": exports, "by-problem": problem_dirs, "by-student": student_dirs}
        which = "; ".join(f"{name} (e.g. {examples[name][0].name})" for name in found)
        raise ClassError(f"{folder}: ambiguous layout, it holds more than one kind of class "
                         f"folder: {which}. Keep one kind in the folder")
    return found[0]


def discover(folder: Path, known: set[str], traces: frozenset[str] = frozenset()) -> Found:
    """Students and submissions in ``folder`` (any layout; ``known``: the code problems there are;
    ``traces``: the trace problems, whose cells only export files carry)."""
    layout = detect_layout(folder, known)
    students: dict[str, Student] = {}
    subs: list[Submission] = []
    ignored: list[str] = []

    def student(key: str, source: str, name: str | None = None) -> None:
        students.setdefault(key, Student(key=key, id=key, name=name or key, source=source))

    if layout == "by-student":
        for sdir in (d for d in _visible(folder.iterdir()) if d.is_dir()):
            for path in _visible(sdir.glob("*.py")):
                if path.stem not in known:
                    ignored.append(f"{path.relative_to(folder)}: not a problem here")
                    continue
                student(sdir.name, str(sdir.relative_to(folder)))
                subs.append(Submission(sdir.name, path.stem, path, str(path.relative_to(folder))))
            if sdir.name not in students:
                ignored.append(f"{sdir.relative_to(folder)}: no <problem>.py inside")
        return Found(layout, students, subs, ignored)
    if layout == "by-problem":
        for pdir in (d for d in _visible(folder.iterdir()) if d.is_dir()):
            if pdir.name not in known:
                ignored.append(f"{pdir.relative_to(folder)}: not a problem here")
                continue
            for path in _visible(pdir.glob("*.py")):
                student(path.stem, str(path.relative_to(folder)))
                subs.append(Submission(path.stem, pdir.name, path, str(path.relative_to(folder))))
        return Found(layout, students, subs, ignored)
    tmp = tempfile.TemporaryDirectory(prefix="gradlab-class-")
    for n, path in enumerate(_visible(p for p in folder.iterdir() if p.suffix == ".json")):
        shown = str(path.relative_to(folder))
        try:
            data = bundle.read_bundle(path)
        except bundle.BundleError as exc:
            tmp.cleanup()
            raise ClassError(str(exc)) from None
        key = str(data.get("id") or path.stem)
        if key in students:
            tmp.cleanup()
            raise ClassError(f"{shown}: student {one_line(key)!r} is also in "
                             f"{students[key].source}; one export file per student")
        student(key, shown, data.get("name"))
        for slug, entry in sorted(data["problems"].items()):
            if slug in traces:
                if not any(str(text).strip() for text in (entry.get("trace") or {}).values()):
                    continue  # no cell typed: missing
                cells_file = Path(tmp.name) / slug / f"{n}.json"
                cells_file.parent.mkdir(exist_ok=True)
                cells_file.write_text(json.dumps(entry["trace"]), encoding="utf-8")
                subs.append(Submission(key, slug, cells_file, shown))
                continue
            if not isinstance(entry["code"], str):
                continue  # never typed in: missing
            if slug not in known:
                ignored.append(f"{shown}: problem {slug} is not a problem here")
                continue
            code_file = Path(tmp.name) / slug / f"{n}.py"
            code_file.parent.mkdir(exist_ok=True)
            code_file.write_text(entry["code"], encoding="utf-8")
            subs.append(Submission(key, slug, code_file, shown))
    return Found(layout, students, subs, ignored, tmp)


def read_roster(path: Path) -> list[Student]:
    """The roster's students, in file order. Columns (header row, any order): ``id`` (required:
    the identity the gradebook matches on), ``name``, ``sis_id``, ``email``, ``section``, and
    ``submitted_as`` (the folder or file name, or the export's id, when it is not the ``id``)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ClassError(f"{path}: no such roster file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ClassError(f"{path}: cannot read it as UTF-8 text: {exc}") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or []]
    if "id" not in header:
        raise ClassError(f"{path}:1: the roster needs an `id` column (columns: "
                         f"{', '.join(ROSTER_COLUMNS)})")
    unknown = [h for h in header if h not in ROSTER_COLUMNS]
    if unknown:
        raise ClassError(f"{path}:1: unknown roster column {unknown[0]!r} (columns: "
                         f"{', '.join(ROSTER_COLUMNS)})")
    reader.fieldnames = header
    students: list[Student] = []
    seen_ids: dict[str, int] = {}
    seen_keys: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        cells = {k: (v or "").strip() for k, v in row.items() if k is not None}
        if None in row:
            raise ClassError(f"{path}:{line}: more cells than columns")
        sid = cells.get("id", "")
        if not sid:
            raise ClassError(f"{path}:{line}: empty `id`")
        key = cells.get("submitted_as") or sid
        if sid in seen_ids:
            raise ClassError(f"{path}:{line}: id {sid!r} is already on line {seen_ids[sid]}")
        if key in seen_keys:
            raise ClassError(f"{path}:{line}: submitted_as {key!r} is already on line "
                             f"{seen_keys[key]}")
        seen_ids[sid], seen_keys[key] = line, line
        students.append(Student(key=key, id=sid, name=cells.get("name") or sid,
                                sis_id=cells.get("sis_id") or None,
                                email=cells.get("email") or None,
                                section=cells.get("section") or None, source=f"{path}:{line}"))
    return students


def identify(found: Found, roster: list[Student] | None, allow_unlisted: bool) -> list[Student]:
    """Everyone to grade, sorted by id: the roster's students (with or without submissions), and
    with ``allow_unlisted`` those who submitted but are not on it."""
    if roster is None:
        students = list(found.students.values())
    else:
        by_key = {s.key: s for s in roster}
        unlisted = [s for s in found.students.values() if s.key not in by_key]
        if unlisted and not allow_unlisted:
            s = unlisted[0]
            raise ClassError(f"{s.source}: {one_line(s.key)!r} is not in the roster (no row with "
                             f"that id or submitted_as); add it, or pass --allow-unlisted"
                             + (f" ({len(unlisted) - 1} more)" if len(unlisted) > 1 else ""))
        ids = {s.id for s in roster}
        clash = next((s for s in unlisted if s.id in ids), None)
        if clash is not None:
            raise ClassError(f"{clash.source}: {one_line(clash.key)!r} is not in the roster but "
                             "another roster row has that id")
        students = [*roster, *unlisted]
    return sorted(students, key=lambda s: s.id)


def shard_of(students: list[Student], index: int, count: int) -> list[Student]:
    """Shard ``index`` (1-based) of ``count``: every count-th student of the list sorted by id,
    so every machine given the same class and roster takes the same students."""
    return [s for n, s in enumerate(students) if n % count == index - 1]


# --- one result per student and problem ---------------------------------------------------------

_CASE_STATUS = {"passed": "pass", "failed": "fail", "error": "error", "timeout": "timeout"}


def _cut(text: str) -> str:
    line = one_line(text).strip()
    return line if len(line) <= MESSAGE_LIMIT else line[:MESSAGE_LIMIT - 3] + "..."


def _first_line(text: str | None) -> str:
    return (text or "").strip().split("\n", 1)[0]


def score_of(passed: int, total: int, points: float) -> float:
    return round(points * passed / total, 2) if total else 0.0


def missing_result(why: str) -> dict[str, Any]:
    return {"status": "missing", "score": 0, "passed": 0, "total": 0, "message": why,
            "file": None, "seconds": None, "diagnosis": None, "cases": []}


def result_of(row: dict[str, Any], suite: dict[str, Any], points: float, shown: str
              ) -> dict[str, Any]:
    """A batch row (``batch.grade_many``) as the class schema's result. Status: a time limit hit
    anywhere is ``timeout``; else code that raised or did not load is ``error``; else a wrong
    answer is ``fail``. The message names the first case that made it so."""
    total = len(suite["cases"])
    report = row["report"]
    base = {"file": shown, "diagnosis": None, "cases": [], "passed": 0, "total": total,
            "score": 0.0, "seconds": None}
    if report is None:  # unreadable, or the worker timed out or died on it
        status = "timeout" if row["status"] == "timeout" else "error"
        return {**base, "status": status, "message": _cut(row["message"] or status)}
    passed = report["passed"]
    limits = {c["id"]: c["time_limit"] for c in suite["cases"]}
    cases = [{"name": t["id"], "status": _CASE_STATUS[t["status"]],
              "message": "" if t["status"] == "passed" else _cut(_first_line(t["message"]))}
             for t in report["tests"]]
    result = {**base, "passed": passed, "score": score_of(passed, total, points), "cases": cases,
              "seconds": round(report["duration_ms"] / 1000, 3)}
    if report["diagnosis"]:
        result["diagnosis"] = {"title": report["diagnosis"]["mistake"],
                               "basis": report["diagnosis"]["basis"]}
    load = report["load_error"]
    if load is not None:
        status = "timeout" if load["type"] == "Timeout" else "error"
        return {**result, "status": status,
                "message": _cut(("did not load: " if status == "error" else "")
                                + _first_line(report["message"]))}
    by_status = {s: [t for t in report["tests"] if t["status"] == s]
                 for s in ("timeout", "error", "failed")}
    if by_status["timeout"]:
        t = by_status["timeout"][0]
        return {**result, "status": "timeout",
                "message": _cut(f"case {t['id']} timed out: it took longer than its "
                                f"{limits.get(t['id'], 0):g} s limit ({passed}/{total} passed)")}
    for status, word in (("error", "raised"), ("failed", "failed")):
        if by_status[status]:
            t = by_status[status][0]
            return {**result, "status": "error" if status == "error" else "fail",
                    "message": _cut(f"{passed}/{total} passed; case {t['id']} {word}: "
                                    f"{_first_line(t['message'])}")}
    return {**result, "status": "pass", "message": ""}


def trace_result(page: dict[str, Any], typed: dict[str, str], points: float, shown: str
                 ) -> dict[str, Any]:
    """A trace problem's cells, marked with the page's rules, as the class schema's result:
    ``passed``/``total`` count cells (what the page shows: "20 of 32 cells right"), one case per
    trace, ``pass`` only when every cell is right."""
    marks = mark_cells(page, typed)
    t = tally(marks)
    if not t.typed:  # only keys of traces it no longer has
        return missing_result(f"no cell of {page['problem']['slug']} typed in the export file")
    cases = [{"name": m.id, "status": "pass" if m.right == m.total else "fail",
              "message": _cut(marks_line(m))} for m in marks]
    return {"status": "pass" if t.first is None else "fail",
            "score": score_of(t.right, t.total, points), "passed": t.right, "total": t.total,
            "file": shown, "seconds": None, "diagnosis": None, "cases": cases,
            "message": "" if t.first is None else
            _cut(f"{t.right}/{t.total} cells right; {t.first_line()}")}


# --- the whole class ----------------------------------------------------------------------------

@dataclass
class Options:
    problems: list[str] | None = None  # slugs, or None: every problem anyone submitted
    points: float = 10.0
    percent: bool = False
    seed: int | None = None
    shard: tuple[int, int] | None = None
    jobs: int = 2


def grade_class(folder: Path, found: Found, students: list[Student], order: list[str],
                load_suite: Callable[[str], dict[str, Any]], options: Options,
                on_row: Callable[[str], None] | None = None) -> dict[str, Any]:
    """The class JSON. ``order``: every known problem slug in path order; ``load_suite(slug)``:
    the suite to grade against (with ``options.seed``); ``on_row(note)`` after each file."""
    present = {s.problem for s in found.submissions}
    chosen = options.problems if options.problems is not None else \
        [slug for slug in order if slug in present]
    if not chosen:
        raise ClassError(f"{folder}: no submissions for any problem here")
    points = 100.0 if options.percent else options.points
    graded = students
    if options.shard is not None:
        graded = shard_of(students, *options.shard)
    keys = {s.key for s in graded}
    results: dict[str, dict[str, dict[str, Any]]] = {s.key: {} for s in graded}
    problems = []
    for slug in chosen:
        suite = load_suite(slug)
        trace = "traces" in suite  # a trace problem's page data (trace.compile_trace_problem)
        problems.append({"slug": slug, "title": suite["problem"]["title"], "points": points,
                         "cases": [c["id"] for c in suite["traces" if trace else "cases"]]})
        subs = sorted((s for s in found.submissions if s.problem == slug and s.key in keys),
                      key=lambda s: str(s.path))
        if trace:
            rows: Iterable[Any] = (json.loads(s.path.read_text(encoding="utf-8")) for s in subs)
        else:
            rows = batch.grade_many(suite, [s.path for s in subs], options.jobs) if subs else ()
        for sub, row in zip(subs, rows, strict=True):
            results[sub.key][slug] = (trace_result(suite, row, points, sub.shown) if trace
                                      else result_of(row, suite, points, sub.shown))
            if on_row is not None:
                on_row(f"{slug} {sub.shown}")
        for student in graded:
            results[student.key].setdefault(slug, missing_result(_missing_why(found, slug)))
    out_students = []
    for s in graded:
        res = {slug: results[s.key][slug] for slug in chosen}
        out_students.append({
            "id": s.id, "name": s.name, "sis_id": s.sis_id, "email": s.email,
            "section": s.section, "results": res,
            "score": round(sum(r["score"] for r in res.values()), 2),
            "max": round(points * len(chosen), 2)})
    return {"format": CLASS_FORMAT, "version": CLASS_VERSION, "course": None,
            "scoring": "percent" if options.percent else "points", "seed": options.seed,
            "shard": None if options.shard is None else
            {"index": options.shard[0], "count": options.shard[1]},
            "problems": problems, "students": out_students}


def _missing_why(found: Found, slug: str) -> str:
    return {"by-student": f"no {slug}.py in the student's folder",
            "by-problem": f"no file for this student in {slug}/",
            "exports": f"nothing for {slug} in the export file"}.get(found.layout, "no file")


def count_to_grade(found: Found, students: list[Student], problems: list[str]) -> int:
    keys = {s.key for s in students}
    return sum(1 for s in found.submissions if s.key in keys and s.problem in problems)


def parse_shard(text: str) -> tuple[int, int]:
    """``i/N`` with 1 <= i <= N."""
    try:
        index, count = (int(x) for x in text.split("/"))
    except ValueError:
        raise ClassError(f"--shard {text!r}: give it as i/N, e.g. 2/3") from None
    if not 1 <= index <= count:
        raise ClassError(f"--shard {text!r}: i must be between 1 and N")
    return index, count


def check_problems(names: list[str], known: set[str]) -> list[str]:
    bad = next((n for n in names if not is_slug(n) or n not in known), None)
    if bad is not None:
        raise ClassError(f"--problems: no problem {bad!r} here (known: {', '.join(sorted(known))})")
    return list(dict.fromkeys(names))

