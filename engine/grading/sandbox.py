"""Observe learner code in a child process that the grader can always kill (CPython only).

Whatever the learner's code does in the child (exit, patch ``math`` or ``builtins``, hang, eat
memory), the parent only reads JSON lines with a deadline per case. A case that passes its time
limit is a ``timeout``; a child that dies mid-case makes that case an error; in both events a new
child picks up the remaining cases, so one bad case never costs the others.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from engine.grading.judge import load_timeout_error, load_timeout_message, skipped_after
from engine.grading.observe import DEFAULT_OUTPUT_LIMIT

# The directory holding the `engine` package, so the child finds it even in isolated mode (-I).
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_CHILD = ("import sys; sys.path.insert(0, sys.argv[1]); "
          "from engine.grading.child import main; main()")
STARTUP_LIMIT = 30.0  # seconds for the interpreter to start: generous, a loaded machine is slow


class SubprocessExecutor:
    """Runs each submission in a fresh ``python -I`` child with a memory cap and time limits."""

    def __init__(self, output_limit: int = DEFAULT_OUTPUT_LIMIT, memory_mb: int = 1024,
                 python: str = sys.executable) -> None:
        self.output_limit = output_limit
        self.memory_mb = memory_mb
        self.python = python

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

    def _run_child(self, source: str, cases: list[dict[str, Any]],
                   check_module: bool) -> dict[str, Any]:
        """Run one child until it finishes, or until a case times out or the child dies."""
        job = {"source": source, "cases": [c["spec"] for c in cases],
               "output_limit": self.output_limit, "memory_mb": self.memory_mb,
               "check_module": check_module}
        limits = [c["time_limit"] for c in cases]
        load_limit = max(limits, default=5.0)
        with tempfile.TemporaryDirectory(prefix="gradlab-") as workdir:
            proc = self._start(workdir, job)
            try:
                return self._talk(proc, json.dumps(job) if proc.stdin else "", cases, limits,
                                  load_limit)
            finally:
                self._finish(proc)

    def _finish(self, proc: Any) -> None:
        _kill(proc)

    def _start(self, workdir: str, job: dict[str, Any]) -> Any:
        """A fresh interpreter: slower to start (~40 ms), safe from any parent."""
        return subprocess.Popen(
            [self.python, "-I", "-c", _CHILD, _PACKAGE_ROOT],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=workdir, start_new_session=True, env=_child_env(),
        )

    def _talk(self, proc: subprocess.Popen[bytes], job: str, cases: list[dict[str, Any]],
              limits: list[float], load_limit: float) -> dict[str, Any]:
        assert proc.stdout is not None
        if proc.stdin is not None:  # a fresh interpreter reads its job from stdin
            try:
                proc.stdin.write(job.encode())
                proc.stdin.close()
            except BrokenPipeError:
                pass
        lines = _LineReader(proc.stdout)
        results: list[dict[str, Any]] = []
        event = lines.next(STARTUP_LIMIT)
        if event is None or event.get("event") != "hello":
            return {"load_error": _crash_error(proc, "starting Python"), "results": []}
        event = lines.next(load_limit)
        if event is None:
            if lines.timed_out:
                return {"load_error": load_timeout_error(load_timeout_message(load_limit)),
                        "results": []}
            return {"load_error": _crash_error(proc, "loading your code"), "results": []}
        if event.get("error") is not None:
            return {"load_error": event["error"], "results": []}
        for case, limit in zip(cases, limits, strict=True):
            started = time.perf_counter()
            event = lines.next(limit)
            if event is None or event.get("event") != "case":
                elapsed = round((time.perf_counter() - started) * 1000, 3)
                if lines.timed_out:
                    results.append({"id": case["id"], "status": "timeout", "duration_ms": elapsed})
                else:
                    _wait_or_kill(proc)
                    results.append({"id": case["id"], "status": "crashed", "duration_ms": elapsed,
                                    "exit_code": proc.returncode})
                break
            results.append(event["result"])
        return {"load_error": None, "results": results}


class ForkExecutor(SubprocessExecutor):
    """Like SubprocessExecutor, but each child is forked from this process (~1 ms instead of
    ~40 ms): for batch grading, where this process is a single-threaded worker that has already
    imported the engine. Never use it from a process with other threads running."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        import engine.grading.child  # noqa: F401 - imported once here, not in every child

        self._zombies: list[_ForkedChild] = []

    def _start(self, workdir: str, job: dict[str, Any]) -> Any:
        gc.freeze()  # keep the collector from touching (and so copying) the parent's pages
        return _ForkedChild(workdir, job)

    def _finish(self, proc: Any) -> None:
        """Kill without waiting for the exit (freeing a big address space takes a while):
        finished children are reaped on later calls."""
        proc.kill()
        proc.stdout.close()
        self._zombies = [z for z in [*self._zombies, proc] if z.poll() is None]


class _ForkedChild:
    """The parts of ``subprocess.Popen`` the sandbox uses, for a child made with ``os.fork``."""

    def __init__(self, workdir: str, job: dict[str, Any]) -> None:
        res_r, res_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: become the grading child, never return
            try:
                os.setsid()
                os.chdir(workdir)
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                os.dup2(res_w, 1)
                for fd in (null, res_r, res_w):
                    os.close(fd)
                from engine.grading.child import main

                main(job)  # the job is already in this process's memory: no pipe, no JSON
            finally:
                os._exit(0)
        os.close(res_w)
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = None
        self.stdout = os.fdopen(res_r, "rb")

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if timeout is None and self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
            return self.returncode
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("forked grading child", timeout or 0)
            time.sleep(0.001)
        return self.returncode  # type: ignore[return-value]

    def kill(self) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGKILL)  # its own session: take anything it started


def _child_env() -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["PYTHONHASHSEED"] = "0"  # set iteration order is then the same run to run
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _crash_error(proc: subprocess.Popen[bytes], doing: str) -> dict[str, Any]:
    _wait_or_kill(proc)
    code = proc.returncode
    how = f"was killed by signal {-code}" if code is not None and code < 0 else f"exited ({code})"
    return {"type": "Crashed", "origin": "learner", "line": None, "traceback": "",
            "message": f"the Python process {how} while {doing}: your code may have called "
                       "os._exit() or used too much memory at the top level"}


def _wait_or_kill(proc: subprocess.Popen[bytes]) -> None:
    try:  # let it finish dying on its own, so the exit code says what really happened
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        _kill(proc)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            proc.kill()
    proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


class _LineReader:
    """Reads JSON lines from a pipe with a deadline, without trusting how much the child writes."""

    MAX_LINE = 16 * 1024 * 1024

    def __init__(self, stream: Any) -> None:
        self.fd = stream.fileno()
        self.buffer = b""
        self.selector = selectors.DefaultSelector()
        self.selector.register(self.fd, selectors.EVENT_READ)
        self.timed_out = False

    def next(self, timeout: float) -> dict[str, Any] | None:
        """The next event, or None on timeout (``timed_out`` set) or end of stream."""
        deadline = time.monotonic() + timeout
        self.timed_out = False
        while b"\n" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not self.selector.select(left):
                self.timed_out = True
                return None
            chunk = os.read(self.fd, 65536)
            if not chunk or len(self.buffer) > self.MAX_LINE:
                return None
            self.buffer += chunk
        line, self.buffer = self.buffer.split(b"\n", 1)
        try:
            return json.loads(line)
        except ValueError:
            return None
