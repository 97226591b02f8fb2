"""The playground's Python side: one Run (engine.playground.play) and the worker's ``play``.

Every result is checked against engine/schemas/play.schema.json with the real validator."""

from __future__ import annotations

import json
import random
import sys
import types

import pytest
from jsonschema.validators import Draft202012Validator

from conftest import REFERENCE, REPO
from engine.browser import worker as browser
from engine.playground import play

SCHEMA = json.loads((REPO / "engine/schemas/play.schema.json").read_text())
VALIDATOR = Draft202012Validator(SCHEMA)
TEXTBOOK_SOURCE = (REPO / "hidden_tests/basic-ops/solutions/correct/micrograd_textbook.py").read_text()


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


def test_a_line_printed_before_a_hang_is_sent_before_the_hang_ends():
    """Without cross-origin isolation the page stops a hang by killing the worker: what was
    printed just before must already be on the page by then."""
    sent: list[str] = []

    def emit(stream: str, text: str) -> None:
        sent.append(text)

    def hang_check() -> None:  # called by the scratch code where a hang would start
        raise AssertionError(f"sent before the hang: {sent!r}")

    probe = types.ModuleType("hang_probe")
    probe.check = hang_check  # type: ignore[attr-defined]
    sys.modules["hang_probe"] = probe
    try:
        result = play("", "import hang_probe\nprint('step 1')\nprint('step 2')\nhang_probe.check()\n",
                      emit=emit)
    finally:
        del sys.modules["hang_probe"]
    assert result["error"]["message"] == "sent before the hang: ['step 1\\n', 'step 2\\n']"


def test_a_flood_of_prints_is_batched():
    sent: list[str] = []
    play("", "for i in range(5000):\n    print(i)\n", emit=lambda s, t: sent.append(t))
    assert "".join(sent) == "".join(f"{i}\n" for i in range(5000))
    assert len(sent) < 200  # a message per print would be 5,000


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


# -- draw(v): the graph of any learner Value ---------------------------------------------------

SOLUTIONS = sorted(p for p in (REPO / "hidden_tests").glob("*/solutions/correct/*.py")
                   if "class Value" in p.read_text())
# Every node named, so a drawing can be compared by names: s = x + x, r = act(x * y + x).
GRAPH = """x = Value(2.0)
y = Value(3.0)
s = x + x
m = x * y
p = m + x
r = p.relu() if hasattr(p, "relu") else p.tanh() if hasattr(p, "tanh") else p ** 2
"""
# Every write to a drawn node's grad, seen by the scratch code's own __setattr__ (which the
# recorder must call, not replace): (name, grad after) in order.
SPY = """seen = []
drawn = (x, y, m, p, r)
def spy(self, name, value, _set=Value.__setattr__):
    _set(self, name, value)
    if name == "grad" and any(self is n for n in drawn):
        seen.append(("xympr"[[n is self for n in drawn].index(True)], value))
Value.__setattr__ = spy
"""


def edges_by_label(drawing: dict) -> list[tuple[str, str]]:
    label = {n["id"]: n["label"] for n in drawing["nodes"]}
    return sorted((label[e["from"]], label[e["to"]]) for e in drawing["edges"])


def test_there_are_solutions_to_draw():
    assert len(SOLUTIONS) >= 20


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: f"{p.parts[-4]}/{p.stem}")
def test_draw_reads_the_graph_of_every_correct_solution_with_one_edge_per_use(path):
    result, _ = run(path.read_text(), GRAPH + "draw(s)\ndraw(r)\n")
    assert result["status"] == "ok", result["error"]
    twice, full = result["drawings"]
    assert edges_by_label(twice) == [("x", "s"), ("x", "s")]  # x + x: two edges
    assert [n["label"] for n in twice["nodes"]] == ["s", "x"]
    assert edges_by_label(full) == [("m", "p"), ("p", "r"), ("x", "m"), ("x", "p"), ("y", "m")]
    assert full["nodes"][0]["label"] == "r" and full["output"] == "n0"
    assert full["note"].startswith("Inputs read from")
    data = {n["label"]: n["data"] for n in full["nodes"]}
    assert (data["x"], data["y"], data["m"], data["p"]) == (2, 3, 6, 8)
    assert full["title"] == "r" and not full["truncated"]


