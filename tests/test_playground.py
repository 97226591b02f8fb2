"""The playground's Python side: one Run (engine.playground.play) and the worker's ``play``.

Every result is checked against engine/schemas/play.schema.json with the real validator."""

from __future__ import annotations

import json
import random
import sys

import pytest
from jsonschema.validators import Draft202012Validator

from conftest import REFERENCE, REPO
from engine.browser import worker as browser
from engine.playground import play

SCHEMA = json.loads((REPO / "engine/schemas/play.schema.json").read_text())
VALIDATOR = Draft202012Validator(SCHEMA)


def run(source: str, scratch: str, **options) -> tuple[dict, list[tuple[str, str]]]:
    """Play and return (the result, the emitted chunks); the result must match the schema."""
    chunks: list[tuple[str, str]] = []
    result = play(source, scratch, emit=lambda stream, text: chunks.append((stream, text)),
                  **options)
    VALIDATOR.validate(result)
    json.dumps(result, allow_nan=False)  # what the page parses: no NaN, no Infinity
    return result, chunks


def joined(chunks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Consecutive chunks of one stream as one (how they are split is the console's business)."""
    out: list[tuple[str, str]] = []
    for stream, text in chunks:
        if out and out[-1][0] == stream:
            out[-1] = (stream, out[-1][1] + text)
        else:
            out.append((stream, text))
    return out


# -- output ------------------------------------------------------------------------------------

def test_output_of_both_files_streams_in_order_across_stdout_and_stderr():
    source = 'print("loaded")\n'
    scratch = 'import sys\nprint("a")\nprint("b", file=sys.stderr)\nprint("c")\n'
    result, chunks = run(source, scratch)
    assert result["status"] == "ok"
    assert joined(chunks) == [("stdout", "loaded\na\n"), ("stderr", "b\n"), ("stdout", "c\n")]
    assert result["output_dropped"] == 0


def test_big_output_is_batched_and_capped_and_the_rest_counted():
    scratch = "for i in range(30000):\n    print('x' * 9)\n"  # 300,000 characters
    result, chunks = run("", scratch, output_limit=200_000)
    text = "".join(t for _, t in chunks)
    assert text == ("x" * 9 + "\n") * 20_000
    assert result["output_dropped"] == 100_000
    assert len(chunks) < 200  # batched: not one message per print


def test_output_is_sent_while_the_code_runs_not_only_at_the_end():
    scratch = "import time\nprint('first')\ntime.sleep(0.12)\nprint('second')\ntime.sleep(0.12)\n"
    seen: list[tuple[str, float]] = []
    import time
    play("", scratch, emit=lambda s, t: seen.append((t, time.perf_counter())))
    assert "".join(t for t, _ in seen) == "first\nsecond\n"
    assert seen[0][0].startswith("first") and seen[0][1] < seen[-1][1] - 0.05


# -- echo --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("scratch", "echo"), [
    ("x = 2\nx * 21", "42"),
    ("'a' * 3", "'aaa'"),
    ("None", None),
    ("print('hi')", None),  # returns None: not echoed
    ("x = 1", None),  # not an expression
    ("1 + 1\nx = 3", None),  # an expression, but not the last statement
    ("'y' * 5000", "'" + "y" * 1996 + "..."),  # capped at 2,000 characters
    ("", None),
])
def test_the_last_expression_is_echoed_like_a_repl(scratch, echo):
    result, _ = run("", scratch)
    assert result["status"] == "ok"
    assert result["echo"] == echo


def test_an_echo_uses_the_learners_repr_and_a_repr_that_raises_is_reported():
    result, _ = run(REFERENCE, "Value(3.0)")
    assert result["echo"].startswith("Value(")
    source = "class Boom:\n    def __repr__(self):\n        raise ValueError('no repr')\n"
    result, _ = run(source, "Boom()")
    assert result["status"] == "error"
    assert result["error"]["type"] == "ValueError"
    assert result["echo"] is None
    assert result["error"]["frames"][-1] == {"file": "solution", "line": 3, "name": "__repr__",
                                             "text": "raise ValueError('no repr')"}


# -- errors ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "scratch", "file", "line", "column"), [
    ("class Value:\n    def f(self)\n        pass\n", "print('never')", "solution", 2, 16),
    ("x = 1\n", "y = 2\nz = (3 +\n", "scratch", 2, 5),
    ("x = 1\n", "if True:\nprint(1)\n", "scratch", 2, 1),  # IndentationError
])
def test_a_syntax_error_in_either_file_says_where_and_runs_nothing(source, scratch, file, line,
                                                                   column):
    result, chunks = run(source, scratch)
    assert result["status"] == "error"
    error = result["error"]
    assert error["type"] in ("SyntaxError", "IndentationError")
    assert error["frames"][0]["file"] == file
    assert error["frames"][0]["line"] == line
    assert error["column"] == column
    assert chunks == []


