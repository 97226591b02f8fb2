"""The grading report as text for the terminal (``gradlab grade``): the CLI's wording only."""

from __future__ import annotations

import re
from typing import Any

from engine.grading.contract import Report

_MARKS = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "timeout": "TIMEOUT"}


# Every C0 and C1 control but tab and newline, DEL, and the line and paragraph separators
# (str.splitlines would break on them): a learner's text must not move the cursor, clear lines,
# recolour or retitle the instructor's terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_CSV_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def escape(text: object) -> str:
    """Learner text, safe for a terminal: control characters as ``\\x1b``, ``\\r``, ...;
    tab and newline kept (callers split multi-line text on newlines themselves)."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), str(text))


def one_line(text: object) -> str:
    """Learner text on one line: ``escape`` and newlines as ``\\n`` too."""
    return escape(text).replace("\n", "\\n")


def csv_cell(text: str) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP, CSV injection): text starting with
    = + - @, a tab or a carriage return gets a leading single quote."""
    return "'" + text if text.startswith(_CSV_TRIGGERS) else text


def csv_cells(cells: list[Any]) -> list[Any]:
    """A CSV row's cells with every text cell through ``csv_cell`` (numbers are left as they are)."""
    return [csv_cell(c) if isinstance(c, str) else c for c in cells]


def render_text(report: Report, title: str | None = None) -> str:
    """A readable report for the terminal; everything that can come from the learner's code (the
    messages, tracebacks, output, names) is escaped."""
    lines = [f"{report.problem}: {escape(title)}" if title else report.problem]
    if report.load_error is not None:
        lines.append(f"  ERROR  {one_line(report.message)}")
        if report.load_error.traceback:
            lines.extend("         " + escape(t)
                         for t in report.load_error.traceback.rstrip().split("\n"))
        lines.append(f"0 of {report.total} passed: no case ran")
        return "\n".join(lines)
    for t in report.tests:
        lines.append(f"  {_MARKS[t.status]:<7} {one_line(t.name)}")
        if t.status != "passed":
            if t.message:
                lines.extend("          " + escape(m) for m in t.message.split("\n"))
            if t.where:
                lines.append(f"          where: {one_line(t.where)}")
            if t.hint:
                lines.append(f"          hint: {one_line(t.hint)}")
            if t.output:
                cut = " (cut)" if t.output_truncated else ""
                lines.append(f"          output{cut}:")
                lines.extend("          | " + escape(o) for o in t.output.rstrip().split("\n")[:20])
    lines.append(f"{report.passed} of {report.total} passed")
    if report.diagnosis:
        # A known mistake is a name ("This looks like"); a measured one is what the probes saw.
        lead = "What your code does" if report.diagnosis.get("basis") == "measured" \
            else "This looks like"
        lines.append(f"{lead}: {one_line(report.diagnosis['mistake'])}")
        if report.diagnosis.get("hint"):
            lines.append(f"  hint: {one_line(report.diagnosis['hint'])}")
        lines.extend(f"  measured: {one_line(e)}" for e in report.diagnosis.get("evidence", []))
    return "\n".join(lines)


__all__ = ["csv_cell", "csv_cells", "escape", "one_line", "render_text"]
