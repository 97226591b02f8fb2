"""Name the learner's mistake: match their failure signature against the known wrong solutions.

A signature is how every case and probe came out (an ``Outcome`` each). The known mistakes'
signatures are made when the suite is built (``engine.authoring.mistakes``) and ship in it, as
tokens (``Outcome.to_token``); a learner's failing run has a signature too. When it is close
enough to one known mistake, and clearly closer than to any other, *and* agrees with it on every
case and probe (the same verdict, the same wrong values: ``agrees``), the report names it. A name
asserts everything its wrong file does; a run that behaves differently anywhere gets no name
(``engine.grading.explain`` then says what was measured instead). No guess. Pure matching:
nothing here reads a file.
"""

from __future__ import annotations

from engine.grading.contract import CaseResult, Diagnosis, Mistake, Outcome

MATCH_AT_LEAST = 0.75  # share of the telling results (not both passing) that must agree
MARGIN = 0.15  # ... and by this much more than the next known mistake

_STATUS = {"passed": "pass", "failed": "fail", "error": "error", "timeout": "timeout"}


def outcome(test: CaseResult) -> Outcome:
    """One case's outcome: the judge's (where the graph first goes wrong when that is known),
    else just its status."""
    return test.outcome or Outcome(_STATUS[test.status])  # type: ignore[arg-type]


def signature_of(mistake: Mistake) -> list[Outcome]:
    """A known mistake's signature, read from the suite's tokens."""
    return [Outcome.from_token(t) for t in mistake["signature"]]


def similarity(a: list[Outcome], b: list[Outcome]) -> float:
    """Agreement over the results that tell something (where not both passed)."""
    telling = [(x, y) for x, y in zip(a, b, strict=True)
               if not (x.status == y.status == "pass")]
    if not telling:
        return 0.0
    return sum(_agreement(x, y) for x, y in telling) / len(telling)


def _agreement(x: Outcome, y: Outcome) -> float:
    if x.status != y.status:
        return 0.0
    if x.status != "fail":
        return 1.0
    # Where a data case first goes wrong is only known when the learner's graph could be read;
    # when one side knows only which values were wrong, or nothing, the two are compatible.
    # Two different known places, or two different sets of wrong values, disagree.
    if x.where is not None and y.where is not None:
        return 1.0 if x.where == y.where else 0.25
    if x.where is not None or y.where is not None or x.wrong is None or y.wrong is None:
        return 1.0
    # As the suite keeps them, joined by commas: a label may hold one ("Layer(3, 2) outputs").
    return 1.0 if ",".join(x.wrong) == ",".join(y.wrong) else 0.25


def agrees(learner: list[Outcome], known: list[Outcome]) -> bool:
    """Whether a run behaves as a known mistake does on every case and probe: the same status
    everywhere and, where both failed, the same wrong values (``Outcome.measured``) and, when
    both graphs were read, the same first wrong operation."""
    for x, y in zip(learner, known, strict=True):
        if x.status != y.status:
            return False
        if x.status != "fail":
            continue
        if x.measured is not None and y.measured is not None and x.measured != y.measured:
            return False
        if x.where is not None and y.where is not None and x.where != y.where:
            return False
    return True


def diagnose(signature: list[Outcome], mistakes: list[Mistake]) -> Diagnosis | None:
    """The known mistake this signature matches, or None when none is close, unambiguous and in
    agreement everywhere (``agrees``)."""
    known = [(m, signature_of(m)) for m in mistakes]
    scored = sorted(((similarity(signature, theirs), m) for m, theirs in known
                     if len(theirs) == len(signature)), key=lambda s: -s[0])
    if not scored or scored[0][0] < MATCH_AT_LEAST:
        return None
    best, mistake = scored[0]
    if len(scored) > 1 and scored[1][0] > best - MARGIN and scored[1][1]["mistake"] != mistake["mistake"]:
        return None  # two mistakes fit about as well: naming one would be a guess
    if not agrees(signature, signature_of(mistake)):
        return None  # close, but it behaves differently somewhere: the name would claim too much
    return {"mistake": mistake["mistake"], "hint": mistake["hint"], "score": round(best, 3),
            "basis": "known", "evidence": []}


def told_apart(mistakes: list[Mistake]) -> dict[str, str | None]:
    """For ``gradlab check``: which known mistakes the others would not be confused with.

    Each mistake's own signature is diagnosed against the others plus itself; the result is
    the name it gets (itself when told apart, another's or None when not).
    """
    out = {}
    for m in mistakes:
        found = diagnose(signature_of(m), mistakes)
        out[m["file"]] = found["mistake"] if found else None
    return out


__all__ = ["agrees", "diagnose", "outcome", "signature_of", "similarity", "told_apart"]
