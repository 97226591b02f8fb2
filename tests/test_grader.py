"""The grader on learner code that does everything learners (and a few cheaters) do.

The contract: no false pass, ever; one case's failure never stops the others; every verdict says
what to fix; nothing the learner's code does in the child process can touch the verdict.
"""

from __future__ import annotations

import json
import signal
import time
from pathlib import Path

import pytest

from conftest import REFERENCE, patch
from engine.grading.grade import grade
from engine.sandbox.executor import SubprocessExecutor, ZygoteExecutor

RELU_LINE = "self.grad += (out.data > 0) * out.grad"
MUL_LINES = "self.grad += other.data * out.grad\n            other.grad += self.data * out.grad"


@pytest.fixture(scope="module", params=["fresh interpreter", "zygote", "sandboxed zygote"])
def sandbox(request):
    """Every test here runs against every kind of child: a fresh interpreter per submission, one
    forked by the zygote, and one forked by the zygote inside a bubblewrap sandbox (what the
    CLI uses where it can; skipped where no sandbox can be made)."""
    if request.param == "fresh interpreter":
        executor = SubprocessExecutor()
    elif request.param == "zygote":
        executor = ZygoteExecutor()
    else:
        executor = ZygoteExecutor(sandboxed=True)
        if not executor.isolation.isolated:
            executor.close()
            pytest.skip(f"no sandbox here: {executor.isolation.why}")
    yield executor
    executor.close()


def in_relu(code: str) -> str:
    """The reference solution with ``code`` run first thing in ``relu``."""
    return patch(REFERENCE, "    def relu(self):\n", f"    def relu(self):\n        {code}\n")


def statuses(report):
    return {t.name: t.status for t in report.tests}


def only(report, status):
    return [t for t in report.tests if t.status == status]


def test_reference_passes_every_case(basic_suite, sandbox):
    report = grade(basic_suite, REFERENCE, sandbox)
    assert report.status == "pass"
    assert report.passed == report.total == len(basic_suite["cases"]) >= 20


def test_message_names_variable_expected_got_and_expression(basic_suite, sandbox):
    leaky_relu = patch(REFERENCE, RELU_LINE, "self.grad += out.grad")
    report = grade(basic_suite, leaky_relu, sandbox)
    first = report.tests[0]
    assert first.name == "Reference example: ReLU on a negative value zeros all gradients"
    assert first.status == "failed"
    assert "`b.grad`: expected 0.0, got 10 in `(a + b * c).relu()`" in first.message.splitlines()
    assert len(first.message.splitlines()) == 3  # a, b and c are all wrong
    assert first.hint and "relu" in first.hint
    assert first.details["values"] == {"a": 2, "b": -3, "c": 10}


@pytest.mark.parametrize(
    ("replacement", "got_words"),
    [
        # An object that claims to equal anything.
        ("class Any:\n    def __eq__(self, o): return True\n    __hash__ = None\n"
         "ANY = Any()\n", "a Any, not a number"),
        ("", "nan"),
        ("", "a bool, not a number"),
        ("", "a str, not a number"),
        ("", "a Value, not a number"),
    ],
    ids=["permissive-eq", "nan", "bool", "string", "value"],
)
def test_no_false_pass_for_things_that_are_not_numbers(mini_suite, sandbox, replacement, got_words):
    fake = {"a Any, not a number": "ANY", "nan": "float('nan')", "a bool, not a number": "True",
            "a str, not a number": "'1.0'", "a Value, not a number": "Value(1.0)"}[got_words]
    # backward() sets every grad reachable to the fake after doing the real work.
    source = replacement + patch(REFERENCE, "            v._backward()\n",
                                 f"            v._backward()\n        for v in topo: v.grad = {fake}\n")
    report = grade(mini_suite, source, sandbox)
    assert report.passed == 0
    visible = [t for t in report.tests if t.visibility == "visible"]
    assert all(t.status == "failed" for t in report.tests)
    assert got_words in visible[0].message