@pytest.mark.parametrize("path", SOLUTIONS, ids=lambda p: f"{p.parts[-4]}/{p.stem}")
def test_steps_record_every_grad_write_of_backward_in_order(path):
    result, _ = run(path.read_text(), GRAPH + SPY + "draw(r, steps=True)\nseen")
    assert result["status"] == "ok", result["error"]
    drawing = result["drawings"][0]
    trace = drawing["steps"]
    assert trace["error"] is None and not trace["truncated"]
    label = {n["id"]: n["label"] for n in drawing["nodes"]}
    seen = eval(result["echo"])
    assert [(label[s["node"]], s["after"]) for s in trace["steps"]] == seen
    assert len(seen) >= 6  # the seed, then at least one write per edge
    assert trace["steps"][0] == {"node": "n0", "before": 0, "after": 1, "rule": None}
    # the grads drawn are the ones backward left
    grads = {n["label"]: n["grad"] for n in drawing["nodes"]}
    assert (grads["x"], grads["y"]) == pytest.approx((seen[-1][1] if seen[-1][0] == "x" else
                                                      [v for k, v in seen if k == "x"][-1],
                                                      [v for k, v in seen if k == "y"][-1]))


def test_steps_say_whose_rule_wrote_when_it_can_be_told():
    path = REPO / "hidden_tests/basic-ops/solutions/correct/micrograd_textbook.py"
    result, _ = run(path.read_text(), GRAPH + "draw(p, steps=True)")
    drawing = result["drawings"][0]
    label = {n["id"]: n["label"] for n in drawing["nodes"]}
    steps = [(label[s["node"]], s["after"], s["rule"] and label[s["rule"]])
             for s in drawing["steps"]["steps"]]
    assert steps == [("p", 1, None), ("m", 1, "p"), ("x", 1, "p"), ("x", 4.0, "m"),
                     ("y", 2.0, "m")]


def test_setattr_is_given_back_after_steps_even_when_backward_raises():
    source = REFERENCE + "\nclass Broken(Value):\n    def backward(self):\n" \
                         "        self.grad = 1\n        raise ValueError('half way')\n"
    scratch = ("a = Value(2.0)\nb = Broken(3.0, (a,), 'id')\ndraw(b, steps=True)\n"
               "('__setattr__' in vars(Value), '__setattr__' in vars(Broken))")
    result, _ = run(source, scratch)
    assert result["status"] == "ok"
    assert result["echo"] == "(False, False)"
    trace = result["drawings"][0]["steps"]
    assert [s["node"] for s in trace["steps"]] == ["n0"]
    assert trace["error"]["type"] == "ValueError"
    assert trace["error"]["frames"][-1]["text"] == "raise ValueError('half way')"


def test_setattr_is_given_back_when_the_page_interrupts_backward():
    source = REFERENCE + "\nclass Slow(Value):\n    def backward(self):\n" \
                         "        self.grad = 1\n        raise KeyboardInterrupt\n"
    scratch = "draw(Slow(1.0), steps=True)"
    result, _ = run(source, scratch)
    assert result["status"] == "timeout"
    from engine.autograd import Value
    assert "__setattr__" not in vars(Value)
    result, _ = run(source, "b = Slow(1.0)\ndraw(b, steps=True)\n'__setattr__' in vars(Slow)")
    assert result["status"] == "timeout"
    assert "__setattr__" not in vars(sys.modules["solution"].Slow)


def test_many_grad_writes_are_cut_at_5000_but_backward_still_finishes():
    source = REFERENCE + "\nclass Busy(Value):\n    def backward(self):\n" \
                         "        for i in range(6001):\n            self.grad = i\n"
    result, _ = run(source, "b = Busy(1.0)\ndraw(b, steps=True)\nb.grad")
    trace = result["drawings"][0]["steps"]
    assert trace["truncated"] and len(trace["steps"]) == 5000
    assert trace["steps"][-1]["after"] == 4999
    assert result["echo"] == "6000"
    assert result["drawings"][0]["nodes"][0]["grad"] == 6000


def test_a_style_draw_cannot_read_says_so_plainly():
    source = """
INPUTS = {}
class Value:
    def __init__(self, data):
        self.data = data
        self.grad = 0
    def __add__(self, other):
        out = Value(self.data + other.data)
        INPUTS[id(out)] = (id(self), id(other))
        return out
"""
    result, _ = run(source, "x = Value(1.0)\ndraw(x + x)")
    drawing = result["drawings"][0]
    assert len(drawing["nodes"]) == 1 and drawing["edges"] == []
    assert "cannot see" in drawing["note"] and "only the value itself is drawn" in drawing["note"]
    result, _ = run(REFERENCE, "draw(Value(1.0))")  # a leaf of a class that keeps inputs
    assert result["drawings"][0]["note"] is None


@pytest.mark.parametrize(("scratch", "error"), [
    ("draw(3)", "TypeError: draw() needs a Value, got int 3"),
    ("draw([1])", "TypeError: draw() needs a Value, got list [1]"),
    ("for _ in range(21):\n    draw(Value(1.0))",
     "RuntimeError: draw() can be called at most 20 times in one Run"),
])
def test_draw_refuses_clearly(scratch, error):
    result, _ = run(REFERENCE, scratch)
    assert f"{result['error']['type']}: {result['error']['message']}" == error
    assert result["error"]["frames"][-1]["file"] == "scratch"  # not Gradlab's own frames


