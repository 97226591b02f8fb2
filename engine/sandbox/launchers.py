"""How a grading child is started: the ``Launcher`` and ``ChildHandle`` protocols and their two
implementations.

``FreshInterpreter`` starts a ``python -I`` per child (~40 ms, safe from any parent, works where
fork does not). ``Zygote`` asks a zygote process (``engine.sandbox.zygote``) to fork one (~1 ms).
``Zygote(sandbox=...)`` runs that zygote inside a bubblewrap sandbox (``engine.sandbox.isolation``),
so every child it forks is in there too.
Either hands back a ``ChildHandle``; time limits, results and what they mean are the executor's.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from engine.sandbox.isolation import Sandbox
from engine.sandbox.zygote import await_end, kill_session, send_frame

# The directory holding the `engine` package, so the child finds it even in isolated mode (-I).
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
_CHILD = ("import sys; sys.path.insert(0, sys.argv[1]); "
          "from engine.sandbox.child import main; main()")
_ZYGOTE = ("import sys; sys.path.insert(0, sys.argv[1]); "
           "from engine.sandbox.zygote import main; main()")
STARTUP_LIMIT = 30.0  # seconds for the interpreter to start: generous, a loaded machine is slow


@dataclass(frozen=True)
class Job:
    """What one child is to run. ``cases`` are the suite's cases: only their ``spec`` (the
    inputs) is ever sent to a child, never the expected values."""

    source: str
    cases: list[dict[str, Any]]
    check_module: bool
    output_limit: int
    memory_mb: int

    def settings(self) -> dict[str, Any]:
        return {"source": self.source, "output_limit": self.output_limit,
                "memory_mb": self.memory_mb, "check_module": self.check_module}


class ChildHandle(Protocol):
    """A running child. It writes its events to the results file it was given; ``alive_fd`` is
    the read end of a pipe that reads end-of-file once the child has ended."""

    alive_fd: int

    def exit_code(self) -> int | None:
        """How it ended as ``subprocess`` says it (negative: that signal), if known yet."""

    def wait(self, timeout: float) -> None:
        """Give it up to ``timeout`` seconds to end on its own, without reaping it."""

    def kill(self) -> None:
        """Kill its whole session (whatever it started too), then let it be reaped."""

    def close(self) -> None:
        """Kill it and let go of everything held for it."""


class Launcher(Protocol):
    def start(self, workdir: str, job: Job, results_fd: int) -> ChildHandle | None:
        """A child running ``job`` in ``workdir`` (None: none could be started)."""

    def close(self) -> None:
        """Let go of whatever the launcher keeps between children."""


class FreshInterpreter:
    """A fresh ``python -I`` per child, its job written to its stdin. Stateless: threads may share it."""

    def __init__(self, python: str = sys.executable) -> None:
        self.python = python

    def start(self, workdir: str, job: Job, results_fd: int) -> FreshChild:
        proc = subprocess.Popen(
            [self.python, "-I", "-c", _CHILD, _PACKAGE_ROOT],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=workdir, start_new_session=True, env=_child_env(), pass_fds=(results_fd,),
        )
        assert proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.write(json.dumps({**job.settings(), "cases": [c["spec"] for c in job.cases],
                                         "results_fd": results_fd}).encode())
            proc.stdin.close()
        return FreshChild(proc)

    def close(self) -> None:
        pass


class FreshChild:
    """A child this process started itself, in its own session."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self.proc = proc
        self.alive_fd = proc.stdout.fileno()

    def exit_code(self) -> int | None:
        return self.proc.returncode  # known once reaped, i.e. after kill()

    def wait(self, timeout: float) -> None:
        await_end(self.proc.pid, timeout, poll=0.002)  # then _kill kills first, reaps after

    def kill(self) -> None:
        _kill(self.proc)

    def close(self) -> None:
        _kill(self.proc)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


