"""The zygote: a small helper process that forks one grading child per submission (POSIX only).

Batch grading wants a child per submission (a file that hangs, crashes or patches the world costs
only its own row) but cannot pay ~40 ms to start each interpreter. Forking the grading worker
itself is fast, yet every fork then copies whatever pages either side writes (the worker's judging
faulted ~900 pages per file) and hands the learner a copy of the worker's memory, expected values
included. So the worker starts this process once: it imports only what a grading child needs,
knows only the cases' inputs, and does nothing but fork, so a fork stays cheap on both sides and
a child's memory holds nothing worth reading.

Protocol, on the socket the worker passes as ``argv[2]``:
- worker -> zygote, frames of a 4-byte big-endian length then JSON, sent with ``socket.send_fds``:
  ``{"op": "cases", "specs": {id: spec}}`` registers cases;
  ``{"op": "job", "workdir": str, "source": str, "cases": [id], "output_limit": int,
  "memory_mb": int, "check_module": bool}`` carries two descriptors, the write end of a pipe
  that becomes the child's stdout and the file it writes its results to, and starts a child
  (``engine.sandbox.child.main``);
  ``{"op": "kill", "pid": int}`` kills that child's session if it is still alive.
- zygote -> worker, JSON lines: ``{"started": pid}`` after each job, and ``{"exited": pid,
  "code": int}`` when a child ends (negative: killed by that signal), as ``subprocess`` reports it.
The zygote exits, killing its children, when the worker's end closes.

Sandboxed (``engine.sandbox.isolation``; ``argv[3]`` is ``sandboxed``), it runs as a top-level
module ``gradlab_zygote`` inside a bubblewrap sandbox, beside top-level copies ``observe`` and
``gradlab_child`` (there is no ``engine`` package in there), as PID 2 of its own PID namespace
(bwrap's reaper is PID 1). Then each child runs in a fresh directory under the sandbox's /tmp (the
job's ``workdir`` is the grader's and is ignored), and whenever no child is running (after a child
is reaped, and before one is forked) the zygote kills every other process in the namespace
(``kill(-1)``: what a ``fork(); setsid(); fork()`` left behind) and empties /tmp.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import selectors
import shutil
import signal
import socket
import struct
import sys
import time
from typing import Any

if __package__:  # engine.sandbox.zygote, on the grader's machine
    from engine.grading import observe
    from engine.sandbox import child
else:  # gradlab_zygote, a top-level copy in the sandbox beside copies of the two modules
    import gradlab_child as child  # type: ignore[import-not-found, no-redef]
    import observe  # type: ignore[import-not-found, no-redef]

HEADER = struct.Struct(">I")


def send_frame(sock: socket.socket, message: dict[str, Any], fds: tuple[int, ...] = ()) -> None:
    data = json.dumps(message).encode()
    frame = HEADER.pack(len(data)) + data
    sent = socket.send_fds(sock, [frame], list(fds)) if fds else sock.send(frame)
    if sent < len(frame):
        sock.sendall(frame[sent:])


def _read_frame(sock: socket.socket) -> tuple[dict[str, Any], list[int]] | None:
    """One frame and the descriptors that came with it; None when the worker has gone."""
    head, fds, _, _ = socket.recv_fds(sock, HEADER.size, 4)
    while head and len(head) < HEADER.size:
        more = sock.recv(HEADER.size - len(head))
        if not more:
            return None
        head += more
    if not head:
        return None
    (size,) = HEADER.unpack(head)
    body = bytearray()
    while len(body) < size:
        chunk = sock.recv(min(size - len(body), 1 << 20))
        if not chunk:
            return None
        body += chunk
    return json.loads(body), fds


class ZygoteLoop:
    """The loop: frames from the worker, and SIGCHLD (through a wake-up pipe) for ended children."""

    def __init__(self, sock: socket.socket, sandboxed: bool = False) -> None:
        self.sock = sock
        # Only where this process is PID 1 or 2 of its own PID namespace may it kill(-1).
        self.sandboxed = sandboxed and os.getpid() <= 2
        self.workdirs: dict[int, str] = {}
        self.count = 0
        self.specs: dict[str, dict[str, Any]] = {}
        self.live: set[int] = set()
        self.wake_r, wake_w = os.pipe()
        os.set_blocking(wake_w, False)
        signal.set_wakeup_fd(wake_w)
        signal.signal(signal.SIGCHLD, lambda *_: None)  # a handler, so SIGCHLD wakes the loop
        self.wake_w = wake_w
        self.selector = selectors.DefaultSelector()

    def serve(self) -> None:
        self.selector.register(self.sock, selectors.EVENT_READ)
        self.selector.register(self.wake_r, selectors.EVENT_READ)
        try:
            while True:
                for key, _ in self.selector.select():
                    if key.fileobj is self.sock:
                        frame = _read_frame(self.sock)
                        if frame is None:
                            return
                        self.handle(*frame)
                    else:
                        os.read(self.wake_r, 4096)
                self.reap()
        finally:
            for pid in self.live:
                kill_session(pid)

    def handle(self, message: dict[str, Any], fds: list[int]) -> None:
        op = message["op"]
        if op == "cases":
            self.specs.update(message["specs"])
            observe.precompile(list(message["specs"].values()))
            _warm_up(list(message["specs"].values()))
        elif op == "job":
            pid = self.fork(message, fds[0], fds[1])
            self.live.add(pid)
            self.send({"started": pid})
        elif op == "kill" and message["pid"] in self.live:
            kill_session(message["pid"])
            if self.sandboxed:  # let it die now, so the next job finds the namespace empty
                await_end(message["pid"])
        for fd in fds:
            os.close(fd)

    def fork(self, message: dict[str, Any], stdout_fd: int, results_fd: int) -> int:
        job = {"source": message["source"], "cases": [self.specs[i] for i in message["cases"]],
               "output_limit": message["output_limit"], "memory_mb": message["memory_mb"],
               "check_module": message["check_module"], "results_fd": results_fd}
        workdir = message["workdir"]
        if self.sandboxed:
            self.reap()
            if not self.live:
                _clear_namespace()
            self.count += 1
            workdir = os.path.join(SANDBOX_TMP, f"job{self.count}")
            os.mkdir(workdir, 0o700)
        gc.freeze()  # keep the collector from touching (and so copying) this process's pages
        pid = os.fork()
        if pid == 0:  # the child: let go of everything of the zygote's, then grade; never return
            try:
                signal.set_wakeup_fd(-1)
                signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                os.setsid()
                os.chdir(workdir)
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                os.dup2(stdout_fd, 1)
                for fd in (null, stdout_fd, self.wake_r, self.wake_w):
                    os.close(fd)
                self.selector.close()
                self.sock.close()
                child.main(job)
            finally:
                os._exit(0)
        if self.sandboxed:
            self.workdirs[pid] = workdir
        return pid

    def reap(self) -> None:
        """Report every child that has ended, after killing its session: whatever the child
        started (a forked process looping forever) does not outlive it. The session is killed
        before the child is reaped, while its pid cannot yet belong to anyone else."""
        while self.live:
            try:
                pid = _ended_child()
            except ChildProcessError:
                return
            if not pid:
                return
            kill_session(pid)
            _, status = os.waitpid(pid, 0)
            self.live.discard(pid)
            if self.sandboxed and not self.live:
                _clear_namespace()  # before the grader hears of it, and so before the next child
            self.workdirs.pop(pid, None)
            self.send({"exited": pid, "code": os.waitstatus_to_exitcode(status)})

    def send(self, message: dict[str, Any]) -> None:
        self.sock.sendall(json.dumps(message).encode() + b"\n")


# A stand-in learner for warming up: every operation answers, nothing is computed, so no
# expected value is ever worked out (or left behind in freed memory) in this process.
_STAND_IN = """
class Value:
    def __init__(self, data, *rest, **named):
        self.data = 0.0
        self.grad = 0.0
    def _same(self, *args, **named):
        return self
    __add__ = __radd__ = __mul__ = __rmul__ = __sub__ = __rsub__ = __truediv__ = _same
    __rtruediv__ = __pow__ = __neg__ = relu = tanh = exp = log = sigmoid = backward = _same