def test_draw_titles_labels_and_odd_readings():
    source = REFERENCE + "\nclass Odd(Value):\n    @property\n    def grad(self):\n" \
                         "        raise RuntimeError\n    @grad.setter\n    def grad(self, v):\n" \
                         "        pass\n"
    scratch = ("a = Value(float('nan'))\nb = Value(2.0)\ndraw(a * b + 1)\n"
               "draw(a); draw(b)\ndraw(Odd(True))")
    result, _ = run(source, scratch)
    assert result["status"] == "ok", result["error"]
    first, second, third, odd = result["drawings"]
    assert first["title"] == "a * b + 1"
    assert second["title"] is None and third["title"] is None  # two draws on one line
    assert [n["label"] for n in first["nodes"]] == [None, None, None, "a", "b"]
    assert [n["op"] for n in first["nodes"]][:2] == ["+", "*"]
    assert first["nodes"][3]["data"] == "nan"
    assert odd["nodes"][0]["data"] == "True"  # a bool is not a number
    assert odd["nodes"][0]["grad"] == "<reading .grad raised RuntimeError>"


def test_a_big_graph_is_cut_at_1000_nodes_and_a_deep_chain_is_no_problem():
    scratch = "x = Value(1.0)\nfor _ in range(100_000):\n    x = x * 1.0\ndraw(x)"
    result, _ = run(REFERENCE, scratch)
    drawing = result["drawings"][0]
    assert drawing["truncated"] and len(drawing["nodes"]) == 1000


# -- compare -----------------------------------------------------------------------------------

def test_compare_attaches_the_reference_engines_drawing_of_the_same_call():
    wrong = (REPO / "hidden_tests/basic-ops/solutions/correct/micrograd_textbook.py").read_text() \
        .replace("self.grad += other.data * out.grad", "self.grad += out.grad")
    result, _ = run(wrong, GRAPH + "draw(p, steps=True)\nprint(type(p).__module__)",
                    compare=True)
    mine = result["drawings"][0]
    theirs = mine["reference"]
    assert theirs is not None and theirs.get("reference") is None
    assert edges_by_label(theirs) == edges_by_label(mine)
    assert {n["label"]: n["grad"] for n in theirs["nodes"]}["x"] == 4.0  # y + 1: right
    assert {n["label"]: n["grad"] for n in mine["nodes"]}["x"] == 2  # 1 + 1: the mistake


def test_compare_without_an_op_the_reference_lacks_leaves_reference_null():
    source = REFERENCE + "\n\ndef double(v):\n    return v.twice()\n"
    scratch = "draw(Value(1.0) + 2)\ndraw(Value(1.0).relu())"
    result, _ = run(source, scratch, compare=True)
    assert all(d["reference"] is not None for d in result["drawings"])
    source = REFERENCE.replace("    def relu(self", "    def twice(self):\n        return self * 2\n\n"
                                                    "    def relu(self")
    result, _ = run(source, "draw(Value(1.0) + 2)\ndraw(Value(1.0).twice())", compare=True)
    assert result["status"] == "ok"
    assert result["drawings"][0]["reference"] is not None
    assert result["drawings"][1]["reference"] is None


def test_compare_uses_the_same_random_numbers_in_both_runs():
    scratch = "import random\nw = Value(random.random())\ndraw(w * 2)"
    result, _ = run(REFERENCE, scratch, compare=True)
    drawing = result["drawings"][0]
    assert drawing["nodes"][0]["data"] == drawing["reference"]["nodes"][0]["data"]


def test_stepping_after_backward_already_ran_starts_from_zero_and_says_so():
    scratch = ("x = Value(3.0)\ny = Value(2.0)\nout = x * y + x\nout.backward()\n"
               "draw(out, steps=True)\nx.grad\n")
    result, _ = run(TEXTBOOK_SOURCE, scratch)
    [drawing] = result["drawings"]
    assert drawing["steps"]["zeroed"] is True
    assert result["echo"] == "3.0"  # one pass: dout/dx = y + 1, not 8 (two passes added)
    x = next(n for n in drawing["nodes"] if n["label"] == "x")
    assert x["grad"] == 3.0
    assert drawing["steps"]["steps"][0]["before"] == 0.0
    fresh, _ = run(TEXTBOOK_SOURCE, scratch.replace("out.backward()\n", ""))
    assert fresh["drawings"][0]["steps"]["zeroed"] is False
    assert fresh["drawings"][0]["steps"]["steps"] == drawing["steps"]["steps"]
