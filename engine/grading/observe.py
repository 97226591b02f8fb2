"""Run learner code on one case and write down what it did, as plain JSON-ready data.

This is the only module that touches learner objects. It never sees expected values (judging happens
elsewhere, on the JSON this returns), and it turns every number it reads into a descriptor after an
exact type check, so a learner object with a permissive ``__eq__`` can never stand in for a number.
It runs in the CPython grading child and, unchanged, inside Pyodide. Standard library only.
"""

from __future__ import annotations

import builtins
import math
import random as _random
import sys
import time
import traceback
import weakref
from collections import deque
from collections.abc import Callable
from operator import is_ as _is
from types import ModuleType as _ModuleType
from typing import Any

LEARNER_FILE = "solution.py"
LEARNER_MODULE = "solution"
CASE_FILE = "<case>"
# An engine case's engine runs as this module, the same name for every engine (correct or
# buggy): nothing the learner's test can read (class, module or file name) says which it is.
ENGINE_MODULE = "engine_under_test"
ENGINE_FILE = "<engine>"
DEFAULT_OUTPUT_LIMIT = 8_000
TRACEBACK_FRAMES = 200

# Captured at import, before any learner code runs: patching builtins later cannot fool the observer.
_type, _repr, _isinstance, _len, _str = type, repr, isinstance, len, str
_float, _int, _isfinite, _id, _format = float, int, math.isfinite, id, format
_BUILTINS = dict(builtins.__dict__)
_perf_counter = time.perf_counter


class OutputCapture:
    """A write-only text sink that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit: int = DEFAULT_OUTPUT_LIMIT) -> None:
        self.limit = limit
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def write(self, text: object) -> int:
        text = text if _type(text) is _str else _str(text)
        room = self.limit - self.kept
        if room > 0:
            self.parts.append(text[:room])
            self.kept += min(room, _len(text))
        self.dropped += max(0, _len(text) - max(room, 0))
        return _len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False

    def text(self) -> str:
        return "".join(self.parts)


BACKWARD_CALLED = "@backward()"  # observed once a data case's graph is built and backward() called
NOT_A_VALUE = "@not a Value"  # observed when a data case's expression gave something else


class _Recorder:
    """The ``record(label, value)`` function a script case calls; it keeps descriptors only."""

    def __init__(self) -> None:
        self.observations: dict[str, float | int | dict[str, Any]] = {}
        self.figure: _Figure | None = None  # a case that declares a figure gets one

    def __call__(self, label: str, value: object) -> None:
        self.observations[_str(label)] = describe(value)


FIGURE_LEAVES = 5_000  # numbers in one figure at most: a 24 x 24 grid, losses and points fit


class _Figure:
    """The ``figure(kind, **fields)`` function a script case that declares a figure calls.

    The case's script builds the containers (lists, dicts) and fills them with what the learner's
    code produced; here every leaf is checked like a recorded number (exact ``int`` or ``float``,
    finite) and rounded to 6 significant figures, anything else becomes ``None``, so a figure is
    plain JSON of a bounded size whatever the learner's objects do. The last call wins."""

    def __init__(self) -> None:
        self.drawn: dict[str, Any] | None = None

    def __call__(self, kind: str, **fields: object) -> None:
        budget = [FIGURE_LEAVES]
        drawn: dict[str, Any] = {"kind": _str(kind)}
        for name, value in fields.items():
            drawn[name] = _plain(value, budget, 0)
        self.drawn = drawn if budget[0] >= 0 else None