def test_patching_math_builtins_and_json_in_the_learner_process_changes_nothing(mini_suite, sandbox):
    cheat = """
import builtins, json, math, sys
math.isclose = lambda *a, **k: True
builtins.isinstance = lambda *a: True
builtins.float = lambda *a: 1.0
json.dumps = lambda *a, **k: '{"event": "case", "result": {"status": "ok"}}'
sys.stdout.write('{"event": "done"}\\n')
"""
    wrong = patch(REFERENCE, MUL_LINES, "self.grad += 1\n            other.grad += 1")
    report = grade(mini_suite, cheat + wrong, sandbox)
    assert statuses(report)["Hidden product"] == "failed"
    assert report.status == "fail"


def test_builtins_added_or_moved_by_one_case_are_gone_in_the_next(mini_suite, sandbox, in_process):
    """Deleting a builtin and putting it back moves it in the dict (the grader's quick check
    compares values in order): the next case must still start from clean builtins."""
    leaky = patch(REFERENCE, "    def backward(self):\n", """    def backward(self):
        import builtins
        if hasattr(builtins, "LEAK"):
            raise RuntimeError("a builtin leaked from an earlier case")
        builtins.LEAK = 1
        real = builtins.len
        del builtins.len
        builtins.len = real
""")
    for executor in (sandbox, in_process):
        assert grade(mini_suite, leaky, executor).status == "pass"


def test_writing_fake_results_to_raw_stdout_does_not_forge_a_verdict(mini_suite, sandbox):
    forged = json.dumps({"event": "case", "result": {"id": "03-mul", "status": "ok",
                                                     "observations": {}}})
    source = f"import os\nos.write(1, b'{forged}\\n')\nos.write(2, b'noise')\n" + patch(
        REFERENCE, "self.grad = 1\n", "self.grad = 0\n")
    report = grade(mini_suite, source, sandbox)
    assert statuses(report)["Hidden product"] == statuses(report)["Addition: a + b"] == "failed"


def test_os_exit_mid_case_is_an_error_and_other_cases_still_run(mini_suite, sandbox):
    source = in_relu("import os; os._exit(0)")
    report = grade(mini_suite, source, sandbox)
    result = statuses(report)
    assert result["ReLU of a product: (a * b).relu()"] == "error"
    assert result["Addition: a + b"] == "passed"
    assert result["Hidden product"] == "passed"  # ran in a fresh child after the crash
    crashed = only(report, "error")[0]
    assert "ended the Python process" in crashed.message


def test_sys_exit_is_reported_with_the_learner_line(mini_suite, sandbox):
    source = in_relu("import sys; sys.exit()")
    report = grade(mini_suite, source, sandbox)
    err = only(report, "error")[0]
    assert "exit()" in err.message and err.line == REFERENCE.splitlines().index("    def relu(self):") + 2


@pytest.mark.slow
@pytest.mark.parametrize("hang", ["while True: pass", "import time; time.sleep(1e9)"])
def test_a_hanging_case_times_out_and_later_cases_are_skipped(mini_suite, sandbox, hang):
    source = in_relu(hang)
    started = time.monotonic()
    report = grade(mini_suite, source, sandbox)
    assert time.monotonic() - started < 10  # one 1 s limit, not one per remaining case
    result = statuses(report)
    assert result["Addition: a + b"] == "passed"  # ran before the hang
    assert result["ReLU of a product: (a * b).relu()"] == "timeout"
    timeouts = only(report, "timeout")
    assert "Stopped after 1 s: your code did not finish" in timeouts[0].message
    assert result["Hidden product"] == "timeout" and timeouts[1].message.startswith("Not run:")
    assert report.status == "fail"


