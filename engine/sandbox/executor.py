"""Observe learner code in a child process that the grader can always kill (CPython only).

Whatever the learner's code does in the child (exit, patch ``math`` or ``builtins``, hang, eat
memory), the parent only reads JSON lines with a deadline per case. A case that passes its time
limit is a ``timeout``; a child that dies mid-case makes that case an error; in both events a new
child picks up the remaining cases, so one bad case never costs the others.

``SandboxExecutor`` is that loop, the same for every kind of child; a launcher
(``engine.sandbox.launchers``: a fresh interpreter, or the zygote) only starts, waits for and
kills children.
"""

from __future__ import annotations

import json
import math
import os
import selectors
import sys
import tempfile
import time
from typing import Any

from engine.grading.judge import load_timeout_error, load_timeout_message, skipped_after
from engine.grading.observe import DEFAULT_OUTPUT_LIMIT
from engine.grading.wording import process_crashed_message
from engine.sandbox.isolation import Isolation, make_sandbox, status
from engine.sandbox.launchers import STARTUP_LIMIT, ChildHandle, FreshInterpreter, Job, Launcher, Zygote

CRASH_GRACE = 2.0  # seconds a dying child gets to end on its own, so its exit code says what happened


class SandboxExecutor:
    """Runs each submission in children from ``launcher``, with time limits per step: owns the
    results file, fail-fast after a timeout, and a new child for the cases left after a crash.
    Keeps no state of its own between calls, so threads may share it if the launcher allows."""

    def __init__(self, launcher: Launcher, output_limit: int = DEFAULT_OUTPUT_LIMIT,
                 memory_mb: int = 1024, isolation: Isolation | None = None) -> None:
        self.launcher = launcher
        self.output_limit = output_limit
        self.memory_mb = memory_mb
        # Whether children run in an OS sandbox (``engine.sandbox.isolation``), and if not, why.
        self.isolation = isolation or Isolation(False, "children run as you, unsandboxed")

    def observe(self, source: str, cases: list[dict[str, Any]]) -> dict[str, Any]:
        results: list[dict[str, Any]] = []
        remaining = list(cases)
        first = True
        while first or remaining:
            outcome = self._run_child(source, remaining, check_module=first)
            if first and outcome["load_error"] is not None:
                return {"load_error": outcome["load_error"], "results": []}
            first = False
            if not outcome["results"]:  # a restarted child that made no progress: give up on it
                results.extend({"id": c["id"], "status": "crashed", "exit_code": None}
                               for c in remaining)
                break
            results.extend(outcome["results"])
            remaining = remaining[len(outcome["results"]):]
            if results[-1]["status"] == "timeout":
                # Fail fast: the other cases would most likely hang too, each for its full limit.
                results.extend(skipped_after(results[-1], remaining))
                break
        return {"load_error": None, "results": results}

    def close(self) -> None:
        self.launcher.close()

    def _run_child(self, source: str, cases: list[dict[str, Any]],
                   check_module: bool) -> dict[str, Any]:
        """Run one child until it finishes, or until a case times out or the child dies."""
        job = Job(source, cases, check_module, self.output_limit, self.memory_mb)
        with tempfile.TemporaryDirectory(prefix="gradlab-") as workdir, \
                tempfile.TemporaryFile(dir=workdir) as results:
            started = time.monotonic()
            child = self.launcher.start(workdir, job, results.fileno())
            if child is None:
                return {"load_error": {"type": "Crashed", "origin": "grader", "line": None,
                                       "traceback": "", "message": "the grader could not start "
                                       "a process to run your code in: grade it again"},
                        "results": []}
            try:
                return self._talk(child, cases, _ResultReader(results.fileno(), child.alive_fd, started))
            finally:
                child.close()

    def _talk(self, child: ChildHandle, cases: list[dict[str, Any]],
              lines: _ResultReader) -> dict[str, Any]:
        limits = [c["time_limit"] for c in cases]
        load_limit = max(limits, default=5.0)
        results: list[dict[str, Any]] = []
        event = lines.next(STARTUP_LIMIT)
        if event is None or event.get("event") != "hello":
            return {"load_error": _crash_error(child, "starting Python"), "results": []}
        event = lines.next(load_limit)
        if event is None:
            if lines.timed_out:
                return {"load_error": load_timeout_error(load_timeout_message(load_limit)),
                        "results": []}
            return {"load_error": _crash_error(child, "loading your code"), "results": []}
        if event.get("error") is not None:
            return {"load_error": event["error"], "results": []}
        for case, limit in zip(cases, limits, strict=True):
            event = lines.next(limit)
            if event is None or event.get("event") != "case":
                elapsed = round((time.monotonic() - lines.last) * 1000, 3)
                if lines.timed_out:
                    results.append({"id": case["id"], "status": "timeout", "duration_ms": elapsed})
                else:
                    results.append({"id": case["id"], "status": "crashed", "duration_ms": elapsed,
                                    "exit_code": _ended(child)})
                break
            results.append(event["result"])
        return {"load_error": None, "results": results}


