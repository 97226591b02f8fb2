"""Read a problem folder and validate it, collecting every mistake as ``path:line: message``.

A problem folder (see docs/authoring.md for the full schema)::

    problem.toml        title, difficulty, order, time_limit, ops
    statement.md        the statement, Markdown with $...$ math
    starter.py          what the learner's editor starts with
    reference.py        the instructor's solution (never shipped to the site)
    cases/*.toml        one case per file: kind = "data" | "script" | "generated"
    solutions/correct/*.py, solutions/wrong/*.py
"""

from __future__ import annotations

import difflib
import keyword
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DIFFICULTIES = ("easy", "medium", "hard")
VISIBILITIES = ("visible", "hidden")
CASE_KINDS = ("data", "script", "generated")
# Operations a generated case may use; the problem's `ops` lists the ones its statement asks for.
KNOWN_OPS = ("+", "*", "+num", "*num", "relu", "-", "-num", "neg", "/", "/num", "**",
             "num+", "num*", "num-", "num/", "tanh", "exp", "log", "sigmoid")
RESERVED_NAMES = {"Value", "record", "result"}
DEFAULT_TOLERANCE = {"rel": 1e-9, "abs": 1e-9}
DEFAULT_TIME_LIMIT = 5.0

PROBLEM_KEYS = {"title", "hints", "difficulty", "order", "time_limit", "ops", "summary", "statement",
                "starter", "reference"}
COMMON_CASE_KEYS = {"name", "kind", "visibility", "hint", "hints", "on_fail", "tolerance",
                    "time_limit"}
CASE_KEYS = {
    "data": COMMON_CASE_KEYS | {"values", "steps", "expression", "expected", "record"},
    "script": COMMON_CASE_KEYS | {"script", "expected"},
    "generated": COMMON_CASE_KEYS | {"seed", "count", "ops", "nodes", "leaves"},
}


