"""Observe learner code in a child process that the grader can always kill (CPython only).

Whatever the learner's code does in the child (exit, patch ``math`` or ``builtins``, hang, eat
memory), the parent only reads JSON lines with a deadline per case. A case that passes its time
limit is a ``timeout``; a child that dies mid-case makes that case an error; in both events a new
child picks up the remaining cases, so one bad case never costs the others.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import select
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from engine.grading.judge import load_timeout_error, load_timeout_message, skipped_after
from engine.grading.observe import DEFAULT_OUTPUT_LIMIT
from engine.sandbox.zygote import kill_session, send_frame

# The directory holding the `engine` package, so the child finds it even in isolated mode (-I).
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_CHILD = ("import sys; sys.path.insert(0, sys.argv[1]); "
          "from engine.sandbox.child import main; main()")
_ZYGOTE = ("import sys; sys.path.insert(0, sys.argv[1]); "
           "from engine.sandbox.zygote import main; main()")
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
        limits = [c["time_limit"] for c in cases]
        with tempfile.TemporaryDirectory(prefix="gradlab-") as workdir, \
                tempfile.TemporaryFile(dir=workdir) as results:
            started = time.monotonic()
            proc = self._start(workdir, source, cases, check_module, results.fileno())
            if proc is None:
                return {"load_error": {"type": "Crashed", "origin": "grader", "line": None,
                                       "traceback": "", "message": "the grader could not start "
                                       "a process to run your code in: grade it again"},
                        "results": []}
            try:
                return self._talk(proc, cases, limits, max(limits, default=5.0),
                                  _ResultReader(results.fileno(), proc.stdout, started))
            finally:
                self._finish(proc)

    def _start(self, workdir: str, source: str, cases: list[dict[str, Any]],
               check_module: bool, results_fd: int) -> Any:
        """A fresh interpreter, its job on stdin: slower to start (~40 ms), safe from any parent."""
        job = {"source": source, "cases": [c["spec"] for c in cases],
               "output_limit": self.output_limit, "memory_mb": self.memory_mb,
               "check_module": check_module, "results_fd": results_fd}
        proc = subprocess.Popen(
            [self.python, "-I", "-c", _CHILD, _PACKAGE_ROOT],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=workdir, start_new_session=True, env=_child_env(), pass_fds=(results_fd,),
        )
        assert proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.write(json.dumps(job).encode())
            proc.stdin.close()
        return proc

    def _wait_or_kill(self, proc: subprocess.Popen[bytes]) -> None:
        """Give a dying child 2 s to end on its own, so its exit code says what really happened;
        then make sure it, and whatever it started, is gone."""
        _await_exit(proc.pid, 2.0)
        _kill(proc)

    def _finish(self, proc: Any) -> None:
        _kill(proc)

    def _crash_error(self, proc: Any, doing: str) -> dict[str, Any]:
        self._wait_or_kill(proc)
        code = proc.returncode
        how = (f"was killed by signal {-code}" if code is not None and code < 0
               else f"exited ({code})")
        return {"type": "Crashed", "origin": "learner", "line": None, "traceback": "",
                "message": f"the Python process {how} while {doing}: your code may have called "
                           "os._exit() or used too much memory at the top level"}

    def _talk(self, proc: Any, cases: list[dict[str, Any]], limits: list[float],
              load_limit: float, lines: _ResultReader) -> dict[str, Any]:
        results: list[dict[str, Any]] = []
        event = lines.next(STARTUP_LIMIT)
        if event is None or event.get("event") != "hello":
            return {"load_error": self._crash_error(proc, "starting Python"), "results": []}
        event = lines.next(load_limit)
        if event is None:
            if lines.timed_out:
                return {"load_error": load_timeout_error(load_timeout_message(load_limit)),
                        "results": []}
            return {"load_error": self._crash_error(proc, "loading your code"), "results": []}
        if event.get("error") is not None:
            return {"load_error": event["error"], "results": []}
        for case, limit in zip(cases, limits, strict=True):
            event = lines.next(limit)
            if event is None or event.get("event") != "case":
                elapsed = round((time.monotonic() - lines.last) * 1000, 3)
                if lines.timed_out:
                    results.append({"id": case["id"], "status": "timeout", "duration_ms": elapsed})
                else:
                    self._wait_or_kill(proc)
                    results.append({"id": case["id"], "status": "crashed", "duration_ms": elapsed,
                                    "exit_code": proc.returncode})
                break
            results.append(event["result"])
        return {"load_error": None, "results": results}


class ZygoteExecutor(SubprocessExecutor):
    """Like SubprocessExecutor, but each child is forked by a zygote (``engine.sandbox.zygote``)
    that this executor starts once: ~1 ms per child instead of ~40 ms, and the child holds only
    the cases' inputs, never this process's memory (expected values, other submissions).
    POSIX only. One zygote per executor, restarted if it dies; threads may share it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock = threading.RLock()  # one conversation with the zygote at a time
        self._zygote: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._registered: dict[str, Any] = {}  # case id -> the spec the zygote holds for it
        self._exits: dict[int, int | None] = {}  # pid -> exit code (None: running), tracked ones
        self._replies = b""

    def _start(self, workdir: str, source: str, cases: list[dict[str, Any]],
               check_module: bool, results_fd: int) -> _ZygoteChild | None:
        """Ask the zygote for a child (starting the zygote if there is none, or it died)."""
        job = {"op": "job", "workdir": workdir, "source": source,
               "cases": [c["id"] for c in cases], "output_limit": self.output_limit,
               "memory_mb": self.memory_mb, "check_module": check_module}
        with self._lock:
            return self._fork_locked(job, cases, results_fd)

    def _fork_locked(self, job: dict[str, Any], cases: list[dict[str, Any]],
                     results_fd: int) -> _ZygoteChild | None:
        for _attempt in range(2):
            sock = self._ensure_zygote()
            fresh = [c for c in cases if self._registered.get(c["id"]) is not c["spec"]]
            read_end, write_end = os.pipe()
            try:
                if fresh:
                    send_frame(sock, {"op": "cases", "specs": {c["id"]: c["spec"] for c in fresh}})
                send_frame(sock, job, (write_end, results_fd))
                pid = self._reply("started")
            except OSError:
                pid = None
            finally:
                os.close(write_end)
            if pid is not None:
                self._registered.update((c["id"], c["spec"]) for c in fresh)
                return _ZygoteChild(self, pid, read_end)
            os.close(read_end)
            self._stop_zygote()
        return None

    def _ensure_zygote(self) -> socket.socket:
        if self._sock is not None and self._zygote is not None and self._zygote.poll() is None:
            return self._sock
        self._stop_zygote()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self._zygote = subprocess.Popen(
            [self.python, "-I", "-c", _ZYGOTE, _PACKAGE_ROOT, str(theirs.fileno())],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),), env=_child_env(), start_new_session=True)
        theirs.close()
        self._sock, self._registered, self._replies = ours, {}, b""
        return ours

    def _stop_zygote(self) -> None:
        """Close the zygote (it kills its children as it goes); if it was killed instead, kill
        the children it left behind from here."""
        with self._lock:
            died = self._zygote is not None and self._zygote.poll() is not None
            if self._sock is not None:
                self._sock.close()
            if self._zygote is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._zygote.wait(timeout=5)
                _kill(self._zygote)
            self._sock = self._zygote = None
            for pid, code in self._exits.items():
                if code is None:
                    if died:
                        kill_session(pid)
                    self._exits[pid] = -signal.SIGKILL

    def _reply(self, wanted: str, timeout: float = STARTUP_LIMIT) -> int | None:
        """Read the zygote's lines until one has ``wanted``, recording exits on the way."""
        assert self._sock is not None
        deadline = time.monotonic() + timeout
        while True:
            while b"\n" in self._replies:
                line, self._replies = self._replies.split(b"\n", 1)
                message = json.loads(line)
                if "exited" in message:
                    if message["exited"] in self._exits:
                        self._exits[message["exited"]] = message["code"]
                    if wanted == "exited":
                        return message["exited"]
                elif wanted in message:
                    return message[wanted]
            left = max(0.0, deadline - time.monotonic())
            if not select.select([self._sock], [], [], left)[0]:
                return None
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ConnectionResetError("the zygote has gone")
            self._replies += chunk

    def _wait_or_kill(self, proc: Any) -> None:
        """As for a fresh interpreter; the zygote kills the session when it reaps the child."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=2)
        proc.kill()

    def _finish(self, proc: Any) -> None:
        with self._lock:
            proc.kill()
            self._exits.pop(proc.pid, None)
        proc.stdout.close()

    def close(self) -> None:
        self._stop_zygote()


class _ZygoteChild:
    """The parts of ``subprocess.Popen`` the sandbox uses, for a child the zygote forked."""

    def __init__(self, owner: ZygoteExecutor, pid: int, read_end: int) -> None:
        self.owner, self.pid = owner, pid
        self.stdin = None
        self.stdout = os.fdopen(read_end, "rb")
        owner._exits[pid] = None

    @property
    def returncode(self) -> int | None:
        return self.owner._exits.get(self.pid)

    def poll(self, timeout: float = 0) -> int | None:
        """The exit code if the zygote has reported one (waiting up to ``timeout`` for news)."""
        with self.owner._lock:
            if self.returncode is None and self.owner._sock is not None:
                try:
                    self.owner._reply("exited" if timeout else "never", timeout=timeout)
                except OSError:  # the zygote has gone: this child is an orphan now
                    self.owner._stop_zygote()
            return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = time.monotonic() + (STARTUP_LIMIT if timeout is None else timeout)
        # In short slices, so other threads get their turn with the zygote in between.
        while self.poll(timeout=0.02) is None:
            if time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("grading child", timeout or 0)
        return self.returncode  # type: ignore[return-value]

    def kill(self) -> None:
        with self.owner._lock:
            if self.poll() is None and self.owner._sock is not None:
                try:
                    send_frame(self.owner._sock, {"op": "kill", "pid": self.pid})
                except OSError:
                    self.owner._stop_zygote()


def best_executor() -> SubprocessExecutor:
    """The zygote where the platform can fork (a child in ~1 ms), else a fresh interpreter per
    submission (~40 ms): the same verdicts either way."""
    return ZygoteExecutor() if hasattr(os, "fork") and hasattr(os, "waitid") else SubprocessExecutor()


def _child_env() -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["PYTHONHASHSEED"] = "0"  # set iteration order is then the same run to run
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _await_exit(pid: int, timeout: float) -> None:
    """Wait for the process to end without reaping it: until it is reaped, its pid still names
    its session, so killing the session cannot hit anyone else."""
    if not hasattr(os, "waitid"):
        return  # _kill then kills first and reaps after, which is as safe
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return
        except ChildProcessError:
            return
        time.sleep(0.002)


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill the child's whole session, even when the child itself has already ended, so nothing
    it started (a forked process looping forever) outlives its grading; then reap it."""
    if proc.returncode is None:  # not reaped yet: its pid still names its session
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
    proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


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

    def __init__(self, results_fd: int, alive: Any, started: float) -> None:
        self.fd, self.offset, self.buffer, self.pos = results_fd, 0, b"", 0
        self.alive = alive.fileno()
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
