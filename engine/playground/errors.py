"""Say what went wrong in the learner's own terms: their frames only, with their source lines."""

from __future__ import annotations

from collections import deque
from typing import Any

SOLUTION_FILE = "solution.py"  # engine.grading.observe.LEARNER_FILE: the same file name
SCRATCH_FILE = "scratch.py"
EDITORS = {SOLUTION_FILE: "solution", SCRATCH_FILE: "scratch"}
MAX_FRAMES = 10
MESSAGE_LIMIT = 1000

_type, _str, _len = type, str, len


class Sources:
    """The two files' text, split into lines once: frames quote them (not ``linecache``, which
    knows nothing of code compiled from strings)."""

    def __init__(self, solution: str, scratch: str) -> None:
        self.lines = {"solution": solution.splitlines(), "scratch": scratch.splitlines()}

    def line(self, editor: str, number: int | None) -> str:
        lines = self.lines[editor]
        return lines[number - 1].strip() if number and 0 < number <= _len(lines) else ""


def frame(sources: Sources, editor: str, line: int, name: str) -> dict[str, Any]:
    return {"file": editor, "line": line, "name": name, "text": sources.line(editor, line)}


def describe(exc: BaseException, sources: Sources) -> dict[str, Any]:
    """A play_error: type, message (capped) and the learner's frames, outermost first.

    Only the innermost ``MAX_FRAMES`` learner frames are kept (the rest are counted in
    ``omitted``): a recursion thousands deep shows where it ended. Walking the traceback's links
    and comparing file names is cheap; only the kept frames have their line numbers read."""
    kept: deque[Any] = deque(maxlen=MAX_FRAMES)
    count = 0
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in EDITORS:
            kept.append(tb)
            count += 1
        tb = tb.tb_next
    frames = [frame(sources, EDITORS[t.tb_frame.f_code.co_filename], t.tb_lineno or 1,
                    t.tb_frame.f_code.co_name) for t in kept]
    error: dict[str, Any] = {"type": _type(exc).__name__, "message": message(exc),
                             "frames": frames, "omitted": count - _len(frames)}
    if isinstance(exc, SyntaxError):  # raised at run time (compile(), exec() in learner code)
        error["column"] = exc.offset
    return error


def syntax_error(exc: SyntaxError, editor: str, sources: Sources) -> dict[str, Any]:
    """A SyntaxError (or IndentationError) in one of the two files, before anything ran."""
    line = exc.lineno if exc.lineno and exc.lineno > 0 else 1
    return {"type": _type(exc).__name__, "message": _cap(_str(exc.msg)),
            "frames": [frame(sources, editor, line, "<module>")], "omitted": 0,
            "column": exc.offset}


def message(exc: BaseException) -> str:
    try:
        text = _str(exc)
    except Exception:
        text = ""
    return _cap(text if _type(text) is _str else "")


def _cap(text: str, limit: int = MESSAGE_LIMIT) -> str:
    return text if _len(text) <= limit else text[: limit - 3] + "..."