def _plain(value: object, budget: list[int], depth: int) -> Any:
    """``value`` as plain JSON: exact lists, tuples and str-keyed dicts kept, numbers rounded."""
    if budget[0] < 0:  # already too big: a list of millions of losses is not read to its end
        return None
    kind = _type(value)
    if kind is list or kind is tuple:
        if depth > 3:
            return None
        return [_plain(v, budget, depth + 1) for v in value]  # type: ignore[attr-defined]
    if kind is dict:
        if depth > 3:
            return None
        return {_str(k): _plain(v, budget, depth + 1)
                for k, v in value.items() if _type(k) is _str}  # type: ignore[attr-defined]
    budget[0] -= 1
    if kind is _int and -(2**53) <= value <= 2**53:  # type: ignore[operator]
        return value
    if kind is _float and _isfinite(value):  # type: ignore[arg-type]
        return _float(_format(value, ".6g"))
    return None


def describe(value: object) -> float | int | dict[str, Any]:
    """A JSON-ready description of a value read from learner objects.

    A finite number is described by itself (most of what a case records, so the child's JSON
    stays small and quick to read); anything else by a dict with a ``kind``. Only exact ``int``
    and ``float`` count as numbers: ``bool``, ``str``, a ``Value`` or any learner class is
    reported by type and a short repr, so it can be shown but never compared as a number.
    """
    kind = _type(value)
    if kind is _float or kind is _int:
        if kind is _float and not _isfinite(value):  # type: ignore[arg-type]
            return {"kind": "nonfinite", "text": _repr(value)}
        if kind is _int and not -(2**63) <= value <= 2**63:  # type: ignore[operator]
            return _float(value)  # type: ignore[arg-type]
        return value  # type: ignore[return-value]
    return {"kind": "other", "type": kind.__name__, "repr": _safe_repr(value)}


def number(desc: object) -> float | None:
    """The number a descriptor stands for, or None when it describes something else (``bool``
    is excluded: JSON may bring back ``true``, never as a number)."""
    kind = _type(desc)
    return _float(desc) if kind is _float or kind is _int else None  # type: ignore[arg-type]


def kind_of(desc: object) -> str | None:
    """``"number"`` for a number, else the descriptor's ``kind`` (None for no descriptor)."""
    if desc is None:
        return None
    return "number" if number(desc) is not None else desc["kind"]  # type: ignore[index]


def _safe_repr(value: object, limit: int = 80) -> str:
    try:
        text = _repr(value)
        text = text if _type(text) is _str else "<repr did not return a string>"
    except BaseException as exc:
        text = f"<repr raised {_type(exc).__name__}>"
    return text if _len(text) <= limit else text[: limit - 3] + "..."


def _read_attribute(obj: object, name: str) -> float | int | dict[str, Any]:
    try:
        return describe(getattr(obj, name))
    except AttributeError:
        return {"kind": "missing", "attribute": name, "type": _type(obj).__name__}
    except BaseException as exc:
        return {"kind": "raised", "error": describe_exception(exc)}


def describe_exception(exc: BaseException) -> dict[str, Any]:
    """Type, message and the learner's own part of the traceback, nothing from the grader."""
    # The innermost frames only: a recursion 10**6 deep would otherwise take seconds to read
    # (and hold up Stop). Where it was raised, and the learner frames above it, are all here.
    frames = traceback.extract_tb(_innermost(exc.__traceback__, TRACEBACK_FRAMES))
    learner = [f for f in frames if f.filename == LEARNER_FILE]
    info: dict[str, Any] = {
        "type": _type(exc).__name__,
        "message": _safe_str(exc),
        # Raised while the learner's code was running, or by the case's own code (a missing
        # method, an instructor's assert): only frames still on the stack are in the traceback.
        "origin": "learner" if learner else "case",
        "line": learner[-1].lineno if learner else None,
        "function": learner[-1].name if learner else None,
        "traceback": "".join(traceback.format_list(learner[-5:])) if learner else "",
    }
    if _isinstance(exc, AttributeError):
        obj = getattr(exc, "obj", None)
        info["attribute"] = getattr(exc, "name", None)
        info["object_type"] = _type(obj).__name__ if obj is not None else "NoneType"
    if _isinstance(exc, SyntaxError):
        info["line"], info["column"] = exc.lineno, exc.offset
    return info


