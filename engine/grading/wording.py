"""Every sentence a learner reads about their run, in one place: what was wrong, where, and why.

The judge (``engine.grading.judge``) and the localiser (``engine.grading.localise``) decide what
happened; this module says it. Hidden cases never show their inputs or expected numbers: their
messages name the kind of mistake instead. The CLI's own layout is ``engine.authoring.render``.
"""

from __future__ import annotations

import re
from typing import Any

from engine.grading.contract import Case, Mismatch, ObservedError
from engine.grading.observe import kind_of, number

_OPERATOR_METHODS = {"+": "__add__", "*": "__mul__", "-": "__sub__", "/": "__truediv__",
                     "**": "__pow__", "@": "__matmul__"}


def fmt(x: float) -> str:
    """Numbers as Python prints them, so 0.0 reads as 0.0 and 10 as 10."""
    return repr(int(x)) if isinstance(x, int) else repr(x)


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


def in_case(case: Case) -> str:
    spec = case["spec"]
    if spec["kind"] != "data":
        return ""
    if spec.get("steps"):
        return f" in `{'; '.join(spec['steps'])}; result = {spec['expression']}`"
    return f" in `{spec['expression']}`"


def visible_message(case: Case, wrong: list[Mismatch]) -> str:
    """One line per wrong value, each complete: "`b.grad`: expected 0.0, got 10 in `...`"."""
    lines = []
    for label, expected, desc in wrong:
        name = "`.data` of the result" if label == "result.data" else f"`{label}`"
        lines.append(f"{name}: expected {fmt(expected)}, got {describe_got(desc)}{in_case(case)}")
    return "\n".join(lines)


def hidden_message(case: Case, wrong: list[Mismatch]) -> str:
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


def _still_running(line: int | None, function: str | None = None) -> str:
    """Where the learner's code was when the time limit interrupted it, when Python could tell
    (an interrupt inside the interpreter has a traceback; a killed process or worker has none)."""
    if not line:
        return ""
    inside = f" (in {function})" if function and function != "<module>" else ""
    return f" It was still running line {line}{inside} when the time limit hit."


def load_timeout_message(limit: float, line: int | None = None) -> str:
    return (f"Stopped after {limit:g} s: your code did not finish loading.{_still_running(line)} "
            "Look for a loop that never ends at the top level of your file.")


