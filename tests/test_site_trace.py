"""The trace problem in real Chromium (issue #18 part 1): cells checked as they are entered, with
a pointed hint only where it is true, kept over a reload, solved in the problem list, usable with
the keyboard alone and free of axe violations in both colour schemes, at desktop and phone width."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from test_site import import_progress
from test_site_a11y import assert_accessible, tab_to

from conftest import PATH_LENGTH, REPO
from engine.authoring.trace import compile_trace_problem, load_trace_problem

pytestmark = pytest.mark.browser

TRACE = REPO / "hidden_tests" / "trace-by-hand"


def cell(page: Page, key: str):
    return page.locator(f"[data-cell='{key}']")


def said_for(page: Page, key: str):
    return page.locator(f"td:has([data-cell='{key}']) .trace-message")


def enter(page: Page, key: str, text: str) -> None:
    cell(page, key).fill(text)
    cell(page, key).press("Enter")


def right_answers() -> dict[str, str]:
    """Every cell's right answer, as a learner would round it (4 significant figures)."""
    data = compile_trace_problem(load_trace_problem(TRACE))
    answers = {}
    for trace in data["traces"]:
        for node in trace["nodes"]:
            for kind in ("value", "grad"):
                if kind == "value" and node["op"] == "input":
                    continue
                answers[f"{trace['id']}/{node['name']}/{kind}"] = f"{node[kind]:.4g}"
    return answers


