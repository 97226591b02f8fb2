"""The grading report as text for the terminal (``gradlab grade``): the CLI's wording only."""

from __future__ import annotations

from engine.grading.contract import Report

_MARKS = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "timeout": "TIMEOUT"}


def render_text(report: Report, title: str | None = None) -> str:
    """A readable report for the terminal."""
    lines = [f"{report.problem}: {title}" if title else report.problem]
    if report.load_error is not None:
        lines.append(f"  ERROR  {report.message}")
        if report.load_error.traceback:
            lines.extend("         " + t for t in report.load_error.traceback.rstrip().splitlines())
        lines.append(f"0 of {report.total} passed: no case ran")
        return "\n".join(lines)
    for t in report.tests:
        lines.append(f"  {_MARKS[t.status]:<7} {t.name}")
        if t.status != "passed":
            if t.message:
                lines.extend("          " + m for m in t.message.splitlines())
            if t.where:
                lines.append(f"          where: {t.where}")
            if t.hint:
                lines.append(f"          hint: {t.hint}")
            if t.output:
                cut = " (cut)" if t.output_truncated else ""
                lines.append(f"          output{cut}:")
                lines.extend("          | " + o for o in t.output.rstrip().splitlines()[:20])
    lines.append(f"{report.passed} of {report.total} passed")
    if report.diagnosis:
        lines.append(f"This looks like: {report.diagnosis['mistake']}")
        if report.diagnosis.get("hint"):
            lines.append(f"  hint: {report.diagnosis['hint']}")
    return "\n".join(lines)


__all__ = ["render_text"]
