"""``gradlab report CLASS.json``: a class's results as one HTML page that shows what to re-teach.

It reads only the class results file (engine/schemas/class.schema.json, what ``gradlab grade
--class DIR --format json`` writes), checks it against that schema, and writes one page with
everything inline: no script, no font, no image or style from anywhere else (its
Content-Security-Policy forbids any request), so it opens from disk, by mail or on a USB stick.

Per problem: a histogram of scores, each case's pass rate (most failed first), the diagnosed
mistakes with an example file each; then every crash and timeout with its message, the slowest
submissions, and one row per student. Every chart's numbers are in a table beside it too.

Charts: matplotlib, drawn to inline SVG. Static SVG needs no JavaScript runtime to open from
disk, stays sharp at any zoom, and (with ``svg.fonttype = none``) embeds no fonts, so a chart is a
few kB; matplotlib is a long-maintained, widely used library. Vega-Lite/Altair would make
interactive charts, but only by running the vega JavaScript libraries in the page, which would
have to be inlined (hundreds of kB) for the page to render offline. matplotlib is an optional
extra (``report``): grading does not need it, and without it ``gradlab report`` says how to install it.

Everything that comes from learners (names, ids, file names, messages) is HTML-escaped.
"""

from __future__ import annotations

import html
import io
import json
import re
import statistics
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema.validators import Draft202012Validator

SCHEMA_PATH = Path(__file__).parents[1] / "schemas" / "class.schema.json"
MATPLOTLIB_PIN = "matplotlib==3.11.2"  # keep in step with pyproject.toml's `report` extra
SLOWEST = 10  # rows in "slowest submissions"
CHART_CASES = 12  # the most-failed cases drawn per problem (the table lists them all)
BINS = 10  # score histogram bins per problem
MAX_ERRORS = 5  # schema errors listed before "and N more"
CRASHED = ("error", "timeout")


class ReportError(Exception):
    """A class file that cannot be reported on; the message names the file and the JSON path."""


# --- reading ---------------------------------------------------------------------------------

