"""A learner's code is their work: never lose it (the "Trust" issue), in real Chromium.

Two tabs that keep saving after the conflict banner is closed, all-or-nothing imports, a warning
when storage is blocked or looks private, long messages that wrap instead of widening the page,
and statements whose HTML is sanitised.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from conftest import REFERENCE, patch
from test_site import TEXTBOOK, Site

pytestmark = pytest.mark.browser

KEY = "gradlab:v1:code:basic-ops"


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1300, "height": 900}, service_workers="block")
    yield ctx
    ctx.close()


def stored_code(page, slug: str = "basic-ops") -> str | None:
    return page.evaluate("slug => JSON.parse(localStorage.getItem(`gradlab:v1:code:${slug}`) || 'null')?.code ?? null",
                         slug)


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
