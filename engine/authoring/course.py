"""Read a course folder: its ``course.toml`` and the problem folders it holds, in course order.

A course is what one site is built from (``./scripts/build --problems FOLDER``) and what
``gradlab check FOLDER`` checks: the site's title, the home page's intro, a license and credits,
its own problem folders plus shipped ones it includes by name, and their order. The format is
engine/schemas/course.schema.json; every mistake is reported as ``path:line: message``, as for
problem files. A folder without course.toml is a course of its own problems with the schema's
defaults, so the shipped path (hidden_tests/course.toml) and any other folder take one code path.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jsonschema.validators import Draft202012Validator

from engine.authoring.problem import (
    NEXT_KEY,
    ProblemError,
    ProblemIssue,
    _Collector,
    _schema,
    line_of,
    read_toml,
)

COURSE_SCHEMA = _schema("course.schema.json")
_VALIDATOR = Draft202012Validator(COURSE_SCHEMA)
_DEFAULTS = {key: rule["default"] for key, rule in COURSE_SCHEMA["properties"].items()
             if "default" in rule}
# The problems Gradlab ships, which a course may include by name.
SHIPPED = Path(__file__).resolve().parents[2] / "hidden_tests"


@dataclass
class Course:
    """A course, ready to build: ``problems`` are folders, in the order the home page lists them."""

    root: Path
    title: str
    intro: str
    license: str | None = None
    credits: str | None = None
    problems: list[Path] = field(default_factory=list)

    def site_info(self) -> dict[str, str]:
        """What the site shows of the course (problems/index.json's ``course``)."""
        info = {"title": self.title, "intro": self.intro}
        info.update({k: v for k, v in (("license", self.license), ("credits", self.credits)) if v})
        return info


def _item_line(source: str, key: str, item: str) -> int:
    """The line of ``item`` inside the list ``key = [...]`` (which may span lines), else the key's."""
    start = line_of(source, key)
    lines = source.splitlines()
    quoted = re.compile(rf"""["']{re.escape(item)}["']""")
    for i in range(start - 1, len(lines)):
        if i >= start and NEXT_KEY.match(lines[i]):
            break  # the next key or table: the list has ended
        if quoted.search(lines[i]):
            return i + 1
    return start


def problem_order(folder: Path) -> int:
    """problem.toml's ``order``, for problems the course's ``order`` leaves out (0 when unreadable:
    the problem's own check reports why)."""
    try:
        value = tomllib.loads((folder / "problem.toml").read_text(encoding="utf-8")).get("order", 0)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return 0
    return value if isinstance(value, int) else 0


def load_course(root: Path, shipped: Path = SHIPPED) -> Course:
    """Read and validate a course folder; raises ProblemError listing every issue found."""
    root = Path(root)
    if not root.is_dir():
        raise ProblemError([ProblemIssue(root, 1, "not a course folder (no such directory)")])
    path = root / "course.toml"
    issues: list[ProblemIssue] = []
    data: dict[str, Any] = {}
    source = ""
    if path.is_file():
        read, source = read_toml(path, issues)
        if read is None:
            raise ProblemError(issues)
        _Collector(issues, path, source).schema(_VALIDATOR, read, "course.toml")
        if issues:
            raise ProblemError(issues)
        data = read
    settings = {**_DEFAULTS, **data}
    own = {p.parent.name: p.parent for p in sorted(root.glob("*/problem.toml"))}
    folders = dict(own)
    same = root.resolve() == shipped.resolve()
    available = sorted(p.parent.name for p in shipped.glob("*/problem.toml")) if not same else []
    for slug in settings["include"]:
        line = _item_line(source, "include", slug)
        if same:
            issues.append(ProblemIssue(path, line, f"`include` names {slug!r}, but this course is "
                                       "the shipped problems' own folder: every one of them is "
                                       "in it already; remove `include`"))
        elif slug in own:
            issues.append(ProblemIssue(path, line, f"`include` names {slug!r}, but the course has "
                                       f"a folder of that name ({own[slug]}): rename one of them"))
        elif slug not in available:
            issues.append(ProblemIssue(path, line, f"`include` names {slug!r}, which is no shipped "
                                       f"problem; shipped: {', '.join(available) or 'none'}"))
        else:
            folders[slug] = shipped / slug
    for slug in settings["order"]:
        if slug not in folders and slug not in settings["include"]:
            issues.append(ProblemIssue(path, _item_line(source, "order", slug),
                                       f"`order` names {slug!r}, which is not in the course: "
                                       f"its problems are {', '.join(sorted(folders)) or 'none'}"))
    if not folders and not issues:
        issues.append(ProblemIssue(path if path.is_file() else root, 1,
                                   "the course has no problems: add a problem folder (gradlab new "
                                   "NAME --dir FOLDER) or `include` a shipped one"))
    if issues:
        raise ProblemError(issues)
    listed = [slug for slug in settings["order"] if slug in folders]
    rest = sorted((slug for slug in folders if slug not in listed),
                  key=lambda slug: (problem_order(folders[slug]), slug))
    return Course(root=root, title=settings["title"], intro=settings["intro"],
                  license=settings.get("license"), credits=settings.get("credits"),
                  problems=[folders[slug] for slug in listed + rest])


def is_course(path: Path) -> bool:
    """A folder holding course.toml (rather than a single problem)."""
    return (Path(path) / "course.toml").is_file()


__all__ = ["COURSE_SCHEMA", "SHIPPED", "Course", "is_course", "load_course", "problem_order"]