@pytest.mark.slow
def test_writing_a_huge_file_is_an_error_not_a_full_disk(mini_suite, sandbox):
    source = in_relu("open('huge.bin', 'wb').write(b'x' * (80 << 20))")
    report = grade(mini_suite, source, sandbox)
    result = statuses(report)
    assert result["ReLU of a product: (a * b).relu()"] == "error"
    assert "File too large" in only(report, "error")[0].message
    assert result["Addition: a + b"] == result["Hidden product"] == "passed"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_process_the_learner_leaves_behind_is_killed_and_does_not_hold_up_the_verdict(
        mini_suite, sandbox, tmp_path):
    """A forked grandchild keeps the child's stdout open, so the child's end is never seen: the
    results file is read as it grows all the same. And the grandchild, busy forever, does not
    outlive the grading: the child's whole session is killed, even after the child has ended.
    (Sandboxed, the grandchild cannot write down its pid here: tests/test_isolation.py checks
    that what a child leaves behind is killed there.)"""
    pids = tmp_path / "pids"
    lingering = ("import os\nif os.fork() == 0:\n"
                 f"    try: open({str(pids)!r}, 'a').write(f'{{os.getpid()}}\\n')\n"
                 "    except OSError: pass\n"
                 "    while True: pass\n")
    report = grade(mini_suite, lingering + REFERENCE, sandbox)
    assert report.status == "pass"  # no case waited for the child's end and timed out
    if sandbox.isolation.isolated:
        assert not pids.exists()
        return
    left = [int(p) for p in pids.read_text().split()]
    assert left  # one per time the module ran
    deadline = time.monotonic() + 5
    while not all(_gone(p) for p in left) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert all(_gone(p) for p in left)


@pytest.mark.slow
def test_top_level_infinite_loop_is_reported_once(mini_suite, sandbox):
    report = grade(mini_suite, "while True:\n    pass\n", sandbox)
    assert report.status == "error" and report.tests == []
    assert "did not finish loading" in report.message


@pytest.mark.slow
def test_infinite_recursion_is_an_error_naming_recursion_error(mini_suite, sandbox):
    source = patch(REFERENCE, "    def __add__(self, other):\n",
                   "    def __add__(self, other):\n        return self + other\n")
    report = grade(mini_suite, source, sandbox)
    assert statuses(report)["Addition: a + b"] == "error"
    assert "RecursionError" in only(report, "error")[0].message


def test_syntax_error_reported_once_with_line_and_column(mini_suite, sandbox):
    report = grade(mini_suite, "class Value:\n    def __init__(self, data)\n        pass\n", sandbox)
    assert report.status == "error"
    assert report.tests == []
    assert report.load_error.line == 2 and report.load_error.column
    assert report.message.startswith("SyntaxError:") and "line 2, column" in report.message


def test_missing_method_is_named_per_case_and_other_cases_pass(mini_suite, sandbox):
    no_relu = REFERENCE.replace("    def relu(self):", "    def _relu_unused(self):")
    report = grade(mini_suite, no_relu, sandbox)
    assert statuses(report)["Addition: a + b"] == "passed"
    err = only(report, "error")[0]
    assert err.message == "`Value` has no method `relu`."


def test_missing_operator_names_the_dunder_method(mini_suite, sandbox):
    no_add = REFERENCE.replace("    def __add__(self, other):", "    def _add_unused(self, other):")
    report = grade(mini_suite, no_add, sandbox)
    assert "`Value` does not support `+`: define `__add__`." in [t.message for t in report.tests]


def test_operator_returning_none_is_explained(mini_suite, sandbox):
    source = patch(REFERENCE, "        out._backward = _backward\n        return out\n\n    def __mul__",
                   "        out._backward = _backward\n\n    def __mul__")
    report = grade(mini_suite, source, sandbox)
    assert "returned None instead of a Value" in statuses_msg(report, "Addition: a + b")


def statuses_msg(report, name):
    return next(t.message for t in report.tests if t.name == name)


def test_no_value_class_is_a_clear_load_error(mini_suite, sandbox):
    report = grade(mini_suite, "class Valu:\n    pass\n", sandbox)
    assert report.status == "error" and "class named `Value`" in report.message


