"""Hostile submissions against the OS sandbox (engine/sandbox/isolation.py).

Each submission below would PASS basic-ops if the leak it tries existed (it ends up with the
reference engine, or with forged results); in the sandbox each must be `fail` or `error`. CI runs
these with bubblewrap installed (.ci/run fails if no sandbox can be made); elsewhere the module is
skipped, except the fallback test, which needs no sandbox.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from engine.sandbox.isolation import status

REPO = Path(__file__).resolve().parents[1]
BASIC = REPO / "hidden_tests" / "basic-ops"
REFERENCE_PATH = BASIC / "reference.py"
REFERENCE = REFERENCE_PATH.read_text()
CORRECT = BASIC / "solutions" / "correct" / "micrograd_textbook.py"
GRADLAB = [sys.executable, "-m", "engine.cli"]

needs_sandbox = pytest.mark.skipif(not status().isolated,
                                   reason=f"no sandbox here: {status().why}")


@pytest.fixture(scope="module")
def graded():
    """grade(source) on basic-ops with what the CLI uses: the sandboxed zygote."""
    from engine.authoring.check import load_for_grading
    from engine.grading.grade import grade
    from engine.sandbox.executor import best_executor

    executor = best_executor()
    assert executor.isolation.isolated, executor.isolation.why
    _, suite = load_for_grading(BASIC, executor)
    yield lambda source: grade(suite, source, executor)
    executor.close()


def _not_passed(report) -> None:
    assert report.status in ("fail", "error"), report.message


@needs_sandbox
def test_the_sandbox_outlives_the_thread_that_started_it():
    """The sandboxed zygote is often started from a worker thread (gradlab check's and the known
    mistakes' thread pools) that ends before grading does. bwrap's --die-with-parent is a
    PR_SET_PDEATHSIG, which fires when that *thread* ends: the sandbox, and the learner's child
    grading in it, were killed mid-run ("killed by signal 9 while loading your code", about one
    cold-cache `gradlab grade` in four). The zygote ends when its socket closes instead."""
    from engine.authoring.check import load_and_compile
    from engine.grading.grade import grade
    from engine.sandbox.executor import best_executor

    executor = best_executor()
    _, suite = load_and_compile(BASIC)
    source = CORRECT.read_text()
    try:
        started = threading.Thread(target=lambda: grade(suite, source, executor))
        started.start()
        started.join()  # the thread that started the zygote has ended
        zygote = executor.launcher._process
        time.sleep(0.5)  # a pdeathsig, if any, has been delivered by now
        assert zygote is not None and zygote.poll() is None, "the sandbox died with its thread"
        for _ in range(3):
            report = grade(suite, source, executor)
            assert report.status == "pass", report.message
    finally:
        executor.close()


@needs_sandbox
def test_the_reference_passes_in_the_sandbox(graded):
    """The control: with the reference's own source, the sandbox grades as usual."""
    assert graded(REFERENCE).status == "pass"


@needs_sandbox
@pytest.mark.parametrize("source", [
    "from engine.autograd import Value\nValue.__module__ = '__main__'\n",
    "import engine.autograd as e\n\nclass Value(e.Value):\n    pass\n\nValue.__module__ = '__main__'\n",
])
def test_borrowing_the_graders_engine(graded, source):
    report = graded(source)
    _not_passed(report)
    assert "engine" in report.message


@needs_sandbox
def test_reading_the_reference_from_disk_by_its_path(graded):
    report = graded(f"exec(open({str(REFERENCE_PATH)!r}).read())\n")
    _not_passed(report)
    assert "No such file" in report.message


@needs_sandbox
def test_finding_the_reference_through_proc(graded):
    """Look in every process's cwd and environment (PWD, VIRTUAL_ENV, ...) for hidden_tests."""
    source = '''
import os
found = None
for pid in os.listdir("/proc"):
    if not pid.isdigit():
        continue
    places = []
    try:
        places.append(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
        pass
    try:
        env = open(f"/proc/{pid}/environ", "rb").read().split(b"\\0")
        places += [v.split(b"=", 1)[1].decode() for v in env if b"=" in v]
    except OSError:
        pass
    try:
        places += open(f"/proc/{pid}/cmdline", "rb").read().decode().split("\\0")
    except OSError:
        pass
    for place in places:
        for up in range(6):
            candidate = os.path.join(place, *[".."] * up, "hidden_tests", "basic-ops", "reference.py")
            if os.path.isfile(candidate):
                found = candidate
exec(open(found).read())
'''
    report = graded(source)
    _not_passed(report)


@needs_sandbox
def test_the_network(graded):
    """A server on 127.0.0.1 hands out the reference: the submission must not reach it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    seen = []

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            seen.append(conn)
            conn.sendall(REFERENCE.encode())
            conn.close()

    stop = threading.Event()
    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        source = (f"import socket\nsock = socket.create_connection(('127.0.0.1', {port}), timeout=2)\n"
                  "data = b''\nwhile chunk := sock.recv(65536):\n    data += chunk\n"
                  "exec(data.decode())\n")
        report = graded(source)
    finally:
        stop.set()
        thread.join()
        server.close()
    _not_passed(report)
    assert "Connection refused" in report.message or "unreachable" in report.message
    assert seen == []


@needs_sandbox
@pytest.mark.parametrize("module", ["torch", "pytest", "hypothesis"])
def test_a_third_party_import(graded, module):
    """The reference itself, importing a package of the grading Python's site-packages."""
    report = graded(f"import {module}\n" + REFERENCE)
    _not_passed(report)
    assert f"No module named '{module}'" in report.message


@needs_sandbox
def test_forged_results(graded):
    """Find the job in memory, compute each case's observation with the grader's own observer and
    the best engine it can get (the grader's, or the reference from disk), and write the events
    to every descriptor it has. Without a correct engine in reach, the forged values are wrong."""
    source = f'''
import json, os, sys, time
frame, job = sys._getframe(), None
while job is None:  # the child's main() holds it
    job = frame.f_locals.get("job") if isinstance(frame.f_locals.get("job"), dict) else None
    frame = frame.f_back
observe = sys.modules.get("observe") or sys.modules.get("engine.grading.observe")
engine = ("class Value:\\n    def __init__(self, data, *a, **k):\\n"
          "        self.data = data; self.grad = 0.0\\n")
try:
    import engine.autograd
    engine = "from engine.autograd import Value\\n"
except ImportError:
    try:
        engine = open({str(REFERENCE_PATH)!r}).read()
    except OSError:
        pass
code, _ = observe.load(engine)
lines = [json.dumps({{"event": "loaded", "error": None, "at": time.monotonic()}})]
lines += [json.dumps({{"event": "case", "result": observe.run_case(code, case), "at": time.monotonic()}})
          for case in job["cases"]]
lines.append(json.dumps({{"event": "done", "at": time.monotonic()}}))
data = ("\\n".join(lines) + "\\n").encode()
for fd in range(3, 256):
    try:
        os.write(fd, data)
    except OSError:
        pass
os._exit(0)
'''
    report = graded(source)
    _not_passed(report)


def _comms() -> set[str]:
    names = set()
    for pid in os.listdir("/proc"):
        with contextlib.suppress(OSError):
            names.add(Path(f"/proc/{pid}/comm").read_text().strip())
    return names


@pytest.mark.slow
@needs_sandbox
def test_a_process_that_outlives_grading(graded, tmp_path):
    """fork(); setsid(); fork(); sleep; then touch a file: the file never appears on the host,
    and no such process remains once the grading is over."""
    marker = tmp_path / "escaped"
    source = f'''
import ctypes, os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        ctypes.CDLL(None).prctl(15, b"gl-escapee", 0, 0, 0)  # PR_SET_NAME
        time.sleep(1.0)
        for path in ({str(marker)!r}, "/tmp/escaped"):
            try:
                open(path, "w").write("still here")
            except OSError:
                pass
        time.sleep(60)
    os._exit(0)
''' + REFERENCE.replace("def relu", "def _not_relu")  # fails: no relu
    report = graded(source)
    _not_passed(report)
    time.sleep(1.5)
    assert not marker.exists()
    assert "gl-escapee" not in _comms()
    assert graded(REFERENCE).status == "pass"  # and the next submission is graded as usual


@needs_sandbox
@pytest.mark.slow
def test_a_classmate_file_overwritten_in_a_batch(tmp_path):
    """One file tries to overwrite every other .py in its folder (by the folder's absolute path,
    and any folder named in another process's command line or cwd): the others stay intact and
    are graded as usual."""
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice.py").write_text(CORRECT.read_text())
    wrong = next((BASIC / "solutions" / "wrong").glob("*.py"))
    (folder / "bob.py").write_text(wrong.read_text())
    (folder / "mallory.py").write_text(f'''
import os
places = [{str(folder)!r}]
for pid in os.listdir("/proc"):
    try:
        places += open(f"/proc/{{pid}}/cmdline", "rb").read().decode().split("\\0")
        places.append(os.readlink(f"/proc/{{pid}}/cwd"))
    except OSError:
        pass
for place in places:
    if os.path.isdir(place):
        for name in os.listdir(place):
            if name.endswith(".py"):
                try:
                    open(os.path.join(place, name), "w").write({REFERENCE!r})
                except OSError:
                    pass
''')
    before = {p.name: p.read_text() for p in folder.glob("*.py")}
    out = tmp_path / "grades.json"
    result = subprocess.run([*GRADLAB, "grade", "basic-ops", str(folder), "--jobs", "2",
                             "--out", str(out)], capture_output=True, text=True, cwd=REPO,
                            timeout=300)
    assert result.returncode == 1, result.stdout + result.stderr
    assert {p.name: p.read_text() for p in folder.glob("*.py")} == before
    graded = json.loads(out.read_text())
    assert graded["isolation"]["isolated"] is True
    rows = {Path(r["file"]).name: r["status"] for r in graded["submissions"]}
    assert rows == {"alice.py": "pass", "bob.py": "fail", "mallory.py": "error"}


@pytest.mark.slow
def test_without_a_sandbox_it_says_so_and_require_isolation_refuses(tmp_path):
    env = {**os.environ, "GRADLAB_BWRAP": str(tmp_path / "no-bwrap")}
    args = [*GRADLAB, "grade", "basic-ops", str(CORRECT)]
    text = subprocess.run(args, capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert text.returncode == 0
    assert text.stdout.startswith("not isolated: submissions could read your files and network")
    report = subprocess.run([*args, "--json"], capture_output=True, text=True, cwd=REPO, env=env,
                            timeout=300)
    assert json.loads(report.stdout)["isolation"]["isolated"] is False
    assert "not isolated" in report.stderr
    refused = subprocess.run([*args, "--require-isolation"], capture_output=True, text=True,
                             cwd=REPO, env=env, timeout=300)
    assert refused.returncode == 2 and "--require-isolation" in refused.stderr
    checked = subprocess.run([*GRADLAB, "check", "basic-ops", "--require-isolation"],
                             capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert checked.returncode == 2 and "not isolated" in checked.stderr
    folder = tmp_path / "class"
    folder.mkdir()
    (folder / "alice.py").write_text(CORRECT.read_text())
    out = tmp_path / "grades.csv"
    batch = subprocess.run([*GRADLAB, "grade", "basic-ops", str(folder), "--out", str(out)],
                           capture_output=True, text=True, cwd=REPO, env=env, timeout=300)
    assert batch.returncode == 0 and batch.stdout.startswith("not isolated")
    assert out.read_text().startswith("not isolated: submissions could read your files and network")
