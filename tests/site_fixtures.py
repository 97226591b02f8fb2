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
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        yield b
        b.close()
