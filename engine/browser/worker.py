"""The worker's entry point in Pyodide: grade a ``run`` message with the same runner as the CLI.

The page enforces time limits: it interrupts Python (``pyodide.setInterruptBuffer``) when a case
runs too long or the learner presses Stop, or, without cross-origin isolation, terminates the
worker and starts a new one that is told which cases already timed out (``known``). Either way the
report is built here, by ``runner.grade``, so the browser and ``gradlab grade`` agree.

Every run starts clean: a run's changes to the interpreter (the recursion limit, patched
attributes of any module loaded before it, modules it imported, ``sys.path``, the random state...)
are undone after it (``_Baseline``), and when something cannot be undone (a MemoryError, a
patch that will not revert) the run's result says so and the page replaces the worker.
"""

from __future__ import annotations

import gc
import json
import os
import random
import sys
from collections.abc import Callable
from operator import is_ as _is
from typing import Any

from engine.browser.protocol import check
from engine.grading import observe
from engine.grading.grade import grade
from engine.grading.judge import skipped_after
from engine.grading.wording import (
    LOAD_STOPPED_MESSAGE,
    load_crashed_error,
    load_timeout_error,
    load_timeout_message,
)

_suites: dict[str, dict[str, Any]] = {}


def add_suite(suite_json: str) -> str:
    """Keep a compiled suite (fetched by the worker) for later runs; returns its version."""
    suite = json.loads(suite_json)
    _suites[suite["problem"]["slug"]] = suite
    return suite["version"]


def loaded_suites() -> str:
    """JSON ``{slug: version}`` of the suites kept so far: those added before the build-time
    snapshot was taken are there at once after a restore, so the worker need not fetch them."""
    return json.dumps({slug: suite["version"] for slug, suite in _suites.items()})


_MISSING = object()
# Where a module's state lives outside its __dict__: (read it, write it back).
_SETTINGS: dict[str, tuple[Callable[[], Any], Callable[[Any], Any]]] = {
    "recursion limit": (sys.getrecursionlimit, sys.setrecursionlimit),
    "trace": (sys.gettrace, sys.settrace),
    "profile": (sys.getprofile, sys.setprofile),
    "random state": (random.getstate, random.setstate),
    "gc": (gc.isenabled, lambda on: gc.enable() if on else gc.disable()),
    "gc thresholds": (gc.get_threshold, lambda t: gc.set_threshold(*t)),
    "cwd": (os.getcwd, os.chdir),
    "environ": (lambda: dict(os.environ),
                lambda env: (os.environ.clear(), os.environ.update(env))),
}
if hasattr(sys, "get_int_max_str_digits"):
    _SETTINGS["int digits"] = (sys.get_int_max_str_digits, sys.set_int_max_str_digits)
# Modules whose classes are watched too (checking every class of every module would cost a
# few ms per run): the grader's own, and the standard modules it or the learner's code lean on.
_CLASSES_OF = ("engine", "json", "re", "collections", "functools", "operator", "math", "random",
               "itertools", "builtins", "types", "copy", "dataclasses", "enum", "abc",
               "numbers", "decimal", "fractions", "io", "traceback", "contextlib", "typing")
# Lists that code changes in place.
_LISTS = {"sys.path": sys.path, "sys.meta_path": sys.meta_path,
          "sys.path_hooks": sys.path_hooks}


def _same(current: Any, keys: tuple[str, ...], values: tuple[Any, ...]) -> bool:
    """Whether a namespace still holds exactly these objects (by identity, in C: no learner
    ``__eq__`` is ever called). The values alone, in order, decide: a dict keeps insertion
    order, so a key deleted or added (even one put back) moves every value after it, and the
    same values in the same order under other names cannot come from assignments. Half the
    work of also comparing the keys: this runs over ~10,000 entries after every run."""
    return len(current) == len(keys) and all(map(_is, current.values(), values))


