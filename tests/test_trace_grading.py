"""A trace problem's cells in export files, marked again by `gradlab grade --class` and `--bundle`
with the page's own rules (web/src/tracecheck.ts), so the instructor's count is the learner's."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from class_fixture import source

from conftest import REPO
from engine.authoring.trace import (
    cells_of,
    compile_trace_problem,
    load_trace_problem,
    mark_cells,
    parse_entry,
)

TRACE = REPO / "hidden_tests" / "trace-by-hand"
PAGE = compile_trace_problem(load_trace_problem(TRACE))
CELLS = [cell for trace in PAGE["traces"] for cell in cells_of(trace)]
SCHEMA = json.loads((REPO / "engine/schemas/class.schema.json").read_text())
EXPORT_SCHEMA = json.loads((REPO / "engine/schemas/export.schema.json").read_text())

# What learners type, and what the page makes of it (a number, or None: "Not a number").
ENTRIES = ["2", "-0.5", ".786", "1e-3", "3/4", "\u22123", "\u2013 2", " 6 ", "+4", "5.", "1E2",
           "-1/-4", "1/0", "0/0", "1e400", "", "  ", "two", "1,5", "0x10", "1/2/3", "\u0663",
           "e5", ".", "-", "4 / 8", "inf", "NaN", "1_000",
           # JavaScript's whitespace is not Python's: a pasted BOM is space, U+0085 and U+001C not
           "\ufeff2", "2\x85", "2\x1c", "\ufeff", "\x1c",
           # long runs of digits are refused at once, not backtracked over for minutes
           "1" * 5000 + "x", "1" * 800 + "/" + "1" * 800 + "x", "1" * 101]


def test_entries_parse_as_the_page_parses_them():
    expected = {"2": 2, "-0.5": -0.5, ".786": 0.786, "1e-3": 0.001, "3/4": 0.75, "\u22123": -3,
                "\u2013 2": -2, " 6 ": 6, "+4": 4, "5.": 5, "1E2": 100, "-1/-4": 0.25,
                "4 / 8": 0.5, "\ufeff2": 2}
    assert {e: parse_entry(e) for e in ENTRIES} == {e: expected.get(e) for e in ENTRIES}


def test_entries_parse_exactly_as_tracecheck_ts_does(tmp_path):
    """The same inputs through the page's own parseEntry (TypeScript's transpiler, then Node)."""
    if not (REPO / "node_modules" / "typescript").is_dir() or not shutil.which("node"):
        pytest.skip("needs node and node_modules (./scripts/setup)")
    module = tmp_path / "tracecheck.mjs"
    script = f"""
const ts = require("typescript"), fs = require("fs");
const source = fs.readFileSync({json.dumps(str(REPO / "web/src/tracecheck.ts"))}, "utf8");
const out = ts.transpileModule(source, {{compilerOptions: {{module: ts.ModuleKind.ESNext,
                                                           target: ts.ScriptTarget.ES2022}}}});
fs.writeFileSync({json.dumps(str(module))}, out.outputText);
import({json.dumps(module.as_uri())}).then(m =>
  console.log(JSON.stringify({json.dumps(ENTRIES)}.map(m.parseEntry))));
