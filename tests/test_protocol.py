"""The page <-> worker protocol: one schema file, checked by Python's own small validator (in
Pyodide) and by the jsonschema library (here), which must agree."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from jsonschema.validators import Draft202012Validator
from referencing import Registry, Resource

from conftest import REFERENCE, REPO, patch
from engine.browser import worker as browser
from engine.browser.protocol import ProtocolError, check, schema

REPORT_SCHEMA = json.loads((REPO / "engine/schemas/report.schema.json").read_text())
PLAY_SCHEMA = json.loads((REPO / "engine/schemas/play.schema.json").read_text())
REGISTRY = Registry().with_resources([
    ("report.schema.json", Resource.from_contents(REPORT_SCHEMA)),
    ("gradlab/report.schema.json", Resource.from_contents(REPORT_SCHEMA)),
    ("play.schema.json", Resource.from_contents(PLAY_SCHEMA)),
    ("gradlab/play.schema.json", Resource.from_contents(PLAY_SCHEMA)),
])
VALIDATOR = Draft202012Validator(schema(), registry=REGISTRY)



@pytest.fixture(autouse=True)
def _no_stale_baseline():
    """The worker undoes each run's changes by restoring a snapshot of every module namespace.
    A snapshot taken while a test had monkeypatched this module would put the patch back after
    the test: so no snapshot outlives its test."""
    yield
    browser._state["baseline"] = None


GOOD_RUN = {"v": 1, "type": "run", "runId": 3, "slug": "basic-ops", "suiteVersion": "abc",
            "source": "class Value: pass", "known": {"2": "timeout"}}


@pytest.mark.parametrize(("change", "words"), [
    ({"v": 2}, "run.v: must be 1"),
    ({"type": "grade"}, "run.type: must be 'run'"),
    ({"runId": -1}, "run.runId: must be >= 0"),
    ({"runId": True}, "run.runId: expected integer"),
    ({"slug": "../etc"}, "does not match"),
    ({"known": {"1": "passed"}}, "run.known.1: must be one of"),
    ({"extra": 1}, "unexpected field 'extra'"),
    ({"source": None}, "run.source: expected string"),
])
def test_python_checker_and_jsonschema_agree_on_bad_run_messages(change, words):
    message = {**GOOD_RUN, **change}
    with pytest.raises(ProtocolError, match=words.replace("(", r"\(")):
        check(message, "run")
    assert not VALIDATOR.is_valid(message)


def test_a_good_run_message_passes_both():
    check(GOOD_RUN, "run")
    VALIDATOR.validate(GOOD_RUN)
    missing = {k: v for k, v in GOOD_RUN.items() if k != "known"}
    with pytest.raises(ProtocolError, match="missing 'known'"):
        check(missing, "run")


def test_the_worker_entry_point_answers_with_a_schema_valid_report(mini_suite):
    version = browser.add_suite(json.dumps(mini_suite))
    message = {**GOOD_RUN, "slug": mini_suite["problem"]["slug"], "suiteVersion": version,
               "source": REFERENCE, "known": {}}
    starts = []
    report = json.loads(browser.run(json.dumps(message), lambda i, t: starts.append(i),
                                    lambda: "timeout"))
    VALIDATOR.validate({"v": 1, "type": "report", "runId": 3, "report": report})
    assert report["status"] == "pass"
    # the module load, then each case: the page times each one; a passing run needs no probes
    assert starts == [-1, 0, 1, 2]
    assert len(report["tests"]) == 3


def test_a_failing_run_also_runs_the_probes_numbered_after_the_cases(mini_suite):
    """Probes run in a second pass once a case failed; the page's case numbers go on from the
    cases, so a replaced worker told `known` for a probe skips that very probe."""
    version = browser.add_suite(json.dumps(mini_suite))
    wrong = patch(REFERENCE, "self.grad += other.data * out.grad", "self.grad += out.grad")
    message = {**GOOD_RUN, "slug": mini_suite["problem"]["slug"], "suiteVersion": version,
               "source": wrong, "known": {}}
    probes = len(mini_suite["probes"])
    assert probes > 0
    starts = []
    report = json.loads(browser.run(json.dumps(message), lambda i, t: starts.append(i),
                                    lambda: "timeout"))
    assert report["status"] == "fail"
    assert starts == [-1, 0, 1, 2, -1, *range(3, 3 + probes)]
    assert len(report["tests"]) == 3  # probes never show up as tests
    # A replay after the worker was replaced on the second probe: the first runs again, the
    # second is not, and (as after any time-out) neither are the probes after it.
    replay = []
    browser.run(json.dumps({**message, "known": {"4": "timeout"}}),
                lambda i, t: replay.append(i), lambda: "timeout")
    assert replay == [-1, 0, 1, 2, -1, 3]


def test_a_run_for_a_suite_that_is_not_loaded_is_refused():
    with pytest.raises(ValueError, match="is not loaded"):
        browser.run(json.dumps({**GOOD_RUN, "slug": "nope"}), lambda i, t: None, lambda: "timeout")


def test_schema_is_read_from_the_shared_schemas_folder():
    assert schema() == json.loads((REPO / "engine/schemas/worker.schema.json").read_text())
    Draft202012Validator.check_schema(schema())


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("node") is None or not (REPO / "node_modules").is_dir(),
                    reason="needs node and the npm packages")
def test_typescript_types_are_generated_from_the_schemas():
    """web/src/generated/ is what scripts/gen_types.mjs makes of engine/schemas/ (the same check
    scripts/test runs before the typecheck): a schema change without regenerating fails here."""
    done = subprocess.run(["node", "scripts/gen_types.mjs", "--check"], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_after_stop_the_probes_do_not_run(mini_suite):
    """Stop means "my verdict now": a failing run that was stopped must not go on to the probes
    (which would hang again on the same code until their time limit)."""
    version = browser.add_suite(json.dumps(mini_suite))
    message = {**GOOD_RUN, "slug": mini_suite["problem"]["slug"], "suiteVersion": version,
               "source": REFERENCE, "known": {"1": "stopped"}}
    starts = []
    report = json.loads(browser.run(json.dumps(message), lambda i, t: starts.append(i),
                                    lambda: "timeout"))
    assert starts == [-1, 0]
    assert [t["status"] for t in report["tests"]] == ["passed", "timeout"]
    assert report["tests"][1]["message"].startswith("Stopped: you pressed Stop")


def test_warm_up_grades_the_kept_run_and_a_passing_one_step_by_step(mini_suite, monkeypatch):
    version = browser.add_suite(json.dumps(mini_suite))
    message = json.dumps({**GOOD_RUN, "slug": mini_suite["problem"]["slug"],
                          "suiteVersion": version, "known": {},
                          "source": patch(REFERENCE, "self.grad += other.data * out.grad",
                                          "self.grad += out.grad")})
    monkeypatch.setattr(browser, "_warm_up", [])
    graded = []
    real_run = browser._run  # the warm-up's runs (public code: they do not count as the learner's)
    monkeypatch.setattr(browser, "_run", lambda m, s, r: graded.append(json.loads(real_run(m, s, r))))
    assert browser.warm_up_steps() == 0
    browser.warm_up(0)
    assert graded == []  # nothing kept yet: nothing to do
    browser.keep_warm_up(message)
    steps = browser.warm_up_steps()
    assert steps == 2 * browser.WARM_UP_ROUNDS
    for step in range(steps):
        assert browser.warm_up(step) is None
    # the kept (failing) code and Gradlab's own engine, which passes, in turn
    assert [r["status"] for r in graded] == ["fail", "pass"] * browser.WARM_UP_ROUNDS, graded[1]
    browser.keep_warm_up(json.dumps({**json.loads(message), "source": "def broken(:"}))
    browser.warm_up(0)  # a warm-up that cannot load is harmless
    assert graded[-1]["status"] == "error"


def test_once_learner_code_has_run_the_warm_up_keeps_the_baseline_taken_before(mini_suite,
                                                                               monkeypatch):
    """The steps go on between the learner's runs; only while no learner code has run does the
    last one take the clean baseline again."""
    version = browser.add_suite(json.dumps(mini_suite))
    message = json.dumps({**GOOD_RUN, "slug": mini_suite["problem"]["slug"],
                          "suiteVersion": version, "source": REFERENCE, "known": {}})
    monkeypatch.setitem(browser._state, "learner ran", False)
    monkeypatch.setattr(browser, "_warm_up", [])
    browser.keep_warm_up(message)
    before = browser._state["baseline"]
    for step in range(browser.warm_up_steps()):
        browser.warm_up(step)
    assert browser._state["baseline"] is not before  # no learner code yet: taken again
    assert not browser._state["learner ran"]
    browser.run(message, lambda i, t: None, lambda: "timeout")  # the learner's run
    assert browser._state["learner ran"]
    kept = browser._state["baseline"]
    for step in range(browser.warm_up_steps()):
        browser.warm_up(step)
    assert browser._state["baseline"] is kept


GOOD_PLAY = {"v": 1, "type": "play", "runId": 4, "slug": "basic-ops", "source": "class Value: pass",
             "scratch": "x = 1", "timeLimit": 5, "compare": False}


@pytest.mark.parametrize(("change", "words"), [
    ({"type": "run"}, "play.type: must be 'play'"),
    ({"timeLimit": 0.01}, "play.timeLimit: must be >= 0.1"),
    ({"timeLimit": 61}, "play.timeLimit: must be <= 60"),
    ({"compare": 1}, "play.compare: expected boolean"),
    ({"scratch": None}, "play.scratch: expected string"),
    ({"known": {}}, "unexpected field 'known'"),
])
def test_python_checker_and_jsonschema_agree_on_bad_play_messages(change, words):
    message = {**GOOD_PLAY, **change}
    with pytest.raises(ProtocolError, match=words):
        check(message, "play")
    assert not VALIDATOR.is_valid(message)
    check(GOOD_PLAY, "play")
    VALIDATOR.validate(GOOD_PLAY)


def test_the_worker_plays_and_its_answer_and_output_are_schema_valid_messages():
    emitted = []
    message = {**GOOD_PLAY, "source": REFERENCE, "scratch": "print('hi')\ndraw(Value(2.0) * 3)"}
    result = json.loads(browser.play(json.dumps(message),
                                     lambda stream, text: emitted.append((stream, text)),
                                     lambda i, t: None, lambda: "timeout"))
    VALIDATOR.validate({"v": 1, "type": "played", "runId": 4, "result": result,
                        "clean": browser.clean_state()})
    for stream, text in emitted:
        VALIDATOR.validate({"v": 1, "type": "output", "runId": 4, "stream": stream, "text": text})
    assert result["status"] == "ok" and len(result["drawings"]) == 1


def test_the_playground_warm_up_plays_the_kept_code(mini_suite, monkeypatch):
    version = browser.add_suite(json.dumps(mini_suite))
    message = json.dumps({**GOOD_RUN, "slug": mini_suite["problem"]["slug"],
                          "suiteVersion": version, "source": REFERENCE, "known": {}})
    monkeypatch.setattr(browser, "_warm_up", [])
    played = []
    real_play = browser._play  # the warm-up's plays
    monkeypatch.setattr(browser, "_play",
                        lambda m, *rest: played.append((json.loads(m), json.loads(real_play(m, *rest)))))
    browser.keep_warm_up(message)
    browser.warm_up(0)
    assert played == []  # grading only: the playground waits for the engine's files
    browser.warm_up_play()
    [(sent, result)] = played
    assert sent["source"] == REFERENCE and sent["scratch"] == "a = 1"
    assert result["status"] == "ok"


def test_the_playground_is_imported_on_first_use_and_kept_clean_afterwards():
    """Left out of the build's snapshot, the playground is imported by the first play, before
    any learner code runs; the baseline then includes it, so what a play changes in it is
    undone like anything else."""
    import sys
    for name in [n for n in sys.modules if n.startswith("engine.playground")]:
        del sys.modules[name]
    browser.mark_clean()
    scratch = "import engine.playground.console as c\nc.OUTPUT_LIMIT = 5\nprint('x')\n"
    result = json.loads(browser.play(json.dumps({**GOOD_PLAY, "scratch": scratch}),
                                     lambda s, t: None, lambda i, t: None, lambda: "timeout"))
    assert result["status"] == "ok"
    assert browser.clean_state() == "restored"
    import engine.playground.console as console
    assert console.OUTPUT_LIMIT == 200_000


def test_code_that_patches_the_judges_modules_cannot_pass_in_the_browser(basic_suite):
    """In the browser, observing and judging share one interpreter: a wrong solution that patches
    ``math.isclose`` (which the judge compares with) and ``json.dumps`` must still fail, as it
    does under the CLI, where judging happens in another process."""
    source = ("import math, json\nmath.isclose = lambda *a, **k: True\n"
              "json.dumps = lambda *a, **k: '{\"status\": \"pass\"}'\n" + BROKEN_BACKWARD)
    version = browser.add_suite(json.dumps(basic_suite))
    browser.mark_clean()
    message = {**GOOD_RUN, "slug": "basic-ops", "suiteVersion": version, "source": source,
               "known": {}}
    report = json.loads(browser.run(json.dumps(message), lambda i, t: None, lambda: "timeout"))
    assert report["status"] == "fail"
    assert report["passed"] < report["total"]
    assert browser.clean_state() == "restored"
    import math
    assert math.isclose(1.0, 2.0) is False


BROKEN_BACKWARD = """
class Value:
    def __init__(self, data, _children=(), _op=''):
        self.data = data; self.grad = 0.0; self._prev = _children; self._op = _op
    def __add__(self, o):
        o = o if isinstance(o, Value) else Value(o)
        return Value(self.data + o.data, (self, o), '+')
    __radd__ = __add__
    def __mul__(self, o):
        o = o if isinstance(o, Value) else Value(o)
        return Value(self.data * o.data, (self, o), '*')
    __rmul__ = __mul__
    def relu(self):
        return Value(max(0, self.data), (self,), 'relu')
    def backward(self):
        self.grad = 1.0  # and nothing else: every input's grad stays 0
"""
