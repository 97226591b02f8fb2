"""Fixtures for the browser tests: the built site, local servers, and a real Chromium.

Chromium: $CHROMIUM_PATH, else a system chromium (Debian's package), else Playwright's own build
(`python -m playwright install chromium`). The site is built by ./scripts/test before pytest runs;
if dist/ is missing (running pytest alone), it is built here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DIST = REPO / "dist"
sys.path.insert(0, str(REPO / "scripts"))

from serve import serve_in_thread  # noqa: E402

FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run"]


def chromium_path() -> str | None:
    if os.environ.get("CHROMIUM_PATH"):
        return os.environ["CHROMIUM_PATH"]
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def site() -> Path:
    if not (DIST / "precache.json").exists():
        subprocess.run([sys.executable, str(REPO / "scripts" / "build_site.py")], check=True)
    return DIST


@pytest.fixture(scope="session")
def isolated_url(site) -> Iterator[str]:
    server, url = serve_in_thread(site, isolation=True)
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def plain_url(site) -> Iterator[str]:
    """Like GitHub Pages: no COOP/COEP, so no SharedArrayBuffer, and under a sub-path."""
    server, url = serve_in_thread(site, isolation=False, prefix="/course/gradlab/")
    yield url
    server.shutdown()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import expect, sync_playwright

    # expect()'s default wait is 5 s: a page booting on a loaded 2-core CI machine can take longer
    # to show its editor. A longer wait costs only failing tests their time.
    expect.set_options(timeout=20_000)

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        yield b
        b.close()


def copy_site(dist: Path, target: Path) -> Path:
    """A copy of the built site to change as a new build would (hard links: quick, and
    `new_version` replaces files rather than writing into them, so dist/ is never touched)."""
    shutil.copytree(dist, target, copy_function=os.link)
    return target


def new_version(site_dir: Path, slug: str, title: str) -> str:
    """Turn a copy of the site into the next build, as a redeploy would: `slug`'s title changes,
    its suite moves to a new content-addressed name (the old file is gone from the host), and
    precache.json and sw.js name a new version. Returns that version."""
    import hashlib
    import json

    def replace(path: Path, text: str) -> None:
        for packed in (path.with_name(path.name + ".br"), path.with_name(path.name + ".gz")):
            packed.unlink(missing_ok=True)  # the server would send the old precompressed copy
        fresh = path.with_name(path.name + ".new")
        fresh.write_text(text)
        os.replace(fresh, path)

    index_path = site_dir / "problems" / "index.json"
    index = json.loads(index_path.read_text())
    entry = next(p for p in index["problems"] if p["slug"] == slug)
    old_suite = site_dir / entry["suite"]
    new_name = f"problems/{slug}.{hashlib.sha256(title.encode()).hexdigest()[:12]}.json"
    replace(site_dir / new_name, old_suite.read_text())
    for path in (old_suite, *old_suite.parent.glob(old_suite.name + ".*")):
        path.unlink()
    entry["title"], entry["suite"] = title, new_name
    replace(index_path, json.dumps(index))
    manifest_path = site_dir / "precache.json"
    manifest = json.loads(manifest_path.read_text())
    old_version = manifest["version"]
    files = manifest["files"]
    files.pop(str(old_suite.relative_to(site_dir)))
    files[new_name] = hashlib.sha256(title.encode()).hexdigest()[:12]
    files["problems/index.json"] = hashlib.sha256(index_path.read_bytes()).hexdigest()[:12]
    version = hashlib.sha256(json.dumps(files, sort_keys=True).encode()).hexdigest()[:12]
    manifest["version"] = version
    replace(manifest_path, json.dumps(manifest, indent=1))
    sw = site_dir / "sw.js"
    replace(sw, sw.read_text().replace(old_version, version))
    return version


@pytest.fixture
def context(browser):
    """A fresh browser context (own storage, own service worker) at a desktop size."""
    ctx = browser.new_context(viewport={"width": 1300, "height": 900})
    yield ctx
    ctx.close()
