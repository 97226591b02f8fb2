"""Regrade the site's export files ("submission bundles") on CPython: ``gradlab grade --bundle``.

A learner's export holds, per problem, their code (or, for a trace problem, the cells they
typed) and the result their browser claimed (solved, passed of total, the suite version). The
browser belongs to the learner, so the instructor trusts this regrade, never the claim: each row
says whether the claim holds.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import Draft202012Validator

from engine.authoring.problem import MAX_DEPTH, SLUG, SLUG_RULE, depth, is_slug
from engine.authoring.render import csv_cells, one_line
from engine.authoring.trace import (
    compile_trace_problem,
    load_trace_problem,
    mark_cells,
    problem_kind,
    tally,
)

EXPORT_FORMAT = "gradlab-export"


@cache
def _validator() -> Draft202012Validator:
    """engine/schemas/export.schema.json: the file web/src/store.ts writes (and checks on import)."""
    schema = json.loads((Path(__file__).parents[1] / "schemas" / "export.schema.json").read_text())
    return Draft202012Validator(schema)


class BundleError(ValueError):
    """A file that is not a readable export, with what is wrong."""


def _short(text: object, limit: int = 200) -> str:
    """One line, control characters escaped, cut: safe to print whatever the file held."""
    line = one_line(text)
    return line if len(line) <= limit else line[:limit] + "..."


def read_bundle(path: Path) -> dict[str, Any]:
    """The export, valid against its schema, or a BundleError saying in one line what is wrong."""
    name = one_line(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BundleError(f"{name}: not a Gradlab export file ({_short(exc)})") from None
    except RecursionError:
        data = None
    if data is None or depth(data) > MAX_DEPTH:
        raise BundleError(f"{name}: not a Gradlab export file (nested more than {MAX_DEPTH} "
                          "levels deep)")
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise BundleError(f'{name}: not a Gradlab export file (no "format": "{EXPORT_FORMAT}")')
    if data.get("version") != 1:
        raise BundleError(f"{name}: export version {_short(repr(data.get('version')), 40)}; "
                          "this grader reads 1")
    problems = data.get("problems")
    if isinstance(problems, dict):
        bad = next((key for key in problems if not is_slug(key)), None)
        if bad is not None:
            raise BundleError(f"{name}: not a valid Gradlab export file: problem name "
                              f"{_short(repr(bad), 80)} is not a problem name ({SLUG_RULE})")
    error: ValidationError | None = best_match(_validator().iter_errors(data))
    if error is not None:
        where = "/".join(_short(p, 80) for p in error.absolute_path) or "the file"
        raise BundleError(f"{name}: not a valid Gradlab export file: at {where}: "
                          f"{_short(error.message)}")
    if not data["problems"]:
        raise BundleError(f"{name}: this export holds no problems")
    return data


def collect(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.rglob("*.json")) if path.is_dir() else [path])
    return sorted(dict.fromkeys(files))


def regrade(path: Path, resolve: Callable[[str], Path | None],
            grade_code: Callable[[Path, str], dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per problem in the bundle: what was claimed, what the regrade found."""
    rows = []
    pages: dict[Path, dict[str, Any]] = {}  # trace problems' page data, compiled once
    for slug, entry in sorted(read_bundle(path)["problems"].items()):
        claim = entry["progress"] or {}
        row = {"bundle": str(path), "problem": slug, "claimed_solved": bool(claim.get("solved")),
               "claimed": f"{claim.get('passed', '?')}/{claim.get('total', '?')}",
               "claimed_suite": claim.get("suiteVersion")}
        code = entry["code"]
        assert re.fullmatch(SLUG, slug)  # read_bundle checked it: a name, never a path
        root = resolve(slug)
        if root is not None and problem_kind(root) == "trace":
            if root not in pages:
                pages[root] = compile_trace_problem(load_trace_problem(root))
            t = tally(mark_cells(pages[root], entry.get("trace") or {}))
            if not t.typed:  # no cell of this page typed
                if row["claimed_solved"] or claim.get("passed"):
                    rows.append({**row, "regraded": "-", "holds": not row["claimed_solved"],
                                 "note": "no cells in the bundle"})
                continue
            version = pages[root]["version"]
            note = "" if claim.get("suiteVersion") in (None, version) else (
                f"claimed against version {claim.get('suiteVersion')}, regraded against {version}")
            rows.append({**row, "regraded": f"{t.right}/{t.total}",
                         "regraded_solved": t.first is None,
                         "holds": t.first is None or not row["claimed_solved"],
                         "note": "; ".join(n for n in (note, t.first_line()) if n)})
            continue
        if root is None or not isinstance(code, str):
            why = "no such problem here" if root is None else "no code in the bundle"
            rows.append({**row, "regraded": "-", "holds": False, "note": why})
            continue
        report = grade_code(root, code)
        solved = report["status"] == "pass"
        note = "" if claim.get("suiteVersion") in (None, report["suite_version"]) else (
            f"claimed against suite {claim.get('suiteVersion')}, regraded against "
            f"{report['suite_version']}")
        rows.append({**row, "regraded": f"{report['passed']}/{report['total']}",
                     "regraded_solved": solved, "holds": solved or not row["claimed_solved"],
                     "note": note or (report["message"] or "")})
    return rows


CSV_COLUMNS = ("bundle", "problem", "claimed", "claimed_solved", "claimed_suite", "regraded",
               "regraded_solved", "holds", "note")


def rows_csv(rows: list[dict[str, Any]]) -> str:
    """``regrade``'s rows as a CSV for a spreadsheet (``--out FILE.csv``): one row per problem per
    export file, claims and regrades side by side, true/false where a column is a yes or no.
    Learners' text (file names, a claimed suite version) is kept from running as a formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(csv_cells(["" if row.get(c) is None else str(row[c]).lower()
                                   if isinstance(row[c], bool) else one_line(str(row[c]))
                                   for c in CSV_COLUMNS]))
    return out.getvalue()
