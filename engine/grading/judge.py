"""Compare what the observer saw with what was expected, and say it in a learner's words.

Works only on plain JSON from the observer: numbers are compared as real floats after their type
was checked, so nothing a learner's object does can make a case pass. Hidden cases never show
their inputs or expected numbers; their message names the kind of mistake instead.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from engine.grading import localise
from engine.grading.contract import Case, CaseResult, Observation, ObservedError, Outcome
from engine.grading.observe import kind_of, number

_OPERATOR_METHODS = {"+": "__add__", "*": "__mul__", "-": "__sub__", "/": "__truediv__",
                     "**": "__pow__", "@": "__matmul__"}


def fmt(x: float) -> str:
    """Numbers as Python prints them, so 0.0 reads as 0.0 and 10 as 10."""
    return repr(int(x)) if isinstance(x, int) else repr(x)


def judge_case(case: Case, obs: Observation) -> CaseResult:
    """One case's verdict from its compiled form and the observer's result."""
    visible = case["visibility"] == "visible"
    result = CaseResult(
        id=case["id"], name=case["name"], status="passed", visibility=case["visibility"],
        output=obs.get("output", ""), output_truncated=obs.get("output_dropped", 0) > 0,
        duration_ms=obs.get("duration_ms", 0.0),
    )
    status = obs["status"]
    if status == "timeout":
        result.status = "timeout"
        result.message = (f"Stopped after {case['time_limit']:g} s: your code did not finish. "
                          "Look for a loop that never ends.")
    elif status == "skipped":
        result.status = "timeout"
        result.message = ("Not run: an earlier case did not finish in time, so the rest were "
                          "skipped. Fix the loop that never ends first.")
    elif status == "stopped":
        result.status = "timeout"
        result.message = "Stopped: you pressed Stop before this case finished."
    elif status == "crashed":
        result.status = "error"
        result.message = crash_message(obs.get("exit_code"))
    elif status == "error":
        result.status = "error"
        result.message, result.line = error_message(obs["error"], case, visible)
    elif status == "failed_assertion":
        result.status = "failed"
        text = obs["error"]["message"] or "an assertion in this case failed"
        result.message = f"Check failed: {text}" if visible else _hidden_message(case, [])
    else:
        wrong = compare(case, obs.get("observations", {}))
        if wrong:
            result.status = "failed"
            # Which recorded values are wrong: telling for script cases, which have no graph.
            result.outcome = Outcome("fail", wrong=tuple(sorted(label for label, _, _ in wrong)))
            result.message = _visible_message(case, wrong) if visible else _hidden_message(case, wrong)
            if visible:
                result.details = _details(case, obs.get("observations", {}))
    if result.status != "passed":
        result.hint = case.get("hint")
        result.hints = case.get("hints") or []
    trace = case.get("trace")
    if trace and status == "ok":
        finding = None
        if result.status == "failed":
            finding = localise.localise(trace, obs.get("observations", {}), case["tolerance"],
                                     show_numbers=visible)
            result.where = finding.message if finding else None
            if finding:
                result.outcome = Outcome("fail", where=finding.kind,
                                         wrong=result.outcome.wrong if result.outcome else None)
        if visible:
            result.graph = localise.view(trace, obs.get("observations", {}), finding,
                                         case["tolerance"])
    if result.outcome is None:
        result.outcome = Outcome(_OUTCOMES[result.status])
    return result


_OUTCOMES: dict[str, Literal["pass", "fail", "error", "timeout"]] = {
    "passed": "pass", "failed": "fail", "error": "error", "timeout": "timeout"}


Mismatch = tuple[str, float, Any]  # (label, expected, the observed descriptor or None)


def compare(case: Case, observations: dict[str, Any]) -> list[Mismatch]:
    """Every (label, expected, observed descriptor) that does not match, in the case's order."""
    tol = case["tolerance"]
    wrong = []
    for label, expected in case["expected"].items():
        desc = observations.get(label)
        got = number(desc)
        if got is None or not math.isclose(got, expected, rel_tol=tol["rel"], abs_tol=tol["abs"]):
            wrong.append((label, expected, desc))
    return wrong


def describe_got(desc: Any) -> str:
    if desc is None:
        return "nothing (it was never recorded)"
    if number(desc) is not None:
        return fmt(desc)
    kind = desc["kind"]
    if kind == "nonfinite":
        return desc["text"]
    if kind == "missing":
        return f"no such attribute (`{desc['type']}` has no `{desc['attribute']}`)"
    if kind == "raised":
        err = desc["error"]
        return f"an error when read ({err['type']}: {err['message']})"
    return f"a {desc['type']}, not a number ({desc['repr']})"


def _where(case: dict[str, Any]) -> str:
    spec = case["spec"]
    if spec["kind"] != "data":
        return ""
    if spec.get("steps"):
        return f" in `{'; '.join(spec['steps'])}; result = {spec['expression']}`"
    return f" in `{spec['expression']}`"


def _visible_message(case: dict[str, Any], wrong: list[Mismatch]) -> str:
    """One line per wrong value, each complete: "`b.grad`: expected 0.0, got 10 in `...`"."""
    lines = []
    for label, expected, desc in wrong:
        name = "`.data` of the result" if label == "result.data" else f"`{label}`"
        lines.append(f"{name}: expected {fmt(expected)}, got {describe_got(desc)}{_where(case)}")
    return "\n".join(lines)


