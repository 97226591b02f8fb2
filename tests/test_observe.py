"""The observer on exceptions from deep recursion: only the innermost frames are read."""

from __future__ import annotations

import sys

from engine.grading import observe

LEARNER = """
def down(n):
    return down(n + 1)
"""


def test_a_very_deep_recursion_is_described_by_its_innermost_learner_frames():
    code, error = observe.load(LEARNER)
    assert error is None
    namespace: dict = {}
    exec(code, namespace)
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(50_000)
    try:
        namespace["down"](0)
    except RecursionError as exc:
        info = observe.describe_exception(exc)
    finally:
        sys.setrecursionlimit(old)
    assert info["type"] == "RecursionError"
    assert info["origin"] == "learner" and info["line"] == 3 and info["function"] == "down"
    assert info["traceback"].startswith('  File "solution.py", line 3, in down')
