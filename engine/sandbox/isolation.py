"""The OS sandbox around the grading children (Linux, with bubblewrap and user namespaces).

The zygote (``engine.sandbox.zygote``) runs inside one ``bwrap`` sandbox, and so does every child
it forks. In there a submission has:

- its own PID namespace: it sees only the zygote, bwrap's reaper and itself in its own /proc, and
  when it ends the zygote kills every other process in the namespace (``setsid`` escapes too);
- no network (its own network namespace: only a loopback that nothing listens on), its own IPC
  and UTS namespaces, no capabilities, user ``nobody`` (65534);
- a read-only filesystem holding only: the interpreter binary and the shared libraries it and the
  standard library's extension modules load; the standard library (its ``site-packages`` hidden
  behind an empty folder); ``/gradlab`` with top-level copies of ``observe.py``,
  ``gradlab_child.py`` and ``gradlab_zygote.py`` (no ``engine`` package at all); ``/dev`` (null,
  zero, random, urandom, ...; read-only) and a fresh ``/proc``;
- a writable ``/tmp``, a tmpfs capped at ``TMPFS_BYTES``, holding a fresh empty folder per child
  (its working directory), emptied whenever no child is running.

Not the repository, not ``hidden_tests``, not the other submissions, not the home folder, not the
host's /tmp, not site-packages. What a child still holds: its job (the submission and the cases'
inputs, never the expected values), the write end of its stdout pipe and its results file, both by
descriptor (see ``child``: a submission can write events to its own results file; it cannot compute
the values to forge without a correct engine of its own, which is a solution).

Where no sandbox can be made (no ``bwrap``, user namespaces disabled, not Linux), ``status()``
says why, and the children run as before: as the instructor, with their files and network.
``$GRADLAB_BWRAP`` names the bwrap to use (a missing path: no sandbox, e.g. to test the fallback).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

TMPFS_BYTES = 64 * 1024 * 1024
INSIDE = "/gradlab"  # the sandbox's read-only folder of grader modules
UID = 65534  # nobody
NOT_ISOLATED = "not isolated: submissions could read your files and network"
_HERE = Path(__file__).resolve().parent
# What goes into /gradlab: (name inside, source file).
_MODULES = (("observe.py", _HERE.parent / "grading" / "observe.py"),
            ("gradlab_child.py", _HERE / "child.py"),
            ("gradlab_zygote.py", _HERE / "zygote.py"))
ZYGOTE_CODE = (f"import sys; sys.path.insert(0, {INSIDE!r}); "
               "from gradlab_zygote import main; main()")


@dataclass(frozen=True)
class Isolation:
    """Whether grading children run sandboxed, and if not, why not."""

    isolated: bool
    why: str

    def to_dict(self) -> dict[str, Any]:
        return {"isolated": self.isolated, "why": self.why}

    def warning(self) -> str:
        return f"{NOT_ISOLATED} ({self.why})"


class Sandbox:
    """The bwrap command line for one interpreter, and the private folder it binds at /gradlab
    (removed when this object goes, or at exit)."""

    def __init__(self, bwrap: str, layout: dict[str, Any]) -> None:
        self.bwrap, self.layout = bwrap, layout
        self.folder = tempfile.mkdtemp(prefix="gradlab-sandbox-")
        for name, source in _MODULES:
            target = os.path.join(self.folder, name)
            shutil.copyfile(source, target)
            os.chmod(target, 0o444)
        os.mkdir(os.path.join(self.folder, "empty"), 0o555)
        os.chmod(self.folder, 0o555)
        self._finalizer = weakref.finalize(self, _remove_folder, self.folder)

    def command(self, *argv: str) -> list[str]:
        """``bwrap ... -- python -I -c <zygote> argv...``."""
        layout = self.layout
        # No --die-with-parent: it is a PR_SET_PDEATHSIG, which fires when the *thread* that
        # started bwrap ends (a thread pool's worker), killing a sandbox still in use. The zygote
        # ends when its socket closes, so it never outlives the grader anyway.
        cmd = [self.bwrap, "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc",
               "--unshare-uts", "--unshare-cgroup-try", "--uid", str(UID), "--gid", str(UID),
               "--hostname", "gradlab", "--cap-drop", "ALL", "--new-session",
               "--clearenv", "--setenv", "LANG", "C.UTF-8", "--setenv", "HOME", "/tmp",
               "--setenv", "TMPDIR", "/tmp", "--setenv", "PATH", "/nonexistent"]
        for path in layout["libraries"]:
            cmd += ["--ro-bind", os.path.realpath(path), path]
        cmd += ["--ro-bind", layout["executable"], layout["executable"]]
        for path in layout["stdlib"]:
            cmd += ["--ro-bind", path, path]
        empty = os.path.join(self.folder, "empty")
        for path in layout["hide"]:
            cmd += ["--ro-bind", empty, path]
        cmd += ["--ro-bind", self.folder, INSIDE, "--proc", "/proc", "--dev", "/dev",
                "--remount-ro", "/dev", "--perms", "1777", "--size", str(TMPFS_BYTES),
                "--tmpfs", "/tmp", "--remount-ro", "/", "--chdir", "/tmp", "--",
                layout["executable"], "-I", "-c", ZYGOTE_CODE, INSIDE, *argv]
        return cmd

    def close(self) -> None:
        self._finalizer()


def _remove_folder(folder: str) -> None:
    if os.path.isdir(folder):
        os.chmod(folder, 0o755)
        shutil.rmtree(folder, ignore_errors=True)


_LOCK = threading.Lock()
_STATUS: dict[tuple[str, str], tuple[Isolation, dict[str, Any] | None]] = {}


def find_bwrap() -> str | None:
    named = os.environ.get("GRADLAB_BWRAP")
    if named is not None:
        return named if os.path.isfile(named) and os.access(named, os.X_OK) else None
    return shutil.which("bwrap")


def status(python: str = sys.executable) -> Isolation:
    """Whether a sandbox can be made here for ``python`` (found once per process)."""
    return _probe(python)[0]


def make_sandbox(python: str = sys.executable) -> Sandbox | None:
    """A sandbox for ``python``'s zygote, or None where none can be made (``status`` says why)."""
    isolation, layout = _probe(python)
    bwrap = find_bwrap()
    return Sandbox(bwrap, layout) if isolation.isolated and layout and bwrap else None