@dataclass(frozen=True)
class ProblemIssue:
    """One thing wrong with a problem file, located for the instructor."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


class ProblemError(Exception):
    """A problem that cannot be used; carries every issue found, not only the first."""

    def __init__(self, issues: list[ProblemIssue]) -> None:
        self.issues = issues
        super().__init__("\n".join(map(str, issues)))


@dataclass
class CaseFile:
    id: str
    path: Path
    data: dict[str, Any]
    source: str

    def line_of(self, *keys: str) -> int:
        return line_of(self.source, *keys)


@dataclass
class Problem:
    slug: str
    root: Path
    title: str
    difficulty: str
    order: int
    time_limit: float
    ops: list[str]
    summary: str
    statement: str
    starter: str
    reference: str
    hints: list[str] = field(default_factory=list)  # the problem's own ladder
    cases: list[CaseFile] = field(default_factory=list)

    def solutions(self, kind: str) -> list[Path]:
        """``kind`` is "correct" or "wrong"; sorted so reports are stable."""
        return sorted((self.root / "solutions" / kind).glob("*.py"))


def line_of(source: str, *keys: str) -> int:
    """Best-effort line of a key path such as ("expected", "grad", "a") in a TOML file.

    tomllib gives no positions, so look for the table header of the longest matching prefix
    (``[expected.grad]``) and then for ``a =`` inside that table; 1 when nothing matches.
    """
    lines = source.splitlines()
    headers = [(i, m.group(1).replace(" ", "").replace('"', ""))
               for i, text in enumerate(lines)
               if (m := re.match(r"^\s*\[+([^\]]+)\]+", text))]
    full = ".".join(keys)
    for i, name in headers:
        if name == full:
            return i + 1
    for depth in range(len(keys) - 1, -1, -1):
        prefix = ".".join(keys[:depth])
        if depth == 0:
            start, end = 0, headers[0][0] if headers else len(lines)
        else:
            found = [i for i, name in headers if name == prefix]
            if not found:
                continue
            start = found[0] + 1
            end = next((i for i, _ in headers if i > found[0]), len(lines))
        key = re.escape(keys[depth])
        for i in range(start, end):
            if re.match(rf'^\s*"?{key}"?\s*=', lines[i]):
                return i + 1
    return 1


class _Collector:
    """Gathers issues for one file so validation can go on after the first mistake."""

    def __init__(self, issues: list[ProblemIssue], path: Path, source: str) -> None:
        self.issues, self.path, self.source = issues, path, source

    def add(self, message: str, *keys: str, line: int | None = None) -> None:
        self.issues.append(ProblemIssue(self.path, line or line_of(self.source, *keys), message))

    def unknown_keys(self, data: dict[str, Any], allowed: set[str], where: str) -> None:
        for key in data:
            if key not in allowed:
                close = difflib.get_close_matches(key, sorted(allowed), n=1)
                tip = f" (did you mean `{close[0]}`?)" if close else ""
                self.add(f"unknown key `{key}` in {where}{tip}; allowed: "
                         f"{', '.join(sorted(allowed))}", key)

    def string(self, data: dict[str, Any], key: str, required: bool = False) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.add(f"missing required key `{key}` (a string)", key, line=1)
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(f"`{key}` must be a non-empty string, got {value!r}", key)
            return None
        return value

    def hint_ladder(self, data: dict[str, Any]) -> list[str]:
        """``hints = ["concept", "direction", "specific", "code"]``: revealed one at a time."""
        hints = data.get("hints", [])
        if not isinstance(hints, list) or not all(isinstance(h, str) and h.strip() for h in hints):
            self.add("`hints` must be a list of non-empty strings, from the most general to the "
                     "most specific (concept, direction, specific, code)", "hints")
            return []
        if len(hints) > 6:
            self.add(f"`hints` has {len(hints)} levels: keep the ladder to at most 6", "hints")
        return hints

    def number(self, value: Any, label: str, *keys: str) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.add(f"{label} must be a number, got {type(value).__name__} {value!r}", *keys)
            return None
        if value != value or value in (float("inf"), float("-inf")):
            self.add(f"{label} must be a finite number, got {value!r}", *keys)
            return None
        return value

    def choice(self, data: dict[str, Any], key: str, choices: tuple[str, ...], default: str) -> str:
        value = data.get(key, default)
        if value not in choices:
            self.add(f"`{key}` must be one of {', '.join(map(repr, choices))}, got {value!r}", key)
            return default
        return value

    def positive_time(self, data: dict[str, Any], key: str, default: float) -> float:
        value = data.get(key, default)
        if self.number(value, f"`{key}`", key) is None or not 0 < value <= 600:
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                self.add(f"`{key}` must be between 0 and 600 seconds, got {value!r}", key)
            return default
        return float(value)

    def ops(self, data: dict[str, Any], key: str) -> list[str]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(o, str) for o in value):
            self.add(f"`{key}` must be a list of operation names, e.g. [\"+\", \"*\", \"relu\"]", key)
            return []
        for op in value:
            if op not in KNOWN_OPS:
                self.add(f"unknown operation {op!r} in `{key}`; known: {', '.join(KNOWN_OPS)}", key)
        return [op for op in value if op in KNOWN_OPS]


def read_toml(path: Path, issues: list[ProblemIssue]) -> tuple[dict[str, Any] | None, str]:
    """Parse a TOML file; a syntax error becomes an issue at the line tomllib names."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        issues.append(ProblemIssue(path, 1, f"cannot read the file: {exc}"))
        return None, ""
    try:
        return tomllib.loads(source), source
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else 1
        issues.append(ProblemIssue(path, line, f"invalid TOML: {exc}"))
        return None, source


def _read_text(path: Path, issues: list[ProblemIssue], what: str) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        issues.append(ProblemIssue(path, 1, f"missing {what}: create this file"))
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        issues.append(ProblemIssue(path, 1, f"cannot read {what}: {exc}"))
        return ""
    if not text.strip():
        issues.append(ProblemIssue(path, 1, f"{what} is empty"))
    return text


