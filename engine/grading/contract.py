"""The grading contracts, in one place: what a compiled suite holds, what the observer receives
and returns, how one case came out (``Outcome``), and the report.

Suites and observations are plain JSON (they cross a process boundary, or JavaScript's), so they
are ``TypedDict``s: the types document and check them, the data stays dicts. The report is built
here, in Python, so it is dataclasses; ``Report.to_dict`` is its JSON form. The JSON Schemas are
``engine/schemas/suite.schema.json`` and ``engine/schemas/report.schema.json``: bump
REPORT_VERSION on any incompatible change to the report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal, NotRequired, TypedDict

# ---- The compiled suite (engine.authoring.suite writes it; the grader reads it) ----


class Tolerance(TypedDict):
    rel: float
    abs: float


class DataSpec(TypedDict):
    """A data case as the observer receives it: leaves, steps, an expression, what to record."""

    id: str
    kind: Literal["data"]
    values: dict[str, float]
    steps: list[str]
    expression: str
    record: list[str]
    # The one-operation-per-line form (engine.authoring.flatten), when the expression allows it.
    flat: NotRequired[list[str]]
    output: NotRequired[str]
    trace: NotRequired[list[str]]


class ScriptSpec(TypedDict):
    """A script case as the observer receives it: code that calls ``record(label, value)``."""

    id: str
    kind: Literal["script"]
    script: str
    # The case file's `figure`: the script gets `figure(kind, **fields)` to give the page a picture.
    figure: NotRequired[str]


class EngineSpec(TypedDict):
    """An engine case as the observer receives it: an engine's source (its header comments
    removed, so nothing in it names the bug) and the learner's test function to call on it."""

    id: str
    kind: Literal["engine"]
    engine: str
    function: str


Spec = DataSpec | ScriptSpec | EngineSpec


class EngineInfo(TypedDict):
    """What the judge knows of an engine case's engine (from its file's header; never sent to
    the observer): a bug and how to catch it, or, for a correct engine, its style."""

    file: str
    bug: NotRequired[str]
    catch: NotRequired[str]
    correct: NotRequired[str]


class TraceNode(TypedDict):
    id: str
    op: str
    inputs: list[str]
    code: str


class Trace(TypedDict):
    """A data case's graph, node by node, with the reference's per-node values (``@t1.grad``)."""

    nodes: list[TraceNode]
    output: str
    expected: dict[str, float]
    edges: dict[str, float]


class Disagreement(TypedDict):
    label: str
    stated: float
    reference: float | None


class Case(TypedDict):
    """One compiled case: ``spec`` is all the observer sees; ``expected`` only the judge reads."""

    id: str
    name: str
    kind: str  # "data", "script", "generated" or "engines"
    visibility: str  # "visible" or "hidden"
    hint: str | None
    hints: NotRequired[list[str]]  # a ladder; probes and random property graphs have none
    on_fail: str | None
    tolerance: Tolerance
    time_limit: float
    source: str
    spec: Spec
    expected: dict[str, float]
    features: list[str]
    trace: NotRequired[Trace]  # data cases whose expression flattens
    disagreements: list[Disagreement]
    # A script probe's rules: which recorded numbers mean which sentence (engine.grading.explain).
    explain: NotRequired[list[dict[str, Any]]]
    # An engine case: the engine its spec carries, and whether the learner's test must accept it.
    engine: NotRequired[EngineInfo]


class Mistake(TypedDict):
    """A known mistake: a wrong solution's name, hint and signature (``Outcome.to_token`` each)."""

    mistake: str
    hint: str | None
    file: str
    signature: list[str]


class Suite(TypedDict):
    schema: str
    problem: dict[str, Any]
    cases: list[Case]
    probes: list[Case]
    version: str
    mistakes: NotRequired[list[Mistake]]


# ---- What the observer returns (engine.grading.observe) ----


class ObservedError(TypedDict):
    """An exception as the observer describes it; also a load error (syntax, no ``Value``...)."""

    type: str
    message: NotRequired[str]
    origin: NotRequired[str]  # "learner" or "case"
    line: NotRequired[int | None]
    column: NotRequired[int | None]
    function: NotRequired[str | None]
    traceback: NotRequired[str]
    attribute: NotRequired[str | None]  # AttributeError
    object_type: NotRequired[str]  # AttributeError


