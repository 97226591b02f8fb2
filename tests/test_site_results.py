"""Results a learner can act on (issue #16), in real Chromium: inline code shown as code (and
never as HTML), the starter's one-line summary with its cards folded, case hints folded under a
diagnosis, the live case count, Solved and Next problem, the timeout's line, every edge of a
case graph, and "start from my Value" on the next problem.
"""

from __future__ import annotations

import re

import pytest
import test_site
from playwright.sync_api import expect
from test_site import REFERENCE, STARTER, TEXTBOOK, Site

from conftest import BASIC, patch

pytestmark = pytest.mark.browser


shared = test_site.shared  # one booted tab for this module too (a fixture is per module)


def test_backquoted_parts_of_messages_are_code_and_never_html(shared):
    shared.set_code((BASIC / "solutions/wrong/assign_instead_of_accumulate.py").read_text())
    shared.run()
    item = shared.page.locator(".case", has_text="Gradient accumulates when a value is reused").first
    message = item.locator(".case-message")
    expect(message).to_contain_text("x.grad: expected 2.0, got 1 in x + x")
    expect(message.locator("code")).to_have_text(["x.grad", "x + x"])
    assert "`" not in message.inner_text()
    # A learner's exception text with markup in backquotes stays text, inside a code element.
    shared.set_code(patch(REFERENCE, "def __add__(self, other):",
                          "def __add__(self, other):\n"
                          "        raise ValueError('see `<script>window.pwned=1</script><b>b</b>`')"))
    shared.run()
    code = shared.page.locator(".results-body .case-message code", has_text="<script>").first
    expect(code).to_have_text("<script>window.pwned=1</script><b>b</b>")
    assert shared.page.locator(".results-body script, .results-body b").count() == 0
    assert shared.page.evaluate("() => window.pwned") is None


def test_the_starter_gets_one_summary_naming_the_unwritten_methods_with_the_cards_folded(shared):
    shared.set_code(STARTER)
    report = shared.run()
    assert report["passed"] == 0 and all(t["status"] == "error" for t in report["tests"])
    line = shared.page.locator(".results-body .unwritten")
    expect(line).to_have_text(
        "Not written yet (each raises NotImplementedError): __add__, __mul__ and relu. "
        "All 39 cases stop at one of them: __add__ in 18 cases, __mul__ in 17 and relu in 4.")
    expect(line.locator("code")).to_have_text(["__add__", "__mul__", "relu", "__add__", "__mul__", "relu"])
    folded = shared.page.locator(".results-body details.unwritten-cases")
    expect(folded).not_to_have_attribute("open", "")
    expect(folded.locator("> summary")).to_have_text(
        "Show the 39 cases that stop at a method not written yet")
    expect(shared.page.locator(".results-body .case").first).to_be_hidden()
    # No repeat of the same thing as a diagnosis, and no card outside the fold.
    expect(shared.page.locator(".results-body .diagnosis")).to_have_count(0)
    expect(shared.page.locator(".results-body > ol.cases")).to_have_count(0)
    folded.locator("> summary").click()
    first = folded.locator(".case").first
    expect(first).to_be_visible()
    # The case's hints are about code not written yet: folded inside the card.
    expect(first.locator(".case-hint")).to_be_hidden()


def test_a_partly_written_class_keeps_the_other_failures_in_view(shared):
    # __add__, __mul__ and backward written, relu not: only the relu cases are folded.
    code = patch(REFERENCE, "    def relu(self):", "    def relu(self):\n        raise NotImplementedError")
    shared.set_code(code)
    report = shared.run()
    stopped = [t for t in report["tests"]
               if t["status"] == "error" and "NotImplementedError" in (t["message"] or "")]
    assert len(stopped) >= 2
    expect(shared.page.locator(".results-body .unwritten")).to_have_text(
        f"relu is not written yet (it raises NotImplementedError): {len(stopped)} cases stop there.")
    expect(shared.page.locator(".unwritten-cases .case")).to_have_count(len(stopped))


