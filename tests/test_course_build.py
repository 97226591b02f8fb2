"""A course is a folder: `./scripts/build --problems PATH` builds the site from an instructor's own
problems (and shipped ones its course.toml includes), with the course's title, intro and order,
and a broken one stops the build with the file and line."""

from __future__ import annotations

import json
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
    env = {**os.environ, "GRADLAB_BROTLI_QUALITY": "4"}  # fast: this test is about content
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
    assert "1 problem," in built.stdout
    server, url = serve_in_thread(tmp_path / "dist", isolation=False, prefix="/~teacher/ml/")
    try:
        ctx = browser.new_context()
        page = ctx.new_page()
        page.set_default_timeout(90_000)
        page.goto(url)
        link = page.get_by_role("link", name="Squares, my way")
        expect(link).to_be_visible()
        expect(page.get_by_text("Implementing basic autograd operations")).to_have_count(0)
        # One problem: no "0 of 1 solved", no claim that problems build on each other.
        expect(page.locator(".path-progress")).to_have_text("Not solved yet.")
        expect(page.get_by_role("heading", level=2)).to_have_text("Problem")
        expect(page.locator(".course-intro")).to_have_text(
            "Your code runs and is tested right here in your browser.")
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
        page.locator(".crumbs").get_by_role("link", name="All problems").click()
        expect(page.locator(".path-progress")).to_have_text("Solved.")
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


COURSE_TOML = '''
title = "Squares & more"
intro = """
Two problems, **easiest last**: start with whichever you like.
"""
credits = "Written by *A. Teacher*."
license = "CC BY 4.0"
include = ["basic-ops"]
order = ["squares-first", "basic-ops"]
'''


@pytest.fixture(scope="module")
def two_problem_course(tmp_path_factory):
    """A course of its own problem and a shipped one, listed own first (problem.toml orders
    would put basic-ops, order 1, before the scaffold's order 100)."""
    course = tmp_path_factory.mktemp("course") / "squares"
    folder = scaffold.create(course, "squares-first")
    meta = folder / "problem.toml"
    meta.write_text(meta.read_text().replace(meta.read_text().splitlines()[0], 'title = "Squares"'))
    assert "order = 100" in meta.read_text()
    (course / "course.toml").write_text(COURSE_TOML)
    out = tmp_path_factory.mktemp("dist")
    built = _build(course, out)
    assert built.returncode == 0, built.stderr[-3000:]
    return built, out


def test_a_built_course_carries_its_title_intro_and_order(two_problem_course):
    built, out = two_problem_course
    index = json.loads((out / "problems" / "index.json").read_text())
    assert index["course"] == {"title": "Squares & more",
                               "intro": "Two problems, **easiest last**: start with whichever you like.\n",
                               "license": "CC BY 4.0", "credits": "Written by *A. Teacher*."}
    assert [p["slug"] for p in index["problems"]] == ["squares-first", "basic-ops"]
    assert "<title>Squares &amp; more</title>" in (out / "index.html").read_text()
    for phase in ("compiling 2 suites", "making the Python snapshot", "bundling the web app",
                  "compressing", "compressing files: "):
        assert phase in built.stdout, built.stdout
    assert "'Squares & more', 2 problems," in built.stdout


def test_the_home_page_shows_the_course_title_intro_and_order(two_problem_course, browser):
    _, out = two_problem_course
    server, url = serve_in_thread(out, isolation=False)
    try:
        ctx = browser.new_context()
        page = ctx.new_page()
        page.set_default_timeout(90_000)
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_have_text("Squares & more")
        expect(page).to_have_title("Squares & more")
        expect(page.locator("header .brand")).to_have_text("Squares & more")
        expect(page.locator(".course-intro strong")).to_have_text("easiest last")
        expect(page.locator(".course-intro")).to_have_text(
            "Two problems, easiest last: start with whichever you like.")
        expect(page.locator(".problem-list > li > a")).to_have_text(
            ["Squares", "Implementing basic autograd operations"])
        expect(page.locator(".path-progress")).to_have_text("0 of 2 solved. You can open any of them.")
        expect(page.locator(".course-credits em")).to_have_text("A. Teacher")
        expect(page.locator(".course-license")).to_have_text("License: CC BY 4.0")
        page.get_by_role("link", name="Squares", exact=True).click()
        expect(page).to_have_title("Squares · Squares & more")
        ctx.close()
    finally:
        server.shutdown()
