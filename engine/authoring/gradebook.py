"""Gradebook files made from the class JSON (engine/schemas/class.schema.json), and ``merge``.

Every output here is a function of that one document, so grading on one machine or in shards
then merging gives the same bytes. Formats:

- ``canvas``: Canvas's gradebook import CSV: Student, ID, SIS User ID, SIS Login ID, Section,
  then one column per assignment (the problem's title), after a "Points Possible" row;
- ``moodle``: Moodle's CSV grade import: Username, ID number, Email address (map any one of them
  to the user in Moodle's "Identify user by"), then one column per grade item;
- ``csv``: id, name, one column per problem slug, total;
- ``json``: the class document itself.

The per-case detail (``detail_csv``) is a separate long-format file, never in a gradebook.
Every text cell goes through ``csv_cell`` (spreadsheet formula injection).
"""

from __future__ import annotations

import csv
import io
import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema.validators import Draft202012Validator

from engine.authoring.render import csv_cells

FORMATS = ("canvas", "moodle", "csv", "json")


class MergeError(ValueError):
    """Shard files that do not make one class together; says which file and why."""


@cache
def validator() -> Draft202012Validator:
    schema = json.loads((Path(__file__).parents[1] / "schemas" / "class.schema.json").read_text())
    return Draft202012Validator(schema)


def number(x: float) -> str:
    """A score as a gradebook wants it: 10, 6.67, 0."""
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _table(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(csv_cells(row))
    return out.getvalue()


def canvas_csv(data: dict[str, Any]) -> str:
    """Canvas: the student is matched on SIS Login ID (our id) or SIS User ID; ID (Canvas's own
    number) is left empty, as we do not know it."""
    titles = [p["title"] for p in data["problems"]]
    rows: list[list[Any]] = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *titles],
                             ["Points Possible", "", "", "", "",
                              *(number(p["points"]) for p in data["problems"])]]
    for s in data["students"]:
        rows.append([s["name"], "", s["sis_id"] or "", s["id"], s["section"] or "",
                     *(number(s["results"][p["slug"]]["score"]) for p in data["problems"])])
    return _table(rows)


def moodle_csv(data: dict[str, Any]) -> str:
    rows: list[list[Any]] = [["Username", "ID number", "Email address",
                              *(p["title"] for p in data["problems"])]]
    for s in data["students"]:
        rows.append([s["id"], s["sis_id"] or "", s["email"] or "",
                     *(number(s["results"][p["slug"]]["score"]) for p in data["problems"])])
    return _table(rows)


def plain_csv(data: dict[str, Any]) -> str:
    rows: list[list[Any]] = [["id", "name", *(p["slug"] for p in data["problems"]), "total"]]
    for s in data["students"]:
        rows.append([s["id"], s["name"],
                     *(number(s["results"][p["slug"]]["score"]) for p in data["problems"]),
                     number(s["score"])])
    return _table(rows)


def detail_csv(data: dict[str, Any]) -> str:
    """One row per student, problem and case (one row with an empty case when a problem has no
    case results: missing, or the file did not load)."""
    rows: list[list[Any]] = [["student", "problem", "case", "status", "message"]]
    for s in data["students"]:
        for p in data["problems"]:
            result = s["results"][p["slug"]]
            if not result["cases"]:
                rows.append([s["id"], p["slug"], "", result["status"], result["message"]])
            for case in result["cases"]:
                rows.append([s["id"], p["slug"], case["name"], case["status"], case["message"]])
    return _table(rows)


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


def render(data: dict[str, Any], fmt: str) -> str:
    return {"canvas": canvas_csv, "moodle": moodle_csv, "csv": plain_csv, "json": to_json}[fmt](data)


def infer_format(out: str | None, fmt: str | None) -> str:
    """``--format``, else from ``--out``'s suffix (.json: json; anything else: the plain csv)."""
    if fmt:
        return fmt
    return "json" if out and out.endswith(".json") else "csv"


def read_class(path: Path) -> dict[str, Any]:
    """A class JSON file, valid against its schema, or a MergeError saying what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise MergeError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise MergeError(f"{path}: not a class results file ({exc})") from None
    errors = sorted(validator().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        where = "/".join(map(str, errors[0].absolute_path)) or "the file"
        raise MergeError(f"{path}: not a valid class results file: at {where}: "
                         f"{errors[0].message[:200]}")
    return data


_SHARED = ("format", "version", "course", "scoring", "seed", "problems")


def merge(paths: list[Path]) -> dict[str, Any]:
    """N shard files -> what grading the class on one machine writes (shard null). Refuses
    missing, duplicate or foreign shards, and shards graded with other problems, scoring or seed."""
    if not paths:
        raise MergeError("give the shard files to merge")
    shards = [(path, read_class(path)) for path in paths]
    first_path, first = shards[0]
    count = None
    by_index: dict[int, Path] = {}
    for path, data in shards:
        shard = data.get("shard")
        if shard is None:
            raise MergeError(f"{path}: not a shard (its `shard` is null): nothing to merge")
        if count is None:
            count = shard["count"]
        elif shard["count"] != count:
            raise MergeError(f"{path}: shard {shard['index']}/{shard['count']}, but "
                             f"{first_path} is one of {count}")
        if shard["index"] > count:
            raise MergeError(f"{path}: shard {shard['index']}/{count} is out of range")
        if shard["index"] in by_index:
            raise MergeError(f"{path}: duplicate shard {shard['index']}/{count} (also "
                             f"{by_index[shard['index']]})")
        by_index[shard["index"]] = path
        for key in _SHARED:
            if data.get(key) != first.get(key):
                raise MergeError(f"{path}: its {key} differs from {first_path}'s: these shards "
                                 "were not graded the same way (same problems, scoring and "
                                 "--fresh-seed N on every machine)")
    assert count is not None
    absent = [str(i) for i in range(1, count + 1) if i not in by_index]
    if absent:
        raise MergeError(f"missing shard(s) {', '.join(absent)} of {count}")
    students: dict[str, dict[str, Any]] = {}
    owner: dict[str, Path] = {}
    for path, data in shards:
        for s in data["students"]:
            if s["id"] in students:
                raise MergeError(f"{path}: student {s['id']!r} is also in {owner[s['id']]}")
            students[s["id"]], owner[s["id"]] = s, path
    merged = {**{k: first[k] for k in first if k not in ("shard", "students")}, "shard": None,
              "students": [students[k] for k in sorted(students)]}
    order = list(first)  # keep the key order one machine writes
    return {k: merged[k] for k in order}
