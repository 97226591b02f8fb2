"""The problem page's workspace in real Chromium: it fits the screen, in both colour schemes, by
keyboard.

Wide (1280x800): two panes; the left one (Problem | Results tabs) scrolls on its own and the
editor never leaves the window, also after a long report. Narrow (a 420 px phone; a 1280 px
window at 200 % zoom, 640 CSS px): one column, the editor on the first screen(s), nothing wider
than the window. Light and dark schemes: WCAG contrast of the main pairs measured from computed
styles. Keyboard: the skip link comes first and reaches the editor, Export/Import are reachable,
and one Esc leaves the editor's Tab trap even with the completion popup open.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import BASIC

pytestmark = pytest.mark.browser

WRONG = (BASIC / "solutions/wrong/mul_gradients_swapped.py").read_text()
SAMPLE = ('class Point:\n    """A doc string."""\n'
          '    def norm(self, x=1.5):\n        return True  # a comment\n')


@pytest.fixture
def open_page(browser, isolated_url):
    """open_page(width, height, scale=1, scheme="light") -> a page on basic-ops, editor shown."""
    contexts = []

    def open_(width: int, height: int, scale: float = 1, scheme: str = "light"):
        ctx = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale,
                                  color_scheme=scheme, service_workers="block")
        contexts.append(ctx)
        page = ctx.new_page()
        page.set_default_timeout(120_000)
        page.goto(f"{isolated_url}#/p/basic-ops")
        expect(page.locator(".editor .cm-content")).to_be_visible()
        return page

    yield open_
    for ctx in contexts:
        ctx.close()


def editor_box(page) -> dict:
    return page.locator(".editor .cm-editor").bounding_box()


def editor_top_in_page(page) -> float:
    return page.evaluate(
        "() => document.querySelector('.editor .cm-editor').getBoundingClientRect().top + scrollY")


def overflow(page) -> tuple[int, int]:
    return tuple(page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]"))


def set_code(page, code: str) -> None:
    page.locator(".editor .cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(code)


def run_tests(page) -> None:
    page.evaluate("() => { window.gradlab.lastReport = null; }")
    page.get_by_role("button", name="Run tests").click()
    page.wait_for_function("() => window.gradlab.lastReport !== null")


def open_every_graph(page) -> None:
    for summary in page.locator(".results-body .case-graph > summary").all()[:3]:
        summary.click()
    expect(page.locator(".results-body .graph-table").first).to_be_visible()


def scroll_over(page, selector: str, dy: int = 3000) -> None:
    box = page.locator(selector).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 100))
    page.mouse.wheel(0, dy)
    page.wait_for_timeout(300)


def test_wide_two_panes_the_editor_never_scrolls_away_and_run_shows_the_results_tab(open_page):
    page = open_page(1280, 800)
    before = editor_box(page)
    assert before["y"] >= 0 and before["y"] + 200 <= 800, before  # the editor is on screen, tall enough
    problem_tab = page.get_by_role("tab", name="Problem")
    expect(problem_tab).to_have_attribute("aria-selected", "true")
    # the statement scrolls inside its pane; the page does not move
    scroll_over(page, "#panel-problem")
    assert page.evaluate("() => document.getElementById('panel-problem').scrollTop") > 200
    assert page.evaluate("() => window.scrollY") == 0
    assert editor_box(page)["y"] == pytest.approx(before["y"], abs=1)
    # Run tests with a wrong solution (many failed cases): the Results tab is selected and shown
    set_code(page, WRONG)
    run_tests(page)
    results_tab = page.get_by_role("tab", name="Results")
    expect(results_tab).to_have_attribute("aria-selected", "true")
    expect(problem_tab).to_have_attribute("aria-selected", "false")
    expect(page.locator(".results-body .summary")).to_be_visible()
    expect(page.locator(".results-body .summary")).to_contain_text("passed")
    expect(page.locator(".results-said")).to_contain_text("passed")  # said once, not the whole report
    expect(page.locator("#panel-problem")).to_be_hidden()
    open_every_graph(page)
    scroll_over(page, "#panel-results", 20000)
    assert page.evaluate("() => document.getElementById('panel-results').scrollTop") > 500
    after = editor_box(page)
    assert after["y"] == pytest.approx(before["y"], abs=1) and after["y"] + after["height"] <= 800, after
    assert overflow(page)[0] <= overflow(page)[1]
    # the Problem tab comes back where it was scrolled to; arrow keys move between the tabs
    results_tab.focus()
    page.keyboard.press("ArrowLeft")
    expect(problem_tab).to_be_focused()
    expect(problem_tab).to_have_attribute("aria-selected", "true")
    expect(page.locator("#panel-results")).to_be_hidden()
    assert page.evaluate("() => document.getElementById('panel-problem').scrollTop") > 200
    page.keyboard.press("ArrowRight")
    expect(results_tab).to_be_focused()
    expect(page.locator(".results-body .summary")).to_be_visible()
    # the divider between the editor and the playground resizes by keyboard
    height = editor_box(page)["height"]
    page.get_by_role("separator").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert editor_box(page)["height"] > height + 20
    expect(page.locator("section.playground")).to_have_attribute(
        "aria-label", "Try it: scratch code and console")


@pytest.mark.parametrize("width,height,scale,screens", [(420, 800, 1, 1), (640, 400, 2, 2)],
                         ids=["phone-420", "zoom-200"])
def test_narrow_one_column_editor_on_the_first_screens_and_nothing_overflows(
        open_page, width, height, scale, screens):
    page = open_page(width, height, scale)
    top = editor_top_in_page(page)
    assert top + 100 <= height * screens, top  # at least a few lines of the editor are in reach
    assert overflow(page)[0] <= overflow(page)[1]
    # the statement/results box scrolls on its own and stays smaller than half the screen
    assert page.locator(".pane-info").bounding_box()["height"] <= height * 0.5
    set_code(page, WRONG)
    run_tests(page)
    expect(page.get_by_role("tab", name="Results")).to_have_attribute("aria-selected", "true")
    expect(page.locator(".results-body .summary")).to_be_visible()
    open_every_graph(page)
    scroll, inner = overflow(page)
    assert scroll <= inner, (width, scroll, inner)
    assert editor_top_in_page(page) == pytest.approx(top, abs=1)  # results did not push the editor down


HELPERS = """
  const rgb = (s) => {
    const m = s.match(/[\\d.]+/g).map(Number);
    return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 };
  };
  const lum = ({ r, g, b }) => {
    const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const background = (el) => {  // the first opaque background behind el
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.a > 0.5) return c;
    }
    return rgb(getComputedStyle(document.documentElement).backgroundColor);
  };
  const one = (sel) => {
    const el = document.querySelector(sel);
    if (!el) throw new Error('missing ' + sel);
    return el;
  };
  const text = (sel) => {
    const el = one(sel);
    return ratio(rgb(getComputedStyle(el).color), background(el));
  };
  const border = (sel) => {
    const el = one(sel);
    return ratio(rgb(getComputedStyle(el).borderTopColor), background(el.parentElement));
  };