def test_an_exception_lists_the_learners_frames_outermost_first_with_their_lines():
    source = "def helper(x):\n    return 1 / x\n\nclass Value:\n    pass\n"
    scratch = "a = 1\nb = helper(0)\n"
    result, _ = run(source, scratch)
    assert result["status"] == "error"
    assert result["error"]["type"] == "ZeroDivisionError"
    assert result["error"]["message"] == "division by zero"
    assert result["error"]["frames"] == [
        {"file": "scratch", "line": 2, "name": "<module>", "text": "b = helper(0)"},
        {"file": "solution", "line": 2, "name": "helper", "text": "return 1 / x"},
    ]
    assert result["error"]["omitted"] == 0


def test_an_error_while_the_solution_loads_points_into_the_solution():
    result, _ = run("x = 1\nraise KeyError('k')\n", "print('never')")
    assert result["error"]["frames"] == [
        {"file": "solution", "line": 2, "name": "<module>", "text": "raise KeyError('k')"}]


def test_deep_recursion_keeps_the_innermost_ten_frames_and_counts_the_rest():
    source = "def down(n):\n    return down(n + 1)\n"
    result, _ = run(source, "down(0)")
    error = result["error"]
    assert error["type"] == "RecursionError"
    assert len(error["frames"]) == 10
    assert all(f["name"] == "down" for f in error["frames"])
    assert error["omitted"] > 100  # the scratch line and the other recursive calls


def test_a_huge_message_is_capped():
    result, _ = run("", "raise ValueError('m' * 100000)")
    assert len(result["error"]["message"]) <= 1000


@pytest.mark.parametrize(("reason", "status"), [("stop", "stopped"), ("timeout", "timeout")])
def test_an_interrupt_from_the_page_is_a_timeout_or_a_stop(reason, status):
    scratch = "print('before')\nraise KeyboardInterrupt\n"
    result, chunks = run("", scratch, interrupt_reason=lambda: reason)
    assert result["status"] == status
    assert result["error"] is None
    assert chunks == [("stdout", "before\n")]  # what it printed before is still sent


def test_the_time_limit_starts_when_learner_code_starts():
    events = []
    play("print('x')", "", emit=lambda s, t: events.append("output"),
         on_start=lambda: events.append("start"))
    assert events == ["start", "output"]


def test_each_run_starts_from_a_fresh_namespace():
    first, _ = run("counter = []\n", "counter.append(1)\nlen(counter)")
    second, _ = run("counter = []\n", "counter.append(1)\nlen(counter)")
    assert first["echo"] == second["echo"] == "1"
    result, _ = run("", "__name__")
    assert result["echo"] == "'solution'"
    assert sys.modules["solution"].__file__ == "solution.py"


# -- the worker's entry point ------------------------------------------------------------------

PLAY = {"v": 1, "type": "play", "runId": 7, "slug": "basic-ops", "source": REFERENCE,
        "scratch": "print(Value(2.0) * 3)\n", "timeLimit": 5, "compare": False}


@pytest.fixture
def baseline():
    browser.mark_clean()
    yield
    browser._state["baseline"] = None
    browser._state["clean"] = "restored"


def test_the_worker_plays_a_message_and_restores_the_interpreter(baseline):
    scratch = ("import sys, json, random\nsys.setrecursionlimit(12345)\njson.dumps = None\n"
               "random.seed(1)\nimport colorsys\nprint('done')\n")
    limit, state = sys.getrecursionlimit(), random.getstate()
    emitted, starts = [], []
    text = browser.play(json.dumps({**PLAY, "scratch": scratch}),
                        lambda stream, chunk: emitted.append((stream, chunk)),
                        lambda index, limit: starts.append((index, limit)), lambda: "timeout")
    result = json.loads(text)
    VALIDATOR.validate(result)
    assert result["status"] == "ok"
    assert emitted == [("stdout", "done\n")]
    assert starts == [(0, 5)]
    assert browser.clean_state() == "restored"
    assert sys.getrecursionlimit() == limit
    assert json.dumps is not None and random.getstate() == state
    assert "colorsys" not in sys.modules or "colorsys" in browser._state["baseline"].modules


def test_the_worker_refuses_a_bad_play_message():
    from engine.browser.protocol import ProtocolError
    with pytest.raises(ProtocolError, match="timeLimit: must be <= 60"):
        browser.play(json.dumps({**PLAY, "timeLimit": 600}), print, print, lambda: "timeout")


def test_a_memory_error_asks_for_a_new_worker(baseline):
    text = browser.play(json.dumps({**PLAY, "scratch": "raise MemoryError"}),
                        lambda s, t: None, lambda i, t: None, lambda: "timeout")
    assert json.loads(text)["error"]["type"] == "MemoryError"
    assert browser.clean_state() == "replace"
