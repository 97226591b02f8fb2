"""Read a problem folder and validate it, collecting every mistake as ``path:line: message``.

A problem folder (see docs/authoring.md for the full schema)::

    problem.toml        title, difficulty, order, time_limit, ops
    statement.md        the statement, Markdown with $...$ math
    starter.py          what the learner's editor starts with
    reference.py        the instructor's solution (never shipped to the site)
    cases/*.toml        one case per file: kind = "data" | "script" | "generated" | "engines"
    engines/*.py        engines for an "engines" case: correct ones and buggy ones, by header
    solutions/correct/*.py, solutions/wrong/*.py
"""

from __future__ import annotations

import difflib
import json
import keyword
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema import ValidationError
from jsonschema.validators import Draft202012Validator
from referencing import Registry, Resource

SCHEMAS = Path(__file__).parents[1] / "schemas"
# The one rule for a problem's name (its folder, its key in an export, its page on the site):
# lowercase words of letters and digits joined by single dashes. Never a path.
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SLUG_RULE = "lowercase letters, digits and single dashes between them, e.g. tanh-and-exp"
MAX_DEPTH = 64  # nesting of lists and tables in a problem or export file; deeper is refused


def is_slug(name: object) -> bool:
    return isinstance(name, str) and re.fullmatch(SLUG, name) is not None