@pytest.mark.parametrize("source", [
    "from engine.autograd import Value\n",
    "import engine.autograd as e\n\nclass Value(e.Value):\n    pass\n",
    "import sys\nValue = sys.modules['engine.autograd'].Value\n",
])
def test_the_graders_own_engine_cannot_stand_in_for_the_learners_value(mini_suite, sandbox, source):
    report = grade(mini_suite, source, sandbox)
    assert report.status == "error"
    if sandbox.isolation.isolated:  # there is no engine package in the sandbox to borrow from
        assert "engine" in report.message and report.load_error.type in ("ModuleNotFoundError", "KeyError")
        return
    assert report.message == ("Your `Value` must be your own class: it comes from the grader's own "
                              "engine package.")


def test_exception_at_top_level_names_the_learner_line(mini_suite, sandbox):
    report = grade(mini_suite, "x = 1\ny = 1 / 0\n", sandbox)
    assert report.status == "error"
    assert report.load_error.line == 2 and "ZeroDivisionError" in report.message


@pytest.mark.slow
def test_huge_output_is_capped_not_buffered(mini_suite, sandbox):
    source = patch(REFERENCE, "    def backward(self):\n",
                   "    def backward(self):\n        for _ in range(50000): print('x' * 100)\n")
    report = grade(mini_suite, source, sandbox)
    assert report.status == "pass"  # printing is fine; it is only capped
    for t in report.tests:
        assert t.output_truncated and 0 < len(t.output) <= 8000


def test_output_is_captured_per_case(mini_suite, sandbox):
    source = patch(REFERENCE, "    def backward(self):\n",
                   "    def backward(self):\n        print('backward on', self.data)\n")
    report = grade(mini_suite, source, sandbox)
    assert [t.output for t in report.tests] == ["backward on 7\n", "backward on 0\n",
                                                 "backward on 40\n"]
    assert not any(t.output_truncated for t in report.tests)


def test_a_huge_allocation_is_a_memory_error_and_other_cases_pass(mini_suite, sandbox):
    source = patch(REFERENCE, "    def relu(self):\n",
                   "    def relu(self):\n        hog = [0.0] * 10**10\n")
    report = grade(mini_suite, source, sandbox)
    err = next(t for t in report.tests if t.name.startswith("ReLU"))
    assert err.status == "error"
    assert err.message.startswith("MemoryError: your code ran out of memory (line")
    assert statuses(report)["Addition: a + b"] == "passed"


@pytest.mark.slow
def test_memory_that_grows_until_the_cap_never_passes(mini_suite, sandbox):
    source = in_relu("hog = []\n        while True: hog.append(bytearray(10**6))")
    report = grade(mini_suite, source, sandbox)
    relu = next(t for t in report.tests if t.name.startswith("ReLU"))
    assert relu.status in ("error", "timeout")
    assert statuses(report)["Addition: a + b"] == "passed"
    assert report.status == "fail"


def test_hidden_cases_show_neither_inputs_nor_expected_numbers(mini_suite, sandbox):
    wrong = patch(REFERENCE, MUL_LINES, "self.grad += 1\n            other.grad += 1")
    report = grade(mini_suite, wrong, sandbox)
    hidden = next(t for t in report.tests if t.name == "Hidden product")
    assert hidden.status == "failed" and hidden.details is None
    for secret in ("a * b + a", "5", "7", "40"):
        assert secret not in hidden.message


def test_expected_values_never_reach_the_learner_process(mini_suite, sandbox):
    spy = patch(REFERENCE, "    def backward(self):\n", """    def backward(self):
        import gc
        found = [o for o in gc.get_objects() if isinstance(o, dict) and "expected" in o]
        print("expected visible:", bool(found))
""")
    report = grade(mini_suite, spy, sandbox)
    assert all(t.output == "expected visible: False\n" for t in report.tests)


def test_each_case_gets_a_fresh_namespace(mini_suite, sandbox):
    counter = "CALLS = []\n" + patch(REFERENCE, "    def backward(self):\n",
                                      "    def backward(self):\n        CALLS.append(1)\n"
                                      "        if len(CALLS) > 1: raise RuntimeError('state leaked')\n")
    assert grade(mini_suite, counter, sandbox).status == "pass"


