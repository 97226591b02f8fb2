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
                "return visit bytes", "playground Run (warm): click -> console output",
                "draw 500-node graph, vs the warm Run", "the playground's part of a cold visit",
                "cpython: balanced tree", "pyodide: MLP(3,[4,4,1])",
                "pyodide: chain of 100,001 nodes", "batch, --jobs 2", "one process, file by file"):
        assert row in out, row
    assert "bare_boot_cold" in out and "micrograd" in out  # each figure beside its baseline


def test_the_playground_bytes_count_every_part_of_it(site):
    sys.path.insert(0, str(REPO / "benchmarks"))
    from playground_bytes import measure

    parts = measure(site)
    python = {p for p in parts if p.startswith("engine/playground/")}
    assert python == {f"engine/playground/{f.name}"
                      for f in (REPO / "engine/playground").glob("*.py")}
    assert any(p.startswith("assets/drawing-") and p.endswith(".js") for p in parts)
    assert {"web/src/playground.ts", "web/src/playconsole.ts", "web/src/playground.css"} <= set(parts)
    assert all(size > 0 for size in parts.values())
    assert parts.pop("total") == sum(parts.values())
