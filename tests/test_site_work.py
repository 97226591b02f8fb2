"""A learner's code is their work: never lose it (the "Trust" issue), in real Chromium.

Two tabs that keep saving after the conflict banner is closed, all-or-nothing imports, a warning
when storage is blocked or looks private, long messages that wrap instead of widening the page,
and statements whose HTML is sanitised.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from test_site import TEXTBOOK, Site

from conftest import REFERENCE, patch

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
    expect(second.page.locator(".cm-content")).to_be_visible()
    assert second.code == mine


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