def _innermost(tb: Any, count: int) -> Any:
    """The traceback from its ``count``-th last frame on (walking the links is cheap; reading
    each frame's source position is what takes the time)."""
    tail = deque(maxlen=count)
    while tb is not None:
        tail.append(tb)
        tb = tb.tb_next
    return tail[0] if tail else None


def _safe_str(exc: BaseException) -> str:
    try:
        text = _str(exc)
    except BaseException:
        text = ""
    return text if _len(text) <= 500 else text[:497] + "..."


def load(source: str) -> tuple[Any, dict[str, Any] | None]:
    """Compile the learner's source once; a syntax error is reported with its line and column."""
    try:
        return compile(source, LEARNER_FILE, "exec"), None
    except SyntaxError as exc:  # IndentationError and TabError are SyntaxErrors too
        info = describe_exception(exc)
        info["origin"] = "learner"
        info["message"] = exc.msg
        return None, info
    except (ValueError, MemoryError, RecursionError) as exc:  # e.g. a null byte in the source
        return None, {"type": _type(exc).__name__, "message": _safe_str(exc), "origin": "learner",
                      "line": None, "traceback": ""}


def fresh_namespace(code: Any, stdout: OutputCapture) -> tuple[dict[str, Any] | None, Any]:
    """Execute the learner module as a new ``solution`` module; returns (namespace, exception).

    The module is a real one in ``sys.modules`` (dataclasses, pickle and typing look it up there),
    replaced on every call so no state carries from one case to the next.
    """
    module = _ModuleType(LEARNER_MODULE)
    module.__file__ = LEARNER_FILE
    namespace: dict[str, Any] = module.__dict__
    namespace["__builtins__"] = fresh_builtins()
    sys.modules[LEARNER_MODULE] = module
    with _redirected(stdout):
        try:
            exec(code, namespace)
        except BaseException as exc:
            return None, exc
        stabilise_hashes(namespace)  # a metaclass's __setattr__ is learner code: output captured
    return namespace, None


def stabilise_hashes(namespace: dict[str, Any], module: str = LEARNER_MODULE) -> list[type]:
    """Give each class the learner defined that hashes by identity a hash that is the same on
    every run; returns the classes changed.

    Why: ``object.__hash__`` is derived from the object's address, so a ``set`` (or a dict) of
    learner objects iterates in address order, which differs from one process to the next (and
    between the CLI and Pyodide). A ``backward()`` whose result depends on that order (``_prev =
    set(children)`` with a bug that only shows in some orders) then scores differently on every
    run, and nothing tells the learner why. Reporting "your result depends on the order" instead
    would need every case run several times under different orders, and could still miss it;
    making the order fixed costs one Python call per hash and gives one answer everywhere.

    ``module``: whose classes (the learner's, or an engine case's engine, ``ENGINE_MODULE``).

    What changes: only classes whose ``__hash__`` is ``object.__hash__`` (no ``__hash__`` of
    their own, whatever their ``__eq__``); equality is untouched, and each object's hash is still
    fixed for its life, so every set and dict behaves as before except for its iteration order.
    The hash is a number given on an object's first hash, counting up from 1 per learner module:
    the same code and case hash the same objects in the same order, so a set of them iterates in
    the same order on every run. A class with its own ``__hash__`` (even ``return id(self)``)
    keeps it. Numbers live in a table keyed by ``id``; a weak reference drops an entry when its
    object dies (before its address can be reused), or, for objects without weak references
    (``__slots__``), the table keeps the object alive until the namespace goes.
    """
    classes = [v for v in namespace.values() if _isinstance(v, _type)]
    if not classes:
        return []
    numbers: dict[int, tuple[Any, int]] = {}
    counter = [0]

    def drop(ref: Any) -> None:
        numbers.pop(ref.key, None)

    def __hash__(self: object) -> int:
        key = _id(self)
        entry = numbers.get(key)
        if entry is not None:
            return entry[1]
        counter[0] += 1
        try:
            keeper: Any = _KeyedRef(self, drop)
            keeper.key = key
        except TypeError:  # no weak references to this object: keep it for the namespace's life
            keeper = self
        numbers[key] = (keeper, counter[0])
        return counter[0]

    changed = []
    for cls in classes:  # a base before its subclasses or not: a subclass changed alone is fine
        try:
            if cls.__module__ != module or cls.__hash__ is not object.__hash__:
                continue
            cls.__hash__ = __hash__  # type: ignore[method-assign]
        except BaseException:  # a metaclass that refuses: that class keeps address order
            continue
        changed.append(cls)
    return changed