def test_case_hints_are_folded_under_a_diagnosis(shared):
    shared.set_code(patch(REFERENCE, "self.grad += (out.data > 0) * out.grad",
                          "self.grad += (out.data >= 0) * out.grad"))
    report = shared.run()
    assert report["diagnosis"] is not None
    expect(shared.page.locator(".results-body .diagnosis")).to_be_visible()
    item = shared.page.locator(".case", has_text="ReLU at exactly zero").first
    fold = item.locator("details.case-hints")
    expect(fold.locator("summary")).to_have_text("Hints for this case (the diagnosis above comes first)")
    expect(fold.locator(".hint-ladder")).to_be_hidden()
    fold.locator("summary").click()
    expect(fold.locator(".hint-next")).to_be_visible()


def test_a_run_shows_a_live_count_that_screen_readers_are_not_made_to_read(shared):
    shared.page.evaluate("""() => {
        window.seenCounts = [];
        new MutationObserver(() => {
            const p = document.querySelector('.results-body .run-progress');
            const text = p && p.textContent;
            if (text && !window.seenCounts.includes(text)) window.seenCounts.push(text);
            if (p) window.progressLive = p.getAttribute('aria-live');
        }).observe(document.querySelector('.results-body'),
                   {subtree: true, childList: true, characterData: true});
    }""")
    # Slow enough cases that the count is seen: each backward() waits 30 ms by the clock (a
    # fixed loop was over before the first 250 ms count on a fast machine: no count to see).
    shared.set_code(patch(REFERENCE, "    def backward(self):",
                          "    def backward(self):\n        import time\n"
                          "        start = time.perf_counter()\n"
                          "        while time.perf_counter() - start < 0.03: pass"))
    report = shared.run()
    seen = shared.page.evaluate("() => window.seenCounts")
    counts = [s for s in seen if s.startswith("Running case ")]
    assert counts, seen
    assert all(s.endswith(f" of {report['total']}…") for s in counts)
    assert shared.page.evaluate("() => window.progressLive") == "off"
    expect(shared.page.locator(".results-body .run-progress")).to_have_count(0)  # gone with the result


def test_all_passed_marks_the_problem_solved_and_offers_the_next_one(context, isolated_url):
    site = Site(context.new_page(), isolated_url)
    page = site.page
    expect(page.locator(".solved-mark")).to_have_count(0)
    site.set_code(TEXTBOOK)
    site.run()
    expect(page.locator(".solved-mark")).to_have_text("✓ Solved")
    link = page.locator(".results-body a.next-problem")
    expect(link).to_have_text("Next problem: Trace it by hand: values, then gradients →")
    page.reload()
    expect(page.locator(".editor .cm-content")).to_be_visible()
    expect(page.locator(".solved-mark")).to_have_text("✓ Solved")  # remembered
    site.run()
    page.locator(".results-body a.next-problem").click()
    expect(page).to_have_url(isolated_url + "#/p/trace-by-hand")
    expect(page.locator(".solved-mark")).to_have_count(0)


GEOMETRY = """svg => {
    const rects = [...svg.querySelectorAll('.graph-node')].map(g => {
        const r = g.querySelector('rect');
        return {id: g.dataset.node, x: +r.getAttribute('x'), y: +r.getAttribute('y'),
                w: +r.getAttribute('width'), h: +r.getAttribute('height'),
                texts: [...g.querySelectorAll('text:not(.graph-first-tag)')].map(t => {
                    const b = t.getBBox(); return {x: b.x, w: b.width, text: t.textContent}; })};
    });
    const edges = [...svg.querySelectorAll('.graph-edge')].map(p => {
        const n = p.getTotalLength(), points = [];
        for (let i = 1; i < 40; i++) { const q = p.getPointAtLength(n * i / 40); points.push([q.x, q.y]); }
        return {from: p.dataset.from, to: p.dataset.to, d: p.getAttribute('d'), points};
    });
    return {rects, edges};
}"""


def graph_geometry(shared, case_name: str) -> dict:
    item = shared.page.locator(".case", has_text=case_name).first
    item.locator(".case-graph > summary").click()
    svg = item.locator(".graph-svg")
    expect(svg).to_be_visible()
    return svg.evaluate(GEOMETRY)


