"""The grading child process: reads a job on stdin, writes one JSON line per event to a file.

Started by ``launchers.FreshInterpreter`` (or forked by ``engine.sandbox.zygote``). Events, each
with ``at`` (``time.monotonic()`` when written, which the parent reads as the start of the next
step's time limit): ``hello``, ``loaded``, one ``case`` per case, ``done``. They go to the file
the job names by descriptor (``results_fd``), not to a pipe, so the parent is not woken once per
case: it reads the file when this process ends (its stdout pipe closes), or to see how far it got.
Before any learner code runs, descriptors 1 and 2 point at /dev/null and the pipe is kept on a
private descriptor, so nothing the learner prints or writes to a raw descriptor can forge a line.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time

try:
    import resource
except ImportError:  # not on this platform: the parent's time limit still applies
    resource = None  # type: ignore[assignment]


FILE_LIMIT_MB = 64  # no file this process writes (its results included) may grow past this


def _limit_resources(memory_mb: int) -> None:
    """Cap memory, and the size of any file written, so a loop of writes fails with "File too
    large" instead of filling the grader's disk."""
    if resource is None:
        return
    for kind, megabytes in ((resource.RLIMIT_AS, memory_mb), (resource.RLIMIT_FSIZE, FILE_LIMIT_MB)):
        limit = megabytes * 1024 * 1024
        with contextlib.suppress(ValueError, OSError):  # a lower hard limit is already in force
            resource.setrlimit(kind, (limit, limit))
    if hasattr(signal, "SIGXFSZ"):
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # an OSError in the learner's code, not a kill


def _read_job(fd: int = 0) -> dict:
    """The whole job from a descriptor, read raw: a forked child must not use a buffered
    ``sys.stdin`` inherited from its parent."""
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return json.loads(b"".join(chunks))


def main(job: dict | None = None) -> None:
    """Run one job: read from stdin, or handed over in memory by a forked parent."""
    if __package__:  # engine.sandbox.child
        from engine.grading import observe
    else:  # gradlab_child, a top-level copy in the sandbox beside a top-level observe
        import observe  # type: ignore[import-not-found, no-redef]

    job = _read_job() if job is None else job
    results = job["results_fd"]
    os.dup(1)  # the pipe stays open, off descriptor 1, until this process ends: its only message
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    dumps, write, monotonic = json.dumps, os.write, time.monotonic

    def send(event: str, **data: object) -> None:
        line = memoryview((dumps({"event": event, "at": monotonic(), **data}) + "\n").encode())
        while line:
            line = line[write(results, line):]

    _limit_resources(job.get("memory_mb", 1024))
    sys.setrecursionlimit(job.get("recursion_limit", 1000))
    send("hello")
    limit = job.get("output_limit", observe.DEFAULT_OUTPUT_LIMIT)
    code, error = observe.load(job["source"])
    if error is None and job.get("check_module", True):
        error = observe.check_module(code, limit, job["cases"])
    send("loaded", error=error)
    if error is None:
        for case in job["cases"]:
            send("case", result=observe.run_case(code, case, limit))
    send("done")
    os._exit(0)  # skip interpreter teardown: learner objects may have odd __del__ methods


if __name__ == "__main__":
    main()