class _KeyedRef(weakref.ref):  # type: ignore[type-arg]
    """A weak reference that knows the ``id`` its object had, to drop its table entry."""

    __slots__ = ("key",)


def fresh_builtins() -> dict[str, Any]:
    """The builtins as they were before any learner code ran, in a new dict for one namespace."""
    return dict(_BUILTINS)


def check_module(code: Any, limit: int = DEFAULT_OUTPUT_LIMIT,
                 specs: list[dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """Run the module once: an exception at top level, or a missing name, is reported once.

    The names a suite needs come from its cases (``specs``): every function an engine case
    calls, and a ``Value`` class unless every case is an engine case (a learner who writes a
    test, not an engine, defines no ``Value``). Without ``specs``, a ``Value`` class."""
    out = OutputCapture(limit)
    namespace, exc = fresh_namespace(code, out)
    if exc is not None:
        return describe_exception(exc)
    assert namespace is not None
    kinds = [s["kind"] for s in specs or ()]
    for name in sorted({s["function"] for s in specs or () if s["kind"] == "engine"}):
        found = namespace.get(name)
        if not callable(found) or _isinstance(found, _type):
            what = "nothing" if found is None else f"a {_type(found).__name__}"
            return {"type": "MissingFunction", "origin": "learner", "line": None, "traceback": "",
                    "message": f"your code must define a function named `{name}` (found {what})"}
    if kinds and all(k == "engine" for k in kinds):
        return None
    value_cls = namespace.get("Value")
    if not _isinstance(value_cls, _type):
        found = "nothing" if value_cls is None else f"a {_type(value_cls).__name__}"
        return {"type": "MissingValueClass", "origin": "learner", "line": None, "traceback": "",
                "message": f"your code must define a class named `Value` (found {found})"}
    if _borrowed(value_cls):
        return {"type": "MissingValueClass", "origin": "learner", "line": None, "traceback": "",
                "message": "your `Value` must be your own class: it comes from the grader's "
                           "own engine package"}
    return None


def _borrowed(cls: type) -> bool:
    """True when the learner's Value is (or extends) a class from this package (``engine``)."""
    try:
        return any(_str(getattr(k, "__module__", "")).split(".")[0] == "engine"
                   for k in cls.__mro__)
    except BaseException:
        return False


def run_case(code: Any, case: dict[str, Any], limit: int = DEFAULT_OUTPUT_LIMIT) -> dict[str, Any]:
    """Observe one case in a fresh learner namespace; always returns a result, never raises."""
    started = _perf_counter()
    out = OutputCapture(limit)
    # Code that draws random numbers (weight initialisation) gets the same ones for the same case
    # on every run, in the CLI and in the browser: verdicts and messages are reproducible.
    _random.seed(f"gradlab:{case['id']}")
    namespace, exc = fresh_namespace(code, out)
    if exc is None:
        assert namespace is not None
        return observe_with(namespace.get("Value"), case, out, started, namespace)
    result = {"id": case["id"], "status": "error", "observations": {},
              "error": describe_exception(exc)}
    return _finish(result, out, started)


def observe_with(value_cls: Any, case: dict[str, Any], out: OutputCapture | None = None,
                 started: float | None = None, names: dict[str, Any] | None = None) -> dict[str, Any]:
    """Observe one case with a given ``Value`` class (the learner's, or the reference engine's).

    ``names`` is the learner's module: a script case also sees its other top-level names
    (``numerical_grad``, ``MLP``...)."""
    started = _perf_counter() if started is None else started
    out = out or OutputCapture()
    recorder = _Recorder()
    result: dict[str, Any] = {"id": case["id"], "status": "ok"}
    with _redirected(out):
        try:
            _CASE_KINDS[case["kind"]](value_cls, case, recorder, names or {})
        except BaseException as exc:
            error = describe_exception(exc)
            # An assert written by the instructor in a script case is a failed check, not a crash.
            case_assert = _isinstance(exc, AssertionError) and error["origin"] == "case"
            result["status"] = "failed_assertion" if case_assert else "error"
            result["error"] = error
    result["observations"] = recorder.observations
    if recorder.figure is not None and recorder.figure.drawn is not None:
        result["figure"] = recorder.figure.drawn
    return _finish(result, out, started)


def _finish(result: dict[str, Any], out: OutputCapture, started: float) -> dict[str, Any]:
    result["output"] = out.text()
    result["output_dropped"] = out.dropped
    result["duration_ms"] = round((_perf_counter() - started) * 1000, 3)
    return result


_compiled: dict[tuple[str, str], Any] = {}


def _compile_case_code(text: str, mode: str, filename: str = CASE_FILE) -> Any:
    """Case code is the instructor's and the same for every submission: compile it once."""
    key = (text, mode)
    code = _compiled.get(key)
    if code is None:
        code = _compiled[key] = compile(text, filename, mode)
    return code


def _flat_code(flat: list[str]) -> Any:
    """A flat case's operations as one code object: one ``exec`` per case, not one per line."""
    return _compile_case_code("\n".join(flat), "exec")


def precompile(specs: list[dict[str, Any]]) -> None:
    """Compile every case's code now (a zygote does this once, before forking children)."""
    for spec in specs:
        if spec["kind"] == "data":
            if "flat" in spec:
                _flat_code(spec["flat"])
            for step in spec.get("steps", ()):
                _compile_case_code(step, "exec")
            _compile_case_code(spec["expression"], "eval")
        elif spec["kind"] == "engine":
            _compile_case_code(spec["engine"], "exec", ENGINE_FILE)
        else:
            _compile_case_code(spec["script"], "exec")


def _run_data_case(value_cls: type, case: dict[str, Any], record: _Recorder,
                   names: dict[str, Any]) -> None:
    variables = {name: value_cls(value) for name, value in case["values"].items()}
    scope: dict[str, Any] = {"__builtins__": {}, **variables}
    flat = case.get("flat")
    if flat is not None:  # one operation per line (engine.grading.localise): same calls, named nodes
        exec(_flat_code(flat), scope)
        result = scope[case["output"]]
    else:
        for step in case.get("steps", ()):
            exec(_compile_case_code(step, "exec"), scope)
        result = eval(_compile_case_code(case["expression"], "eval"), scope)
    # Never graded, for explain.py: whether what the expression gave is a Value at all, and, once
    # its backward is found, that an error from here on is backward()'s, not the graph's.
    if not _isinstance(result, value_cls):
        record.observations[NOT_A_VALUE] = 1
    backward = result.backward
    record.observations[BACKWARD_CALLED] = 1
    backward()
    record.observations["result.data"] = _read_attribute(result, "data")
    for name in case["record"]:
        record.observations[f"{name}.grad"] = _read_attribute(variables[name], "grad")
    for name in case.get("trace", ()):  # every node, for localising a mistake; never graded
        record.observations[f"@{name}.data"] = _read_attribute(scope[name], "data")
        record.observations[f"@{name}.grad"] = _read_attribute(scope[name], "grad")


def _run_script_case(value_cls: type, case: dict[str, Any], record: _Recorder,
                     names: dict[str, Any]) -> None:
    scope: dict[str, Any] = {k: v for k, v in names.items() if not k.startswith("_")}
    scope.update({"__name__": "case", "Value": value_cls, "record": record})
    if case.get("figure"):  # declared in the case file: only then is there a picture to draw
        record.figure = scope["figure"] = _Figure()
    exec(_compile_case_code(case["script"], "exec"), scope)


class EngineVerdictError(TypeError):
    """The learner's test returned something other than True, False or None."""


def _run_engine_case(value_cls: type, case: dict[str, Any], record: _Recorder,
                     names: dict[str, Any]) -> None:
    """Call the learner's test (``check_engine(Value)``) on one engine, recording its verdict.

    ``accepted`` is 1 when the test returned True or None (no complaint), 0 when it returned
    False or raised an exception (an AssertionError, or the engine failing under it: both say
    "this engine is broken"); ``verdict`` says which. Anything else returned is an error: a
    test must say yes or no. KeyboardInterrupt (the browser's time limit), SystemExit and
    MemoryError are not verdicts and propagate."""
    module = _ModuleType(ENGINE_MODULE)
    module.__file__ = ENGINE_FILE
    space: dict[str, Any] = module.__dict__
    space["__builtins__"] = fresh_builtins()
    sys.modules[ENGINE_MODULE] = module
    exec(_compile_case_code(case["engine"], "exec", ENGINE_FILE), space)
    stabilise_hashes(space, ENGINE_MODULE)
    test = names[case["function"]]
    try:
        verdict = test(space["Value"])
    except MemoryError:
        raise
    except Exception as exc:
        record.observations["accepted"] = 0
        record.observations["verdict"] = {"kind": "raised", "error": describe_exception(exc)}
        return
    if verdict is not True and verdict is not False and verdict is not None:
        raise EngineVerdictError(
            f"`{case['function']}` must return True or False (or None, or raise "
            f"AssertionError); it returned {_safe_repr(verdict)}")
    record.observations["accepted"] = 0 if verdict is False else 1
    record.observations["verdict"] = describe(verdict)


_CASE_KINDS: dict[str, Callable[[type, dict[str, Any], _Recorder, dict[str, Any]], None]] = {
    "data": _run_data_case,
    "script": _run_script_case,
    "engine": _run_engine_case,
}


class _redirected:
    """Wraps every stretch of learner code: output goes to the capture, and afterwards the
    ``builtins`` module is put back as it was, so ``import builtins; builtins.isinstance = ...``
    cannot break the grader or leak into the next case."""

    def __init__(self, sink: OutputCapture) -> None:
        self.sink = sink

    def __enter__(self) -> None:
        self.saved = sys.stdout, sys.stderr
        sys.stdout = sys.stderr = self.sink  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        sys.stdout, sys.stderr = self.saved
        restore_builtins()


_BUILTIN_VALUES = list(_BUILTINS.values())


def restore_builtins() -> None:
    current = builtins.__dict__
    # Nearly always untouched: check that in C speed (map/is_, values in their saved order)
    # before doing any work. A name deleted and put back moves: that only takes the slow path.
    if len(current) == len(_BUILTINS) and all(map(_is, current.values(), _BUILTIN_VALUES)):
        return
    for name in [n for n in current if n not in _BUILTINS]:
        del current[name]
    for name, value in _BUILTINS.items():
        if current.get(name) is not value:
            current[name] = value


def observe_all(source: str, cases: list[dict[str, Any]], limit: int = DEFAULT_OUTPUT_LIMIT,
                on_result: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Load once, then run every case in its own namespace: the in-process path (Pyodide, tests)."""
    code, error = load(source)
    if error is None:
        error = check_module(code, limit, cases)
    if error is not None:
        return {"load_error": error, "results": []}
    results = []
    for case in cases:
        res = run_case(code, case, limit)
        if on_result is not None:
            on_result(res)
        results.append(res)
    return {"load_error": None, "results": results}