"""


class _WarmUpTooLong(Exception):
    pass


def _too_long(*_: object) -> None:
    raise _WarmUpTooLong


def _warm_up(specs: list[dict[str, Any]]) -> None:
    """Run every case once on a stand-in, so the grader's own code is already warm (specialised
    by the interpreter) in each child, instead of warming up again in every one of them: ~1 ms
    less per child. A case that runs on (a script looping until some value converges) is cut
    short after 50 ms: it only stays cold."""
    code, _ = observe.load(_STAND_IN)
    previous = signal.signal(signal.SIGALRM, _too_long)
    try:
        for spec in specs:
            signal.setitimer(signal.ITIMER_REAL, 0.05)
            with contextlib.suppress(_WarmUpTooLong):
                observe.run_case(code, spec)
            signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    gc.collect()


def _ended_child() -> int:
    """The pid of a child that has ended but is not reaped yet (0 if none)."""
    info = os.waitid(os.P_ALL, 0, os.WEXITED | os.WNOHANG | os.WNOWAIT)
    return info.si_pid if info is not None else 0


def kill_session(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)  # the child's own session: whatever it started goes too
    except (ProcessLookupError, PermissionError):  # not yet its own session leader
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


SANDBOX_TMP = "/tmp"  # inside the sandbox: its own small tmpfs


def await_end(pid: int, timeout: float = 1.0, poll: float = 0.0005) -> None:
    """Wait for a child to end without reaping it: until it is reaped, its pid still names its
    session, so killing the session cannot hit anyone else (no-op where there is no waitid)."""
    if not hasattr(os, "waitid"):
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return
        except ChildProcessError:
            return
        time.sleep(poll)


def _clear_namespace() -> None:
    """Sandboxed, with no child running: kill every other process in this PID namespace (bwrap's
    reaper, PID 1, is spared by the kernel and reaps them), wait until they are gone, and empty
    /tmp, so nothing of one submission is there when the next one starts."""
    me = os.getpid()
    try:
        os.kill(-1, signal.SIGKILL)
    except ProcessLookupError:  # nothing else was running: the usual case
        pass
    else:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline and any(
                name.isdigit() and int(name) not in (1, me) for name in os.listdir("/proc")):
            time.sleep(0.0005)
    for name in os.listdir(SANDBOX_TMP):
        _remove(os.path.join(SANDBOX_TMP, name))


def _remove(path: str) -> None:
    """Remove a file or a whole tree, even one whose owner took away its permissions."""
    if os.path.isdir(path) and not os.path.islink(path):
        for folder, dirs, _ in os.walk(path):
            for name in dirs:
                with contextlib.suppress(OSError):
                    os.chmod(os.path.join(folder, name), 0o700, follow_symlinks=False)
        with contextlib.suppress(OSError):
            os.chmod(path, 0o700)
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(OSError):
            os.unlink(path)


def _not_dumpable() -> None:
    """No other process (a learner's child among them) may ptrace this one or open its
    descriptors through /proc; forked children inherit it."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE, 0


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the worker; its end then closes
    sock = socket.socket(fileno=int(sys.argv[2]))
    sandboxed = sys.argv[3:4] == ["sandboxed"]
    if sandboxed:
        _not_dumpable()
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        ZygoteLoop(sock, sandboxed).serve()


if __name__ == "__main__":
    main()