def depth(value: Any) -> int:
    """How deeply lists and tables nest in ``value`` (a scalar: 0), without recursion."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level + 1)
            if deepest > MAX_DEPTH:
                return deepest
            stack.extend((v, level + 1) for v in (item.values() if isinstance(item, dict) else item))
    return deepest


def _schema(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


# The file formats are written once, as JSON Schemas (engine/schemas/problem.schema.json and
# case.schema.json): the loader validates against them, and the names below are read from them.
PROBLEM_SCHEMA = _schema("problem.schema.json")
CASE_SCHEMA = _schema("case.schema.json")
ENGINE_SCHEMA = _schema("engine.schema.json")
_REGISTRY = Registry().with_resources(
    (name, Resource.from_contents(schema)) for schema in (PROBLEM_SCHEMA, CASE_SCHEMA)
    for name in (schema["$id"], schema["$id"].split("/")[-1]))
_PROBLEM_VALIDATOR = Draft202012Validator(PROBLEM_SCHEMA, registry=_REGISTRY)
_CASE_VALIDATOR = Draft202012Validator(CASE_SCHEMA, registry=_REGISTRY)
_ENGINE_VALIDATOR = Draft202012Validator(ENGINE_SCHEMA)

DIFFICULTIES = tuple(PROBLEM_SCHEMA["properties"]["difficulty"]["enum"])
CASE_KINDS = tuple(CASE_SCHEMA["properties"]["kind"]["enum"])
# Operations a generated case may use; the problem's `ops` lists the ones its statement asks for.
KNOWN_OPS = tuple(PROBLEM_SCHEMA["properties"]["ops"]["items"]["enum"])
DEFAULT_TOLERANCE = {key: rule["default"]
                     for key, rule in CASE_SCHEMA["properties"]["tolerance"]["properties"].items()}
DEFAULT_TIME_LIMIT = float(PROBLEM_SCHEMA["properties"]["time_limit"]["default"])
RESERVED_NAMES = set(next(branch["then"]["properties"]["values"]["propertyNames"]["not"]["enum"]
                          for branch in CASE_SCHEMA["allOf"] if "values" in branch["then"]["properties"]))
_TYPE_WORDS = {"integer": "an integer", "number": "a number", "string": "a string", "array": "a list",
               "object": "a table", "boolean": "true or false"}


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
class EngineFile:
    """One file of ``engines/``: a ``Value`` class, correct or with one bug, by its header."""

    path: Path
    header: dict[str, str]  # engine.schema.json: {"bug", "catch"} or {"correct"}
    body: str  # the source without its header comments: what the learner's process receives

    @property
    def buggy(self) -> bool:
        return "bug" in self.header


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
    engines: list[EngineFile] = field(default_factory=list)  # engines/*.py, by file name

    def solutions(self, kind: str) -> list[Path]:
        """``kind`` is "correct" or "wrong"; sorted so reports are stable."""
        return sorted((self.root / "solutions" / kind).glob("*.py"))


# A line that starts the next key or table of a TOML file (not an item of a multi-line list).
NEXT_KEY = re.compile(r'''^\s*(\[[^\]]*\]+\s*(#.*)?$|[A-Za-z0-9_-]+\s*=|"[^"]*"\s*=|'[^']*'\s*=)''')


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
        issue = ProblemIssue(self.path, line or line_of(self.source, *keys), message)
        if issue not in self.issues:
            self.issues.append(issue)

    def schema(self, validator: Draft202012Validator, data: dict[str, Any], where: str) -> None:
        """Every way ``data`` breaks the schema, as located messages (``where``: "a data case")."""
        for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
            self._schema_error(error, where)
        self._finite(data, ())

    def _schema_error(self, error: ValidationError, where: str) -> None:
        path = tuple(str(p) for p in error.absolute_path)
        keys = tuple(p for p in path if not p.isdigit())  # list items: the list's own line
        rule, value, kind = error.schema, error.instance, error.validator
        label = _label(keys)
        if "propertyNames" in error.relative_schema_path:  # only [values] constrains its names
            self.add(f"input name {value!r} must be a Python identifier other than "
                     f"{', '.join(sorted(RESERVED_NAMES))}", *keys, str(value))
        elif kind == "additionalProperties":
            allowed = sorted(rule.get("properties", {}))
            inside = where if not keys else f"`{'.'.join(keys)}`"
            for key in value:
                if key not in allowed:
                    close = difflib.get_close_matches(key, allowed, n=1)
                    tip = f" (did you mean `{close[0]}`?)" if close else ""
                    self.add(f"unknown key `{key}` in {inside}{tip}; allowed: {', '.join(allowed)}",
                             *keys, key)
        elif kind == "required":
            key = next(k for k in error.validator_value if k not in value)
            if (*keys, key) == ("values",):
                self.add("a data case needs a `[values]` table naming at least one input, e.g. a = 2",
                         line=1)
            else:
                noun = _noun(rule.get("properties", {}).get(key, {}))
                self.add(f"missing required key `{'.'.join((*keys, key))}`" + (f" ({noun})" if noun else ""),
                         *keys, line=None if keys else 1)
        elif keys[:1] == ("hints",):
            if kind == "maxItems":
                self.add(f"`hints` has {len(value)} levels: keep the ladder to at most "
                         f"{error.validator_value}", "hints")
            else:
                self.add("`hints` must be a list of non-empty strings, from the most general to the "
                         "most specific (concept, direction, specific, code)", "hints")
        elif keys[:1] in (("nodes",), ("leaves",)):
            self.add(_pair_message(keys[0], data_of(error)), keys[0])
        elif keys == ("values",) and kind in ("minProperties", "type"):
            self.add("a data case needs a `[values]` table naming at least one input, e.g. a = 2", "values")
        elif kind == "enum" and keys[-1:] == ("ops",) and len(path) > len(keys):
            self.add(f"unknown operation {value!r} in `{keys[-1]}`; known: {', '.join(KNOWN_OPS)}", *keys)
        elif kind == "enum":
            self.add(f"{label} must be one of {', '.join(map(repr, error.validator_value))}, got {value!r}",
                     *keys)
        elif kind == "type":
            self.add(f"{label} must be {_noun(rule)}, got {type(value).__name__} {value!r}", *keys)
        elif kind == "pattern" and error.validator_value == SLUG:
            self.add(f"{label} has {value!r}, which is not a problem name: use {SLUG_RULE}", *keys)
        elif kind == "uniqueItems":
            twice = next(v for i, v in enumerate(value) if v in value[:i])
            self.add(f"{label} lists {twice!r} more than once", *keys)
        elif kind == "minLength":
            self.add(f"{label} must be a non-empty string", *keys)
        elif kind in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
            self.add(f"{label} must {_range(rule, keys)}, got {value!r}", *keys)
        else:
            self.add(f"{label}: {error.message}", *keys)

    def _finite(self, value: Any, keys: tuple[str, ...]) -> None:
        """TOML has nan and inf; no number in a problem file may be either."""
        if isinstance(value, float) and not math.isfinite(value):
            self.add(f"{_label(keys)} must be a finite number, got {value!r}", *keys)
        elif isinstance(value, dict):
            for key, item in value.items():
                self._finite(item, (*keys, key))
        elif isinstance(value, list):
            for item in value:
                self._finite(item, keys)


def data_of(error: ValidationError) -> Any:
    """The instance at the top of the error's path (the whole ``nodes`` list, not one item)."""
    while error.parent is not None:
        error = error.parent
    return error.instance


