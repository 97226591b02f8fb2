"""``play``: one Run of the playground, from the two editors' text to a PlayResult.

The learner's solution runs as a real ``solution`` module (as the grader loads it: a fresh module
in ``sys.modules``, fresh builtins), then the scratch code runs in that module's namespace, with
``draw`` defined in it. As in a REPL, the scratch code's last statement, when it is an
expression, is evaluated on its own and its ``repr`` is the result's ``echo``.
"""

from __future__ import annotations

import ast
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from types import CodeType, ModuleType
from typing import Any

from engine.grading import observe
from engine.playground import errors
from engine.playground.console import OUTPUT_LIMIT, Console, Emit, Stream, discard
from engine.playground.drawing import Drawer

ECHO_LIMIT = 2000

_repr, _type, _str, _len = repr, type, str, len
_perf_counter = time.perf_counter


@dataclass
class Program:
    """Both files compiled, checked before anything runs (a typo in scratch runs nothing)."""

    solution: CodeType
    body: CodeType  # the scratch code up to its last statement (all of it if that is no expression)
    last: CodeType | None  # the last statement, when it is an expression: evaluated for the echo
    titles: dict[int, list[str]] = field(default_factory=dict)  # line -> draw() arguments' text


def compile_program(source: str, scratch: str, sources: errors.Sources
                    ) -> tuple[Program | None, dict[str, Any] | None]:
    """Compile both files; a syntax error is reported with its file, line and column."""
    editor = "solution"
    try:
        solution = compile(source, errors.SOLUTION_FILE, "exec")
        editor = "scratch"
        tree = ast.parse(scratch, errors.SCRATCH_FILE)
        last = None
        if tree.body and isinstance(tree.body[-1], ast.Expr):
            expression = ast.Expression(tree.body.pop().value)
            last = compile(expression, errors.SCRATCH_FILE, "eval")
        body = compile(tree, errors.SCRATCH_FILE, "exec")
    except SyntaxError as exc:
        return None, errors.syntax_error(exc, editor, sources)
    except (ValueError, MemoryError, RecursionError) as exc:  # a null byte; nesting too deep
        return None, {"type": _type(exc).__name__, "message": errors.message(exc), "frames": [],
                      "omitted": 0, "column": None}
    return Program(solution, body, last, draw_titles(scratch, tree, last)), None


@lru_cache(maxsize=4)
def _compiled(source: str, scratch: str) -> tuple[Program | None, dict[str, Any] | None]:
    """``compile_program``, kept for the last few texts: a learner presses Run again and again
    on the same solution (compiling it took ~3 ms in the browser, a fifth of a Run). Code
    objects are immutable, so sharing one between runs changes nothing."""
    return compile_program(source, scratch, errors.Sources(source, scratch))


def draw_titles(scratch: str, tree: ast.Module, last: CodeType | None) -> dict[int, list[str]]:
    """The argument's source text of each ``draw(...)`` call, by line: ``draw`` reads its title
    here (a line with two draw calls gets no title: which one ran cannot be told)."""
    titles: dict[int, list[str]] = {}
    try:
        full = ast.parse(scratch, errors.SCRATCH_FILE) if last is not None else tree
    except (SyntaxError, ValueError, RecursionError):
        return titles
    for node in ast.walk(full):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
                node.func.id == "draw" and node.args:
            text = ast.get_source_segment(scratch, node.args[0])
            titles.setdefault(node.lineno, []).append(text if text is not None else "")
    return titles


