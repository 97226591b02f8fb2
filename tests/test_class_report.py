"""`gradlab report CLASS.json`: the page's numbers are the class file's, nothing leaves the page,
learners' text is escaped, and a wrong file is refused with the JSON path that is wrong."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from conftest import REPO
from engine.authoring import classreport

SCHEMA = json.loads((REPO / "engine" / "schemas" / "class.schema.json").read_text())
EVIL_NAME = "<script>alert(1)</script>"
EVIL_FILE = 's03/"><img src=x onerror=alert(1)>.py'
EVIL_MESSAGE = "NameError: </td><script>alert(2)</script> & more"
GRAD_EQ = "Gradients are assigned with `=` instead of accumulated with `+=`"
RELU = "relu lets gradient through for negative inputs"

PROBLEMS = [
    {"slug": "basic-ops", "title": "Basic operations", "points": 10,
     "cases": ["add", "mul", "relu negative", "value used twice"]},
    {"slug": "topo-sort", "title": "Topological sort", "points": 10,
     "cases": ["diamond", "uneven paths", "long chain"]},
    {"slug": "neural-net", "title": "Neural net", "points": 5, "cases": ["neuron", "layer", "mlp"]},
]


def result(problem: dict, marks: str | None, *, status: str | None = None, file: str | None = "",
           seconds: float | None = 1.0, message: str = "", diagnosis: dict | None = None) -> dict:
    """One result: `marks` is a letter per case (p pass, f fail, e error, t timeout); None for a
    file that never ran a case (missing, or it could not load)."""
    names = {"p": "pass", "f": "fail", "e": "error", "t": "timeout"}
    cases = [] if marks is None else [
        {"name": name, "status": names[m], "message": "" if m == "p" else f"{name} went wrong"}
        for name, m in zip(problem["cases"], marks, strict=True)]
    passed = sum(c["status"] == "pass" for c in cases)
    total = len(problem["cases"])
    if status is None:
        status = next((names[m] for m in "tef" if marks and m in marks), "pass")
    if status != "pass" and not message:
        message = f"{total - passed} of {total} cases did not pass"
    return {"status": status, "score": round(problem["points"] * passed / total, 4),
            "passed": passed, "total": total, "message": message,
            "file": None if status == "missing" else file, "seconds": seconds,
            "diagnosis": diagnosis, "cases": cases}


def class_file() -> dict:
    """Ten students, three problems: passes, failures with two named mistakes, a load error, a
    timeout, a missing file, and a student whose name and file name are HTML."""
    eq = {"title": GRAD_EQ, "basis": "known"}
    relu = {"title": RELU, "basis": "measured"}
    rows = {  # id: (name, basic-ops, topo-sort, neural-net) as result() keyword sets
        "s01": ("Ada Lovelace", dict(marks="pppp"), dict(marks="ppp"), dict(marks="ppp")),
        "s02": ("Alan Turing", dict(marks="pppf", diagnosis=eq), dict(marks="ppp"),
                dict(marks="ppf")),
        "s03": (EVIL_NAME, dict(marks=None, status="error", message=EVIL_MESSAGE),
                dict(marks="pfp"), dict(marks="ppp")),
        "s04": ("Grace Hopper", dict(marks="pppf", diagnosis=eq), dict(marks="ppp"),
                dict(marks="ppp")),
        "s05": ("Edsger Dijkstra", dict(marks="pppp"),
                dict(marks="ppt", seconds=30.5, message="long chain: time limit of 10 s hit"),
                dict(marks="pff")),
        "s06": ("Barbara Liskov", dict(marks="ppfp", diagnosis=relu), dict(marks="pff"),
                dict(marks="ppp")),
        "s07": ("Donald Knuth", dict(marks="ppff", diagnosis=eq), dict(marks="ppp"),
                dict(marks=None, status="missing", seconds=None, message="no file for neural-net")),
        "s08": ("Frances Allen", dict(marks="pppp"), dict(marks="pep", message="RecursionError"),
                dict(marks="ppp")),
        "s09": ("John Backus", dict(marks="ppfp", diagnosis=relu), dict(marks="ppp"),
                dict(marks="fff")),
        "s10": ("Margaret Hamilton", dict(marks="pppp"), dict(marks="ppp"), dict(marks="ppp")),
    }
    students = []
    for n, (sid, (name, *kwargs)) in enumerate(rows.items()):
        results = {}
        for problem, kw in zip(PROBLEMS, kwargs, strict=True):
            kw = {"file": f"{sid}/{problem['slug']}.py", "seconds": 0.5 + n / 10, **kw}
            results[problem["slug"]] = result(problem, kw.pop("marks"), **kw)
        if sid == "s03":
            results["basic-ops"]["file"] = EVIL_FILE
        score = round(sum(r["score"] for r in results.values()), 4)
        students.append({"id": sid, "name": name, "sis_id": None, "email": None, "section": None,
                         "results": results, "score": score, "max": 25})
    return {"format": "gradlab-class", "version": 1, "course": "Autograd, spring <term>",
            "scoring": "points", "seed": None, "shard": None, "problems": copy.deepcopy(PROBLEMS),
            "students": students}


class Page(HTMLParser):
    """Every element's attributes with the text inside it, and every data-* row."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.rows: list[dict[str, str]] = []  # attrs of <tr> with data-*, plus "cells": texts
        self.text: list[str] = []
        self._row: dict | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.elements.append((tag, a))
        if tag == "tr" and any(k.startswith("data-") for k in a):
            self._row = {**a, "cells": []}
            self.rows.append(self._row)
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row["cells"].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr":
            self._row = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[dict, str, Page]:
    folder = tmp_path_factory.mktemp("report")
    data = class_file()
    (folder / "class.json").write_text(json.dumps(data))
    result = subprocess.run([sys.executable, "-m", "engine.cli", "report", "class.json",
                             "--out", "report.html"], cwd=folder, capture_output=True, text=True,
                            timeout=120, env=_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "wrote report.html: 10 students, 3 problems"
    page = (folder / "report.html").read_text()
    parser = Page()
    parser.feed(page)
    return data, page, parser


def _env() -> dict[str, str]:
    """This checkout's engine first, whatever is installed (the CLI runs from a temporary folder)."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO),
                                                               os.environ.get("PYTHONPATH")]))}


def rows(page: Page, attr: str) -> list[dict]:
    return [r for r in page.rows if attr in r]


def test_the_fixture_is_a_valid_class_file():
    jsonschema.validate(class_file(), SCHEMA)


def test_overview_counts_solved_students_and_totals(report):
    data, _, page = report
    solved = {r["data-problem"]: int(r["data-solved"]) for r in rows(page, "data-submitted")}
    expected = {p["slug"]: sum(s["results"][p["slug"]]["status"] == "pass" for s in data["students"])
                for p in PROBLEMS}
    assert solved == expected == {"basic-ops": 4, "topo-sort": 6, "neural-net": 6}
    submitted = {r["data-problem"]: int(r["data-submitted"]) for r in rows(page, "data-submitted")}
    assert submitted == {"basic-ops": 10, "topo-sort": 10, "neural-net": 9}
    stats = next(a for t, a in page.elements if t == "dl")
    totals = sorted(s["score"] for s in data["students"])
    assert stats["data-students"] == "10"
    assert float(stats["data-mean"]) == pytest.approx(sum(totals) / 10, abs=0.005)
    assert float(stats["data-median"]) == pytest.approx((totals[4] + totals[5]) / 2, abs=0.005)


def test_case_pass_rates_match_the_file_and_come_most_failed_first(report):
    data, _, page = report
    for problem in PROBLEMS:
        section = [r for r in rows(page, "data-case")
                   if r["data-case"] in problem["cases"]]
        got = {r["data-case"]: (int(r["data-passed"]), int(r["data-ran"])) for r in section}
        want = {}
        for name in problem["cases"]:
            runs = [c for s in data["students"] for c in s["results"][problem["slug"]]["cases"]
                    if c["name"] == name]
            want[name] = (sum(c["status"] == "pass" for c in runs), len(runs))
        assert got == want
        rates = [p / r for p, r in got.values()]
        assert rates == sorted(rates)  # the table's order: lowest pass rate first
    basic = {r["data-case"]: r["cells"] for r in rows(page, "data-case")}
    # s03 never loaded: 9 ran; value used twice failed by s02, s04, s07
    assert basic["value used twice"] == ["value used twice", "6", "9", "67%"]
    assert basic["add"] == ["add", "9", "9", "100%"]
    assert [r["data-case"] for r in rows(page, "data-case")][:2] == ["relu negative",
                                                                     "value used twice"]


def test_mistakes_are_counted_with_an_example_file(report):
    _, _, page = report
    mistakes = {r["data-mistake"]: (int(r["data-count"]), r["data-example"])
                for r in rows(page, "data-mistake")}
    assert mistakes == {GRAD_EQ: (3, "s02/basic-ops.py"), RELU: (2, "s06/basic-ops.py")}
    first = rows(page, "data-mistake")[0]
    assert first["data-mistake"] == GRAD_EQ  # most common first
    assert "s02/basic-ops.py (s02)" in first["cells"][3]


def test_slowest_and_every_crash_are_listed_with_their_message(report):
    data, _, page = report
    slow = rows(page, "data-seconds")
    assert slow[0]["data-file"] == "s05/topo-sort.py" and slow[0]["data-seconds"] == "30.5"
    seconds = [float(r["data-seconds"]) for r in slow]
    every = sorted((r["seconds"] for s in data["students"] for r in s["results"].values()
                    if r["seconds"] is not None), reverse=True)
    assert seconds == every[:classreport.SLOWEST]
    crashes = {(r["data-student"], r["data-problem"]): (r["data-status"], r["cells"][-1])
               for r in rows(page, "data-status")}
    assert crashes == {("s03", "basic-ops"): ("error", EVIL_MESSAGE),
                       ("s05", "topo-sort"): ("timeout", "long chain: time limit of 10 s hit"),
                       ("s08", "topo-sort"): ("error", "RecursionError")}


def test_student_table_has_each_score_and_total(report):
    data, _, page = report
    students = rows(page, "data-total")
    assert [r["data-student"] for r in students] == [s["id"] for s in data["students"]]
    for row, student in zip(students, data["students"], strict=True):
        assert float(row["data-total"]) == pytest.approx(student["score"], abs=0.005)
        assert row["cells"][1] == student["name"]
    s07 = next(r for r in students if r["data-student"] == "s07")
    assert s07["cells"][4] == "0 missing"  # neural-net: score, then the status


def test_histogram_tables_hold_the_chart_numbers(report):
    _, page_html, _ = report
    # basic-ops scores: 10 (x4), 7.5 (s02, s04, s06, s09), 5 (s07), 0 (s03: did not load)
    section = page_html.split('id="p-basic-ops"')[1].split("</section>")[0]
    bins = re.findall(r'<tr><th scope="row">([\d.]+)–([\d.]+)</th><td class="n">(\d+)</td>', section)
    counts = {(lo, hi): int(n) for lo, hi, n in bins}
    assert sum(counts.values()) == 10
    assert counts[("0", "1")] == 1 and counts[("5", "6")] == 1 and counts[("7", "8")] == 4
    assert counts[("9", "10")] == 4


def test_charts_are_accessible_inline_svg_with_the_numbers_in_text(report):
    _, page_html, page = report
    svgs = [a for t, a in page.elements if t == "svg"]
    assert len(svgs) == 1 + 3 + 3  # totals, a histogram and a failed-cases chart per problem
    for attrs in svgs:
        assert attrs["role"] == "img"
        assert f'<title id="{attrs["aria-labelledby"]}">' in page_html
    ids = [a["id"] for _, a in page.elements if "id" in a]
    assert len(ids) == len(set(ids)), "ids clash between charts"
    assert "relu negative" in page_html.split('id="c-basic-ops-cases-t"')[1].split("</svg>")[0]
    assert all(a.get("scope") in ("col", "row") for t, a in page.elements if t == "th")
    assert [t for t, _ in page.elements if t in ("h1",)] == ["h1"]


def test_nothing_is_loaded_from_anywhere_else(report):
    _, page_html, page = report
    for _, attrs in page.elements:
        for name in ("src", "href", "xlink:href", "action", "data"):
            value = attrs.get(name, "")
            assert not re.match(r"\s*(https?:|//|file:)", value, re.I), (name, value)
    anywhere = re.findall(r"https?://", page_html, re.I)
    namespaces = re.findall(r"""\sxmlns(?::xlink)?="https?://""", page_html)
    assert anywhere and len(anywhere) == len(namespaces), "a URL that is not an SVG namespace"
    assert "<script" not in page_html.lower() and "@import" not in page_html
    assert "default-src 'none'" in page_html