def _json_path(*parts: str | int) -> str:
    """A JSON path in jsonschema's spelling ($.students[2].results['basic-ops'])."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            out += "." + part
        else:
            out += "[" + repr(part) + "]"
    return out


def load_class(path: Path) -> dict[str, Any]:
    """The class results, valid against the schema and consistent (every student has a result
    for every problem), or a ReportError listing what is wrong where."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(f"{path}: cannot read it as UTF-8 text: {exc}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReportError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    validator = Draft202012Validator(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    problems = [f"{e.json_path}: {e.message}"
                for e in sorted(validator.iter_errors(data), key=lambda e: e.json_path)]
    if not problems:
        problems = _inconsistencies(data)
    if problems:
        more = len(problems) - MAX_ERRORS
        lines = problems[:MAX_ERRORS] + ([f"... and {more} more"] if more > 0 else [])
        raise ReportError(f"{path} is not a valid class results file ({SCHEMA_PATH.name}):\n  "
                          + "\n  ".join(lines))
    return data


def _inconsistencies(data: dict[str, Any]) -> list[str]:
    """What the schema cannot say: unique slugs and ids, and results for exactly the problems."""
    found: list[str] = []
    slugs: list[str] = []
    for i, problem in enumerate(data["problems"]):
        if problem["slug"] in slugs:
            found.append(f"{_json_path('problems', i, 'slug')}: {problem['slug']!r} appears twice")
        slugs.append(problem["slug"])
    ids: set[str] = set()
    for i, student in enumerate(data["students"]):
        if student["id"] in ids:
            found.append(f"{_json_path('students', i, 'id')}: {student['id']!r} appears twice")
        ids.add(student["id"])
        found += [f"{_json_path('students', i, 'results')}: no result for problem {slug!r}"
                  for slug in slugs if slug not in student["results"]]
        found += [f"{_json_path('students', i, 'results', slug)}: not a problem in $.problems"
                  for slug in student["results"] if slug not in slugs]
    return found


# --- the numbers -----------------------------------------------------------------------------

@dataclass
class CaseStats:
    name: str
    passed: int  # students whose run of this case passed
    ran: int  # students whose file got as far as running it (not missing, loaded)

    @property
    def rate(self) -> float:
        return self.passed / self.ran if self.ran else 0.0


@dataclass
class MistakeStats:
    title: str
    basis: str
    count: int
    example_file: str | None  # the first student's (by id) file with it
    example_student: str


@dataclass
class ProblemStats:
    slug: str
    title: str
    max: float
    scores: list[float]  # one per student, in student order (missing scores 0)
    statuses: Counter[str]
    cases: list[CaseStats]  # lowest pass rate first
    mistakes: list[MistakeStats]  # most common first
    bins: list[tuple[float, float, int]]  # (low, high, students), last bin includes high

    @property
    def solved(self) -> int:
        return self.statuses["pass"]

    @property
    def submitted(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != "missing")


@dataclass
class Timing:
    student: str
    problem: str
    file: str | None
    seconds: float
    status: str


@dataclass
class Crash:
    student: str
    name: str
    problem: str
    file: str | None
    status: str
    message: str


@dataclass
class ClassStats:
    course: str | None
    scoring: str
    problems: list[ProblemStats]
    students: list[dict[str, Any]]
    totals: list[float]
    max_total: float
    slowest: list[Timing] = field(default_factory=list)
    crashes: list[Crash] = field(default_factory=list)

    @property
    def mean_total(self) -> float:
        return statistics.fmean(self.totals) if self.totals else 0.0

    @property
    def median_total(self) -> float:
        return statistics.median(self.totals) if self.totals else 0.0


def _bins(scores: list[float], top: float) -> list[tuple[float, float, int]]:
    """BINS equal bins over [0, top]; a score of exactly `top` counts in the last one."""
    if top <= 0:
        return [(0.0, 0.0, len(scores))]
    width = top / BINS
    counts = [0] * BINS
    for score in scores:
        counts[min(int(score / width), BINS - 1)] += 1
    return [(i * width, (i + 1) * width, n) for i, n in enumerate(counts)]


def summarize(data: dict[str, Any]) -> ClassStats:
    """Every number the page shows, from a loaded class file (see load_class)."""
    students = data["students"]
    stats = []
    for problem in data["problems"]:
        slug = problem["slug"]
        top = 100.0 if data["scoring"] == "percent" else float(problem["points"])
        results = [s["results"][slug] for s in students]
        cases = {name: CaseStats(name, 0, 0) for name in problem["cases"]}
        mistakes: dict[str, MistakeStats] = {}
        for student, result in zip(students, results, strict=True):
            for case in result["cases"]:
                entry = cases.setdefault(case["name"], CaseStats(case["name"], 0, 0))
                entry.ran += 1
                entry.passed += case["status"] == "pass"
            if result["diagnosis"]:
                title = result["diagnosis"]["title"]
                if title in mistakes:
                    mistakes[title].count += 1
                else:
                    mistakes[title] = MistakeStats(title, result["diagnosis"]["basis"], 1,
                                                   result["file"], student["id"])
        order = {name: i for i, name in enumerate(cases)}
        scores = [float(r["score"]) for r in results]
        stats.append(ProblemStats(
            slug=slug, title=problem["title"], max=top, scores=scores,
            statuses=Counter(r["status"] for r in results),
            cases=sorted((c for c in cases.values() if c.ran),
                         key=lambda c: (c.rate, order[c.name])),
            mistakes=sorted(mistakes.values(), key=lambda m: -m.count),
            bins=_bins(scores, top)))
    timings, crashes = [], []
    for student in students:
        for problem in data["problems"]:
            result = student["results"][problem["slug"]]
            if result["seconds"] is not None:
                timings.append(Timing(student["id"], problem["slug"], result["file"],
                                      float(result["seconds"]), result["status"]))
            if result["status"] in CRASHED:
                crashes.append(Crash(student["id"], student["name"], problem["slug"],
                                     result["file"], result["status"], result["message"]))
    timings.sort(key=lambda t: -t.seconds)  # stable: ties stay in student, problem order
    return ClassStats(course=data.get("course"), scoring=data["scoring"], problems=stats,
                      students=students, totals=[float(s["score"]) for s in students],
                      max_total=sum(p.max for p in stats), slowest=timings[:SLOWEST],
                      crashes=crashes)


# --- charts ----------------------------------------------------------------------------------

def _matplotlib() -> Any:
    try:
        import matplotlib
        from matplotlib.figure import Figure  # noqa: F401  (fails early if the install is broken)
    except ImportError:
        raise ReportError(
            "the class report draws its charts with matplotlib, which is not installed. Install "
            "it with ./scripts/setup (it installs the `report` extra), or run: "
            f"{sys.executable} -m pip install '{MATPLOTLIB_PIN}'") from None
    return matplotlib


INK, BAR, GRID = "#1f2933", "#2f6690", "#d9dee3"


class Charts:
    """Inline SVG charts, each drawn and saved inside one rc_context (matplotlib reads rcParams
    when it makes each text and tick, so the style must hold for the whole chart)."""

    def __init__(self) -> None:
        self.mpl = _matplotlib()
        from matplotlib.figure import Figure
        self.Figure = Figure  # no pyplot: no global figure state, no GUI backend to pick

    @contextmanager
    def _chart(self, chart_id: str, width: float, height: float) -> Iterator[tuple[Any, Any]]:
        rc = {"font.size": 10.5, "svg.fonttype": "none", "text.parse_math": False,
              "font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans", "Arial"],  # short CSS
              # ids from a hash of this salt, not uuid4: the same file gives the same page, and
              # every chart's clip-path and marker ids differ from the others' on the page
              "svg.hashsalt": chart_id}
        with self.mpl.rc_context(rc):
            fig = self.Figure(figsize=(width, height))
            ax = fig.add_subplot()
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
            ax.tick_params(colors=INK)
            yield fig, ax

    def _svg(self, fig: Any, chart_id: str, title: str) -> str:
        """The figure as an <svg> to put in HTML, titled for screen readers."""
        buf = io.StringIO()
        fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
        svg = buf.getvalue()
        svg = svg[svg.index("<svg"):]  # no XML declaration or DOCTYPE inside HTML
        svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)  # RDF with URLs
        svg = re.sub(r'<g id="[^"]*"', "<g", svg)  # figure_1, axes_1...: would repeat per chart
        head_end = svg.index(">") + 1
        return (svg[:head_end].replace("<svg ", f'<svg role="img" aria-labelledby="{chart_id}-t" ', 1)
                + f'<title id="{chart_id}-t">{_e(title)}</title>' + svg[head_end:])

    def histogram(self, chart_id: str, title: str, bins: list[tuple[float, float, int]],
                  xlabel: str) -> str:
        """Pre-binned (the table beside it shows the same bins), drawn as matplotlib bars."""
        chart_id = "c-" + chart_id  # apart from the page's own ids (p-<slug>, overview...)
        with self._chart(chart_id, 5.6, 2.6) as (fig, ax):
            edges = [b[0] for b in bins] + [bins[-1][1]]
            if edges[0] == edges[-1]:  # a problem worth 0 points: one bar
                edges[-1] = 1.0
            ax.bar(edges[:-1], [b[2] for b in bins], width=(edges[-1] - edges[0]) / len(bins),
                   align="edge", color=BAR, edgecolor="white", linewidth=1)
            ax.set_xlim(edges[0], edges[-1])
            ax.set_xlabel(xlabel, color=INK)
            ax.set_ylabel("students", color=INK)
            ax.yaxis.get_major_locator().set_params(integer=True)
            ax.grid(axis="y", color=GRID, linewidth=0.6)
            ax.set_axisbelow(True)
            return self._svg(fig, chart_id, title)

    def pass_rates(self, chart_id: str, title: str, cases: list[CaseStats]) -> str:
        """Horizontal bars, most-failed case on top, each labelled with its rate and counts."""
        chart_id = "c-" + chart_id
        with self._chart(chart_id, 6.6, 0.36 * len(cases) + 0.8) as (fig, ax):
            names = [c.name if len(c.name) <= 48 else c.name[:47] + "…" for c in cases]
            ys = list(range(len(cases)))
            ax.barh(ys, [100 * c.rate for c in cases], color=BAR, height=0.7)
            ax.set_yticks(ys, names)
            ax.invert_yaxis()
            ax.set_xlim(0, 100)
            ax.set_xlabel("% of students who ran the case and passed it", color=INK)
            ax.grid(axis="x", color=GRID, linewidth=0.6)
            ax.set_axisbelow(True)
            for y, case in zip(ys, cases, strict=True):
                ax.annotate(f"{100 * case.rate:.0f}% ({case.passed}/{case.ran})",
                            (100 * case.rate, y), xytext=(3, 0), textcoords="offset points",
                            va="center", fontsize="small", color=INK)
            return self._svg(fig, chart_id, title)