class Observation(TypedDict):
    """One case as observed: ``status`` is ok, error, failed_assertion, or, from the runner,
    timeout, skipped, stopped, crashed."""

    id: str
    status: str
    observations: NotRequired[dict[str, Any]]  # label -> a number or a descriptor dict
    error: NotRequired[ObservedError]
    output: NotRequired[str]
    output_dropped: NotRequired[int]
    duration_ms: NotRequired[float]
    after: NotRequired[str]  # skipped: the case that timed out
    exit_code: NotRequired[int | None]  # crashed
    line: NotRequired[int | None]  # timeout: the learner's line the interrupt landed in, if known
    function: NotRequired[str | None]  # timeout: the function holding that line
    figure: NotRequired[dict[str, Any]]  # what the script gave figure(): plain JSON, numbers checked


# What the judge found wrong: (label, expected, the observed descriptor or None).
Mismatch = tuple[str, float, Any]


class Observed(TypedDict):
    """An executor's answer for one submission."""

    load_error: ObservedError | None
    results: list[Observation]


# ---- How one case came out, coarsely: for matching known mistakes ----


@dataclass(frozen=True)
class Outcome:
    """One case's outcome, coarse enough to be the same for the same mistake in another style.

    ``where`` is the localised kind of mistake when the learner's graph could be read
    ("backward * right"); ``wrong`` which recorded values were wrong (sorted labels), telling for
    script cases, which have no graph. ``measured`` is the wrong values themselves, rounded
    ("a.grad=3,b.grad=-2"): a known mistake is named only when a learner's run measures the same
    everywhere (``engine.grading.diagnose``), so the name cannot assert what their code does not
    do. Known mistakes' outcomes are stored as tokens (``to_token``), the suite's wire format:
    "pass", "error", "timeout", "fail", "fail:@<where>" (which wins when both are known),
    "fail:=<label>,<label>", each fail form optionally followed by "#<measured>"."""

    status: Literal["pass", "fail", "error", "timeout"]
    where: str | None = None
    wrong: tuple[str, ...] | None = None
    measured: str | None = None

    def to_token(self) -> str:
        if self.status != "fail":
            return self.status
        tail = f"#{self.measured}" if self.measured is not None else ""
        if self.where is not None:
            return f"fail:@{self.where}{tail}"
        if self.wrong is not None:
            return "fail:=" + ",".join(self.wrong) + tail
        return "fail" + tail

    @classmethod
    def from_token(cls, token: str) -> Outcome:
        if token.startswith("fail") and "#" in token:
            head, measured = token.split("#", 1)
            found = cls.from_token(head)
            return cls("fail", where=found.where, wrong=found.wrong, measured=measured)
        if token.startswith("fail:@"):
            return cls("fail", where=token[6:])
        if token.startswith("fail:="):
            return cls("fail", wrong=tuple(token[6:].split(",")))
        if token in ("pass", "fail", "error", "timeout"):
            return cls(token)  # type: ignore[arg-type]
        raise ValueError(f"not an outcome token: {token!r}")


# ---- The report: small, versioned, the same from the CLI and the site ----
# Modelled on Exercism's test-runner ``results.json``: an overall status plus one entry per case
# with name, status, message and captured output.

REPORT_VERSION = 1
CASE_STATUSES = ("passed", "failed", "error", "timeout")
STATUSES = ("pass", "fail", "error")  # error: the code could not be loaded, so no case ran


class GraphNode(TypedDict):
    id: str
    op: str
    inputs: list[str]
    code: str
    data: float | None  # the learner's; None when it is not a number
    grad: float | None
    expected_data: float
    expected_grad: float
    data_ok: bool  # the learner's matches the expected, within the case's tolerance
    grad_ok: bool


class GraphView(TypedDict):
    """What the page draws for a visible data case (engine.grading.localise.view)."""

    nodes: list[GraphNode]
    output: str
    first_difference: str | None