"""

CONTRAST_JS = "() => {" + HELPERS + """
  const out = {};
  for (const [name, sel] of Object.entries({
    body: '.statement-body p', heading: '.statement-body h1', link: '.crumbs a', muted: '.editor-help',
    tab: '[role=tab][aria-selected=false]', tabSelected: '[role=tab][aria-selected=true]',
    passed: '.badge-passed', failed: '.badge-failed', error: '.badge-error', timeout: '.badge-timeout',
    summaryPass: '.summary-pass', summaryFail: '.summary-fail', diagnosis: '.diagnosis p',
    primaryButton: 'button.run', button: 'button.reset', headerButton: '#export',
    editorText: '.cm-line', lineNumber: '.cm-gutterElement:not(.cm-activeLineGutter)',
    keyword: '.editor .cm-content .tok-keyword', string: '.editor .cm-content .tok-string',
    number: '.editor .cm-content .tok-number',
    comment: '.editor .cm-content .tok-comment', definition: '.editor .cm-content .tok-definition',
    className: '.editor .cm-content .tok-className', playground: '.playground p' })) out[name] = text(sel);
  out.buttonBorder = border('button.reset');
  out.editorBorder = border('.editor .cm-editor');
  out.paneBorder = border('.pane-info');
  const probe = document.createElement('span');
  probe.style.color = 'var(--focus)';
  document.body.append(probe);
  out.focus = ratio(rgb(getComputedStyle(probe).color), background(document.body));
  probe.remove();
  out.pageLuminance = lum(rgb(getComputedStyle(document.documentElement).backgroundColor));
  out.editorLuminance = lum(background(one('.editor .cm-content')));
  return out;
}"""

POPUP_JS = "() => {" + HELPERS + "return text('.cm-tooltip-autocomplete li[aria-selected]'); }"

UI_PARTS = {"buttonBorder", "editorBorder", "paneBorder", "focus"}


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_both_colour_schemes_keep_wcag_contrast(open_page, scheme):
    page = open_page(1280, 800, scheme=scheme)
    set_code(page, SAMPLE)
    page.locator("#export").focus()  # the editor's active line is not what is measured for tokens
    # result labels as the report draws them (no run needed to measure their colours)
    page.evaluate("""() => { const body = document.querySelector('.results-body');
      body.innerHTML = '<p class="summary summary-pass">3 of 3 passed</p>'
        + '<p class="summary summary-fail">1 of 3 passed</p>'
        + '<div class="diagnosis"><p>This looks like: a mistake</p></div>'
        + ['passed', 'failed', 'error', 'timeout']
          .map(s => `<span class="badge badge-${s}">${s}</span>`).join(' ');
      document.getElementById('panel-results').hidden = false; }""")
    measured = page.evaluate(CONTRAST_JS)
    if scheme == "dark":
        assert measured.pop("pageLuminance") < 0.05 and measured.pop("editorLuminance") < 0.05, "not dark"
    else:
        assert measured.pop("pageLuminance") > 0.9 and measured.pop("editorLuminance") > 0.9, "not light"
    low = {name: round(value, 2) for name, value in measured.items()
           if value < (3 if name in UI_PARTS else 4.5)}
    assert not low, low
    # the completion popup: its selected entry is readable too
    page.locator(".editor .cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type("\nPoi")
    selected = page.locator(".cm-tooltip-autocomplete li[aria-selected]")
    expect(selected).to_be_visible()
    assert page.evaluate(POPUP_JS) >= 4.5


def test_keyboard_skip_link_header_actions_and_one_escape_leaves_the_editor(open_page):
    page = open_page(1280, 800)
    # first in Tab order: nothing focusable comes before it, and Shift+Tab from the brand reaches it
    assert page.evaluate("""() => [...document.querySelectorAll('a[href], button, input, [tabindex]')]
      .filter((e) => e.tabIndex >= 0 && !e.disabled && !e.hidden)[0].classList.contains('skip')""")
    page.locator(".brand").focus()
    page.keyboard.press("Shift+Tab")
    skip = page.locator("a.skip")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("Skip to the editor")
    expect(skip).to_be_in_viewport()
    reached = []
    for _ in range(4):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("() => document.activeElement.id || document.activeElement.className"))
    assert "export" in reached and "import" in reached, reached
    page.keyboard.press("Shift+Tab")
    for _ in range(10):
        if page.evaluate("() => document.activeElement.classList.contains('skip')"):
            break
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page.locator(".editor .cm-content")).to_be_focused()
    assert page.evaluate("() => location.hash") == "#/p/basic-ops"  # the skip link is no route
    # completion open: ONE Esc closes it and the next Tab leaves the editor
    page.keyboard.press("Control+End")
    page.keyboard.type("\nVal")
    popup = page.locator(".cm-tooltip-autocomplete")
    expect(popup).to_be_visible()
    page.keyboard.press("Escape")
    expect(popup).to_be_hidden()
    page.keyboard.press("Tab")
    assert not page.evaluate("() => !!document.activeElement.closest('.cm-editor')")
    assert page.evaluate("() => window.gradlab.editorText()").endswith("\nVal")  # Tab inserted nothing
    # back in the editor, Tab indents again (Esc only frees the next Tab)
    page.keyboard.press("Shift+Tab")
    expect(page.locator(".editor .cm-content")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.press("Tab")
    expect(page.locator(".editor .cm-content")).to_be_focused()
    expect(page.locator(".editor-help")).to_contain_text("Esc, then Tab, leaves the editor")