def test_learner_strings_are_escaped(report):
    _, page_html, page = report
    assert "<script" not in page_html.lower() and "<img" not in page_html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page_html
    assert [a for t, a in page.elements if t in ("script", "img")] == []
    s03 = next(r for r in rows(page, "data-total") if r["data-student"] == "s03")
    assert s03["cells"][1] == EVIL_NAME  # shown as text, exactly
    assert EVIL_FILE in "".join(page.text)
    assert "Autograd, spring &lt;term&gt;" in page_html


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "class.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=1))
    return path


@pytest.mark.parametrize(("change", "where", "what"), [
    (lambda d: d["students"][2]["results"]["topo-sort"].__setitem__("status", "passed"),
     "$.students[2].results['topo-sort'].status", "'passed' is not one of"),
    (lambda d: d["students"][0].pop("score"), "$.students[0]", "'score' is a required property"),
    (lambda d: d["problems"][1].__setitem__("points", -1), "$.problems[1].points", "minimum"),
    (lambda d: d["students"][4]["results"].pop("neural-net"), "$.students[4].results",
     "no result for problem 'neural-net'"),
    (lambda d: d["students"][1].__setitem__("id", "s01"), "$.students[1].id", "appears twice"),
])
def test_a_wrong_file_is_refused_naming_the_json_path(tmp_path, change, where, what):
    data = class_file()
    change(data)
    path = write(tmp_path, data)
    with pytest.raises(classreport.ReportError) as caught:
        classreport.load_class(path)
    message = str(caught.value)
    assert str(path) in message and f"{where}: " in message and what in message