def no_page_overflow(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def test_fill_half_reload_then_solve_and_the_list_says_solved(browser, isolated_url):
    ctx = browser.new_context(viewport={"width": 1300, "height": 900}, service_workers="block")
    try:
        page = ctx.new_page()
        page.goto(isolated_url + "#/p/trace-by-hand")
        expect(page.locator("#problem-title")).to_have_text("Trace it by hand: values, then gradients")
        expect(page.locator(".crumbs")).to_contain_text(f"Problem 2 of {PATH_LENGTH}")
        expect(page.locator(".trace h2")).to_have_count(3)
        # a right value: marked right, in the table and on the drawing
        enter(page, "01-reused/t1/value", "6")
        expect(said_for(page, "01-reused/t1/value")).to_have_text("✓ Right")
        expect(cell(page, "01-reused/t1/value")).to_have_attribute("aria-invalid", "false")
        first = page.locator(".trace").first
        expect(first.locator("[data-node='t1'] .drawing-data")).to_have_text("value 6 ✓")
        # t2's value entered as its gradient
        enter(page, "01-reused/t2/grad", "10")
        expect(said_for(page, "01-reused/t2/grad")).to_have_text(
            "✗ Not right. That is t2's value, not its gradient.")
        expect(cell(page, "01-reused/t2/grad")).to_have_attribute("aria-invalid", "true")
        expect(first.locator("[data-node='t2'] .drawing-grad")).to_have_text("grad 10 ✗")
        # t1's gradient entered as its value... then corrected
        enter(page, "01-reused/t3/value", "10")
        expect(said_for(page, "01-reused/t3/value")).to_have_text(
            "✗ Not right. That is t3's gradient; this cell asks for its value (the forward pass).")
        # a is used twice: only the contribution through t1 (7 * 3)
        enter(page, "01-reused/a/grad", "21")
        expect(said_for(page, "01-reused/a/grad")).to_contain_text(
            "a is used twice (by t1 and t3): add both contributions; this is only the one through t1.")
        expect(said_for(page, "01-reused/a/grad").locator(".trace-hint")).to_have_text(
            "Hint: Follow both arrows out of a: one into t1, one into t3.")
        expect(page.locator(".trace-said")).to_contain_text("dL/da: Not right. a is used twice")
        # a wrong number no known mistake gives: only the general reminder, no claim
        enter(page, "01-reused/b/grad", "15")
        expect(said_for(page, "01-reused/b/grad")).to_have_text(
            "✗ Not right. dL/db is the sum, over each use of b (by t1), of that user's gradient "
            "times its local derivative for b.")
        enter(page, "01-reused/L/grad", "1")
        enter(page, "03-tanh/y/value", "0.462")  # tanh(0.5) = 0.46212, to 3 significant figures
        expect(said_for(page, "03-tanh/y/value")).to_have_text("✓ Right")
        enter(page, "03-tanh/s/grad", "0.4621")  # tanh's output used as its derivative
        expect(said_for(page, "03-tanh/s/grad")).to_contain_text("uses tanh's output y = 0.4621")
        enter(page, "02-relu-negative/z/grad", "1")
        expect(said_for(page, "02-relu-negative/z/grad")).to_contain_text(
            "relu passes no gradient back there")
        expect(page.locator(".trace-count").first).to_have_text("2 of 12 cells right.")
        assert no_page_overflow(page)
        page.evaluate("() => document.querySelector('.trace').scrollIntoView({block: 'start'})")
        page.screenshot(path="/tmp/trace-half.png")
        assert_accessible(page, "a trace problem half done")

        page.reload()
        expect(cell(page, "01-reused/a/grad")).to_have_value("21")
        expect(said_for(page, "01-reused/a/grad")).to_contain_text("a is used twice")
        expect(said_for(page, "01-reused/t1/value")).to_have_text("✓ Right")
        expect(page.locator(".trace-count").first).to_have_text("2 of 12 cells right.")

        page.set_viewport_size({"width": 420, "height": 900})
        expect(page.locator(".trace-body").first).to_be_visible()
        assert no_page_overflow(page)
        page.evaluate("() => document.querySelector('.trace').scrollIntoView({block: 'start'})")
        page.screenshot(path="/tmp/trace-phone.png")
        page.set_viewport_size({"width": 1300, "height": 900})

        page.goto(isolated_url)
        item = page.locator(".problem-list > li").nth(1)
        expect(item.locator(".state")).to_have_text("3 of 32 cells right")
        page.goto(isolated_url + "#/p/trace-by-hand")
        expect(page.locator(".solved-mark")).to_have_count(0)
        answers = right_answers()
        assert len(answers) == 32
        for key, text in answers.items():
            enter(page, key, text)
        for key in answers:
            expect(said_for(page, key)).to_have_text("✓ Right")
        expect(page.locator(".solved-mark")).to_have_text("✓ Solved")
        expect(page.locator(".trace-said")).to_have_text("Every cell is right: problem solved.")
        expect(page.locator(".trace-count")).to_have_text(["✓ All 12 cells right.", "✓ All 11 cells right.",
                                                            "✓ All 9 cells right."])
        expect(page.locator(".next-step a.next-problem")).to_have_text(
            "Next problem: Subtraction, division, powers and numbers on the left →")
        page.get_by_role("link", name="All problems").click()
        expect(page.locator(".problem-list > li").nth(1).locator(".state.solved")).to_have_text("solved")
        expect(page.locator(".path-progress")).to_contain_text(f"1 of {PATH_LENGTH} solved")
    finally:
        ctx.close()


def test_a_trace_with_the_keyboard_only(browser, isolated_url):
    ctx = browser.new_context(viewport={"width": 1300, "height": 900}, service_workers="block")
    try:
        page = ctx.new_page()
        page.goto(isolated_url + "#/p/trace-by-hand")
        expect(page.locator("#problem-title")).to_be_focused()
        tab_to(page, "a.dataset.cell === '01-reused/t1/value'")
        page.keyboard.type("6")
        page.keyboard.press("Enter")
        expect(said_for(page, "01-reused/t1/value")).to_have_text("✓ Right")
        expect(cell(page, "01-reused/t1/value")).to_be_focused()  # Enter checks, and stays
        page.keyboard.press("Tab")  # the same row's gradient
        expect(cell(page, "01-reused/t1/grad")).to_be_focused()
        page.keyboard.type("6")
        page.keyboard.press("Tab")  # leaving a changed cell checks it too
        expect(said_for(page, "01-reused/t1/grad")).to_have_text(
            "✗ Not right. That is t1's value, not its gradient.")
        expect(cell(page, "01-reused/t2/value")).to_be_focused()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Control+a")
        page.keyboard.type("seven")
        page.keyboard.press("Enter")
        expect(said_for(page, "01-reused/t1/grad")).to_have_text(
            "✗ Not a number: type a number such as 6, -0.5, 0.786 or 3/4.")
        page.keyboard.press("Control+a")
        page.keyboard.type("14/2")  # a fraction is a number too
        page.keyboard.press("Enter")
        expect(said_for(page, "01-reused/t1/grad")).to_have_text("✓ Right")
        expect(page.locator(".trace-said")).to_have_text("dL/dt1: right.")
        expect(page.locator(".trace").first.locator("[data-node='t1'] .drawing-grad")).to_have_text(
            "grad 14/2 ✓")
    finally:
        ctx.close()


def test_cells_move_with_export_and_import_and_gradlab_counts_what_the_page_said(
        browser, isolated_url, tmp_path):
    """A learner's cells are their work: the export file carries them, an import brings them back,
    and `gradlab grade --bundle` marks them as the page did (right, wrong, not a number, a
    fraction, a typographic minus, an empty cell)."""
    import json
    import subprocess
    import sys

    typed = {"01-reused/t1/value": "6", "01-reused/t2/grad": "10", "01-reused/t1/grad": "14/2",
             "01-reused/b/grad": "seven", "02-relu-negative/z/grad": "0",
             "03-tanh/y/value": "0.4621", "03-tanh/s/grad": "\u22120.5"}
    ctx = browser.new_context(viewport={"width": 1300, "height": 900}, service_workers="block")
    try:
        page = ctx.new_page()
        page.goto(isolated_url + "#/p/trace-by-hand")
        for key, text in typed.items():
            enter(page, key, text)
        enter(page, "01-reused/L/grad", "")  # typed, then cleared: not in the file
        said = [page.locator(".trace-count").nth(i).inner_text() for i in range(3)]
        right = sum(int(s.split(" of ")[0]) for s in said)
        assert said[0] == "2 of 12 cells right." and right >= 3, said
        with page.expect_download() as download:
            page.get_by_role("button", name="Export progress").click()
        path = tmp_path / "export.json"
        download.value.save_as(path)
    finally:
        ctx.close()
    entry = json.loads(path.read_text())["problems"]["trace-by-hand"]
    assert entry["code"] is None and entry["trace"] == typed

    result = subprocess.run([sys.executable, "-m", "engine.cli", "grade", "--bundle", str(path),
                             "--json"], capture_output=True, text=True, cwd=REPO, timeout=300)
    [row] = json.loads(result.stdout)
    assert (row["problem"], row["regraded"]) == ("trace-by-hand", f"{right}/32"), result.stderr

    fresh = browser.new_context(viewport={"width": 1300, "height": 900}, service_workers="block")
    try:
        page = fresh.new_page()
        import_progress(page, isolated_url, path)
        page.goto(isolated_url + "#/p/trace-by-hand")
        for key, text in typed.items():
            expect(cell(page, key)).to_have_value(text)
        expect(page.locator(".trace-count")).to_have_text(said)
    finally:
        fresh.close()