def _hidden_message(case: dict[str, Any], wrong: list[Mismatch]) -> str:
    """Say what kind of thing went wrong without giving away inputs or expected numbers."""
    if case.get("on_fail"):
        return case["on_fail"]
    if any(kind_of(desc) not in ("number", "nonfinite") for _, _, desc in wrong):
        return "A value that should be a plain number (int or float) was something else or missing."
    if any(label == "result.data" for label, _, _ in wrong):
        return "The forward value (`data`) of the result is wrong."
    grads = [desc for label, _, desc in wrong if label.endswith(".grad")]
    if grads and all(number(d) == 0 for d in grads):
        return ("Some gradients stayed 0: the gradient did not reach every input. Check that "
                "backward() seeds the output with 1 and visits every node.")
    features = [FEATURES[f] for f in case.get("features", []) if f in FEATURES]
    if grads and features:
        return "A gradient is wrong. This graph has " + "; ".join(features) + "."
    if grads:
        return "A gradient is wrong."
    return "This case did not pass."


# What each graph feature means for a learner, worded to point at the usual mistake.
FEATURES = {
    "reused_input": "an input used more than once (its gradient must add up every use, with +=)",
    "shared_intermediate": ("an intermediate result used more than once (its rule must run once, "
                            "after all its uses have added to its grad)"),
    "relu_at_zero": "a relu whose input is exactly 0 (relu's local gradient there is 0)",
    "plain_number": "plain numbers mixed with Values (x + 1, x * 2)",
}


def _details(case: dict[str, Any], observations: dict[str, Any]) -> dict[str, Any]:
    spec = case["spec"]
    details: dict[str, Any] = {
        "expected": case["expected"],
        "got": {label: describe_got(observations.get(label)) for label in case["expected"]},
    }
    if spec["kind"] == "data":
        details.update(values=spec["values"], steps=spec.get("steps", []),
                       expression=spec["expression"])
    return details


def skipped_after(timed_out: Observation, cases: list[Case]) -> list[Observation]:
    """Observations for the cases not run after ``timed_out`` took its whole time limit."""
    return [{"id": c["id"], "status": "skipped", "after": timed_out["id"]} for c in cases]


def load_timeout_message(limit: float) -> str:
    return (f"Stopped after {limit:g} s: your code did not finish loading. Look for a loop that "
            "never ends at the top level of your file.")


def load_timeout_error(message: str) -> ObservedError:
    return {"type": "Timeout", "message": message, "origin": "learner", "line": None,
            "traceback": ""}


def crash_message(exit_code: int | None) -> str:
    if exit_code is None:
        return ("Python crashed while running this case, most likely because your code used "
                "too much memory or recursed too deeply. It was restarted for the other cases.")
    if exit_code < 0:
        return (f"The Python process running your code was killed (signal {-exit_code}), "
                "most likely because it used too much memory.")
    return (f"Your code ended the Python process (exit code {exit_code}) before this case "
            "finished: do not call os._exit() or exit the interpreter from your class.")


def error_message(err: ObservedError, case: Case | None,
                  visible: bool = True) -> tuple[str, int | None]:
    """A learner-facing message for an exception, and the learner's line when there is one."""
    kind, text, line = err["type"], err.get("message", ""), err.get("line")
    if kind == "ZeroDivisionError":
        # Python versions word it differently ("float division by zero" before 3.12): the CLI
        # and the browser's Python must say the same thing.
        text = "division by zero"
    elif kind == "OverflowError" and re.fullmatch(r"\(\d+, '.*'\)", text):
        # An errno from the C library, numbered and worded differently by glibc and by the
        # WebAssembly libc: say what it means instead.
        text = "a result too large for a float"
    where = f" (line {line}" + (f", in {err['function']}" if err.get("function") else "") + ")" \
        if line else ""
    if err.get("origin") == "case":
        return _case_error(err, case, visible), line
    if kind == "RecursionError":
        return (f"RecursionError: maximum recursion depth exceeded{where}. A function keeps "
                "calling itself: an operator that calls itself, or a recursive walk on a graph "
                "too deep for recursion."), line
    if kind == "SystemExit":
        return f"Your code called exit(){where}: return from your method instead.", line
    if kind == "MemoryError":
        return f"MemoryError: your code ran out of memory{where}.", line
    if kind == "KeyboardInterrupt":
        return f"Your code was interrupted{where}.", line
    if kind == "NotImplementedError" and not text:
        return f"NotImplementedError{where}: this method is not written yet.", line
    if kind == "MissingValueClass":
        text = text or "your code must define a class named `Value`"
        return text[:1].upper() + text[1:] + ".", None
    return f"{kind}: {text}{where}" if text else f"{kind}{where}", line


def _case_error(err: dict[str, Any], case: dict[str, Any] | None, visible: bool) -> str:
    """An error raised by the case's own code: usually a missing or incomplete operation."""
    kind, text = err["type"], err.get("message", "")
    context = _where(case) if case and visible else ""
    if kind == "AttributeError" and err.get("attribute"):
        owner = err.get("object_type")
        if owner == "Value":
            return f"`Value` has no method `{err['attribute']}`."
        if owner == "NoneType":
            return ("An operation returned None instead of a Value: does every operator method "
                    f"end with `return out`?{context}")
        return (f"An operation returned a {owner}, not a Value (it has no "
                f"`{err['attribute']}`){context}.")
    match = re.match(r"unsupported operand type\(s\) for (\S+): '(\w+)' and '(\w+)'", text)
    if kind == "TypeError" and match:
        op, left, right = match.groups()
        method = _OPERATOR_METHODS.get(op, "the operator method")
        if left == right == "Value":
            return f"`Value` does not support `{op}`: define `{method}`."
        if left == "Value":
            return (f"`Value {op} {right}` is not supported: `{method}` must also accept a plain "
                    "number (wrap it in a Value).")
        return f"`{left} {op} {right}` is not supported{context}."
    if kind == "TypeError" and "Value()" in text:
        return f"Creating a Value failed: TypeError: {text}. `Value(2)` must work."
    return f"{kind}: {text}{context}" if text else f"{kind}{context}"
