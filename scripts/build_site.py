"""Build the static site into dist/: engine wheel, compiled suites, Pyodide core, Vite bundle, and
the service worker's precache manifest. Run through ./scripts/build.

Everything the page loads is versioned by content (hash in the file or folder name) except
index.html, sw.js, precache.json and problems/index.json, which the server marks no-cache.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.authoring.browser_wheel import write_browser_wheel  # noqa: E402
from engine.authoring.check import load_for_grading  # noqa: E402
from engine.authoring.problem import ProblemError  # noqa: E402
from engine.authoring.trace import compile_trace_problem, load_trace_problem, problem_kind  # noqa: E402
from engine.sandbox.executor import SubprocessExecutor  # noqa: E402

PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                 "pyodide-lock.json")


def short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def make_snapshot(public: Path, pyodide: str, wheel: str, warmups: list[dict]) -> str:
    """A memory snapshot of Pyodide with the engine imported and every suite added and warmed up
    by grading its starter once (see scripts/make_snapshot.mjs)."""
    out = ROOT / "build" / "snapshot.bin"
    warmup_file = ROOT / "build" / "warmup.json"
    warmup_file.write_text(json.dumps(warmups))
    subprocess.run(["node", str(ROOT / "scripts" / "make_snapshot.mjs"), str(public / pyodide),
                    str(public / wheel), str(out), str(warmup_file)], check=True,
                   stdout=subprocess.DEVNULL)
    data = out.read_bytes()
    name = f"py/snapshot-{short_hash(data)}.bin"
    (public / name).write_bytes(data)
    return name


def build_wheel(public: Path) -> str:
    """The engine for the browser: only the files that run in Pyodide (engine.authoring.browser_wheel)."""
    out = ROOT / "build" / "wheel"
    shutil.rmtree(out, ignore_errors=True)
    wheel = write_browser_wheel(out).read_bytes()
    name = f"py/engine-{short_hash(wheel)}.whl"
    (public / "py").mkdir(parents=True)
    (public / name).write_bytes(wheel)
    return name


def build_suites(public: Path, problems: Path) -> tuple[list[dict], list[dict]]:
    """The compiled suites and the site's index entries; plus, for the snapshot, each suite with
    the source that warms it up: the starter, which the site shows anyway. Never a solution: a
    snapshot is a copy of memory, and freed memory still holds the text it once held."""
    (public / "problems").mkdir(parents=True)
    entries, warmups, broken = [], [], []
    executor = SubprocessExecutor()
    for meta in sorted(problems.glob("*/problem.toml")):
        if problem_kind(meta.parent) == "trace":
            try:
                entries.append(build_trace(public, meta.parent))
            except ProblemError as exc:
                broken.extend(map(str, exc.issues))
            continue
        try:
            # With the known mistakes' signatures: a failing run in the browser names the mistake.
            _, suite = load_for_grading(meta.parent, executor)
        except ProblemError as exc:
            broken.extend(map(str, exc.issues))
            continue
        p = suite["problem"]
        text = json.dumps(suite, separators=(",", ":"))
        # Named by content, not by suite version: a new wrong solution changes the file too.
        name = f"problems/{p['slug']}.{short_hash(text.encode())}.json"
        (public / name).write_text(text)
        entries.append({"slug": p["slug"], "title": p["title"], "difficulty": p["difficulty"],
                        "order": p["order"], "summary": p["summary"], "version": suite["version"],
                        "cases": len(suite["cases"]), "suite": name})
        warmups.append({"slug": p["slug"], "suite": str(public / name),
                        "starter": meta.parent / "starter.py"})
    if broken:
        sys.exit("cannot build: broken problems\n" + "\n".join(broken))
    if not entries:
        sys.exit(f"cannot build: no problems under {problems}")
    entries.sort(key=lambda e: (e["order"], e["slug"]))
    # Warming up the first problem is enough (the grader's code is the same for all), and some
    # starters (topo-sort's 10,000-node chain) grow the heap past what a snapshot can restore.
    first = entries[0]["slug"]
    return entries, [{"suite": w["suite"],
                      "sources": [w["starter"].read_text()] if w["slug"] == first else []}
                     for w in warmups]


def build_trace(public: Path, root: Path) -> dict:
    """A trace problem's page data (answers included: checked in the page, no Python needed)."""
    problem = load_trace_problem(root)
    text = json.dumps(compile_trace_problem(problem), separators=(",", ":"))
    name = f"problems/{problem.slug}.{short_hash(text.encode())}.json"
    (public / name).write_text(text)
    return {"slug": problem.slug, "title": problem.title, "difficulty": problem.difficulty,
            "order": problem.order, "summary": problem.summary, "version": short_hash(text.encode()),
            "cases": len(problem.traces), "suite": name, "kind": "trace"}