def inside(point, rect, margin=2.0) -> bool:
    x, y = point
    return (rect["x"] + margin < x < rect["x"] + rect["w"] - margin
            and rect["y"] + margin < y < rect["y"] + rect["h"] - margin)


@pytest.mark.parametrize(("case_name", "used_twice", "twice_to_one"), [
    ("Product-plus-self", "x", False),          # x*y + x: one edge into *, one into +
    ("Gradient accumulates when a value is reused", "x", True),  # x + x: both into +
])
def test_the_graph_draws_an_edge_for_every_use_none_behind_a_node_and_labels_fit(
        shared, case_name, used_twice, twice_to_one):
    # The seed missing: wrong grads, so the labels carry "(want ...)" too.
    shared.set_code((BASIC / "solutions/wrong/missing_output_seed.py").read_text())
    report = shared.run()
    graph = next(t for t in report["tests"] if t["name"].startswith(case_name))["graph"]
    uses = sum(node["inputs"].count(used_twice) for node in graph["nodes"])
    assert uses == 2
    geometry = graph_geometry(shared, case_name)
    edges = geometry["edges"]
    assert len(edges) == sum(len(node["inputs"]) for node in graph["nodes"])
    from_x = [e for e in edges if e["from"] == used_twice]
    assert len(from_x) == 2 and from_x[0]["d"] != from_x[1]["d"]
    assert (from_x[0]["to"] == from_x[1]["to"]) is twice_to_one
    for edge in edges:  # no edge runs behind a box it does not join
        for rect in geometry["rects"]:
            if rect["id"] in (edge["from"], edge["to"]):
                continue
            assert not any(inside(p, rect) for p in edge["points"]), (edge, rect["id"])
    for rect in geometry["rects"]:  # every label inside its box, none cut
        for text in rect["texts"]:
            assert "…" not in text["text"]
            assert rect["x"] < text["x"] and text["x"] + text["w"] <= rect["x"] + rect["w"] - 2, (rect, text)
    assert any("(want " in t["text"] for r in geometry["rects"] for t in r["texts"])


def test_problem_one_explains_how_a_value_remembers_its_graph_without_the_solution(context, isolated_url):
    site = Site(context.new_page(), isolated_url)
    statement = site.page.locator(".statement-body")
    expect(statement.get_by_role("heading", name="How a Value remembers its graph")).to_be_visible()
    sketch = statement.locator("pre", has_text="out._backward = _backward")
    expect(sketch).to_contain_text("self._inputs = inputs")
    # The structure, not the answer: no rule body, no backward().
    text = sketch.inner_text()
    assert "self.grad +=" not in text and "other.grad +=" not in text and "def backward" not in text


def test_the_next_problem_offers_to_start_from_my_value_and_says_what_it_lacks(context, isolated_url):
    page = context.new_page()
    site = Site(page, isolated_url)
    # My Value from problem 1, with one extra of problem 2's methods already written by hand.
    mine = TEXTBOOK.replace("    def backward(self):", "    __radd__ = __add__\n\n    def backward(self):")
    site.set_code(mine)
    site.wait_saved(mine)
    # Problem 1 itself offers nothing of the kind (nothing comes before it).
    expect(page.locator("button.carry")).to_have_count(0)
    page.goto(f"{isolated_url}#/p/more-ops")
    button = page.get_by_role("button", name="Start from my Value from problem 1")
    expect(button).to_be_visible()
    expect(button).to_have_attribute("title", re.compile("“Implementing basic autograd operations”"))
    starter = site.code
    assert "def __sub__" in starter
    page.once("dialog", lambda d: d.dismiss())  # asked first: dismissing keeps the starter
    button.click()
    assert site.code == starter
    page.once("dialog", lambda d: d.accept())
    button.click()
    assert site.code == mine
    banner = page.locator("#banner-reset")
    expect(banner).to_contain_text(
        "Your Value has no __neg__, __sub__, __truediv__, __pow__, __rmul__, __rsub__, __rtruediv__ "
        "yet: this problem's starter has them.")
    expect(banner.locator("code").first).to_have_text("__neg__")
    banner.get_by_role("button", name="Undo").click()
    assert site.code == starter