class _Baseline:
    """The interpreter as a clean run finds it: every loaded module's namespace (and the classes
    written in Python it defines), the modules loaded, and the settings above. ``restore`` puts
    it back after a run and says whether it could."""

    def __init__(self) -> None:
        self.modules = dict(sys.modules)
        self.namespaces: list[tuple[dict[str, Any], tuple[str, ...], tuple[Any, ...]]] = []
        self.classes: list[tuple[type, tuple[str, ...], tuple[Any, ...]]] = []
        seen: set[int] = set()
        for name, module in self.modules.items():
            space = getattr(module, "__dict__", None)
            if not isinstance(space, dict) or id(space) in seen or name == "__main__":
                continue  # __main__: Pyodide's runPython scratch space, not the learner's
            seen.add(id(space))
            self.namespaces.append((space, tuple(space), tuple(space.values())))
            if name.split(".", 1)[0] not in _CLASSES_OF:
                continue
            for value in list(space.values()):
                # Built-in types cannot be changed from Python: only heap types are kept.
                if isinstance(value, type) and value.__module__ == name and id(value) not in seen \
                        and value.__flags__ & (1 << 9):  # Py_TPFLAGS_HEAPTYPE
                    seen.add(id(value))
                    attributes = vars(value)
                    self.classes.append((value, tuple(attributes), tuple(attributes.values())))
        self.settings = {name: get() for name, (get, _) in _SETTINGS.items()}
        self.lists = {name: list(items) for name, items in _LISTS.items()}

    def restore(self) -> bool:
        """Undo every change since the baseline; False if something could not be undone."""
        ok = True
        for name in [n for n in sys.modules if n not in self.modules]:
            # Modules the run imported (its own, or standard ones it reached for) go; the
            # grader's own may stay (a lazy import of it changes nothing the learner did).
            if not (name == "engine" or name.startswith("engine.")):
                del sys.modules[name]
        for name, module in self.modules.items():
            if sys.modules.get(name) is not module:
                sys.modules[name] = module
        for space, keys, values in self.namespaces:
            if not _same(space, keys, values):
                try:
                    space.clear()
                    space.update(zip(keys, values, strict=True))
                except Exception:
                    ok = False
        for cls, keys, values in self.classes:
            if not _same(vars(cls), keys, values):
                try:
                    saved = dict(zip(keys, values, strict=True))
                    for key in [k for k in vars(cls) if k not in saved]:
                        delattr(cls, key)
                    for key, value in saved.items():
                        if vars(cls).get(key, _MISSING) is not value:
                            setattr(cls, key, value)
                    ok = ok and _same(vars(cls), keys, values)
                except Exception:
                    ok = False
        for name, (get, put) in _SETTINGS.items():
            try:
                if get() != self.settings[name]:
                    put(self.settings[name])
            except Exception:
                ok = False
        for name, items in _LISTS.items():
            if not _same_list(items, self.lists[name]):
                items[:] = self.lists[name]
        return ok


def _same_list(current: list[Any], saved: list[Any]) -> bool:
    return len(current) == len(saved) and all(map(_is, current, saved))


# What the worker keeps between runs, in one object (restoring this module's namespace must not
# undo it): the baseline, and how the last run left the interpreter.
_state: dict[str, Any] = {"baseline": None, "clean": "restored", "learner ran": False}


def mark_clean() -> None:
    """Take the interpreter as it is now as what every run starts from. Called when no learner
    code has run: after the build-time warm-up (public starters only), and by the worker once
    Python is up."""
    _state["baseline"] = _Baseline()
    _freeze_long_lived()


def _freeze_long_lived() -> None:
    """Everything alive now lives as long as the worker (modules, suites, the grader's caches):
    moved out of the collector's way, so the collections a run's garbage triggers no longer walk
    it each time (Pyodide in Node, 30 runs of basic-ops: spikes of 12-20 ms among 8 ms runs,
    gone). The garbage of earlier runs is collected first so that none of it is kept for good."""
    gc.collect()
    gc.freeze()


_warm_up: list[str] = []


def keep_warm_up(message_json: str) -> None:
    """Remember a run message (public code only: a starter) for ``warm_up``, and the reference
    engine's own source (public: it ships in the wheel) as the code of its passing runs. Read
    here, at build time: a restored snapshot has the module but not yet its file."""
    import inspect

    import engine.autograd

    _warm_up[:] = [message_json]
    try:
        _passing[:] = [inspect.getsource(engine.autograd)]
    except OSError:  # no source file here: the warm-up runs the starter alone
        _passing.clear()
    mark_clean()