def _label(keys: tuple[str, ...]) -> str:
    if len(keys) == 2 and keys[0] == "values":
        return f"input `{keys[1]}`"
    return "`" + ".".join(k if re.fullmatch(r"\w+", k) else f'"{k}"' for k in keys) + "`"


def _noun(rule: dict[str, Any]) -> str:
    types = rule.get("type")
    names = types if isinstance(types, list) else [types] if types else []
    return " or ".join(_TYPE_WORDS.get(t, t) for t in names)


def _range(rule: dict[str, Any], keys: tuple[str, ...]) -> str:
    noun = _noun(rule) if rule.get("type") == "integer" else ""
    unit = " seconds" if keys[-1:] == ("time_limit",) else ""
    low, high = rule.get("minimum"), rule.get("maximum")
    above = rule.get("exclusiveMinimum")
    if above is not None and high is not None:
        return " ".join(filter(None, ("be", noun, f"between {above} and {high}{unit}")))
    if low is not None and high is not None:
        return " ".join(filter(None, ("be", noun, f"from {low} to {high}{unit}")))
    if low == 0:
        return "not be negative"
    if low is not None:
        return " ".join(filter(None, ("be", noun, f"at least {low}{unit}")))
    return " ".join(filter(None, ("be", noun, f"at most {high}{unit}")))


def _pair_message(key: str, pair: Any) -> str:
    return f"`{key}` must be [min, max] with 1 <= min <= max <= 200, got {pair!r}"