"""
    out = subprocess.run(["node", "-e", script], capture_output=True, text=True, cwd=REPO,
                         check=True).stdout
    assert json.loads(out) == [parse_entry(e) for e in ENTRIES]


def answers(wrong: int = 0, empty: int = 0) -> dict[str, str]:
    """Every cell answered right, but the first `wrong` cells off by one and the next `empty`
    cells left out."""
    typed = {key: repr(answer) for key, _, answer in CELLS}
    for key, _, answer in CELLS[:wrong]:
        typed[key] = repr(answer + 1)
    for key, _, _ in CELLS[wrong:wrong + empty]:
        del typed[key]
    return typed


def test_marks_count_right_wrong_and_empty_cells_per_trace():
    marks = mark_cells(PAGE, answers())
    assert [m.right for m in marks] == [m.total for m in marks] and sum(m.total for m in marks) == 32
    first = PAGE["traces"][0]
    marks = mark_cells(PAGE, {**answers(wrong=2, empty=3), CELLS[-1][0]: "not a number"})
    assert marks[0].right == marks[0].total - 5 and marks[0].empty == 3
    assert marks[0].wrong == tuple(what for _, what, _ in cells_of(first)[:2])
    assert marks[-1].wrong == (CELLS[-1][1],)  # text that is no number is wrong, not empty
    # blank as the page decides it (JavaScript's trim): a BOM alone is empty, U+001C is not
    assert mark_cells(PAGE, {CELLS[0][0]: "\ufeff "})[0].empty == marks[0].total
    assert mark_cells(PAGE, {CELLS[0][0]: "\x1c"})[0].wrong == (CELLS[0][1],)
    # the page's tolerance: 4 significant figures are right, 2 are not
    key, _, answer = next(c for c in CELLS if c[2] != round(c[2]))
    assert sum(m.right for m in mark_cells(PAGE, {key: f"{answer:.4g}"})) == 1
    assert sum(m.right for m in mark_cells(PAGE, {key: f"{answer:.2g}"})) == 0


def export(path: Path, problems: dict, who: str) -> None:
    data = {"format": "gradlab-export", "version": 1, "exportedAt": "x", "id": who,
            "problems": problems}
    jsonschema.validate(data, EXPORT_SCHEMA)
    path.write_text(json.dumps(data))


def gradlab(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=600)


@pytest.mark.slow
def test_class_grading_marks_trace_cells_from_export_files(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    claimed = {"solved": True, "passed": 32, "total": 32, "suiteVersion": PAGE["version"]}
    export(folder / "ada.json", {"basic-ops": {"code": source("basic"), "progress": None},
                                 "trace-by-hand": {"code": None, "progress": claimed,
                                                   "trace": answers()}}, "ada")
    export(folder / "bob.json", {"trace-by-hand": {"code": None, "progress": claimed,
                                                   "trace": answers(wrong=1, empty=11)}}, "bob")
    export(folder / "cy.json", {"basic-ops": {"code": source("basic"), "progress": None},
                                "trace-by-hand": {"code": None, "progress": None,
                                                  "trace": {CELLS[0][0]: " "}}}, "cy")
    result = gradlab("grade", "--class", str(folder), "--format", "json")
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    jsonschema.validate(data, SCHEMA)
    # the path's order: problem 1, then the trace
    assert [p["slug"] for p in data["problems"]] == ["basic-ops", "trace-by-hand"]
    assert data["problems"][1]["cases"] == [t["id"] for t in PAGE["traces"]]
    ada, bob, cy = (s["results"]["trace-by-hand"] for s in data["students"])
    assert (ada["status"], ada["passed"], ada["total"], ada["score"]) == ("pass", 32, 32, 10)
    assert (bob["status"], bob["passed"], bob["score"]) == ("fail", 20, 6.25)
    first = PAGE["traces"][0]["id"]
    assert bob["message"].startswith(f"20/32 cells right; trace {first}: ")
    assert f"wrong: {CELLS[0][1]}" in bob["message"] and "11 empty" in bob["message"]
    assert bob["cases"][0]["status"] == "fail"
    assert (cy["status"], cy["message"]) == ("missing", "nothing for trace-by-hand in the export file")

    result = gradlab("grade", "--bundle", str(folder / "bob.json"), "--json")
    assert result.returncode == 1
    [row] = [r for r in json.loads(result.stdout) if r["problem"] == "trace-by-hand"]
    assert (row["regraded"], row["holds"]) == ("20/32", False)  # claimed 32/32: does not hold
    result = gradlab("grade", "--bundle", str(folder / "ada.json"), "--json")
    assert result.returncode == 0, result.stdout
    assert {r["problem"]: r["regraded"] for r in json.loads(result.stdout)} == {
        "basic-ops": "39/39", "trace-by-hand": "32/32"}


def test_a_claim_without_cells_and_cells_of_a_trace_that_is_gone(tmp_path):
    """A solved claim with no cell behind it does not hold (as a code claim with no code); keys
    of a trace the problem no longer has are not a submission; a claim made against another
    version of the traces says so."""
    from engine.authoring import bundle, classroom

    claimed = {"solved": True, "passed": 32, "total": 32, "suiteVersion": "older"}
    path = tmp_path / "x.json"
    export(path, {"trace-by-hand": {"code": None, "progress": claimed, "trace": {}}}, "x")
    resolve = {"trace-by-hand": TRACE}.get
    [row] = bundle.regrade(path, resolve, lambda root, code: {})
    assert (row["regraded"], row["holds"], row["note"]) == ("-", False, "no cells in the bundle")
    export(path, {"trace-by-hand": {"code": None, "progress": None,
                                    "trace": {"gone/x/value": "3"}}}, "x")
    assert bundle.regrade(path, resolve, lambda root, code: {}) == []
    result = classroom.trace_result(PAGE, {"gone/x/value": "3"}, 10, "x.json")
    assert (result["status"], result["score"]) == ("missing", 0)
    export(path, {"trace-by-hand": {"code": None, "progress": claimed, "trace": answers()}}, "x")
    [row] = bundle.regrade(path, resolve, lambda root, code: {})
    assert row["holds"] and row["regraded"] == "32/32"
    assert row["note"] == f"claimed against version older, regraded against {PAGE['version']}"
