"""The training figure in real Chromium (issue #18): after a run of the classification problem the
training case shows the loss curve and the decision boundary drawn from the report's numbers,
with a sentence that says the same numbers, in the page's colours (dark scheme too)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from test_site import Site
from test_site_a11y import assert_accessible

from conftest import REPO

pytestmark = pytest.mark.browser

CLASSIFY = REPO / "hidden_tests" / "classification"
TRAINING = "Training a 2-8-2 MLP"


def short(x: float) -> str:
    """figures.ts's short(): two significant figures (as JavaScript prints them from 1e-6 on), and
    from 1e5 on in exponent form."""
    return f"{x:.1e}" if abs(x) >= 1e5 else f"{float(f'{x:.2g}'):.15g}"


@pytest.fixture(scope="module")
def tab(browser, isolated_url):
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    yield Site(ctx.new_page(), isolated_url, slug="classification")
    ctx.close()


def test_a_correct_run_draws_the_loss_curve_and_the_boundary_from_the_report(tab):
    tab.set_code((CLASSIFY / "solutions/correct/log_softmax_helper.py").read_text())
    report = tab.run()
    assert report["status"] == "pass", report["message"]
    test = next(t for t in report["tests"] if t["name"].startswith(TRAINING))
    fig = test["figure"]
    item = tab.page.locator(".results-body .case", has_text=TRAINING)
    figure = item.locator("figure.training-figure")
    expect(figure).to_be_visible()
    # The loss line: one point per step, falling from left to right (SVG y grows downwards).
    points = figure.locator("polyline.figure-line").get_attribute("points").split()
    assert len(points) == len(fig["losses"]) == 30
    ys = [float(p.split(",")[1]) for p in points]
    assert ys[-1] > ys[0]
    # The plane: every grid cell, coloured by the predicted class, and every point by its label.
    size = fig["grid"]["size"]
    cells = figure.locator("rect.figure-cell")
    expect(cells).to_have_count(size * size)
    ones = sum(p >= 0.5 for p in fig["grid"]["scores"])
    expect(figure.locator("rect.figure-cell.figure-class1")).to_have_count(ones)
    labels = [p[2] for p in fig["points"]]
    expect(figure.locator("rect.figure-point.figure-class1")).to_have_count(labels.count(1))
    expect(figure.locator("circle.figure-point.figure-class0")).to_have_count(labels.count(0))
    # The text alternative says the report's numbers.
    losses = fig["losses"]
    sentence = (f"Loss fell from {short(losses[0])} to {short(losses[-1])} over {len(losses)} steps; "
                f"accuracy {round(fig['accuracy'] * 100)}% on {len(fig['points'])} points.")
    expect(figure.locator("figcaption")).to_have_text(sentence)
    expect(figure.get_by_role("img")).to_have_accessible_name(sentence)
    assert re.search(r"accuracy (9\d|100)%", sentence)
    figure.scroll_into_view_if_needed()
    figure.screenshot(path="/tmp/classify.png")
    # Colours come from the page's variables, so the dark scheme redraws them.
    fill = "(() => getComputedStyle(document.querySelector('rect.figure-cell.figure-class0')).fill)()"
    accent = "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()"
    light = tab.page.evaluate(fill)
    tab.page.emulate_media(color_scheme="dark")
    dark = tab.page.evaluate(fill)
    assert light != dark and dark == _rgb(tab.page.evaluate(accent))
    tab.page.emulate_media(color_scheme="light")
    assert_accessible(tab.page, "a run with a training figure")


def test_a_failing_run_draws_too_and_says_the_loss_rose(tab):
    tab.set_code((CLASSIFY / "solutions/wrong/train_climbs_the_gradient.py").read_text())
    report = tab.run()
    test = next(t for t in report["tests"] if t["name"].startswith(TRAINING))
    assert test["status"] == "failed" and test["figure"] is not None
    figure = tab.page.locator(".results-body .case", has_text=TRAINING).locator("figure.training-figure")
    losses = test["figure"]["losses"]
    assert losses[-1] > 1e5  # the climb blows the loss up: said in exponent form, as on the axis
    expect(figure.locator("figcaption")).to_contain_text(
        f"Loss rose from {short(losses[0])} to {short(losses[-1])} over 30 steps")
    expect(figure.locator("text.figure-label").first).to_have_text(short(losses[-1]))
    figure.screenshot(path="/tmp/classify-failing.png")


def _rgb(hex_colour: str) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgb({r}, {g}, {b})"