def load_problem(root: Path) -> Problem:
    """Read and validate a problem folder; raises ProblemError listing every issue found."""
    root = Path(root)
    issues: list[ProblemIssue] = []
    meta_path = root / "problem.toml"
    if not root.is_dir():
        raise ProblemError([ProblemIssue(root, 1, "not a problem folder (no such directory)")])
    if not meta_path.is_file():
        raise ProblemError([ProblemIssue(meta_path, 1, "missing problem.toml: every problem "
                                         "needs one (title, difficulty, order)")])
    meta, source = read_toml(meta_path, issues)
    meta = meta or {}
    c = _Collector(issues, meta_path, source)
    c.unknown_keys(meta, PROBLEM_KEYS, "problem.toml")
    title = c.string(meta, "title", required=True) or root.name
    difficulty = c.choice(meta, "difficulty", DIFFICULTIES, "medium")
    order = meta.get("order", 0)
    if isinstance(order, bool) or not isinstance(order, int):
        c.add(f"`order` must be an integer, got {order!r}", "order")
        order = 0
    time_limit = c.positive_time(meta, "time_limit", DEFAULT_TIME_LIMIT)
    ops = c.ops(meta, "ops")
    hints = c.hint_ladder(meta)
    summary = meta.get("summary", "")
    if not isinstance(summary, str):
        c.add("`summary` must be a string", "summary")
        summary = ""
    files = {}
    for key, default, what in (("statement", "statement.md", "statement"),
                               ("starter", "starter.py", "starter code"),
                               ("reference", "reference.py", "reference solution")):
        name = meta.get(key, default)
        if not isinstance(name, str):
            c.add(f"`{key}` must be a file name, got {name!r}", key)
            name = default
        files[key] = _read_text(root / name, issues, what)
    problem = Problem(slug=root.name, root=root, title=title, difficulty=difficulty, order=order,
                      time_limit=time_limit, ops=ops, summary=summary, hints=hints, **files)
    case_paths = sorted((root / "cases").glob("*.toml"))
    if not case_paths:
        issues.append(ProblemIssue(root / "cases", 1, "no cases: add at least one cases/*.toml"))
    names: dict[str, Path] = {}
    for path in case_paths:
        case = _load_case(path, problem, issues)
        if case is None:
            continue
        name = case.data.get("name")
        if isinstance(name, str) and case.data.get("kind") != "generated":
            if name in names:
                issues.append(ProblemIssue(path, case.line_of("name"), f"case name {name!r} is "
                                           f"already used by {names[name].name}; names must differ"))
            names[name] = path
        problem.cases.append(case)
    if issues:
        raise ProblemError(issues)
    return problem


def _load_case(path: Path, problem: Problem, issues: list[ProblemIssue]) -> CaseFile | None:
    data, source = read_toml(path, issues)
    if data is None:
        return None
    before = len(issues)
    c = _Collector(issues, path, source)
    kind = c.choice(data, "kind", CASE_KINDS, "data")
    data["kind"] = kind
    c.unknown_keys(data, CASE_KEYS[kind], f"a {kind} case")
    c.string(data, "name", required=True)
    c.choice(data, "visibility", VISIBILITIES, "hidden" if kind == "generated" else "visible")
    c.string(data, "hint")
    c.hint_ladder(data)
    c.string(data, "on_fail")
    if "time_limit" in data:
        c.positive_time(data, "time_limit", problem.time_limit)
    tolerance = data.get("tolerance", {})
    if not isinstance(tolerance, dict):
        c.add("`tolerance` must be a table like { rel = 1e-9, abs = 1e-9 }", "tolerance")
    else:
        c.unknown_keys(tolerance, {"rel", "abs"}, "`tolerance`")
        for key, value in tolerance.items():
            if c.number(value, f"`tolerance.{key}`", "tolerance") is not None and value < 0:
                c.add(f"`tolerance.{key}` must not be negative", "tolerance")
    {"data": _check_data_case, "script": _check_script_case,
     "generated": _check_generated_case}[kind](data, c, problem)
    if len(issues) > before:
        return None
    return CaseFile(id=path.stem, path=path, data=data, source=source)