def load_timeout_error(message: str, line: int | None = None) -> ObservedError:
    return {"type": "Timeout", "message": message, "origin": "learner", "line": line,
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
        return case_error(err, case, visible), line
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
    if kind in ("MissingValueClass", "MissingFunction"):
        text = text or "your code must define a class named `Value`"
        return text[:1].upper() + text[1:] + ".", None
    return f"{kind}: {text}{where}" if text else f"{kind}{where}", line


def case_error(err: ObservedError, case: Case | None, visible: bool) -> str:
    """An error raised by the case's own code: usually a missing or incomplete operation."""
    kind, text = err["type"], err.get("message", "")
    context = in_case(case) if case and visible else ""
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


# ---- A case that did not finish, or a check that failed ----


def case_timeout_message(limit: float, line: int | None = None, function: str | None = None) -> str:
    return (f"Stopped after {limit:g} s: your code did not finish.{_still_running(line, function)} "
            "Look for a loop that never ends.")


SKIPPED_MESSAGE = ("Not run: an earlier case did not finish in time, so the rest were skipped. "
                   "Fix the loop that never ends first.")
STOPPED_MESSAGE = "Stopped: you pressed Stop before this case finished."


def check_failed_message(text: str) -> str:
    """A script case's own assert failed (visible cases: its message, if it has one)."""
    return f"Check failed: {text or 'an assertion in this case failed'}"


# ---- An engine case: the learner's test run on one engine ----


def engine_message(case: Case, obs: Any) -> tuple[str, int | None]:
    """What the learner's test did wrong with this engine, and the learner's line if known.

    True by construction: the case knows which engine it gave the test (``case["engine"]``,
    from the engine file's header), so a buggy engine accepted is named by its bug, and a
    correct engine rejected is said so with what the test did (returned False, or raised)."""
    engine = case["engine"]
    function = case["spec"]["function"]  # type: ignore[typeddict-item]
    if obs["status"] == "error":
        err = obs["error"]
        if err["type"] == "EngineVerdictError":
            return err.get("message", "") + ".", None
        message, line = error_message(err, case)
        return f"Your `{function}` could not run on this engine: {message}", line
    if "bug" in engine:
        return (f"Your test accepts an engine whose {engine['bug']}: {engine['catch']}", None)
    verdict = obs.get("observations", {}).get("verdict")
    if isinstance(verdict, dict) and verdict.get("kind") == "raised":
        err = verdict["error"]
        text, line = error_message(err, case)
        return (f"Your test rejects a correct engine ({engine.get('correct', 'a correct one')}):"
                f" it raised {text}", line)
    return (f"Your test rejects a correct engine ({engine.get('correct', 'a correct one')}): "
            f"`{function}` returned False for it. Check the numbers your test expects by hand.",
            None)


# ---- Loading the learner's file ----


def load_error_message(err: ObservedError) -> tuple[str, int | None]:
    """The report's message for code that could not be loaded, and the learner's line."""
    message, line = error_message(err, None)
    if err["type"] in ("SyntaxError", "IndentationError", "TabError"):
        column = err.get("column")
        message = (f"{err['type']}: {err.get('message')} (line {line}"
                   + (f", column {column})" if column else ")"))
    elif err["type"] == "Timeout":
        message = err.get("message", "")
    return message, line


LOAD_STOPPED_MESSAGE = "Stopped: you pressed Stop while your code was loading."


def process_crashed_message(exit_code: int | None, doing: str) -> str:
    """The CLI's child process died while ``doing`` ("starting Python", "loading your code")."""
    how = (f"was killed by signal {-exit_code}" if exit_code is not None and exit_code < 0
           else f"exited ({exit_code})")
    return (f"the Python process {how} while {doing}: your code may have called os._exit() or "
            "used too much memory at the top level")


def load_crashed_error() -> ObservedError:
    """The browser's Python died while loading the learner's module."""
    return {"type": "Crashed", "origin": "learner", "line": None, "traceback": "",
            "message": "Python crashed while loading your code (too much memory, or "
                       "recursion too deep, at the top level of your file?)"}


# ---- Where the learner's graph first goes wrong (engine.grading.localise) ----


def fmt_short(x: float) -> str:
    """A node's number: whole numbers without their ``.0`` (5, not 5.0)."""
    return repr(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(x)


def _show(value: float | None) -> str:
    return fmt_short(value) if value is not None else "something that is not a number"


def forward_wrong(op: str, code: str, got: float | None, expected: float,
                  show_numbers: bool) -> str:
    if show_numbers:
        return (f"Forward pass: your `{op}` computes {_show(got)} in {code} "
                f"where {fmt_short(expected)} was expected.")
    return f"Forward pass: your `{op}` computes a wrong `data`."


def order_not_ops(node: str, got: float | None, expected: float, show_numbers: bool) -> str:
    """Said instead of blaming one operation when the probes measured every operation alone
    (and with an upstream gradient, a reused leaf, a shared intermediate) and all were right."""
    numbers = (f" (`{node}` ends with {_show(got)}, {fmt_short(expected)} was expected)"
               if show_numbers else "")
    return ("Backward pass: every operation gives the right local gradients when run alone; the "
            f"grads are wrong only when backward() combines them{numbers}: look at the order "
            "backward() visits nodes (each node's rule must run after every use of it has added "
            "to its grad), or the seed.")


def combining_wrong(node: str, got: float | None, expected: float, show_numbers: bool,
                    op: str | None, claim: str) -> str:
    """Said instead of blaming ``op`` (None: any operation) when the probes measured what is wrong
    (``claim``: the order backward() runs the rules in, or the seed) and, for ``op``, that it is
    right on its own."""
    numbers = (f"`{node}` ends with {_show(got)}, {fmt_short(expected)} was expected"
               if show_numbers else "a gradient is wrong")
    right = f", yet your `{op}` is right on its own (the probes measure it)" if op else ""
    return f"Backward pass: {numbers}{right}; the probes show what is wrong: {claim}."


def seed_wrong(seed: float | None) -> str:
    return ("Backward pass: the output's own gradient should be 1 after backward() (the seed), "
            f"but it is {_show(seed)}.")


def backward_wrong(op: str, code: str, node: str, side: str | None, got: float | None,
                   expected: float, show_numbers: bool) -> str:
    """One operation sends a wrong gradient to ``node``: its ``side`` input ("left input"), or
    both when ``side`` is None (the same node used as both inputs)."""
    where = f"`{node}`, its {side}," if side else f"`{node}`, used as both its inputs,"
    if show_numbers:
        message = (f"Backward pass: your `{op}` in {code} sends {_show(got)} to {where} "
                   f"where {fmt_short(expected)} was expected.")
    else:
        message = f"Backward pass: your `{op}` sends a wrong gradient to {where[:-1]}."
    if side is None:
        message += " Both uses must add up."
    return message


def sum_wrong(node: str, uses: list[str], got: float | None, expected: float,
              show_numbers: bool, lost: bool) -> str:
    """A node used by several operations has the wrong gradient; ``lost``: it holds only one
    operation's share."""
    message = (f"Backward pass: `{node}` is used by {len(uses)} operations ({', '.join(uses)}); "
               "its gradient must be the sum of what each one sends"
               + (f": expected {fmt_short(expected)}, got {_show(got)}." if show_numbers else "."))
    if lost:
        message += (" It holds only one of them: is a gradient assigned with `=` where `+=` "
                    "belongs, or does a rule run before all uses have added to it?")
    return message