def test_cli_says_what_is_wrong_and_exits_2(tmp_path):
    path = write(tmp_path, '{"format": "gradlab-class",\n "version": 1,,}')
    out = subprocess.run([sys.executable, "-m", "engine.cli", "report", str(path)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60, env=_env())
    assert out.returncode == 2
    assert out.stderr.startswith(f"gradlab: {path}:2:15: not JSON")
    assert not (tmp_path / "report.html").exists()


def test_without_matplotlib_it_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    with pytest.raises(classreport.ReportError) as caught:
        classreport.write_report(write(tmp_path, class_file()), tmp_path / "r.html")
    assert f"-m pip install '{classreport.MATPLOTLIB_PIN}'" in str(caught.value)
    assert "./scripts/setup" in str(caught.value)
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert pyproject["project"]["optional-dependencies"]["report"] == [classreport.MATPLOTLIB_PIN]


def test_percent_scoring_and_an_empty_class(tmp_path):
    data = class_file()
    data["scoring"] = "percent"
    data["students"] = []
    stats = classreport.summarize(classreport.load_class(write(tmp_path, data)))
    assert [p.max for p in stats.problems] == [100, 100, 100]
    assert stats.mean_total == 0 and stats.slowest == [] and stats.crashes == []
    page = classreport.render_html(stats, "class.json", classreport.Charts())
    assert "No submission crashed or timed out." in page


def test_the_same_file_gives_the_same_page(tmp_path):
    data = classreport.summarize(copy.deepcopy(class_file()))
    charts = classreport.Charts()
    assert classreport.render_html(data, "c.json", charts) == classreport.render_html(data, "c.json",
                                                                                      charts)


@pytest.mark.browser
def test_opens_from_disk_with_no_request_and_fits_a_phone(report, browser, tmp_path):
    _, page_html, _ = report
    path = tmp_path / "report.html"
    path.write_text(page_html)
    requests: list[str] = []
    errors: list[str] = []
    for width in (1280, 375):
        context = browser.new_context(viewport={"width": width, "height": 800})
        page = context.new_page()
        page.on("request", lambda r: requests.append(r.url))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(path.as_uri())
        assert page.locator("h1").inner_text() == "Class report: Autograd, spring <term>"
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the page scrolls sideways at {width}px"
        assert errors == []
        context.close()
    assert requests == [path.as_uri()] * 2


AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"  # pinned in package.json (test_site_a11y)


@pytest.mark.browser
def test_no_wcag_violations_at_desktop_and_phone_width(report, browser, tmp_path):
    if not AXE.exists():
        pytest.skip("axe-core not installed (npm ci)")
    path = tmp_path / "report.html"
    path.write_text(report[1])
    found = []
    for width in (1280, 375):
        # bypass_csp: the page's own policy rightly refuses the injected axe script
        context = browser.new_context(viewport={"width": width, "height": 800}, bypass_csp=True)
        page = context.new_page()
        page.goto(path.as_uri())
        page.add_script_tag(path=str(AXE))
        found += [(width, v["id"], [n["html"][:120] for n in v["nodes"][:3]]) for v in page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
            ".then(r => r.violations)", ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])]
        context.close()
    assert found == []