@pytest.mark.slow
def test_in_process_and_subprocess_give_the_same_verdicts(basic_suite, sandbox, in_process):
    """The browser runs observation in-process; the CLI in a child. Same JSON in, same verdicts."""
    from conftest import BASIC

    files = [*sorted((BASIC / "solutions").rglob("*.py")), BASIC / "starter.py"]
    for path in files:
        source = path.read_text()
        a = grade(basic_suite, source, sandbox).to_dict()
        b = grade(basic_suite, source, in_process).to_dict()
        assert (a["status"], a["total"]) == (b["status"], b["total"]), path.name
        for r in (a, b):
            r.pop("duration_ms")
            for t in r["tests"]:
                t.pop("duration_ms")
        assert a == b, path.name


def test_int_and_float_data_styles_are_both_accepted(mini_suite, sandbox):
    as_float = patch(REFERENCE, "        self.data = data\n", "        self.data = float(data)\n")
    assert grade(mini_suite, as_float, sandbox).status == "pass"


def test_browser_executor_ends_the_run_at_a_case_stopped_by_an_earlier_worker(mini_suite):
    """Without isolation the page restarts the worker and says which case the learner stopped."""
    from engine.browser.worker import BrowserExecutor

    executor = BrowserExecutor({1: "stopped"}, lambda i, t: None, lambda: "stop")
    report = grade(mini_suite, REFERENCE, executor)
    assert [t.status for t in report.tests] == ["passed", "timeout"]
    assert report.tests[1].message == "Stopped: you pressed Stop before this case finished."
    assert report.total == 3 and report.status == "fail"


def test_browser_executor_skips_the_rest_after_a_known_timeout(mini_suite):
    from engine.browser.worker import BrowserExecutor

    report = grade(mini_suite, REFERENCE, BrowserExecutor({0: "timeout"}, lambda i, t: None,
                                                          lambda: "timeout"))
    assert [t.status for t in report.tests] == ["timeout", "timeout", "timeout"]
    assert report.tests[1].message.startswith("Not run:")


@pytest.mark.parametrize(("error", "message"), [
    ({"type": "ZeroDivisionError", "message": "float division by zero"},
     "ZeroDivisionError: division by zero"),
    ({"type": "ZeroDivisionError", "message": "division by zero"}, "ZeroDivisionError: division by zero"),
    ({"type": "OverflowError", "message": "(34, 'Numerical result out of range')"},
     "OverflowError: a result too large for a float"),
    ({"type": "OverflowError", "message": "(68, 'Result not representable')"},
     "OverflowError: a result too large for a float"),
    ({"type": "OverflowError", "message": "math range error"}, "OverflowError: math range error"),
])
def test_messages_that_differ_between_python_builds_read_the_same(error, message):
    # CPython 3.11 on glibc and Pyodide's Python on WebAssembly word these differently.
    from engine.grading.judge import error_message

    assert error_message({**error, "origin": "learner", "line": None}, None)[0] == message


@pytest.mark.parametrize(("value", "as_number"), [
    (3, 3.0), (-0.25, -0.25), (2**70, float(2**70)), (True, None), ("3", None),
    (float("nan"), None), (float("inf"), None), (None, None), ([1.0], None),
])
def test_a_recorded_value_crosses_the_child_pipe_as_what_it_is(value, as_number):
    """Numbers travel as themselves (the bulk of what the child sends); everything else as a
    descriptor that can be shown but never compared as a number, even after a JSON round trip."""
    from engine.grading.observe import describe, kind_of, number
    wire = json.loads(json.dumps(describe(value)))
    assert number(wire) == as_number
    assert (kind_of(wire) == "number") == (as_number is not None)