class TrainingFigure(TypedDict):
    """What the page draws for a training case (report.schema.json, ``$defs/training_figure``):
    the losses train() returned, and the trained model's probability of class 1 on a grid over
    the points' box (``size`` rows from the top, ``size`` cells each from the left)."""

    kind: Literal["training"]
    losses: list[float | None]
    accuracy: float | None
    grid: dict[str, Any]
    points: list[list[float]]


class Diagnosis(TypedDict):
    """What the learner's mistake is. ``basis`` "known": a known mistake (a wrong solution) whose
    behaviour this run matches everywhere; "measured": no known mistake does, and ``mistake`` says
    what the probes measured (``engine.grading.explain``). ``evidence``: the measured behaviours,
    each with its numbers (either basis)."""

    mistake: str
    hint: str | None
    score: float
    basis: Literal["known", "measured"]
    evidence: list[str]


@dataclass
class CaseResult:
    id: str
    name: str
    status: str  # one of CASE_STATUSES
    message: str | None = None  # what went wrong, in words a learner can act on
    visibility: str = "visible"
    hint: str | None = None  # shown only when the case did not pass
    line: int | None = None  # the learner's line for an exception
    output: str = ""  # captured print output, capped
    output_truncated: bool = False
    duration_ms: float = 0.0
    details: dict[str, Any] | None = None  # visible cases: inputs, expected and got
    where: str | None = None  # the first operation that goes wrong (engine.grading.localise)
    graph: GraphView | None = None  # visible data cases: every node, got and expected
    hints: list[str] = field(default_factory=list)  # a ladder: concept, direction, specific, code
    figure: TrainingFigure | None = None  # visible cases that declare one: what the code produced
    # How it came out, for matching known mistakes (engine.grading.diagnose); not sent.
    outcome: Outcome | None = field(default=None, repr=False)


@dataclass
class LoadError:
    type: str
    message: str
    line: int | None = None
    column: int | None = None
    traceback: str = ""


@dataclass
class Report:
    problem: str
    suite_version: str
    status: str  # one of STATUSES
    tests: list[CaseResult] = field(default_factory=list)
    message: str | None = None
    load_error: LoadError | None = None
    total: int = 0
    duration_ms: float = 0.0
    diagnosis: Diagnosis | None = None  # the closest known mistake
    version: int = REPORT_VERSION

    @property
    def passed(self) -> int:
        return sum(t.status == "passed" for t in self.tests)

    def to_dict(self) -> dict[str, Any]:
        # By hand, not dataclasses.asdict: that deep-copies every graph, a third of the time
        # it takes to grade a file in a batch. Nothing here is changed after grading.
        data = {name: getattr(self, name) for name in _REPORT_FIELDS}
        data["tests"] = [{name: getattr(t, name) for name in _CASE_FIELDS} for t in self.tests]
        data["load_error"] = asdict(self.load_error) if self.load_error else None
        data["passed"] = self.passed
        return data


_REPORT_FIELDS = [f.name for f in fields(Report) if f.name not in ("tests", "load_error")]
_CASE_FIELDS = [f.name for f in fields(CaseResult) if f.name != "outcome"]


def from_dict(data: dict[str, Any]) -> Report:
    """Rebuild a report from its JSON form (the browser's report is checked this way too)."""
    fields = {k: v for k, v in data.items() if k not in ("passed", "tests", "load_error")}
    tests = [CaseResult(**t) for t in data.get("tests", [])]
    load_error = LoadError(**data["load_error"]) if data.get("load_error") else None
    return Report(**fields, tests=tests, load_error=load_error)


__all__ = ["CASE_STATUSES", "REPORT_VERSION", "STATUSES", "Case", "CaseResult", "DataSpec",
           "Diagnosis", "Disagreement", "EngineInfo", "EngineSpec", "GraphNode", "GraphView",
           "LoadError", "Mismatch", "Mistake",
           "Observation", "Observed", "ObservedError", "Outcome", "Report", "ScriptSpec", "Spec",
           "Suite", "Tolerance", "Trace", "TraceNode", "TrainingFigure", "from_dict"]
