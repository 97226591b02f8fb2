"""The grading child process: reads a job on stdin, streams one JSON line per event.

Started by ``sandbox.SubprocessExecutor``. Before any learner code runs it keeps a private copy of
the result pipe and points file descriptors 1 and 2 at /dev/null, so nothing the learner prints or
writes to a raw descriptor can forge a result line. Events: ``hello``, ``loaded``, one ``case`` per
case, ``done``.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys

try:
    import resource
except ImportError:  # not on this platform: the parent's time limit still applies
    resource = None  # type: ignore[assignment]


def _limit_memory(megabytes: int) -> None:
    if resource is None:
        return
    limit = megabytes * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):  # a lower hard limit is already in force
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _read_job(fd: int = 0) -> dict:
    """The whole job from a descriptor, read raw: a forked child must not use a buffered
    ``sys.stdin`` inherited from its parent."""
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    return json.loads(b"".join(chunks))


def main(job: dict | None = None) -> None:
    """Run one job: read from stdin, or handed over in memory by a forked parent."""
    from engine.grading import observe

    job = _read_job() if job is None else job
    results = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    sys.stdout = sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - lives as long as the process
    dumps = json.dumps

    def send(event: str, **data: object) -> None:
        results.write(dumps({"event": event, **data}) + "\n")
        results.flush()

    _limit_memory(job.get("memory_mb", 1024))
    sys.setrecursionlimit(job.get("recursion_limit", 1000))
    send("hello")
    limit = job.get("output_limit", observe.DEFAULT_OUTPUT_LIMIT)
    code, error = observe.load(job["source"])
    if error is None and job.get("check_module", True):
        error = observe.check_module(code, limit)
    send("loaded", error=error)
    if error is None:
        for case in job["cases"]:
            send("case", result=observe.run_case(code, case, limit))
    send("done")
    results.close()
    os._exit(0)  # skip interpreter teardown: learner objects may have odd __del__ methods


if __name__ == "__main__":
    main()