def _probe(python: str) -> tuple[Isolation, dict[str, Any] | None]:
    bwrap = find_bwrap()
    key = (python, bwrap or "")
    with _LOCK:
        if key not in _STATUS:
            _STATUS[key] = _try(python, bwrap)
        return _STATUS[key]


def _try(python: str, bwrap: str | None) -> tuple[Isolation, dict[str, Any] | None]:
    if not sys.platform.startswith("linux"):
        return Isolation(False, f"no OS sandbox on {sys.platform} (Linux with bubblewrap only)"), None
    if bwrap is None:
        return Isolation(False, "bubblewrap (bwrap) is not installed"), None
    try:
        layout = _layout(python)
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        return Isolation(False, f"could not find what the interpreter needs: {exc}"), None
    sandbox = Sandbox(bwrap, layout)
    try:
        check = ("import sys, os, socket; assert 'engine' not in sys.modules; "
                 "assert not os.path.exists(sys.argv[1]); print('ok')")
        cmd = sandbox.command()
        cmd[cmd.index("-c") + 1:] = [check, str(_HERE.parents[1])]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        return Isolation(False, f"bwrap could not run: {exc}"), None
    finally:
        sandbox.close()
    if done.returncode != 0 or done.stdout.strip() != "ok":
        said = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])[-1]
        return Isolation(False, f"bwrap could not make a sandbox ({said}); are unprivileged user "
                         "namespaces enabled?"), None
    return Isolation(True, "each submission runs in a bubblewrap sandbox: no network, no files "
                     "but the standard library, its own processes"), layout


_ASK = """
import json, os, sys
exe = os.path.realpath(getattr(sys, "_base_executable", None) or sys.executable)
stdlib = [p for p in sys.path if p and os.path.isdir(p)]
print(json.dumps({"executable": exe, "stdlib": stdlib}))
"""


def _cache_file(python: str) -> Path:
    """Where a layout is kept between runs: $GRADLAB_CACHE, else ~/.cache/gradlab."""
    root = os.environ.get("GRADLAB_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"),
        "gradlab")
    real = os.path.realpath(python)
    info = os.stat(real)
    key = hashlib.sha256(f"{os.path.abspath(python)}|{real}|{info.st_mtime_ns}|{info.st_size}"
                         .encode()).hexdigest()[:16]
    return Path(root) / f"sandbox-layout-{key}.json"


def _layout(python: str) -> dict[str, Any]:
    """``_find_layout``, kept on disk (finding it takes ~0.4 s of ``ldd``); a kept one is used
    only while every path in it still exists."""
    try:
        cache = _cache_file(python)
        layout = json.loads(cache.read_text())
        paths = [layout["executable"], *layout["stdlib"], *layout["hide"], *layout["libraries"]]
        if all(os.path.exists(p) for p in paths):
            return layout
    except (OSError, ValueError, KeyError, TypeError):
        pass
    layout = _find_layout(python)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial = cache.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(json.dumps(layout))
        partial.replace(cache)
    except (OSError, NameError):
        pass
    return layout


def _find_layout(python: str) -> dict[str, Any]:
    """What the interpreter needs inside: its binary, its standard library folders (asked of it
    with -S, so no site-packages), the shared libraries ``ldd`` says they load, and the
    site-packages folders inside the standard library, to hide."""
    done = subprocess.run([python, "-I", "-S", "-c", _ASK], capture_output=True, text=True,
                          timeout=30, check=True)
    found = json.loads(done.stdout)
    exe, stdlib = found["executable"], sorted(set(found["stdlib"]))
    stdlib = [p for p in stdlib if not any(p != q and p.startswith(q + os.sep) for q in stdlib)]
    hide = [os.path.join(p, name) for p in stdlib for name in ("site-packages", "dist-packages")
            if os.path.isdir(os.path.join(p, name))]
    objects = [exe] + [os.path.join(p, name) for p in found["stdlib"] for name in os.listdir(p)
                       if name.endswith(".so")]  # lib-dynload is one of these folders
    ldd = shutil.which("ldd")
    if ldd is None:
        raise ValueError("ldd is not installed")
    out = subprocess.run([ldd, *objects], capture_output=True, text=True, timeout=60).stdout
    libraries: set[str] = set()
    for line in out.splitlines():
        words = line.strip().split()
        path = words[2] if len(words) >= 3 and words[1] == "=>" else (words[0] if words else "")
        if (path.startswith("/") and os.path.exists(path) and stat.S_ISREG(os.stat(path).st_mode)
                and not any(path.startswith(p + os.sep) for p in stdlib)):
            libraries.add(path)
    return {"executable": exe, "stdlib": stdlib, "hide": hide, "libraries": sorted(libraries)}