# Runs of the warm-up, each repeated: the kept (failing) starter, then the same problem with
# Gradlab's own engine (shipped in the wheel) as the code, so the paths of a passing run (graphs
# read, numbers judged equal) get warm too. Measured (site benchmark, warm re-run on a fresh
# visit): one starter run 57 ms; this 28 ms. The browser compiles the wasm behind the Python it
# runs most in the background; a few runs are what gets it there before the learner's first.
WARM_UP_ROUNDS = 3
_passing: list[str] = []  # engine/autograd.py's text, read when the run is kept (build time)


def warm_up_steps() -> int:
    """How many ``warm_up(step)`` calls the worker makes while idle (0: nothing kept)."""
    return 2 * WARM_UP_ROUNDS * len(_warm_up)


def warm_up(step: int) -> None:
    """Grade warm-up run number ``step`` and drop the report. The worker calls the steps one by
    one while idle, pausing while the learner's runs are queued (a run waits for one step at
    most). A restored interpreter grades several times slower until the browser has
    compiled what Python runs most; this moves that cost off the learner's first Runs."""
    if not _warm_up:
        return
    message = json.loads(_warm_up[(step // 2) % len(_warm_up)])
    if step % 2 and _passing:
        message["source"] = _passing[0]
    _run(json.dumps(message), lambda index, limit: None, lambda: "timeout")
    if step == warm_up_steps() - 1:
        # The grader's lazy imports and caches, warmed by public code, stay (and are frozen).
        # Once learner code has run (the steps go on between the learner's runs), the baseline
        # stays the one taken before it.
        if _state["learner ran"]:
            _freeze_long_lived()
        else:
            mark_clean()


def warm_up_play() -> None:
    """Play the remembered run's code with ``a = 1`` as the scratch code and drop the result:
    imports the playground and warms it, as ``warm_up`` does for grading. The worker calls it
    while idle once the engine's files are unpacked (the playground is imported from them)."""
    for message_json in _warm_up:
        message = json.loads(message_json)
        _play(json.dumps({"v": 1, "type": "play", "runId": 0, "slug": message["slug"],
                          "source": message["source"], "scratch": "a = 1", "timeLimit": 5,
                          "compare": False}),
              lambda stream, text: None, lambda index, limit: None, lambda: "timeout")
    if _warm_up and not _state["learner ran"]:
        mark_clean()


def _playground() -> Callable[..., dict[str, Any]]:
    """``engine.playground.play``, imported on first use: it is left out of the build's memory
    snapshot (34 KB less for a first visit to download; see benchmarks/README.md). Called
    before any learner code of the play runs, right after the last run was undone, so the
    interpreter then is the clean one plus the playground: it becomes the baseline."""
    if "engine.playground.run" not in sys.modules:
        import engine.playground.run  # noqa: F401
        mark_clean()
    from engine.playground import play as run_play
    return run_play


class TamperedInterpreter(RuntimeError):
    """The learner's code changed the interpreter and the change would not revert: no verdict
    reached in it could be trusted, so the run fails instead (and the worker is replaced)."""


class BrowserExecutor:
    """Observes in this interpreter, one case at a time, telling the page when each case starts.

    A run may call ``observe`` twice (the cases, then the probes once a case failed); the page
    numbers cases across both calls, so ``known`` and ``case_start`` indices continue from one
    call to the next, and a replaced worker replays the same calls in the same order."""

    def __init__(self, known: dict[int, str], case_start: Callable[[int, float], None],
                 interrupt_reason: Callable[[], str],
                 memory_exhausted: Callable[[], bool] = lambda: False) -> None:
        self.known = known
        # Whether the run grew the heap past what any honest solution needs: a case stopped at
        # its time limit while filling memory (filling gigabytes takes seconds) is told so.
        self.memory_exhausted = memory_exhausted
        self.case_start = case_start
        self.interrupt_reason = interrupt_reason
        self.first = 0  # the page's index of this call's first case
        self.crashed: set[str] = set()  # ids of cases that crashed Python (an earlier worker)
        self.not_run_after_crash: set[str] = set()
        self.out_of_memory = False  # a MemoryError: the heap may be unusable for the next run
        self.restored = True  # no learner code has run since the interpreter was last restored

    def observe(self, source: str, cases: list[dict[str, Any]]) -> dict[str, Any]:
        self.restored = False
        try:
            return self._observe(source, cases)
        finally:
            self.first += len(cases)
            # Judging runs in this same interpreter: whatever the learner's code patched
            # (``math.isclose = lambda *a, **k: True``) is undone before a verdict is reached.
            # The CLI needs no such step: there, observing and judging are separate processes.
            baseline = _state["baseline"]
            self.restored = baseline is None or baseline.restore()
            if not self.restored:
                raise TamperedInterpreter(
                    "your code changed Python in a way that cannot be undone, so it cannot be "
                    "graded here; remove what patches Python's own modules or classes")

    def _observe(self, source: str, cases: list[dict[str, Any]]) -> dict[str, Any]:
        load_limit = max((c["time_limit"] for c in cases), default=5.0)
        if -1 in self.known:  # an earlier worker was stopped or died while the module loaded
            return {"load_error": self._given_up_load(self.known[-1], load_limit), "results": []}
        self.case_start(-1, load_limit)
        try:
            code, error = observe.load(source)
            if error is None:
                error = observe.check_module(code, specs=[c["spec"] for c in cases])
        except KeyboardInterrupt:
            error = {"type": "KeyboardInterrupt"}
        if error is not None and error["type"] == "KeyboardInterrupt":
            reason = self.interrupt_reason()
            if reason != "stop" and self.memory_exhausted():
                error = self._out_of_memory()
            else:
                error = self._given_up_load("stopped" if reason == "stop" else "timeout",
                                           load_limit, error.get("line"))
        if error is not None:
            self.out_of_memory = self.out_of_memory or error["type"] == "MemoryError"
            return {"load_error": error, "results": []}
        results: list[dict[str, Any]] = []
        for index, case in enumerate(cases, self.first):
            if results and results[-1]["status"] == "timeout":
                # Fail fast, as the CLI does: later cases would most likely hang too.
                results.extend(skipped_after(results[-1], cases[index - self.first:]))
                break
            if index in self.known:
                results.append({"id": case["id"], "status": self.known[index]})
                if self.known[index] == "stopped":
                    break
                if self.known[index] == "crashed":
                    # Python died on this case: the rest are not run (the next would most
                    # likely crash it again, each costing a new worker).
                    self.crashed.add(case["id"])
                    rest = skipped_after(results[-1], cases[index - self.first + 1:])
                    self.not_run_after_crash.update(r["id"] for r in rest)
                    results.extend(rest)
                    break
                continue
            self.case_start(index, case["time_limit"])
            try:
                result = observe.run_case(code, case["spec"])
            except KeyboardInterrupt:  # landed between learner calls
                result = {"id": case["id"], "status": "error",
                          "error": {"type": "KeyboardInterrupt"}}
            if result["status"] == "error" and result["error"]["type"] == "KeyboardInterrupt":
                reason = self.interrupt_reason()
                if reason != "stop" and self.memory_exhausted():
                    result = {"id": case["id"], "status": "error", "error": self._out_of_memory(),
                              "output": result.get("output", ""),
                              "output_dropped": result.get("output_dropped", 0),
                              "duration_ms": result.get("duration_ms", 0)}
                    self.out_of_memory = True
                    results.append(result)
                    continue
                status = "stopped" if reason == "stop" else "timeout"
                interrupted = result["error"]
                result = {"id": case["id"], "status": status, "output": result.get("output", ""),
                          "output_dropped": result.get("output_dropped", 0),
                          "duration_ms": result.get("duration_ms", 0)}
                if status == "timeout" and interrupted.get("line"):
                    # The interrupt landed in the learner's code: its traceback says where.
                    result["line"] = interrupted["line"]
                    result["function"] = interrupted.get("function")
                results.append(result)
                if status == "stopped":
                    break
                continue
            if result["status"] == "error" and result["error"]["type"] == "MemoryError":
                self.out_of_memory = True
            results.append(result)
        return {"load_error": None, "results": results}

    @staticmethod
    def _out_of_memory() -> dict[str, Any]:
        return {"type": "MemoryError", "message": "", "origin": "learner", "line": None,
                "traceback": ""}

    @staticmethod
    def _given_up_load(verdict: str, limit: float, line: int | None = None) -> dict[str, Any]:
        if verdict == "stopped":
            return load_timeout_error(LOAD_STOPPED_MESSAGE)
        if verdict == "crashed":
            return load_crashed_error()
        return load_timeout_error(load_timeout_message(limit, line), line)


CRASHED_MESSAGE = ("Python crashed while running this case, most likely because your code used "
                   "too much memory or recursed too deeply (a recursion limit raised with "
                   "sys.setrecursionlimit can overflow the browser's stack).")
NOT_RUN_AFTER_CRASH_MESSAGE = ("Not run: an earlier case crashed Python, so the rest were "
                               "skipped. Fix that case first.")

def clean_state() -> str:
    """How the last run left the interpreter: "restored" (every change it made was undone) or
    "replace" (it cannot be trusted: the worker must be replaced)."""
    return _state["clean"]


def run(message_json: str, case_start: Callable[[int, float], None],
        interrupt_reason: Callable[[], str],
        memory_exhausted: Callable[[], bool] = lambda: False) -> str:
    """Handle one ``run`` message; returns the report as JSON. Afterwards ``clean_state()`` says
    whether the interpreter is clean again."""
    _state["learner ran"] = True
    return _run(message_json, case_start, interrupt_reason, memory_exhausted)


def _run(message_json: str, case_start: Callable[[int, float], None],
         interrupt_reason: Callable[[], str],
         memory_exhausted: Callable[[], bool] = lambda: False) -> str:
    """``run``, also for the warm-up's public code (which is not learner code)."""
    message = check(json.loads(message_json), "run")
    suite = _suites.get(message["slug"])
    if suite is None or suite["version"] != message["suiteVersion"]:
        raise ValueError(f"suite {message['slug']} {message['suiteVersion']} is not loaded")
    known = {int(k): v for k, v in message["known"].items()}
    executor = BrowserExecutor(known, case_start, interrupt_reason, memory_exhausted)
    _state["clean"] = "replace"  # until the run ends and is undone
    try:
        # Probes (hidden, uncounted, for the diagnosis) only run once a case has failed: a
        # passing run, the common one, skips them.
        report = grade(suite, message["source"], executor, probes_first=False)
        for test in report.tests:
            if test.id in executor.crashed:
                test.message = CRASHED_MESSAGE
            elif test.id in executor.not_run_after_crash:
                test.message = NOT_RUN_AFTER_CRASH_MESSAGE
        text = json.dumps(report.to_dict())
    finally:
        baseline = _state["baseline"]
        # Each observe() restores as it ends (before judging): again only if that failed or
        # something ran since (a report is built from plain data; no learner code runs in it).
        restored = executor.restored or baseline is None or baseline.restore()
        _state["clean"] = "restored" if restored and not executor.out_of_memory else "replace"
    return text


def play(message_json: str, emit: Callable[[str, str], None],
         case_start: Callable[[int, float], None], interrupt_reason: Callable[[], str],
         memory_exhausted: Callable[[], bool] = lambda: False) -> str:
    """Handle one ``play`` message (the playground's Run); returns the PlayResult as JSON.

    Output goes to ``emit(stream, text)`` while the code runs; ``case_start(0, timeLimit)``
    marks the moment learner code starts. Afterwards ``clean_state()`` says whether the
    interpreter is clean again, as after ``run``."""
    _state["learner ran"] = True
    return _play(message_json, emit, case_start, interrupt_reason, memory_exhausted)


def _play(message_json: str, emit: Callable[[str, str], None],
          case_start: Callable[[int, float], None], interrupt_reason: Callable[[], str],
          memory_exhausted: Callable[[], bool] = lambda: False) -> str:
    """``play``, also for the warm-up's public code (which is not learner code)."""
    message = check(json.loads(message_json), "play")
    _state["clean"] = "replace"  # until the run ends and is undone
    result: dict[str, Any] | None = None
    try:
        result = _playground()(message["source"], message["scratch"], emit=emit,
                          compare=message["compare"],
                          on_start=lambda: case_start(0, message["timeLimit"]),
                          interrupt_reason=interrupt_reason, memory_exhausted=memory_exhausted)
    finally:
        baseline = _state["baseline"]
        restored = baseline.restore() if baseline is not None else True
        error = result["error"] if result is not None else None
        out_of_memory = error is not None and error["type"] == "MemoryError"
        _state["clean"] = "restored" if restored and not out_of_memory else "replace"
    # Written once the interpreter is restored: the scratch code may have patched json itself.
    return json.dumps(result)