def copy_pyodide(public: Path) -> str:
    source = ROOT / "node_modules" / "pyodide"
    version = json.loads((source / "package.json").read_text())["version"]
    target = public / "pyodide" / version
    target.mkdir(parents=True)
    for name in PYODIDE_FILES:
        if name == "python_stdlib.zip":
            repack_stored(source / name, target / name)
        else:
            shutil.copy2(source / name, target / name)
    return f"pyodide/{version}/"


def repack_stored(source: Path, target: Path) -> None:
    """The standard library zip with uncompressed entries: brotli then compresses across files
    (2.5 MB -> 1.6 MB on the wire) and imports skip inflating. Done before the snapshot is made,
    because the snapshot remembers the zip's directory."""
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_STORED) as out:
        for info in src.infolist():
            copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            copy.external_attr = info.external_attr
            out.writestr(copy, src.read(info), compress_type=zipfile.ZIP_STORED)


def write_manifest(dist: Path) -> str:
    """List every file for the service worker to precache; the digest names the site version."""
    skip = {"sw.js", "precache.json", "_headers"}
    # KaTeX ships each font as woff2, woff and ttf; every browser that runs Pyodide takes woff2,
    # so only those are cached for offline use (the others stay in dist/ for the odd browser).
    files = sorted(p for p in dist.rglob("*") if p.is_file() and p.name not in skip
                   and p.suffix not in (".br", ".gz", ".woff", ".ttf"))
    entries = {str(p.relative_to(dist)): short_hash(p.read_bytes()) for p in files}
    version = short_hash(json.dumps(entries, sort_keys=True).encode())
    (dist / "precache.json").write_text(json.dumps({"version": version, "files": entries}, indent=1))
    sw = dist / "sw.js"
    sw.write_text(sw.read_text().replace("__GRADLAB_VERSION__", version))
    return version


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", type=Path, default=ROOT / "hidden_tests",
                        help="folder of problem folders (default: hidden_tests/)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    args = parser.parse_args()
    public = ROOT / "build" / "public"
    shutil.rmtree(public, ignore_errors=True)
    public.mkdir(parents=True)
    wheel = build_wheel(public)
    problems, warmups = build_suites(public, args.problems.resolve())
    pyodide = copy_pyodide(public)
    snapshot = make_snapshot(public, pyodide, wheel, warmups)
    # Netlify and Cloudflare Pages read this file: cross-origin isolation with no other set-up.
    (public / "_headers").write_text(
        "/*\n  Cross-Origin-Opener-Policy: same-origin\n  Cross-Origin-Embedder-Policy: require-corp\n"
        "  Cross-Origin-Resource-Policy: same-origin\n")
    (public / "problems" / "index.json").write_text(json.dumps(
        {"engine": wheel, "pyodide": pyodide, "snapshot": snapshot, "problems": problems},
        indent=1))
    env = {**os.environ, "GRADLAB_OUT": str(args.out.resolve())}
    subprocess.run(["npx", "vite", "build", "--logLevel", "warn"], cwd=ROOT, env=env, check=True)
    version = write_manifest(args.out)
    subprocess.run(["node", str(ROOT / "scripts" / "precompress.mjs"), str(args.out),
                    os.environ.get("GRADLAB_BROTLI_QUALITY", "11")], check=True)
    size = sum(p.stat().st_size for p in args.out.rglob("*")
               if p.is_file() and p.suffix not in (".br", ".gz"))
    print(f"built {args.out} ({len(problems)} problems, {size / 1e6:.1f} MB, version {version})")


if __name__ == "__main__":
    main()
