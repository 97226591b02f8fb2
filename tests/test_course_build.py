"""A course is a folder: `./scripts/build --problems PATH` builds the site from an instructor's own
problems, and a broken one stops the build with the file and line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from playwright.sync_api import expect
from serve import serve_in_thread

from conftest import REPO
from engine.authoring import scaffold

pytestmark = pytest.mark.browser


def _build(problems, out):
    env = {**os.environ, "GRADLAB_BROTLI_QUALITY": "5"}  # fast: this test is about content
    return subprocess.run([sys.executable, str(REPO / "scripts" / "build_site.py"), "--problems",
                           str(problems), "--out", str(out)], capture_output=True, text=True,
                          env=env, timeout=900)


def test_a_site_built_from_another_folder_serves_that_course(tmp_path, browser):
    course = tmp_path / "my-course"
    folder = scaffold.create(course, "squares-first")
    toml = (folder / "problem.toml").read_text()
    (folder / "problem.toml").write_text(toml.replace(toml.splitlines()[0],
                                                      'title = "Squares, my way"'))
    built = _build(course, tmp_path / "dist")
    assert built.returncode == 0, built.stderr[-3000:]
    assert "(1 problems" in built.stdout
    server, url = serve_in_thread(tmp_path / "dist", isolation=False, prefix="/~teacher/ml/")
    try:
        ctx = browser.new_context()
        page = ctx.new_page()
        page.set_default_timeout(90_000)
        page.goto(url)
        link = page.get_by_role("link", name="Squares, my way")
        expect(link).to_be_visible()
        expect(page.get_by_text("Implementing basic autograd operations")).to_have_count(0)
        link.click()
        expect(page.locator(".editor .cm-content")).to_be_visible()
        page.locator(".editor .cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text((folder / "reference.py").read_text())
        page.evaluate("() => { window.gradlab.lastReport = null; }")
        page.get_by_role("button", name="Run tests").click()
        page.wait_for_function("() => window.gradlab.lastReport !== null")
        report = page.evaluate("() => window.gradlab.lastReport")
        assert report["problem"] == "squares-first"
        assert report["status"] == "pass" and report["total"] >= 3
        ctx.close()
    finally:
        server.shutdown()


def test_a_broken_course_stops_the_build_with_file_and_line(tmp_path):
    course = tmp_path / "course"
    folder = scaffold.create(course, "broken-one")
    case = sorted((folder / "cases").glob("*.toml"))[0]
    case.write_text(case.read_text() + "\nunknown_key = 3\n")
    built = _build(course, tmp_path / "dist")
    assert built.returncode != 0
    assert f"{case}:" in built.stderr and "unknown_key" in built.stderr
    assert not (tmp_path / "dist" / "index.html").exists()