def play(source: str, scratch: str, *, emit: Emit, compare: bool = False,
         output_limit: int = OUTPUT_LIMIT, on_start: Callable[[], None] = lambda: None,
         interrupt_reason: Callable[[], str] = lambda: "timeout",
         memory_exhausted: Callable[[], bool] = lambda: False) -> dict[str, Any]:
    """Run the solution, then the scratch code; returns a PlayResult (play.schema.json).

    Output is streamed through ``emit(stream, text)`` while the code runs. ``on_start`` is called
    just before learner code starts (the page's time limit runs from there). A KeyboardInterrupt
    escaping the code is the page interrupting it: ``interrupt_reason()`` says "stop" (Stop) or
    anything else (the time limit); ``memory_exhausted()`` tells a time limit hit while filling
    memory. ``compare`` runs it all again with the reference engine's ``Value`` and attaches each
    drawing's ``reference``."""
    started = _perf_counter()
    sources = errors.Sources(source, scratch)
    console = Console(emit, output_limit)
    result: dict[str, Any] = {"version": 1, "status": "ok", "echo": None, "error": None,
                              "drawings": [], "output_dropped": 0, "duration_ms": 0}
    program, error = _compiled(source, scratch)
    if program is None:
        result.update(status="error", error=error)
        return _finish(result, console, started)
    # The same random numbers in the learner's run and the reference's (weights drawn at random
    # then match), different ones on each Run.
    seed = random.getrandbits(64)
    drawer = Drawer(program.titles, sources)
    try:
        on_start()
        echo, exc = execute(program, console, drawer, seed)
        result["echo"] = echo
        if exc is not None:
            result.update(status="error", error=errors.describe(exc, sources))
        if compare and drawer.drawings:
            reference = Drawer(program.titles, sources)
            try:
                from engine.autograd import Value as ReferenceValue
                execute(program, Console(discard), reference, seed, ReferenceValue)
            except Exception:
                pass  # the reference run is a bonus: what it drew before failing is kept
            for index, mine in enumerate(drawer.drawings):
                mine["reference"] = (reference.drawings[index]
                                     if index < len(reference.drawings) else None)
    except KeyboardInterrupt:
        reason = interrupt_reason()
        if reason != "stop" and memory_exhausted():
            result.update(status="error", error={"type": "MemoryError", "message": "",
                                                 "frames": [], "omitted": 0})
        else:
            result["status"] = "stopped" if reason == "stop" else "timeout"
    result["drawings"] = drawer.drawings
    return _finish(result, console, started)


def execute(program: Program, console: Console, drawer: Drawer, seed: int,
            value_class: type | None = None) -> tuple[str | None, BaseException | None]:
    """One pass over both files in a fresh ``solution`` module; returns (echo, exception).

    A KeyboardInterrupt is not caught here (it is the page's, not the learner's). With
    ``value_class``, the namespace's ``Value`` is replaced by it once the solution has run, so
    code in the solution that calls ``Value(...)`` later builds that class's values too."""
    module = ModuleType(observe.LEARNER_MODULE)
    module.__file__ = errors.SOLUTION_FILE
    namespace: dict[str, Any] = module.__dict__
    namespace["__builtins__"] = observe.fresh_builtins()
    sys.modules[observe.LEARNER_MODULE] = module
    random.seed(seed)
    echo = None
    with _Redirected(console):
        try:
            exec(program.solution, namespace)
            if value_class is not None:
                namespace["Value"] = value_class
            namespace["draw"] = drawer.function(namespace)
            exec(program.body, namespace)
            if program.last is not None:
                value = eval(program.last, namespace)
                if value is not None:
                    text = _repr(value)
                    echo = text if _len(text) <= ECHO_LIMIT else text[: ECHO_LIMIT - 3] + "..."
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # SystemExit too: exit() in the scratch code ends it
            return echo, exc
    return echo, None


def _finish(result: dict[str, Any], console: Console, started: float) -> dict[str, Any]:
    console.flush()
    result["output_dropped"] = console.dropped
    result["duration_ms"] = round((_perf_counter() - started) * 1000, 3)
    return result


class _Redirected:
    """stdout and stderr to the console while learner code runs; afterwards the ``builtins``
    module is put back as it was (``observe.restore_builtins``)."""

    def __init__(self, console: Console) -> None:
        self.streams = Stream(console, "stdout"), Stream(console, "stderr")

    def __enter__(self) -> None:
        self.saved = sys.stdout, sys.stderr
        sys.stdout, sys.stderr = self.streams  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        sys.stdout, sys.stderr = self.saved
        observe.restore_builtins()