def _gone(pid: int) -> bool:
    """True once the process has ended (a zombie nobody reaped has ended too)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in "ZX"
    except FileNotFoundError:
        return True


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_a_submission_that_kills_the_zygote_costs_only_its_own_row(mini_suite, tmp_path):
    """The child can reach its parent, the zygote: killing it and then hanging is a time-out for
    that file, the hanging child does not outlive it, and the next file is graded as usual."""
    executor = ZygoteExecutor()
    try:
        killer = (f"import os, signal\nopen({str(tmp_path / 'pid')!r}, 'w').write(str(os.getpid()))\n"
                  "os.kill(os.getppid(), signal.SIGKILL)\nwhile True: pass\n")
        report = grade(mini_suite, killer, executor)
        assert report.status == "error" and report.load_error.type == "Timeout"
        pid = int((tmp_path / "pid").read_text())
        deadline = time.monotonic() + 5
        while not _gone(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _gone(pid)
        assert grade(mini_suite, REFERENCE, executor).status == "pass"
    finally:
        executor.close()


def test_the_child_reports_how_it_ended(mini_suite, sandbox):
    exits = grade(mini_suite, "import os\nos._exit(3)\n", sandbox)
    assert "exited (3)" in exits.message
    killed = grade(mini_suite, "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n", sandbox)
    assert f"killed by signal {int(signal.SIGKILL)}" in killed.message


@pytest.mark.slow
def test_threads_sharing_one_sandbox_get_the_verdicts_of_one_at_a_time(mini_suite, sandbox):
    """The CLI's check grades on a thread pool with one executor (one zygote for all threads)."""
    from concurrent.futures import ThreadPoolExecutor

    sources = [REFERENCE, in_relu("import os; os._exit(3)"), in_relu("while True: pass"),
               "x = 1 / 0\n"] * 2
    one_at_a_time = [grade(mini_suite, s, sandbox).to_dict()["status"] for s in sources]
    with ThreadPoolExecutor(4) as pool:
        together = list(pool.map(lambda s: grade(mini_suite, s, sandbox).to_dict()["status"], sources))
    assert together == one_at_a_time == ["pass", "fail", "fail", "error"] * 2


def test_the_zygote_warm_up_cuts_a_case_that_never_ends_short():
    """The zygote runs every case once on a stand-in Value before forking; a script that would
    loop forever there must not keep it from ever serving a child."""
    from engine.grading import observe
    from engine.sandbox import zygote

    spec = {"id": "forever", "kind": "script", "script": "while True:\n    pass\n"}
    observe.precompile([spec])
    started = time.monotonic()
    zygote._warm_up([spec])
    assert time.monotonic() - started < 10  # cut short, not run forever


def test_a_browser_timeout_names_the_learner_line_the_interrupt_landed_in(mini_suite):
    """In the browser the time limit raises KeyboardInterrupt inside the running code: its
    traceback says which of the learner's lines was running (raised here by hand)."""
    from engine.browser.worker import BrowserExecutor

    source = in_relu("raise KeyboardInterrupt")
    line = source.splitlines().index("        raise KeyboardInterrupt") + 1
    report = grade(mini_suite, source, BrowserExecutor({}, lambda i, t: None, lambda: "timeout"))
    hung = next(t for t in report.tests if t.name.startswith("ReLU"))
    assert hung.status == "timeout" and hung.line == line
    assert hung.message == (f"Stopped after 1 s: your code did not finish. It was still running "
                            f"line {line} (in relu) when the time limit hit. Look for a loop that "
                            "never ends.")
    # At the top level of the file: the load error says the line too.
    top = grade(mini_suite, "x = 1\nraise KeyboardInterrupt\n",
                BrowserExecutor({}, lambda i, t: None, lambda: "timeout"))
    assert top.load_error is not None and top.load_error.line == 2
    assert "It was still running line 2 when the time limit hit." in (top.message or "")


def test_a_timeout_whose_line_is_unknown_says_only_what_is_known(mini_suite):
    from engine.browser.worker import BrowserExecutor

    report = grade(mini_suite, REFERENCE, BrowserExecutor({0: "timeout"}, lambda i, t: None,
                                                          lambda: "timeout"))
    assert report.tests[0].line is None
    assert report.tests[0].message == ("Stopped after 1 s: your code did not finish. Look for a "
                                       "loop that never ends.")