def _check_expression(c: _Collector, text: Any, key: str, mode: str) -> None:
    if not isinstance(text, str) or not text.strip():
        c.add(f"`{key}` must be a non-empty string of Python", key)
        return
    try:
        compile(text, "<case>", mode)
    except SyntaxError as exc:
        key_line = line_of(c.source, key)
        # A multi-line string starts on the line after `key = \'\'\'`: point at the bad line itself.
        line = key_line + (exc.lineno or 1) if "\n" in text.strip("\n") else key_line
        c.add(f"`{key}` is not valid Python: {exc.msg} ({text.strip().splitlines()[0][:60]!r})",
              key, line=line)


def _check_data_case(data: dict[str, Any], c: _Collector, problem: Problem) -> None:
    values = data.get("values")
    if not isinstance(values, dict) or not values:
        c.add("a data case needs a `[values]` table naming at least one input, e.g. a = 2",
              "values")
        values = {}
    for name, value in values.items():
        if not name.isidentifier() or keyword.iskeyword(name) or name in RESERVED_NAMES:
            c.add(f"input name {name!r} must be a Python identifier other than "
                  f"{', '.join(sorted(RESERVED_NAMES))}", "values", name)
        c.number(value, f"input `{name}`", "values", name)
    steps = data.get("steps", [])
    if not isinstance(steps, list):
        c.add("`steps` must be a list of assignments like [\"d = a * b\"]", "steps")
        steps = []
    for step in steps:
        _check_expression(c, step, "steps", "exec")
    _check_expression(c, data.get("expression"), "expression", "eval")
    record = data.get("record", list(values))
    if not isinstance(record, list) or any(r not in values for r in record):
        c.add(f"`record` must list input names from [values] ({', '.join(values)})", "record")
    expected = data.get("expected", {})
    if not isinstance(expected, dict):
        c.add("`expected` must be a table with `data` and/or an `[expected.grad]` table", "expected")
        return
    c.unknown_keys(expected, {"data", "grad"}, "`expected`")
    if "data" in expected:
        c.number(expected["data"], "`expected.data`", "expected", "data")
    grads = expected.get("grad", {})
    if not isinstance(grads, dict):
        c.add("`expected.grad` must be a table of input name = gradient", "expected", "grad")
        return
    for name, value in grads.items():
        if name not in values:
            c.add(f"`expected.grad.{name}` names no input; inputs are {', '.join(values)}",
                  "expected", "grad", name)
        c.number(value, f"`expected.grad.{name}`", "expected", "grad", name)


def _check_script_case(data: dict[str, Any], c: _Collector, problem: Problem) -> None:
    _check_expression(c, data.get("script"), "script", "exec")
    expected = data.get("expected", {})
    if not isinstance(expected, dict):
        c.add("`expected` must be a table of label = number, matching record(label, ...) calls",
              "expected")
        return
    for label, value in expected.items():
        c.number(value, f"`expected.\"{label}\"`", "expected", label)


def _check_generated_case(data: dict[str, Any], c: _Collector, problem: Problem) -> None:
    for key, low, high in (("seed", 0, 2**63), ("count", 1, 200)):
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            c.add(f"`{key}` must be an integer from {low} to {high}, got {value!r}", key,
                  line=None if key in data else 1)
    ops = c.ops(data, "ops") if "ops" in data else problem.ops
    if not ops:
        c.add("a generated case needs operations: set `ops` here or in problem.toml", "ops")
    for key, default in (("nodes", [3, 10]), ("leaves", [2, 4])):
        pair = data.get(key, default)
        if (not isinstance(pair, list) or len(pair) != 2
                or not all(isinstance(n, int) and not isinstance(n, bool) for n in pair)
                or not 1 <= pair[0] <= pair[1] <= 200):
            c.add(f"`{key}` must be [min, max] with 1 <= min <= max <= 200, got {pair!r}", key)
