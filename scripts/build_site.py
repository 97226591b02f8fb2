"""Build the static site into dist/: engine wheel, compiled suites, Pyodide core, Vite bundle, and
the service worker's precache manifest. Run through ./scripts/build.

Everything the page loads is versioned by content (hash in the file or folder name) except
index.html, sw.js, precache.json and problems/index.json, which the server marks no-cache.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine.authoring.browser_wheel import write_browser_wheel  # noqa: E402
from engine.authoring.check import load_for_grading  # noqa: E402
from engine.authoring.course import Course, load_course  # noqa: E402
from engine.authoring.problem import ProblemError  # noqa: E402
from engine.authoring.progress import Progress  # noqa: E402
from engine.authoring.trace import compile_trace_problem, load_trace_problem, problem_kind  # noqa: E402
from engine.sandbox.executor import SubprocessExecutor  # noqa: E402

DEV_QUALITY = 5  # brotli quality without --release: seconds, not minutes, for the big files
PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip",
                 "pyodide-lock.json")


def short_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def make_snapshot(public: Path, pyodide: str, wheel: str, warmups: list[dict]) -> tuple[str, bool]:
    """A memory snapshot of Pyodide with the engine imported and every suite added and warmed up
    by grading its starter once (see scripts/make_snapshot.mjs); True when taken from the cache.

    Kept under a hash of everything it is made from (the script, Pyodide, the wheel, the suites,
    the warm-up sources), so a rebuild that changed none of them skips the ~5-15 s of making it."""
    out = ROOT / "build" / "snapshot.bin"
    warmup_file = ROOT / "build" / "warmup.json"
    warmup_file.write_text(json.dumps(warmups))
    key = hashlib.sha256()
    for part in (ROOT / "scripts" / "make_snapshot.mjs", public / wheel,
                 *(public / pyodide / name for name in PYODIDE_FILES), warmup_file,
                 *(Path(w["suite"]) for w in warmups)):
        key.update(part.read_bytes())
    cache = ROOT / "build" / "snapshot-cache"
    cached = cache / f"{key.hexdigest()[:32]}.bin"
    hit = cached.is_file()
    if hit:
        data = cached.read_bytes()
    else:
        subprocess.run(["node", str(ROOT / "scripts" / "make_snapshot.mjs"), str(public / pyodide),
                        str(public / wheel), str(out), str(warmup_file)], check=True,
                       stdout=subprocess.DEVNULL)
        data = out.read_bytes()
        shutil.rmtree(cache, ignore_errors=True)  # one entry: the last build's
        cache.mkdir(parents=True)
        cached.write_bytes(data)
    name = f"py/snapshot-{short_hash(data)}.bin"
    (public / name).write_bytes(data)
    return name, hit


def build_wheel(public: Path) -> str:
    """The engine for the browser: only the files that run in Pyodide (engine.authoring.browser_wheel)."""
    out = ROOT / "build" / "wheel"
    shutil.rmtree(out, ignore_errors=True)
    wheel = write_browser_wheel(out).read_bytes()
    name = f"py/engine-{short_hash(wheel)}.whl"
    (public / "py").mkdir(parents=True)
    (public / name).write_bytes(wheel)
    return name


def build_suites(public: Path, course: Course) -> tuple[list[dict], list[dict]]:
    """The compiled suites and the site's index entries, in course order; plus, for the snapshot,
    each suite with the source that warms it up: the starter, which the site shows anyway. Never
    a solution: a snapshot is a copy of memory, and freed memory still holds the text it once held."""
    (public / "problems").mkdir(parents=True)
    entries, warmups, broken = [], [], []
    executor = SubprocessExecutor()
    progress = Progress("compiling suites", len(course.problems), stream=sys.stdout)
    for folder in course.problems:
        if problem_kind(folder) == "trace":
            try:
                entries.append(build_trace(public, folder))
            except ProblemError as exc:
                broken.extend(map(str, exc.issues))
            progress.step(folder.name)
            continue
        try:
            # With the known mistakes' signatures: a failing run in the browser names the mistake.
            _, suite = load_for_grading(folder, executor)
        except ProblemError as exc:
            broken.extend(map(str, exc.issues))
            progress.step(folder.name)
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
                        "starter": folder / "starter.py"})
        progress.step(folder.name)
    progress.done()
    if broken:
        sys.exit("cannot build: broken problems\n" + "\n".join(broken))
    # Warming up the first problem is enough (the grader's code is the same for all), and some
    # starters (topo-sort's 10,000-node chain) grow the heap past what a snapshot can restore.
    first = warmups[0]["slug"] if warmups else None  # the first problem with code to grade
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


def brand(dist: Path, course: Course) -> None:
    """The course's title in index.html itself (the tab, the header), so it shows before the
    script runs and in a page that never gets that far."""
    page = dist / "index.html"
    title = html.escape(course.title)
    text = page.read_text().replace("<title>Gradlab</title>", f"<title>{title}</title>")
    page.write_text(text.replace('<a class="brand" href="#/">Gradlab</a>',
                                 f'<a class="brand" href="#/">{title}</a>'))


def precompress(dist: Path, release: bool) -> str:
    """Write .br and .gz beside each file (scripts/precompress.mjs), with a progress line."""
    quality = os.environ.get("GRADLAB_BROTLI_QUALITY") or ("11" if release else str(DEV_QUALITY))
    command = ["node", str(ROOT / "scripts" / "precompress.mjs"), str(dist), quality,
               "--cache", str(ROOT / "build" / "compress-cache"), *(["--release"] if release else [])]
    progress, summary = None, ""
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as node:
        assert node.stdout is not None
        for line in node.stdout:
            if line.startswith("total "):
                progress = Progress("compressing files", int(line.split()[1]), stream=sys.stdout)
            elif line.startswith("done ") and progress:
                progress.step(line.split(maxsplit=2)[2].strip())
            else:
                summary += line
    if node.returncode:
        sys.exit(f"cannot build: precompress.mjs failed (exit {node.returncode})")
    if progress:
        progress.done()
    return summary.strip()


class Phases:
    """Says what the build is doing as it starts each phase, and what each one took at the end."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.times: list[tuple[str, float]] = []

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        begin = time.monotonic()
        print(f"[{begin - self.started:5.1f}s] {name}", flush=True)
        yield
        self.times.append((name, time.monotonic() - begin))

    def summary(self) -> str:
        parts = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in self.times)
        return f"in {time.monotonic() - self.started:.1f}s ({parts})"


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="./scripts/build",
        description="Build the static site (dist/) from a course: a folder of problem folders, "
                    "with an optional course.toml (title, intro, order; see docs/authoring.md).",
        epilog="Each phase is printed as it starts, and the times of all of them at the end. "
               "Environment: GRADLAB_BROTLI_QUALITY=0..11 sets the brotli quality of every "
               "build (tests use 4). Serve the result with scripts/serve.py; deploy it as "
               "README.md says, built with --release.")
    parser.add_argument("--problems", "--course", dest="problems", type=Path, metavar="FOLDER",
                        default=ROOT / "hidden_tests",
                        help="the course folder: problem folders, plus course.toml if it has one "
                             "(default: hidden_tests/, the shipped course)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", metavar="DIR",
                        help="where to write the site; emptied first (default: dist/)")
    parser.add_argument("--release", action="store_true",
                        help="compress for deployment: brotli quality 11, about 20%% fewer bytes on "
                             "the wire than the default quality "
                             f"{DEV_QUALITY}, but minutes slower the first time (later builds "
                             "reuse every file that did not change)")
    args = parser.parse_args()
    phases = Phases()
    public = ROOT / "build" / "public"
    shutil.rmtree(public, ignore_errors=True)
    public.mkdir(parents=True)
    with phases.phase(f"checking the course {args.problems}"):
        try:
            course = load_course(args.problems.resolve())
        except ProblemError as exc:
            sys.exit("cannot build: broken course\n" + "\n".join(map(str, exc.issues)))
    with phases.phase("building the engine wheel"):
        wheel = build_wheel(public)
    with phases.phase(f"compiling {plural(len(course.problems), 'suite')}"):
        problems, warmups = build_suites(public, course)
    with phases.phase("copying Pyodide"):
        pyodide = copy_pyodide(public)
    with phases.phase("making the Python snapshot"):
        snapshot, reused = make_snapshot(public, pyodide, wheel, warmups)
        if reused:
            print("  unchanged since the last build: reused")
    # Netlify and Cloudflare Pages read this file: cross-origin isolation with no other set-up.
    (public / "_headers").write_text(
        "/*\n  Cross-Origin-Opener-Policy: same-origin\n  Cross-Origin-Embedder-Policy: require-corp\n"
        "  Cross-Origin-Resource-Policy: same-origin\n")
    (public / "problems" / "index.json").write_text(json.dumps(
        {"engine": wheel, "pyodide": pyodide, "snapshot": snapshot, "course": course.site_info(),
         "problems": problems}, indent=1))
    with phases.phase("bundling the web app"):
        env = {**os.environ, "GRADLAB_OUT": str(args.out.resolve())}
        subprocess.run(["npx", "vite", "build", "--logLevel", "warn"], cwd=ROOT, env=env, check=True)
        brand(args.out, course)
        version = write_manifest(args.out)
    with phases.phase("compressing" + (" for release" if args.release else "")):
        print("  " + precompress(args.out, args.release))
    size = sum(p.stat().st_size for p in args.out.rglob("*")
               if p.is_file() and p.suffix not in (".br", ".gz"))
    print(f"built {args.out}: {course.title!r}, {plural(len(problems), 'problem')}, "
          f"{size / 1e6:.1f} MB, version {version}, {phases.summary()}")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


if __name__ == "__main__":
    main()