class SubprocessExecutor(SandboxExecutor):
    """A fresh ``python -I`` per child: slower to start (~40 ms), safe from any parent."""

    def __init__(self, output_limit: int = DEFAULT_OUTPUT_LIMIT, memory_mb: int = 1024,
                 python: str = sys.executable) -> None:
        super().__init__(FreshInterpreter(python), output_limit, memory_mb)


class ZygoteExecutor(SandboxExecutor):
    """Each child forked by a zygote that this executor starts once (~1 ms per child instead of
    ~40 ms). POSIX only. Threads may share it; ``close()`` ends the zygote.

    ``sandboxed=True``: the zygote, and so every child, runs in a bubblewrap sandbox
    (``engine.sandbox.isolation``); where none can be made, unsandboxed, and ``isolation`` says
    why. Children running at the same time (threads sharing this executor) share that sandbox:
    for submissions kept apart from each other, give each concurrent grader its own executor."""

    def __init__(self, output_limit: int = DEFAULT_OUTPUT_LIMIT, memory_mb: int = 1024,
                 python: str = sys.executable, sandboxed: bool = False) -> None:
        sandbox = make_sandbox(python) if sandboxed else None
        isolation = status(python) if sandboxed else None
        super().__init__(Zygote(python, sandbox), output_limit, memory_mb, isolation)


def best_executor() -> SandboxExecutor:
    """The sandboxed zygote where the platform can fork (a child in ~1 ms; unsandboxed where no
    sandbox can be made, ``isolation`` says why), else a fresh interpreter per submission
    (~40 ms): the same verdicts either way."""
    if hasattr(os, "fork") and hasattr(os, "waitid"):
        return ZygoteExecutor(sandboxed=True)
    executor = SubprocessExecutor()
    executor.isolation = status()
    return executor


def _ended(child: ChildHandle) -> int | None:
    """Give a dying child time to end on its own, so its exit code says what really happened;
    then make sure it, and whatever it started, is gone. Its exit code, if known."""
    child.wait(CRASH_GRACE)
    child.kill()
    return child.exit_code()


def _crash_error(child: ChildHandle, doing: str) -> dict[str, Any]:
    return {"type": "Crashed", "origin": "learner", "line": None, "traceback": "",
            "message": process_crashed_message(_ended(child), doing)}


class _ResultReader:
    """The child's events, read from its results file, with a time limit per step.

    The child writes each event to a file, so this process is not woken once per case: it sleeps
    until the child's stdout pipe closes (the child has ended), the current step's time is up, or
    ``POLL`` seconds pass, then reads how far the child got. Each event carries when it was
    written (``at``), so a step's limit counts from the end of the step before, as if each line
    had been read at once; a forged ``at`` is clamped between the previous one and now.
    """

    POLL = 0.1
    MAX_LINE = 16 * 1024 * 1024

    def __init__(self, results_fd: int, alive_fd: int, started: float) -> None:
        self.fd, self.offset, self.buffer, self.pos = results_fd, 0, b"", 0
        self.alive = alive_fd
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.alive, selectors.EVENT_READ)
        self.last = started  # when the step now running began
        self.gone = self.timed_out = False

    def next(self, limit: float) -> dict[str, Any] | None:
        """The next event, or None on timeout (``timed_out`` set), a child that has ended, or a
        line that is not an event."""
        self.timed_out = False
        while True:
            end = self.buffer.find(b"\n", self.pos)
            if end < 0:
                self._read()
                end = self.buffer.find(b"\n", self.pos)
            if end >= 0:
                return self._take(end)
            if self.gone or len(self.buffer) - self.pos > self.MAX_LINE:
                return None
            left = self.last + limit - time.monotonic()
            if left <= 0:
                self.timed_out = True
                return None
            if self.selector.select(min(left, self.POLL)) and not os.read(self.alive, 65536):
                self.gone = True  # the pipe closed: whatever the child wrote is in the file

    def _read(self) -> None:
        """What the child has written since, never holding more than about one line too long."""
        if self.pos:
            self.buffer, self.pos = self.buffer[self.pos:], 0
        while len(self.buffer) <= self.MAX_LINE and (
                chunk := os.pread(self.fd, 1 << 20, self.offset)):
            self.offset += len(chunk)
            self.buffer += chunk

    def _take(self, end: int) -> dict[str, Any] | None:
        line, self.pos = self.buffer[self.pos:end], end + 1
        try:
            event = json.loads(line)
        except ValueError:
            return None
        at = event.get("at") if isinstance(event, dict) else None
        now = time.monotonic()
        known = isinstance(at, (int, float)) and math.isfinite(at)
        self.last = min(max(at, self.last), now) if known else now
        return event if isinstance(event, dict) else None
