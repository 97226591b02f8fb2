"""Accessibility you can measure (issue #19), in real Chromium: axe-core's WCAG 2.1 A and AA rules
on every page and state a learner meets, in the light and the dark colour scheme.

axe-core is a pinned npm devDependency (package.json) injected by these tests only
(node_modules/axe-core/axe.min.js): it is never part of the built site. Any violation fails,
with its rule, impact, the elements (selectors) and a snippet of their HTML in the message.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from site_fixtures import copy_site, new_version, serve_in_thread
from test_site import TEXTBOOK, Site
from test_site_playground import Playground

from conftest import BASIC, PATH_LENGTH

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
WCAG21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SWAPPED = (BASIC / "solutions/wrong/mul_gradients_swapped.py").read_text()


def format_violations(violations: list[dict]) -> str:
    """One block per rule: id, impact, what it checks, then each element (selector and HTML)."""
    lines: list[str] = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} [{len(v['nodes'])} element(s)]")
        for node in v["nodes"][:8]:
            html = " ".join(node["html"].split())
            lines.append(f"    {' '.join(map(str, node['target']))}  {html[:160]}")
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:240]}")
    return "\n".join(lines)


def axe_violations(page: Page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})"
        ".then(r => r.violations)", WCAG21_AA)


def assert_accessible(page: Page, state: str) -> None:
    """axe on the page as it is, in the light then the dark colour scheme (the page's colours come
    from prefers-color-scheme only, so emulating it is what a learner's setting does)."""
    found: list[str] = []
    try:
        for scheme in ("light", "dark"):
            page.emulate_media(color_scheme=scheme)
            violations = axe_violations(page)
            if violations:
                found.append(f"--- {state}, {scheme}:\n{format_violations(violations)}")
    finally:
        page.emulate_media(color_scheme="light")
    assert not found, "WCAG 2.1 A/AA violations:\n" + "\n".join(found)


@pytest.fixture(scope="module")
def tab(browser, isolated_url):
    """One problem page, reused across the states below (Python boots once)."""
    ctx = browser.new_context(viewport={"width": 1300, "height": 900}, color_scheme="light")
    site = Playground(ctx.new_page(), isolated_url)
    yield site
    ctx.close()


def test_the_problem_list(tab, isolated_url):
    tab.page.goto(isolated_url)
    expect(tab.page.locator(".problem-list > li")).to_have_count(PATH_LENGTH)
    assert_accessible(tab.page, "problem list")
    tab.page.get_by_text("Your name on exported files (optional)").click()  # the export identity
    expect(tab.page.get_by_label("Student id or login")).to_be_visible()
    assert_accessible(tab.page, "problem list, name for exports open")
    tab.page.goto(f"{isolated_url}#/p/basic-ops")
    expect(tab.page.locator(".editor .cm-content")).to_be_visible()


def test_a_problem_page_before_a_run(tab):
    tab.set_code(TEXTBOOK)  # long enough to scroll the editor
    tab.page.locator("#problem-title").focus()
    assert_accessible(tab.page, "problem page before a run")


def test_a_passing_report(tab):
    tab.set_code(TEXTBOOK)
    assert tab.run()["status"] == "pass"
    assert_accessible(tab.page, "passing report")


def test_a_failing_report_with_its_graph_table_and_case_hints_open(tab):
    tab.set_code(SWAPPED)
    assert tab.run()["status"] == "fail"
    page = tab.page
    item = page.locator(".case", has_text="Multiplication: each input's gradient").first
    item.locator(".case-graph > summary").click()
    expect(item.locator(".graph-table")).to_be_visible()
    output = page.locator(".case-output > summary")
    if output.count():
        output.first.click()
    ladder = page.locator(".results .hint-ladder .hint-next").first
    if ladder.count():
        ladder.click()
    assert_accessible(page, "failing report, graph and table open")


def test_the_statement_with_every_hint_revealed(tab):
    page = tab.page
    page.get_by_role("tab", name="Problem").click()
    button = page.locator(".statement .hint-ladder .hint-next")
    for _ in range(6):
        if not button.is_visible():
            break
        button.click()
    expect(page.locator(".statement .hint-ladder .hint-code pre")).to_be_visible()
    assert_accessible(page, "statement, every hint revealed")


def test_the_playground_console_a_drawing_and_the_step_through(tab):
    tab.set_code(TEXTBOOK)
    result = tab.play("print('hello')\na = Value(2.0)\nb = a * a + a\nb.backward()\ndraw(b, steps=True)\n")
    assert result["status"] == "ok"
    page = tab.page
    expect(page.locator(".console .console-drawing")).to_have_count(1)
    next_step = page.locator(".console .drawing-step-controls button", has_text="Next")
    next_step.click()
    next_step.click()
    expect(page.locator(".console .drawing-step-count")).to_have_text("Step 2 of 5")
    expect(page.locator(".console .drawing-table")).to_be_visible()  # small graphs: shown open
    assert_accessible(page, "console with output, a drawing stepped to step 2")
    tab.play("print('x')\n1 / 0\n")  # a traceback with links to lines
    expect(page.locator(".console-traceback-head")).to_be_visible()
    assert_accessible(page, "console with a traceback")


def test_the_banners_two_tabs_and_an_update(browser, site, tmp_path):
    """Two tabs on one problem (the conflict banner) on a host that then deploys a new version
    (the update banner): both banners on one page."""
    root = copy_site(site, tmp_path / "site")
    server, url = serve_in_thread(root, isolation=True)
    ctx = browser.new_context(viewport={"width": 1300, "height": 900})
    try:
        first = Site(ctx.new_page(), url)
        second = Site(ctx.new_page(), url)
        # Python up, then the service worker is installed and controls the page
        expect(second.page.locator("#python-status[data-phase=ready]")).to_be_attached(timeout=120_000)
        second.page.wait_for_function("async () => !!(await navigator.serviceWorker.ready).active")
        second.page.wait_for_function("() => !!navigator.serviceWorker.controller")
        first.set_code(TEXTBOOK + "\n# from the first tab\n")
        first.wait_saved(TEXTBOOK + "\n# from the first tab\n")
        expect(second.page.locator("#banner-conflict")).to_contain_text("was changed in another tab")
        new_version(root, "topo-sort", "Topological sort, second edition")
        second.page.evaluate("async () => (await navigator.serviceWorker.getRegistration()).update()")
        expect(second.page.locator("#banner-update")).to_contain_text("A new version of Gradlab is available")
        assert_accessible(second.page, "banners: two tabs, update")
    finally:
        ctx.close()
        server.shutdown()


def test_the_banners_when_storage_is_blocked(browser, isolated_url):
    ctx = browser.new_context(viewport={"width": 1300, "height": 900}, service_workers="block")
    ctx.add_init_script("Object.defineProperty(window, 'localStorage', "
                        "{ get() { throw new DOMException('Access is denied', 'SecurityError'); } });")
    try:
        blocked = Site(ctx.new_page(), isolated_url)
        expect(blocked.page.locator("#banner-storage")).to_contain_text("will NOT be saved")
        blocked.set_code(TEXTBOOK)
        expect(blocked.page.locator("#banner-storage-failed")).to_contain_text("could not be saved")
        assert_accessible(blocked.page, "banners: storage blocked, a save failed")
    finally:
        ctx.close()


# "Tab moves focus": the editor mode for screen-reader and keyboard users ---------------------------

def focus_in(page: Page) -> str:
    """Where the keyboard focus is: 'editor', 'scratch' or another element's tag and class."""
    return page.evaluate("""() => {
        const a = document.activeElement;
        if (a.closest('.editor .cm-editor')) return 'editor';
        if (a.closest('.scratch-editor .cm-editor')) return 'scratch';
        return `${a.tagName.toLowerCase()}.${a.className}`;
    }""")


def test_tab_moves_focus_is_toggled_by_ctrl_m_and_the_button_in_both_editors_and_remembered(
        browser, isolated_url):
    ctx = browser.new_context(viewport={"width": 1300, "height": 900}, service_workers="block")
    try:
        site = Playground(ctx.new_page(), isolated_url)
        page = site.page
        button = page.get_by_role("button", name="Tab moves focus")
        expect(button).to_have_attribute("aria-pressed", "false")
        expect(page.locator("#editor-help")).to_contain_text("Ctrl+M")
        site.set_code("x = 1\n")
        page.keyboard.press("Tab")  # default: Tab indents
        assert focus_in(page) == "editor" and site.code != "x = 1\n"
        site.set_code("x = 1\n")
        page.keyboard.press("Control+m")
        expect(button).to_have_attribute("aria-pressed", "true")
        expect(page.locator(".tab-mode-said")).to_have_text(
            "Tab moves focus in the code editors. Ctrl+M: Tab indents again.")
        page.keyboard.press("Tab")
        assert focus_in(page) != "editor" and site.code == "x = 1\n"
        page.keyboard.press("Shift+Tab")
        assert focus_in(page) == "editor"  # back in, and Tab still leaves after any other key
        page.keyboard.press("End")
        page.keyboard.press("Tab")
        assert focus_in(page) != "editor" and site.code == "x = 1\n"
        site.set_scratch("y = 2\n")  # the scratch editor follows the same setting
        page.keyboard.press("Tab")
        assert focus_in(page) != "scratch" and site.scratch == "y = 2\n"
        page.reload()  # remembered
        expect(page.locator(".editor .cm-content")).to_be_visible()
        expect(button).to_have_attribute("aria-pressed", "true")
        page.locator(".editor .cm-content").click()
        page.keyboard.press("Tab")
        assert focus_in(page) != "editor"
        button.click()  # the button turns it off again, for both editors
        expect(button).to_have_attribute("aria-pressed", "false")
        site.set_scratch("y = 2\n")
        page.keyboard.press("Tab")
        assert focus_in(page) == "scratch" and site.scratch != "y = 2\n"
        page.locator("#problem-title").focus()  # Ctrl+M works outside the editors too
        page.keyboard.press("Control+m")
        expect(button).to_have_attribute("aria-pressed", "true")
        assert page.evaluate("() => localStorage.getItem('gradlab:v1:tab-moves-focus')") == "true"
        assert_accessible(page, "Tab moves focus on")
    finally:
        ctx.close()


# Announcements: said once, politely, not re-read at every case or printed line -------------------

LIVE = "[aria-live]:not([aria-live=off]), [role=status], [role=log], [role=alert]"  # off: not live
RECORD = """live => {
    window.__saidObserver?.disconnect();  // one recorder at a time
    window.__said = [];
    const seen = new WeakMap();  // a region's text when first seen is not an announcement
    const look = () => {
        for (const region of document.querySelectorAll(live)) {
            const text = region.textContent.trim();
            if (!seen.has(region)) { seen.set(region, text); continue; }
            if (seen.get(region) === text) continue;
            seen.set(region, text);
            if (text) window.__said.push([region.className || region.id, text]);
        }
    };
    look();
    window.__saidObserver = new MutationObserver(look);
    window.__saidObserver.observe(document.body,
        {subtree: true, childList: true, characterData: true});
}"""


def said(page: Page) -> list[tuple[str, str]]:
    return [tuple(x) for x in page.evaluate("() => window.__said")]


def test_a_run_is_said_twice_running_then_the_result_not_once_per_case(tab):
    page = tab.page
    tab.set_code(TEXTBOOK)
    tab.run()  # Python is up
    tab.set_code(SWAPPED)
    page.evaluate(RECORD, LIVE)
    report = tab.run()
    assert report["status"] == "fail" and len(report["tests"]) == 39
    page.wait_for_timeout(500)
    announcements = said(page)
    assert [who for who, _ in announcements] == ["visually-hidden results-said"] * 2, announcements
    assert announcements[0][1] == "Running the tests…"
    result = announcements[1][1]
    assert result.startswith(f"{report['passed']} of 39 passed. This looks like: In `*`"), result
    assert "First failure: " in result and len(result) <= 401
    # the report itself (every case, every message) is read at the learner's pace, never re-read
    assert page.locator(".results-body .cases").evaluate_all(
        "(lists, live) => lists.length > 0 && lists.every((e) => !e.closest(live))", LIVE)


def test_a_scratch_run_is_said_twice_not_once_per_printed_line(tab):
    page = tab.page
    tab.set_code(TEXTBOOK)
    page.evaluate(RECORD, LIVE)
    result = tab.play("import time\nfor i in range(30):\n    print('line', i)\n    time.sleep(0.01)\n"
                      "a = Value(2.0)\nb = a * a\ndraw(b, steps=True)\nb.data\n")
    assert result["status"] == "ok"
    expect(page.locator(".console .console-drawing .drawing")).to_have_count(1)
    page.wait_for_timeout(500)
    announcements = said(page)
    assert [who for who, _ in announcements] == ["visually-hidden console-said"] * 2, announcements
    assert announcements[0][1] == "Running…"
    assert announcements[1][1].startswith("Run finished. Printed: line 0 line 1 line 2")
    assert announcements[1][1].endswith("Out: 4.0 1 drawing in the console.")
    assert page.locator(".console").evaluate(
        "(e, live) => !e.closest(live) && !e.querySelector('[role=log]')", LIVE)


# A whole problem with the keyboard only ---------------------------------------------------------

def tab_to(page: Page, test: str, backwards: bool = False, limit: int = 300) -> None:
    """Press Tab (Shift+Tab) until `test` (a JS predicate on document.activeElement) holds. In a
    code editor, Esc first: Esc then Tab leaves it."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(limit):
        if page.evaluate(f"() => {{ const a = document.activeElement; return !!({test}); }}"):
            return
        if page.evaluate("() => !!document.activeElement.closest('.cm-editor')"):
            page.keyboard.press("Escape")
        page.keyboard.press(key)
    raise AssertionError(f"{test} not reached by {key} ({focus_in(page)})")


def test_a_whole_problem_with_the_keyboard_only(browser, isolated_url):
    ctx = browser.new_context(viewport={"width": 1300, "height": 900}, service_workers="block")
    try:
        page = ctx.new_page()
        page.set_default_timeout(90_000)
        page.goto(isolated_url)
        expect(page.locator(".problem-list > li")).to_have_count(PATH_LENGTH)
        # open the first problem from the list
        tab_to(page, "a.textContent === 'Implementing basic autograd operations'")
        page.keyboard.press("Enter")
        expect(page.locator(".editor .cm-content")).to_be_visible()
        # into the editor, write (a wrong solution: a paste), run with Ctrl+Enter
        tab_to(page, "a.closest('.editor .cm-content')")
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(SWAPPED)
        page.evaluate("() => { window.gradlab.lastReport = null; }")
        page.keyboard.press("Control+Enter")
        page.wait_for_function("() => window.gradlab.lastReport !== null")
        expect(page.get_by_role("tab", name="Results")).to_have_attribute("aria-selected", "true")
        # back to the report (it is before the editor), to the failure's graph, opened with Enter
        tab_to(page, "a.tagName === 'SUMMARY' && a.textContent.startsWith('Show the graph (first diff')",
               backwards=True)
        page.keyboard.press("Enter")
        case = page.locator(".case", has=page.locator("details[open].case-graph")).first
        expect(case.locator(".graph-table")).to_be_visible()
        # the graph's table box is reachable, and scrolls with the arrow keys
        tab_to(page, "a.classList.contains('graph-table-scroll')")
        expect(page.locator(".graph-table-scroll:focus")).to_contain_text("first difference")
        # a hint: back to the tabs, the Problem tab (arrow keys), its first hint revealed with Enter
        tab_to(page, "a.getAttribute('role') === 'tab'", backwards=True)
        page.keyboard.press("ArrowLeft")
        expect(page.get_by_role("tab", name="Problem")).to_be_focused()
        expect(page.locator("#panel-problem")).to_be_visible()
        tab_to(page, "a.classList.contains('hint-next')")
        page.keyboard.press("Enter")
        expect(page.locator(".statement .hint-ladder .hint")).to_have_count(1)
        expect(page.locator(".statement .hint-ladder .hint-next")).to_be_focused()
        # the fix: back to the editor (the skip link goes there), then pass
        tab_to(page, "a.classList.contains('skip')", backwards=True)
        page.keyboard.press("Enter")
        assert focus_in(page) == "editor"
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(TEXTBOOK)
        page.evaluate("() => { window.gradlab.lastReport = null; }")
        page.keyboard.press("Control+Enter")
        page.wait_for_function("() => window.gradlab.lastReport !== null")
        assert page.evaluate("() => window.gradlab.lastReport.status") == "pass"
        expect(page.locator(".results-said")).to_contain_text("39 of 39 passed.")
        # on to the next problem
        tab_to(page, "a.getAttribute('rel') === 'next'", backwards=True)
        page.keyboard.press("Enter")
        expect(page.locator(".crumbs")).to_contain_text(f"Problem 2 of {PATH_LENGTH}")
        expect(page.locator("#problem-title")).to_be_focused()
    finally:
        ctx.close()
