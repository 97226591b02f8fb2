"""The write-the-test problem in real Chromium: a learner's weak check_engine is graded in the
page's Python, and the results name the buggy engine it let through, with how to catch it; the
playground says the code defines no Value instead of offering scratch code that needs one."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_site import Site

from conftest import REPO

pytestmark = pytest.mark.browser

PROBLEM = REPO / "hidden_tests" / "write-the-test"


def test_a_weak_test_on_the_page_is_told_which_bug_it_let_through(browser, isolated_url):
    ctx = browser.new_context()
    try:
        site = Site(ctx.new_page(), isolated_url, slug="write-the-test")
        # The playground degrades: this problem's code defines no Value.
        expect(site.page.locator("#playground-help")).to_contain_text("defines no Value class")
        assert "Value(2.0)" not in site.page.evaluate("() => window.gradlab.scratchText()")
        site.set_code((PROBLEM / "solutions/wrong/only_positive_inputs.py").read_text())
        report = site.run()
        failed = [t for t in report["tests"] if t["status"] != "passed"]
        assert [t["name"] for t in failed] == ["Your test rejects buggy engine 8 of 10",
                                               "Your test rejects buggy engine 9 of 10"]
        card = site.page.locator(".results-body .case", has_text="rejects buggy engine 9 of 10")
        expect(card.locator(".case-message")).to_have_text(
            "Your test accepts an engine whose relu lets the gradient through when its input is "
            "exactly 0: try relu on an input of exactly 0 (relu'(0) is 0 here, so that input's "
            "grad stays 0)")
        expect(site.page.locator(".results-body .summary")).to_contain_text("10")
        # The known mistake is named too (the wrong file's `# Mistake:`).
        expect(site.page.locator(".results-body .diagnosis")).to_contain_text(
            "The test accepts an engine whose relu lets the gradient through at exactly 0, and "
            "one whose relu returns a negative input unchanged")
    finally:
        ctx.close()


def test_my_value_from_the_problem_before_goes_to_the_scratch_code(browser, isolated_url):
    import json
    import time
    import tomllib

    orders = sorted((tomllib.loads(p.read_text())["order"], p.parent.name)
                    for p in (REPO / "hidden_tests").glob("*/problem.toml"))
    slugs = [slug for _, slug in orders]
    prev = slugs[slugs.index("write-the-test") - 1]
    mine = (REPO / "hidden_tests" / prev / "reference.py").read_text()
    ctx = browser.new_context()
    try:
        page = ctx.new_page()
        page.goto(f"{isolated_url}#/")
        page.evaluate("([key, value]) => localStorage.setItem(key, value)",
                      [f"gradlab:v1:code:{prev}", json.dumps(
                          {"code": mine, "rev": 1, "tab": "test", "savedAt": time.time() * 1000})])
        site = Site(page, isolated_url, slug="write-the-test")
        starter = site.code
        # Not "Start from my Value": that would replace the test with an engine.
        expect(page.locator("button.carry")).to_have_count(1)
        button = page.get_by_role("button", name=f"Try my Value from problem {slugs.index('write-the-test')}")
        button.click()
        assert site.code == starter
        scratch = page.evaluate("() => window.gradlab.scratchText()")
        assert mine.strip() in scratch and scratch.startswith("# Your code from")
        expect(page.locator("#banner-scratch-replaced")).to_contain_text("your code from")
    finally:
        ctx.close()