class Zygote:
    """Children forked by a zygote process that this launcher starts on first use (and again if
    it dies). The child holds only the cases' inputs, never this process's memory (expected
    values, other submissions). POSIX only. Threads may share it: one conversation at a time."""

    def __init__(self, python: str = sys.executable, sandbox: Sandbox | None = None) -> None:
        self.python = python
        self.sandbox = sandbox  # None: the zygote runs as this user, with this user's files
        self._lock = threading.RLock()
        self._process: subprocess.Popen[bytes] | None = None
        self._sock: socket.socket | None = None
        self._registered: dict[str, Any] = {}  # case id -> the spec the zygote holds for it
        self._exits: dict[int, int | None] = {}  # pid -> exit code (None: running), our children
        self._replies = b""

    def start(self, workdir: str, job: Job, results_fd: int) -> ZygoteChild | None:
        """Ask the zygote for a child (starting the zygote if there is none, or it died)."""
        cases = job.cases
        message = {"op": "job", "workdir": workdir, **job.settings(), "cases": [c["id"] for c in cases]}
        with self._lock:
            for _attempt in range(2):
                sock = self._ensure_running()
                fresh = [c for c in cases if self._registered.get(c["id"]) is not c["spec"]]
                read_end, write_end = os.pipe()
                try:
                    if fresh:
                        send_frame(sock, {"op": "cases", "specs": {c["id"]: c["spec"] for c in fresh}})
                    send_frame(sock, message, (write_end, results_fd))
                    pid = self._started(time.monotonic() + STARTUP_LIMIT)
                except OSError:
                    pid = None
                finally:
                    os.close(write_end)
                if pid is not None:
                    self._registered.update((c["id"], c["spec"]) for c in fresh)
                    self._exits[pid] = None
                    return ZygoteChild(self, pid, read_end)
                os.close(read_end)
                self.close()
        return None

    def news(self, pid: int, wait: float = 0.0) -> int | None:
        """How the child ``pid`` ended, reading the zygote's news for up to ``wait`` seconds (0:
        only what has arrived) until it says."""
        with self._lock:
            if self._exits.get(pid) is None and self._sock is not None:
                deadline = time.monotonic() + wait
                try:
                    while self._exits.get(pid) is None and self._next_message(deadline) is not None:
                        pass
                except OSError:  # the zygote has gone: its children are orphans now
                    self.close()
            return self._exits.get(pid)

    def kill(self, pid: int) -> None:
        """Have the zygote kill the child's session; it reaps the child afterwards."""
        with self._lock:
            if self.news(pid) is None and self._sock is not None:
                try:
                    send_frame(self._sock, {"op": "kill", "pid": pid})
                except OSError:
                    self.close()

    def forget(self, pid: int) -> None:
        with self._lock:
            self.kill(pid)
            self._exits.pop(pid, None)

    def close(self) -> None:
        """Close the zygote (it kills its children as it goes); if it was killed instead, kill
        the children it left behind from here."""
        with self._lock:
            died = self._process is not None and self._process.poll() is not None
            if self._sock is not None:
                self._sock.close()
            if self._process is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._process.wait(timeout=5)
                _kill(self._process)
            self._sock = self._process = None
            for pid, code in self._exits.items():
                if code is None:
                    # Sandboxed, pids are the sandbox's own, and the sandbox died with the zygote.
                    if died and self.sandbox is None:
                        kill_session(pid)
                    self._exits[pid] = -signal.SIGKILL

    def _ensure_running(self) -> socket.socket:
        if self._sock is not None and self._process is not None and self._process.poll() is None:
            return self._sock
        self.close()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        if self.sandbox is not None:
            command = self.sandbox.command(str(theirs.fileno()), "sandboxed")
        else:
            command = [self.python, "-I", "-c", _ZYGOTE, _PACKAGE_ROOT, str(theirs.fileno())]
        self._process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            pass_fds=(theirs.fileno(),), env=_child_env(), start_new_session=True)
        theirs.close()
        self._sock, self._registered, self._replies = ours, {}, b""
        return ours

    def _started(self, deadline: float) -> int | None:
        """The pid in the zygote's ``started`` reply, or None if none came by ``deadline``."""
        while (message := self._next_message(deadline)) is not None:
            if "started" in message:
                return message["started"]
        return None

    def _next_message(self, deadline: float) -> dict[str, Any] | None:
        """The zygote's next line (None if none came by ``deadline``), recording exits on the way."""
        assert self._sock is not None
        while b"\n" not in self._replies:
            if not select.select([self._sock], [], [], max(0.0, deadline - time.monotonic()))[0]:
                return None
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ConnectionResetError("the zygote has gone")
            self._replies += chunk
        line, self._replies = self._replies.split(b"\n", 1)
        message = json.loads(line)
        if message.get("exited") in self._exits:
            self._exits[message["exited"]] = message["code"]
        return message


class ZygoteChild:
    """A child the zygote forked: the zygote reaps it (killing its session first) and says so."""

    def __init__(self, zygote: Zygote, pid: int, alive_fd: int) -> None:
        self.zygote, self.pid, self.alive_fd = zygote, pid, alive_fd

    def exit_code(self) -> int | None:
        return self.zygote._exits.get(self.pid)

    def wait(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        # In short slices, so other threads get their turn with the zygote in between.
        while time.monotonic() <= deadline and self.zygote.news(self.pid, wait=0.02) is None:
            pass

    def kill(self) -> None:
        self.zygote.kill(self.pid)

    def close(self) -> None:
        self.zygote.forget(self.pid)
        os.close(self.alive_fd)


def _child_env() -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["PYTHONHASHSEED"] = "0"  # set iteration order is then the same run to run
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def _kill(proc: subprocess.Popen[bytes]) -> None:
    """Kill the process's whole session, even when the process itself has already ended, so
    nothing it started (a forked process looping forever) outlives it; then reap it."""
    if proc.returncode is None:  # not reaped yet: its pid still names its session
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
    proc.wait()
