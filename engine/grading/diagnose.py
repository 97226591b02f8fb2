"""Name the learner's mistake: match their failure signature against the known wrong solutions.

A signature is how every case and probe came out. The known mistakes' signatures are made when the
suite is built (``engine.authoring.mistakes``) and ship in it; a learner's failing run has a
signature too. When it is close enough to one known mistake, and clearly closer than to any other,
the report names it. No close match, no guess. Pure matching: nothing here reads a file.
"""

from __future__ import annotations

from typing import Any

MATCH_AT_LEAST = 0.75  # share of the telling results (not both passing) that must agree
MARGIN = 0.15  # ... and by this much more than the next known mistake


def token(test: Any) -> str:
    """One case's outcome, coarse enough to be the same for the same mistake in another style:
    where the graph first goes wrong when that is known (``fail:backward * right``)."""
    if test.status == "passed":
        return "pass"
    if test.status == "failed":
        return test.signature or "fail"
    return test.status


def similarity(a: list[str], b: list[str]) -> float:
    """Agreement over the results that tell something (where not both passed)."""
    telling = [(x, y) for x, y in zip(a, b, strict=True) if not (x == y == "pass")]
    if not telling:
        return 0.0
    return sum(_agreement(x, y) for x, y in telling) / len(telling)


def _agreement(x: str, y: str) -> float:
    if x == y:
        return 1.0
    if x.startswith("fail") and y.startswith("fail"):
        # Where a data case first goes wrong ("fail:@...") is only known when the learner's graph
        # could be read; when one side knows only which values were wrong ("fail:=..."), or
        # nothing ("fail"), the two are compatible. Two different known places disagree.
        kinds = {t[:6] if t.startswith(("fail:@", "fail:=")) else t for t in (x, y)}
        return 1.0 if kinds == {"fail:@", "fail:="} or "fail" in (x, y) else 0.25
    return 0.0


def diagnose(signature: list[str], mistakes: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The known mistake this signature matches, or None when none is close and unambiguous."""
    scored = sorted(((similarity(signature, m["signature"]), m) for m in mistakes
                     if len(m["signature"]) == len(signature)), key=lambda s: -s[0])
    if not scored or scored[0][0] < MATCH_AT_LEAST:
        return None
    best, mistake = scored[0]
    if len(scored) > 1 and scored[1][0] > best - MARGIN and scored[1][1]["mistake"] != mistake["mistake"]:
        return None  # two mistakes fit about as well: naming one would be a guess
    return {"mistake": mistake["mistake"], "hint": mistake["hint"], "score": round(best, 3)}


def told_apart(mistakes: list[dict[str, Any]]) -> dict[str, str | None]:
    """For ``gradlab check``: which known mistakes the others would not be confused with.

    Each mistake's own signature is diagnosed against the others plus itself; the result is
    the name it gets (itself when told apart, another's or None when not).
    """
    out = {}
    for m in mistakes:
        found = diagnose(m["signature"], mistakes)
        out[m["file"]] = found["mistake"] if found else None
    return out


__all__ = ["diagnose", "similarity", "token", "told_apart"]
