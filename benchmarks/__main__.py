"""Gradlab's benchmark: ``python -m benchmarks`` (or ./scripts/bench).

Every timing is printed beside a baseline measured in the same run, as a ratio, because these
machines are noisy: a bare Pyodide boot for the site, micrograd for the engine. Figures go to
benchmarks/results/latest.json (and a dated copy) and the table into benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from workloads import run_all  # noqa: E402

from engine.authoring.browser_wheel import write_browser_wheel  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
README = ROOT / "benchmarks" / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def stats(values: list[float]) -> dict[str, float]:
    return {"min": min(values), "median": statistics.median(values), "max": max(values), "n": len(values)}


# (figure, baseline, unit, target as a ratio to the baseline's median, what the ratio means)
SITE_ROWS = [
    ("cold_first_verdict", "bare_boot_cold", "ms", 0.35, "cold visit: load -> first report rendered"),
    ("returning_first_verdict", "bare_boot_returning", "ms", 0.2, "returning visit: load -> first report"),
    ("warm_rerun", "bare_worker_rerun", "ms", 2.5, "warm re-run: click -> report rendered"),
    ("warm_play", "bare_worker_play", "ms", 1.5, "playground Run (warm): click -> console output"),
    ("stop_isolated", None, "ms", None, "Stop -> verdict, interrupt (target 50 ms)"),
    ("next_run_isolated", "warm_rerun", "ms", None, "after Stop (isolated): next run -> verdict"),
    ("stop_plain", "snapshot_restore", "ms", None, "Stop -> verdict, worker replaced"),
    ("next_run_plain", "warm_rerun", "ms", None, "after Stop (no isolation): next run -> verdict"),
    ("snapshot_restore", "bare_boot_cold", "ms", None, "worker ready from the snapshot (in the page)"),
    ("bytes_cold", "bytes_bare_gzip", "bytes", 1.5, "cold visit bytes vs bare Pyodide gzip"),
    ("bytes_cold", "bytes_bare_br", "bytes", None, "cold visit bytes vs bare Pyodide brotli"),
    ("bytes_return", None, "bytes", None, "return visit bytes (target < 50 KB)"),
    ("bytes_playground", None, "bytes", None,
     "the playground's part of a cold visit, gzip (target <= 60 KB; playground_bytes.py)"),
    ("draw_500", "warm_play", "ms", None, "draw 500-node graph, vs the warm Run (target < 150 ms)"),
    ("draw_500", "draw_10", "ms", None, "draw 500-node graph, vs a 10-node one"),
]


def site_section(repeats: int) -> dict[str, Any]:
    from playground_bytes import measure as playground_bytes
    from site_bench import measure

    dist = ROOT / "dist"
    if not (dist / "precache.json").exists():
        # --release: the bytes measured are those a deployment sends.
        subprocess.run([sys.executable, str(ROOT / "scripts" / "build_site.py"), "--release"],
                       check=True)
    raw = measure(dist, repeats, log)
    raw["bytes_playground"] = [playground_bytes(dist)["total"]]  # a count: the same every run
    return {key: stats(values) for key, values in raw.items() if values}


def engine_section(repeats: int, scale: float) -> dict[str, Any]:
    log("  engine: CPython")
    cpython = run_all(repeats, scale)
    log("  engine: Pyodide (Node)")
    import micrograd

    out_dir = ROOT / "build" / "bench-wheel"  # always the engine as it is now, never a stale dist/
    wheel = [write_browser_wheel(out_dir)]  # what the site ships
    done = subprocess.run(
        ["node", str(ROOT / "benchmarks" / "engine_pyodide.mjs"), str(ROOT / "node_modules" / "pyodide"),
         str(wheel[-1]), os.path.dirname(micrograd.__file__), str(repeats), str(scale)],
        capture_output=True, text=True, check=True)
    pyodide = json.loads(done.stdout.strip().splitlines()[-1])
    out: dict[str, Any] = {}
    for runtime, result in (("cpython", cpython), ("pyodide", pyodide)):
        for workload, engines in result.items():
            for engine, figures in engines.items():
                out[f"{runtime}_{workload}_{engine}"] = {
                    **stats([s * 1000 for s in figures["runs"]]), "built": figures["built"]}
    return out


def engine_rows() -> list[tuple[str, str, str, float | None, str]]:
    rows = []
    for runtime in ("cpython", "pyodide"):
        for workload, what in (("tree", "balanced tree, ~90k nodes"), ("mlp", "MLP(3,[4,4,1]) x100 steps")):
            rows.append((f"{runtime}_{workload}_reference", f"{runtime}_{workload}_micrograd", "ms",
                         1 / 1.5, f"{runtime}: {what}, forward+backward"))
        rows.append((f"{runtime}_chain_reference", None, "ms", None,
                     f"{runtime}: chain of 100,001 nodes (micrograd cannot)"))
    return rows


def fmt(value: float, unit: str) -> str:
    if unit == "bytes":
        return f"{value / 1e6:.2f} MB" if value >= 1e5 else f"{value / 1e3:.1f} KB"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def table(figures: dict[str, Any], rows: list[tuple[str, str | None, str, float | None, str]]) -> list[str]:
    lines = ["| figure | min | median | max | baseline (median) | ratio | target | |",
             "|---|---:|---:|---:|---|---:|---:|---|"]
    for key, base, unit, target, what in rows:
        if key not in figures:
            continue
        f = figures[key]
        ratio = ok = ""
        base_text = "-"
        if base and base in figures:
            b = figures[base]["median"]
            ratio_value = f["median"] / b if b else float("nan")
            ratio = f"{ratio_value:.2f}x"
            base_text = f"{base} ({fmt(b, unit)})"
            if target is not None:
                ok = "ok" if ratio_value <= target else "MISSED"
        tgt = f"<= {target:.2f}x" if target is not None else ""
        if key.endswith("_reference") and base:  # speed: say it as "x faster than micrograd"
            speedup = figures[base]["median"] / f["median"]
            ratio, tgt = f"{speedup:.2f}x faster", ">= 1.5x faster"
            ok = "ok" if speedup >= 1.5 else "MISSED"
        unit_text = "" if unit == "bytes" else f" {unit}"
        lines.append(f"| {what} | {fmt(f['min'], unit)} | {fmt(f['median'], unit)}{unit_text} | "
                     f"{fmt(f['max'], unit)} | {base_text} | {ratio} | {tgt} | {ok} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--sections", default="site,engine,grading",
                        help="comma-separated: site,engine,grading")
    parser.add_argument("--scale", type=float, default=1.0, help="shrink engine workloads (smoke test)")
    parser.add_argument("--no-write", action="store_true", help="print only; keep results/ and README")
    args = parser.parse_args()
    sections = set(args.sections.split(","))
    figures: dict[str, Any] = {}
    lines: list[str] = []
    if "site" in sections:
        log("site (headless Chromium, localhost)")
        figures.update(site_section(args.repeats))
        lines += ["### Site (headless Chromium, localhost)", "", *table(figures, SITE_ROWS), ""]
    if "engine" in sections:
        log("engine")
        figures.update(engine_section(args.repeats, args.scale))
        lines += ["### Engine: reference vs micrograd, same process", "",
                  *table(figures, engine_rows()), ""]
    if "grading" in sections:
        from grading_bench import measure as measure_grading
        from grading_bench import rows as grading_rows

        log("grading")
        count = max(20, int(1000 * args.scale))
        grading = {k: stats(v) for k, v in measure_grading(args.repeats, count, log).items()}
        figures.update(grading)
        lines += ["### Batch grading (`gradlab grade basic-ops DIR --jobs N`)", "",
                  *grading_rows(grading, count), ""]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    header = (f"Measured {stamp}, {args.repeats} runs each, {os.cpu_count()} cores; ratios are "
              "median / baseline median.")
    print("\n".join([header, "", *lines]))
    if args.no_write:
        return
    RESULTS.mkdir(exist_ok=True)
    payload = {"measured": stamp, "repeats": args.repeats, "scale": args.scale, "figures": figures}
    (RESULTS / "latest.json").write_text(json.dumps(payload, indent=1))
    (RESULTS / f"{stamp.replace(':', '')}.json").write_text(json.dumps(payload, indent=1))
    text = README.read_text()
    if START in text and END in text:
        before, rest = text.split(START, 1)
        after = rest.split(END, 1)[1]
        README.write_text(f"{before}{START}\n{header}\n\n" + "\n".join(lines) + f"\n{END}{after}")


if __name__ == "__main__":
    main()
