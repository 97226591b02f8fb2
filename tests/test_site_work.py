"""A learner's code is their work: never lose it (the "Trust" issue), in real Chromium.

Two tabs that keep saving after the conflict banner is closed, all-or-nothing imports, a warning
when storage is blocked or looks private, long messages that wrap instead of widening the page,
and statements whose HTML is sanitised.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect
from test_site import TEXTBOOK, Site

from conftest import BASIC, REFERENCE, patch

pytestmark = pytest.mark.browser

KEY = "gradlab:v1:code:basic-ops"


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1300, "height": 900}, service_workers="block")
    yield ctx
    ctx.close()


def stored_code(page, slug: str = "basic-ops") -> str | None:
    return page.evaluate(
        "slug => JSON.parse(localStorage.getItem(`gradlab:v1:code:${slug}`) || 'null')?.code ?? null", slug)


# 1. Two tabs ------------------------------------------------------------------------------------

def test_closing_the_two_tabs_banner_keeps_this_tab_saving_and_tells_the_other(context, isolated_url):
    first = Site(context.new_page(), isolated_url)
    second = Site(context.new_page(), isolated_url)
    first.set_code(TEXTBOOK + "\n# from the first tab\n")
    first.wait_saved(TEXTBOOK + "\n# from the first tab\n")
    banner = second.page.locator("#banner-conflict")
    expect(banner).to_contain_text("was changed in another tab")
    close = banner.get_by_role("button", name="Close and keep editing here (keeps this tab's version)")
    close.click()
    expect(banner).to_have_count(0)
    # closing chose this tab's version: it is saved, and the other tab is asked in its turn
    second.wait_saved(second.code)
    expect(first.page.locator("#banner-conflict")).to_contain_text("was changed in another tab")
    mine = TEXTBOOK + "\n# typed in the second tab after closing the banner\n"
    second.set_code(mine)
    second.wait_saved(mine)
    second.page.reload()
    expect(second.page.locator(".editor .cm-content")).to_be_visible()
    assert second.code == mine


# 2. Import, all or nothing ----------------------------------------------------------------------

def export_file(problems: dict) -> str:
    return json.dumps({"format": "gradlab-export", "version": 1,
                       "exportedAt": "2026-11-30T12:00:00.000Z", "problems": problems})


SOLVED = {"solved": True, "passed": 39, "total": 39, "suiteVersion": "x", "solvedAt": 1}


def list_page_with_code(context, url: str, code: str):
    """A learner who has written `code` for basic-ops, now on the problem list."""
    site = Site(context.new_page(), url)
    site.set_code(code)
    site.wait_saved(code)
    site.page.goto(url)
    expect(site.page.locator(".problem-list")).to_contain_text("not yet")
    return site.page


def test_an_import_that_runs_out_of_storage_half_way_changes_nothing_and_says_so(
        context, isolated_url, tmp_path):
    previous = TEXTBOOK + "\n# what was here\n"
    page = list_page_with_code(context, isolated_url, previous)
    path = tmp_path / "export.json"
    path.write_text(export_file({
        "basic-ops": {"code": "# imported basic-ops\n", "progress": SOLVED},
        "more-ops": {"code": "# imported more-ops\n", "progress": None},
    }))
    # storage fills up on the third write: basic-ops' code and progress are already written
    page.evaluate("""() => {
        const real = Storage.prototype.setItem;
        let calls = 0;
        Storage.prototype.setItem = function (key, value) {
            calls += 1;
            if (calls === 3) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
            return real.call(this, key, value);
        };
    }""")
    page.once("dialog", lambda d: d.accept())
    page.locator("#import-file").set_input_files(str(path))
    expect(page.locator("#banner-import")).to_contain_text(
        "Nothing was imported: this browser's storage for this site is full. "
        "Your code and progress here are unchanged.")
    assert stored_code(page) == previous
    assert stored_code(page, "more-ops") is None
    assert page.evaluate("() => localStorage.getItem('gradlab:v1:progress:basic-ops')") is None
    expect(page.locator(".problem-list")).to_contain_text("not yet")


@pytest.mark.parametrize(("content", "words"), [
    ("huge", "This file is 50.0 MB: too big for a Gradlab export file (at most 5.0 MB). "
             "Nothing was imported."),
    ("null-entry", "This export file is damaged: problems.basic-ops must be object. Nothing was imported."),
    ("null-file", "This is not a Gradlab export file. Nothing was imported."),
    ("empty", "This export file holds no problems"),
])
def test_a_bad_import_file_is_refused_whole_with_a_message(context, isolated_url, tmp_path, content, words):
    previous = TEXTBOOK + "\n# what was here\n"
    page = list_page_with_code(context, isolated_url, previous)
    path = tmp_path / "export.json"
    if content == "huge":  # a valid export file, but 50 MB of it
        code = "x" * (50 * 1024 * 1024 - 200)
        path.write_text(export_file({"basic-ops": {"code": code, "progress": None}}))
    else:
        path.write_text({"null-entry": export_file({"basic-ops": None}), "null-file": "null",
                         "empty": export_file({})}[content])
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.locator("#import-file").set_input_files(str(path))
    expect(page.locator("#banner-import")).to_contain_text(words)
    assert not dialogs  # refused before asking
    assert stored_code(page) == previous


# 3. Storage blocked, or a private window ---------------------------------------------------------

def test_blocked_storage_says_the_work_will_not_be_saved_and_to_export_it(browser, isolated_url):
    ctx = browser.new_context(service_workers="block")
    # what Chromium does with "Block third-party cookies and site data": localStorage throws
    ctx.add_init_script("Object.defineProperty(window, 'localStorage', "
                        "{ get() { throw new DOMException('Access is denied', 'SecurityError'); } });")
    site = Site(ctx.new_page(), isolated_url)
    banner = site.page.locator("#banner-storage")
    expect(banner).to_contain_text("will NOT be saved")
    expect(banner).to_contain_text("Before you close this tab, use “Export progress”")
    site.set_code(TEXTBOOK)  # the page still works: the code runs and a failed save is said
    assert site.run()["status"] == "pass"
    expect(site.page.locator("#banner-storage-failed")).to_contain_text("could not be saved")
    ctx.close()


def test_a_private_window_is_warned_to_export_before_closing(browser, isolated_url):
    ctx = browser.new_context(service_workers="block")
    # Chromium's private windows get a quota below twice the heap limit; a normal profile, more
    ctx.add_init_script("navigator.storage.estimate = async () => ({ quota: 100 * 1024 * 1024, usage: 0 });")
    site = Site(ctx.new_page(), isolated_url)
    expect(site.page.locator("#banner-storage")).to_contain_text(
        "This looks like a private window: the browser deletes your code when the window closes.")
    ctx.close()
    normal = browser.new_context(service_workers="block")
    site = Site(normal.new_page(), isolated_url)
    site.page.wait_for_timeout(1000)
    expect(site.page.locator("#banner-storage")).to_have_count(0)
    normal.close()


# 4. Long messages wrap --------------------------------------------------------------------------

def page_width(page) -> tuple[int, int]:
    return page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")


def test_a_long_unbroken_exception_message_wraps_instead_of_widening_the_page(context, isolated_url):
    site = Site(context.new_page(), isolated_url)
    page = site.page
    token = "x" * 3000
    in_a_case = patch(REFERENCE, "    def relu(self):\n",
                      f"    def relu(self):\n        raise ValueError('{token}')\n")
    at_load = f"raise ValueError('{token}')\n" + REFERENCE
    for code in (in_a_case, at_load):
        page.set_viewport_size({"width": 1280, "height": 900})
        site.set_code(code)
        report = site.run()
        assert report["status"] in ("fail", "error")
        # the grader cuts a case's message at 500 characters; a load error's traceback is whole
        assert "x" * 400 in page.locator(".results-body").inner_text()
        for width in (1280, 420):
            page.set_viewport_size({"width": width, "height": 900})
            scroll, inner = page_width(page)
            assert scroll <= inner, (width, scroll, inner)


# 5. Statements are sanitised --------------------------------------------------------------------

HOSTILE = """

