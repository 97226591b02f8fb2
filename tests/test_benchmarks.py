"""The benchmark still runs end to end (one repetition, small engine workloads): it cannot rot.

No timing is asserted here: speed targets live in the benchmark's own table, as ratios.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO

pytestmark = pytest.mark.browser


def test_benchmark_smoke_run_prints_every_row():
    done = subprocess.run([sys.executable, "-m", "benchmarks", "--repeats", "1", "--scale", "0.05",
                           "--no-write"], cwd=REPO, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    for row in ("cold visit: load -> first report rendered", "returning visit: load -> first report",
                "warm re-run: click -> report rendered", "Stop -> verdict, interrupt",
                "Stop -> verdict, worker replaced", "cold visit bytes vs bare Pyodide gzip",
                "return visit bytes", "cpython: balanced tree", "pyodide: MLP(3,[4,4,1])",
                "pyodide: chain of 100,001 nodes", "batch, --jobs 2", "one process, file by file"):
        assert row in out, row
    assert "bare_boot_cold" in out and "micrograd" in out  # each figure beside its baseline