# --- the page --------------------------------------------------------------------------------

def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(x: float) -> str:
    """12, 12.5, 12.33: no float noise."""
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def _file(path: str | None) -> str:
    return f"<code>{_e(path)}</code>" if path else '<span class="dim">no file</span>'


def _status(status: str) -> str:
    return f'<span class="st st-{_e(status)}">{_e(status)}</span>'


def _table(caption: str, head: list[str], rows: list[str], numeric: tuple[int, ...] = ()) -> str:
    """A captioned table (column headers scoped; `numeric` columns' right-aligned) in a
    keyboard-scrollable region, so a wide table scrolls on a phone instead of the page."""
    ths = "".join(f'<th scope="col" class="n">{h}</th>' if i in numeric else f'<th scope="col">{h}</th>'
                  for i, h in enumerate(head))
    return (f'<div class="scroll" role="region" tabindex="0" aria-label="{_e(caption)}">'
            f'<table><caption>{_e(caption)}</caption><thead><tr>{ths}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>")


def _figure(svg: str, caption: str) -> str:
    return f'<figure class="chart">{svg}<figcaption>{caption}</figcaption></figure>'


CSS = """
:root{color-scheme:light;--ink:#1f2933;--dim:#52606d;--line:#d9dee3;--bg:#f7f9fa;--accent:#2f6690}
*{box-sizing:border-box}
body{margin:0;background:#fff;color:var(--ink);
  font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
header,main,footer{max-width:72rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem}
h1{font-size:1.6rem;margin:.5rem 0}
h2{font-size:1.3rem;margin:2.2rem 0 .6rem;padding-top:.8rem;border-top:2px solid var(--line)}
h3{font-size:1.05rem;margin:1.4rem 0 .4rem}
nav ul{display:flex;flex-wrap:wrap;gap:.3rem 1rem;list-style:none;padding:0;margin:.4rem 0}
a{color:var(--accent)}
.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.6rem;margin:1rem 0;padding:0}
.stats div{background:var(--bg);border:1px solid var(--line);border-radius:6px;padding:.5rem .8rem}
.stats dt{font-size:.85rem;color:var(--dim)}
.stats dd{margin:0;font-size:1.4rem;font-weight:600}
.scroll{overflow-x:auto;margin:.5rem 0 1rem}
.scroll:focus{outline:2px solid var(--accent)}
table{border-collapse:collapse;font-size:.92rem;min-width:50%}
caption{text-align:left;font-weight:600;padding:.3rem 0;color:var(--dim)}
th,td{border-bottom:1px solid var(--line);padding:.3rem .6rem;text-align:left;vertical-align:top}
thead th{background:var(--bg)}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.msg{min-width:16rem;overflow-wrap:anywhere}
code{font-size:.88em;overflow-wrap:anywhere}
.dim{color:var(--dim)}
.st{display:inline-block;padding:0 .4rem;border-radius:4px;font-size:.82rem;font-weight:600}
.st-pass{background:#dff3e4;color:#17532a}.st-fail{background:#fde8d7;color:#7a3208}
.st-error{background:#fbe0e0;color:#8a1c1c}.st-timeout{background:#efe3f7;color:#5b2380}
.st-missing{background:#eceff1;color:#3e4c59}
figure.chart{margin:.5rem 0}
figure.chart svg{max-width:100%;height:auto}
figcaption{font-size:.85rem;color:var(--dim)}
.pair{display:flex;flex-wrap:wrap;gap:1rem 2.5rem;align-items:flex-start}
@media (max-width:48rem){body{font-size:15px}}
footer{color:var(--dim);font-size:.85rem;padding:2rem 1rem}
"""
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def render_html(stats: ClassStats, source: str, charts: Charts) -> str:
    """The whole page; `source` is the class file's name, for the footer."""
    course = stats.course or "Gradlab"
    unit = "%" if stats.scoring == "percent" else "points"
    nav = "".join(f'<li><a href="#p-{_e(p.slug)}">{_e(p.title)}</a></li>' for p in stats.problems)
    body = [
        "<header>",
        f"<h1>Class report: {_e(course)}</h1>",
        f'<p class="dim">{len(stats.students)} students, {len(stats.problems)} problems, scored in '
        f"{unit}. Made by <code>gradlab report</code> from <code>{_e(source)}</code>.</p>",
        '<nav aria-label="Sections"><ul><li><a href="#overview">Overview</a></li>'
        f'{nav}<li><a href="#crashes">Crashes and timeouts</a></li>'
        '<li><a href="#slowest">Slowest</a></li><li><a href="#students">Students</a></li></ul></nav>',
        "</header><main>",
        _overview(stats, charts),
        *(_problem(p, i, charts) for i, p in enumerate(stats.problems, 1)),
        _crashes(stats), _slowest(stats), _students(stats),
        "</main>",
        '<footer>Case pass rates count the students whose file ran that case (not missing, and '
        "loaded). Missing problems score 0 in the histograms and totals.</footer>",
    ]
    return ("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
            f"<title>Class report: {_e(course)}</title><style>{CSS}</style></head>\n<body>"
            + "\n".join(body) + "\n</body></html>\n")


def _overview(stats: ClassStats, charts: Charts) -> str:
    n = len(stats.students)
    out_of = _num(stats.max_total)
    tiles = [("students", str(n)), ("mean total", f"{_num(stats.mean_total)} / {out_of}"),
             ("median total", f"{_num(stats.median_total)} / {out_of}")]
    tiles += [(f"solved {p.title}", f"{p.solved} / {n}") for p in stats.problems]
    dl = "".join(f'<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>' for k, v in tiles)
    rows = []
    for p in stats.problems:
        crashed = sum(p.statuses[s] for s in CRASHED)
        mean = statistics.fmean(p.scores) if p.scores else 0.0
        rows.append(
            f'<tr data-problem="{_e(p.slug)}" data-solved="{p.solved}" data-submitted="{p.submitted}">'
            f'<th scope="row"><a href="#p-{_e(p.slug)}">{_e(p.title)}</a></th>'
            f'<td class="n">{p.solved}</td><td class="n">{p.submitted}</td>'
            f'<td class="n">{p.statuses["fail"]}</td><td class="n">{crashed}</td>'
            f'<td class="n">{p.statuses["missing"]}</td>'
            f'<td class="n">{_num(mean)} / {_num(p.max)}</td></tr>')
    table = _table("Each problem: how many students solved it (passed every case); crashed: "
                   "raised, could not load or timed out",
                   ["problem", "solved", "submitted", "failed",
                    "crashed", "missing", "mean score"], rows, numeric=(1, 2, 3, 4, 5, 6))
    bins = _bins(stats.totals, stats.max_total)
    title = f"Total scores of {n} students (out of {out_of})"
    svg = charts.histogram("totals", title, bins, f"total score (out of {out_of})")
    return (f'<section id="overview" aria-labelledby="overview-h"><h2 id="overview-h">Overview</h2>'
            f'<dl class="stats" data-students="{n}" data-mean="{_num(stats.mean_total)}" '
            f'data-median="{_num(stats.median_total)}">{dl}</dl>{table}'
            + _figure(svg, f"{_e(title)}: {_bin_text(bins)}.") + "</section>")


def _bin_text(bins: list[tuple[float, float, int]]) -> str:
    return "; ".join(f"{_num(lo)}–{_num(hi)}: {n}" for lo, hi, n in bins)


def _problem(p: ProblemStats, index: int, charts: Charts) -> str:
    sid = f"p-{p.slug}"
    n = len(p.scores)
    counts = ", ".join(f"{p.statuses[s]} {s}" for s in ("pass", "fail", "error", "timeout", "missing")
                       if p.statuses[s])
    parts = [f'<section id="{_e(sid)}" aria-labelledby="{_e(sid)}-h" data-problem="{_e(p.slug)}" '
             f'data-solved="{p.solved}">',
             f'<h2 id="{_e(sid)}-h">{index}. {_e(p.title)} <code>{_e(p.slug)}</code></h2>',
             f"<p>Solved by <strong>{p.solved} of {n}</strong> students ({_e(counts)}).</p>",
             "<h3>Scores</h3>"]
    title = f"{p.title}: scores of {n} students (out of {_num(p.max)})"
    svg = charts.histogram(f"{p.slug}-hist", title, p.bins, f"score (out of {_num(p.max)})")
    bin_rows = [f'<tr><th scope="row">{_num(lo)}–{_num(hi)}</th><td class="n">{c}</td></tr>'
                for lo, hi, c in p.bins]
    parts.append('<div class="pair">' + _figure(svg, _e(title) + ".")
                 + _table(f"{p.title}: students per score range", ["score", "students"],
                          bin_rows, numeric=(1,)) + "</div>")
    parts.append("<h3>Cases the class fails most</h3>")
    failing = [c for c in p.cases if c.passed < c.ran]
    if failing:
        shown = failing[:CHART_CASES]
        title = (f"{p.title}: pass rate of the {len(shown)} most-failed cases"
                 if len(failing) > len(shown) else f"{p.title}: pass rate of each failed case")
        parts.append(_figure(charts.pass_rates(f"{p.slug}-cases", title, shown),
                             f"{_e(title)}; every case is in the table below."))
    elif p.cases:
        parts.append("<p>Everyone who ran a case passed it.</p>")
    rows = [f'<tr data-case="{_e(c.name)}" data-passed="{c.passed}" data-ran="{c.ran}">'
            f'<th scope="row">{_e(c.name)}</th><td class="n">{c.passed}</td><td class="n">{c.ran}</td>'
            f'<td class="n">{100 * c.rate:.0f}%</td></tr>' for c in p.cases]
    parts.append(_table(f"{p.title}: every case, lowest pass rate first",
                        ["case", "passed", "ran", "pass rate"], rows, numeric=(1, 2, 3)) if rows
                 else "<p>No submission ran a case.</p>")
    parts.append("<h3>Diagnosed mistakes</h3>")
    if p.mistakes:
        rows = [f'<tr data-mistake="{_e(m.title)}" data-count="{m.count}" '
                f'data-example="{_e(m.example_file or "")}"><th scope="row">{_e(m.title)}</th>'
                f'<td>{_e(m.basis)}</td><td class="n">{m.count}</td>'
                f"<td>{_file(m.example_file)} <span class=\"dim\">({_e(m.example_student)})</span></td></tr>"
                for m in p.mistakes]
        parts.append(_table(f"{p.title}: mistakes the grader named, most common first",
                            ["mistake", "basis", "students", "example file (student)"], rows,
                            numeric=(2,)))
    else:
        parts.append("<p>No mistake was diagnosed.</p>")
    return "\n".join(parts) + "</section>"


def _crashes(stats: ClassStats) -> str:
    head = ('<section id="crashes" aria-labelledby="crashes-h">'
            '<h2 id="crashes-h">Crashes and timeouts</h2>')
    if not stats.crashes:
        return head + "<p>No submission crashed or timed out.</p></section>"
    rows = [f'<tr data-status="{_e(c.status)}" data-student="{_e(c.student)}" data-problem="{_e(c.problem)}">'
            f'<th scope="row">{_e(c.student)}<br><span class="dim">{_e(c.name)}</span></th>'
            f"<td><code>{_e(c.problem)}</code></td><td>{_status(c.status)}</td>"
            f'<td>{_file(c.file)}</td><td class="msg">{_e(c.message)}</td></tr>'
            for c in stats.crashes]
    return head + _table(f"{len(stats.crashes)} submissions that raised, could not load or hit a "
                         "time limit", ["student", "problem", "status", "file", "message"],
                         rows) + "</section>"


def _slowest(stats: ClassStats) -> str:
    head = '<section id="slowest" aria-labelledby="slowest-h"><h2 id="slowest-h">Slowest submissions</h2>'
    if not stats.slowest:
        return head + "<p>No timings recorded.</p></section>"
    rows = [f'<tr data-file="{_e(t.file or "")}" data-seconds="{t.seconds}">'
            f'<th scope="row">{_e(t.student)}</th><td><code>{_e(t.problem)}</code></td>'
            f'<td>{_file(t.file)}</td><td class="n">{t.seconds:.2f}</td><td>{_status(t.status)}</td></tr>'
            for t in stats.slowest]
    return (head + _table(f"The {len(rows)} longest gradings (wall-clock seconds)",
                         ["student", "problem", "file", "seconds", "status"], rows, numeric=(3,))
            + "</section>")


def _students(stats: ClassStats) -> str:
    def out_of(label: str, top: float) -> str:
        return f'{_e(label)}<br><span class="dim">/ {_num(top)}</span>'

    head = ["ID", "name", *(out_of(p.title, p.max) for p in stats.problems),
            out_of("total", stats.max_total)]
    rows = []
    for student in stats.students:
        cells = []
        for p in stats.problems:
            r = student["results"][p.slug]
            mark = "" if r["status"] == "pass" else " " + _status(r["status"])
            cells.append(f'<td class="n" data-score="{_num(r["score"])}">{_num(r["score"])}{mark}</td>')
        rows.append(f'<tr data-student="{_e(student["id"])}" data-total="{_num(student["score"])}">'
                    f'<th scope="row">{_e(student["id"])}</th><td>{_e(student["name"])}</td>'
                    f'{"".join(cells)}<td class="n"><strong>{_num(student["score"])}</strong></td></tr>')
    return ('<section id="students" aria-labelledby="students-h"><h2 id="students-h">Students</h2>'
            + _table(f"{len(rows)} students: score per problem (status when not solved) and total",
                     head, rows, numeric=tuple(range(2, len(head)))) + "</section>")


def write_report(source: Path, out: Path) -> ClassStats:
    """Read and check `source`, write the page to `out`; the numbers, for the CLI's summary."""
    data = load_class(source)
    charts = Charts()  # before summarizing: a missing matplotlib is said first
    stats = summarize(data)
    out.write_text(render_html(stats, source.name, charts), encoding="utf-8")
    return stats


__all__ = ["ClassStats", "ReportError", "load_class", "render_html", "summarize", "write_report"]