def read_toml(path: Path, issues: list[ProblemIssue]) -> tuple[dict[str, Any] | None, str]:
    """Parse a TOML file; a syntax error becomes an issue at the line tomllib names."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        issues.append(ProblemIssue(path, 1, f"cannot read the file: {exc}"))
        return None, ""
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        line = int(match.group(1)) if match else 1
        issues.append(ProblemIssue(path, line, f"invalid TOML: {exc}"))
        return None, source
    except RecursionError:
        data = None
    if data is None or depth(data) > MAX_DEPTH:
        issues.append(ProblemIssue(path, 1, f"lists or tables nested more than {MAX_DEPTH} "
                                   "levels deep: no problem file needs that"))
        return None, source
    return data, source


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


def _outside(root: Path, name: str) -> str | None:
    """Why ``name`` is not a plain file name inside ``root`` (None when it is one)."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or Path(name).is_absolute():
        return "is a path"
    try:
        target = (root / name).resolve()
        inside = target.parent == root.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return "is a broken link"
    return None if inside else f"is a link to {target}, outside the folder"


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
    folder = root.resolve().name
    if not is_slug(folder):
        issues.append(ProblemIssue(root, 1, f"the folder name {folder!r} is not a problem name: "
                                   f"use {SLUG_RULE}"))
    c = _Collector(issues, meta_path, source)
    c.schema(_PROBLEM_VALIDATOR, meta, "problem.toml")
    if meta.get("kind") == "trace":  # engine/authoring/trace.py reads those
        raise ProblemError([ProblemIssue(meta_path, line_of(source, "kind"), "a trace problem "
                                         "(kind = \"trace\") has no code to grade or compile")])
    rules = PROBLEM_SCHEMA["properties"]
    valid = not issues  # the schema's rules hold: use the values; else the defaults, to go on
    title = meta.get("title") if valid else None
    difficulty = meta.get("difficulty", rules["difficulty"]["default"]) if valid else "medium"
    order = meta.get("order", rules["order"]["default"]) if valid else 0
    time_limit = float(meta.get("time_limit", DEFAULT_TIME_LIMIT)) if valid else DEFAULT_TIME_LIMIT
    ops = meta.get("ops", []) if valid else []
    hints = meta.get("hints", []) if valid else []
    summary = meta.get("summary", "") if valid else ""
    files = {}
    for key, default, what in (("statement", "statement.md", "statement"),
                               ("starter", "starter.py", "starter code"),
                               ("reference", "reference.py", "reference solution")):
        name = meta.get(key, default)
        if not isinstance(name, str):
            name = default  # the schema check said so
        where = _outside(root, name)
        if where is not None:
            at = (meta_path, line_of(source, key)) if key in meta else (root / name, 1)
            issues.append(ProblemIssue(*at, f"the {what} must be a file in the problem folder, "
                                       f"named without a path: {name!r} {where}"))
            files[key] = ""
            continue
        files[key] = _read_text(root / name, issues, what)
    problem = Problem(slug=root.name, root=root, title=title or root.name, difficulty=difficulty, order=order,
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
        if isinstance(name, str) and case.data.get("kind") not in ("generated", "engines"):
            if name in names:
                issues.append(ProblemIssue(path, case.line_of("name"), f"case name {name!r} is "
                                           f"already used by {names[name].name}; names must differ"))
            names[name] = path
        problem.cases.append(case)
    if any(c.data.get("kind") == "engines" for c in problem.cases) or (root / "engines").is_dir():
        problem.engines = load_engines(root, issues)
    if issues:
        raise ProblemError(issues)
    return problem


HEADER = re.compile(r"^#\s*([A-Za-z]+)\s*:\s?(.*)$")


def read_engine_header(source: str) -> tuple[dict[str, str], dict[str, int], int]:
    """The leading ``# Key: text`` comment lines of an engine file: (header, line of each key,
    how many lines the header block takes). Keys are lower-cased; a second line of the same key
    continues it."""
    header: dict[str, str] = {}
    lines: dict[str, int] = {}
    count = 0
    for number, text in enumerate(source.splitlines(), 1):
        if not text.startswith("#"):
            break
        count = number
        match = HEADER.match(text)
        if match:
            key = match.group(1).lower()
            header[key] = (header[key] + " " if key in header else "") + match.group(2).strip()
            lines.setdefault(key, number)
    return header, lines, count


def load_engines(root: Path, issues: list[ProblemIssue]) -> list[EngineFile]:
    """Read and validate ``engines/*.py``: each header against engine.schema.json, each body
    must run and define a class ``Value``; at least one correct and one buggy engine."""
    folder = root / "engines"
    engines: list[EngineFile] = []
    for path in sorted(folder.glob("*.py")):
        source = _read_text(path, issues, "engine")
        if not source:
            continue
        header, lines, count = read_engine_header(source)
        before = len(issues)
        # Line numbers for the schema's messages: a TOML-like shadow with `key =` on each
        # header key's own line, which is what line_of looks for.
        shadow = "\n".join(next((f"{k} =" for k, n in lines.items() if n == i), "")
                           for i in range(1, count + 2))
        c = _Collector(issues, path, shadow)
        for error in sorted(_ENGINE_VALIDATOR.iter_errors(header), key=lambda e: e.validator):
            _engine_header_error(c, error, header)
        body = "\n".join(source.splitlines()[count:]).lstrip("\n") + "\n"
        try:
            code = compile("\n" * count + body.rstrip("\n") + "\n", str(path), "exec")
            space: dict[str, Any] = {"__name__": "engine_under_test"}
            exec(code, space)
        except SyntaxError as exc:
            c.add(f"the engine is not valid Python: {exc.msg}", line=exc.lineno or 1)
            continue
        except Exception as exc:
            c.add(f"the engine fails when run: {type(exc).__name__}: {exc}", line=count + 1)
            continue
        if not isinstance(space.get("Value"), type):
            c.add("an engine must define a class named `Value` (the learner's test receives it)",
                  line=count + 1)
        if len(issues) == before:
            engines.append(EngineFile(path, header, body))
    if not any(e.buggy for e in engines) or all(e.buggy for e in engines):
        missing = "a correct engine (`# Correct: ...`)" if engines and all(
            e.buggy for e in engines) else "a buggy engine (`# Bug: ...`, `# Catch: ...`)"
        if not any(i.path.parent == folder for i in issues):
            issues.append(ProblemIssue(folder, 1, f"an engines case needs at least one correct "
                                       f"and one buggy engine: add {missing} to engines/"))
    return engines


def _engine_header_error(c: _Collector, error: ValidationError, header: dict[str, str]) -> None:
    """Schema errors in an engine header, worded as the comment lines an instructor writes."""
    shape = ("an engine file starts with `# Bug: <what follows \"an engine whose\">` and "
             "`# Catch: <how a test catches it>` (a buggy engine), or `# Correct: <its style>`")
    if error.validator == "required":
        key = next(k for k in error.validator_value if k not in header)
        c.add(f"missing `# {key.capitalize()}:` line: {shape}", line=1)
    elif error.validator == "additionalProperties":
        allowed = sorted(ENGINE_SCHEMA["properties"])
        for key in error.instance:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                tip = f" (did you mean `# {close[0].capitalize()}:`?)" if close else ""
                c.add(f"unknown header line `# {key.capitalize()}:`{tip}; {shape}", key)
    elif error.validator == "maxProperties":
        c.add("a correct engine has only a `# Correct:` line: no `# Bug:` or `# Catch:`",
              *[k for k in ("bug", "catch") if k in header][:1])
    elif error.validator == "minLength":
        key = str(error.absolute_path[-1])
        c.add(f"`# {key.capitalize()}:` is empty: {shape}", key)
    else:
        c.add(f"engine header: {error.message}", line=1)


def _load_case(path: Path, problem: Problem, issues: list[ProblemIssue]) -> CaseFile | None:
    data, source = read_toml(path, issues)
    if data is None:
        return None
    before = len(issues)
    c = _Collector(issues, path, source)
    kind = data.get("kind", "data")
    kind = kind if kind in CASE_KINDS else "data"  # a bad kind is reported; check the rest as data
    c.schema(_CASE_VALIDATOR, data, f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} case")
    data["kind"] = kind
    {"data": _check_data_case, "script": _check_script_case,
     "generated": _check_generated_case, "engines": _check_engines_case}[kind](data, c, problem)
    if len(issues) > before:
        return None
    return CaseFile(id=path.stem, path=path, data=data, source=source)


# What the schema cannot say: Python that must parse, names that must refer to inputs, ranges that
# depend on each other, operations that come from problem.toml.

def _check_expression(c: _Collector, text: Any, key: str, mode: str) -> None:
    if not isinstance(text, str):
        return  # the schema check reported it
    if not text.strip():
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


def _table(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    return value if isinstance(value, dict) else {}


def _check_data_case(data: dict[str, Any], c: _Collector, problem: Problem) -> None:
    values = _table(data, "values")
    for name in values:
        if keyword.iskeyword(name):
            c.add(f"input name {name!r} must be a Python identifier other than "
                  f"{', '.join(sorted(RESERVED_NAMES))}", "values", name)
    steps = data.get("steps", [])
    for step in steps if isinstance(steps, list) else []:
        _check_expression(c, step, "steps", "exec")
    _check_expression(c, data.get("expression"), "expression", "eval")
    record = data.get("record", list(values))
    if isinstance(record, list) and any(r not in values for r in record):
        c.add(f"`record` must list input names from [values] ({', '.join(values)})", "record")
    for name in _table(_table(data, "expected"), "grad"):
        if name not in values:
            c.add(f"`expected.grad.{name}` names no input; inputs are {', '.join(values)}",
                  "expected", "grad", name)


def _check_script_case(data: dict[str, Any], c: _Collector, problem: Problem) -> None:
    _check_expression(c, data.get("script"), "script", "exec")
    if "figure" in data and data.get("visibility") == "hidden":
        # A picture of a hidden case would show its inputs, which a hidden case never does.
        c.add("`figure` is drawn for visible cases only: remove it or make the case visible",
              "figure")


def _check_engines_case(data: dict[str, Any], c: _Collector, problem: Problem) -> None:
    if not (problem.root / "engines").is_dir():
        c.add("an engines case runs the learner's test on every file in engines/: create that "
              "folder with correct and buggy engines", "kind")


def _check_generated_case(data: dict[str, Any], c: _Collector, problem: Problem) -> None:
    if not data.get("ops", problem.ops):
        c.add("a generated case needs operations: set `ops` here or in problem.toml", "ops")
    for key in ("nodes", "leaves"):
        pair = data.get(key)
        if isinstance(pair, list) and len(pair) == 2 and all(isinstance(n, int) for n in pair) \
                and pair[0] > pair[1]:
            c.add(_pair_message(key, pair), key)