<img src=x onerror="window.pwned = 'img'; localStorage.clear()">

<style>body{display:none}</style>

<script>window.pwned = 'script'</script>

<a href="javascript:window.pwned = 'link'">a link</a>

<div class="overlay" style="position:fixed;inset:0;background:red">covers the page</div>

<span class="katex spoof" style="position:fixed;inset:0">pretends to be math</span>

<math><mtext><table><mglyph><style><img src=x onerror="window.pwned = 'mxss'">
</style></mglyph></table></mtext></math>

<svg><script>window.pwned = 'svg'</script>
<a href="javascript:window.pwned = 'svg link'"><text>x</text></a></svg>
"""


def test_a_hostile_statement_renders_harmlessly_and_math_still_renders(context, isolated_url):
    def hostile(route):
        suite = route.fetch().json()
        suite["problem"]["statement"] += HOSTILE
        route.fulfill(status=200, content_type="application/json", body=json.dumps(suite))

    context.route("**/problems/basic-ops.*.json", hostile)
    page = context.new_page()
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.set_default_timeout(90_000)
    page.goto(f"{isolated_url}#/p/basic-ops")
    body = page.locator(".statement-body")
    expect(body).to_contain_text("covers the page")  # the hostile part is there, defused
    page.locator(".editor .cm-content").click()
    page.keyboard.insert_text("# mine\n")
    page.wait_for_function(f"() => (localStorage.getItem('{KEY}') || '').includes('# mine')")
    page.wait_for_timeout(500)  # an image error handler would have run by now
    assert page.evaluate("() => window.pwned") is None
    assert page.evaluate(f"() => localStorage.getItem('{KEY}')") is not None
    expect(page.locator("main")).to_be_visible()
    expect(page.locator(".editor .cm-content")).to_be_visible()
    assert body.locator("style, script, [onerror], a[href^='javascript']").count() == 0
    assert body.locator(".overlay[style], .spoof[style]").count() == 0
    assert page.evaluate("() => getComputedStyle(document.body).display") == "block"
    # basic-ops' own math is still KaTeX, with its MathML and its sizes
    assert body.locator(".katex").count() >= 5
    assert body.locator(".katex-mathml annotation[encoding='application/x-tex']").count() >= 5
    assert body.locator(".katex-html [style]").count() > 0
    assert any("removed from the statement as unsafe" in w for w in warnings), warnings


def test_every_shipped_statement_loses_nothing_to_the_sanitiser(context, isolated_url):
    """KaTeX's output and the statements' Markdown pass DOMPurify untouched: nothing is removed."""
    page = context.new_page()
    warnings: list[str] = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.set_default_timeout(90_000)
    for folder in sorted(p for p in BASIC.parent.iterdir() if (p / "statement.md").exists()):
        page.goto(f"{isolated_url}#/p/{folder.name}")
        expect(page.locator(".statement-body #problem-title")).to_be_visible()
        expect(page.locator(".crumbs")).to_be_visible()
        page.wait_for_function(f"() => location.hash === '#/p/{folder.name}'")
        has_math = "$" in (folder / "statement.md").read_text()
        if has_math:
            expect(page.locator(".statement-body .katex").first).to_be_visible()
    assert not [w for w in warnings if "removed from the statement" in w], warnings
