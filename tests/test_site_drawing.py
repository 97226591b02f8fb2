"""The playground's drawing of a learner's Value graph (web/src/drawing.ts), in real Chromium.

Fixture drawings are built here and validated against play.schema.json's `drawing`, then handed to
window.gradlab.renderDrawing on a problem page: two edges for a value used twice, every node's
numbers in the figure and the table, the backward step-through (buttons and keys), the comparison
with the reference engine, and a 500-node graph that never widens the page.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from playwright.sync_api import expect
from test_site import Site

pytestmark = pytest.mark.browser

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "engine/schemas/play.schema.json").read_text())
DRAWING = jsonschema.Draft202012Validator({"$defs": SCHEMA["$defs"], "$ref": "#/$defs/drawing"})


def checked(drawing: dict) -> dict:
    DRAWING.validate(drawing)
    return drawing


def node(id_: str, label: str | None, op: str | None, data, grad) -> dict:
    return {"id": id_, "label": label, "op": op, "data": data, "grad": grad}


def edge(a: str, b: str) -> dict:
    return {"from": a, "to": b}


def write(node_id: str, before, after, rule: str | None) -> dict:
    return {"node": node_id, "before": before, "after": after, "rule": rule}


# x = Value(2); y = Value(3); out = x*y + x; draw(out, steps=True)
XY_STEPS = [write("n0", 0, 1, None), write("n1", 0, 1, "n0"), write("n2", 0, 1, "n0"),
            write("n2", 1, 4, "n1"), write("n3", 0, 2, "n1")]


def xy_plus_x(steps: list[dict] | None = None) -> dict:
    return checked({
        "title": "out",
        "nodes": [node("n0", "out", "+", 8, 1), node("n1", None, "*", 6, 1),
                  node("n2", "x", None, 2, 4), node("n3", "y", None, 3, 2)],
        "edges": [edge("n1", "n0"), edge("n2", "n0"), edge("n2", "n1"), edge("n3", "n1")],
        "output": "n0", "truncated": False, "note": None,
        "steps": None if steps is None else {"steps": steps, "truncated": False, "error": None},
    })


def x_plus_x() -> dict:
    return checked({
        "title": "s", "nodes": [node("n0", "s", "+", 4, 1), node("n1", "x", None, 2, 2)],
        "edges": [edge("n1", "n0"), edge("n1", "n0")],
        "output": "n0", "truncated": False, "note": None,
    })


def mlp(examples: int) -> dict:
    """A graph shaped like an MLP(3, [4, 4, 1])'s squared loss over `examples` inputs, ids from the
    output as the playground numbers them (n0 = the drawn value)."""
    inputs: list[list[int]] = []
    ops: list[str | None] = []

    def make(op: str | None, *ins: int) -> int:
        inputs.append(list(ins))
        ops.append(op)
        return len(ops) - 1

    sizes = ((3, 4), (4, 4), (4, 1))
    layers = [[([make(None) for _ in range(nin)], make(None)) for _ in range(nout)] for nin, nout in sizes]
    loss = None
    for _ in range(examples):
        xs = [make(None) for _ in range(3)]
        for layer in layers:
            outs = []
            for ws, b in layer:
                s = b
                for w, x in zip(ws, xs, strict=True):
                    s = make("+", s, make("*", w, x))
                outs.append(make("tanh", s))
            xs = outs
        d = make("+", xs[0], make(None))
        sq = make("*", d, d)
        loss = sq if loss is None else make("+", loss, sq)
    assert loss is not None
    order, seen = [loss], {loss}
    for i in order:  # breadth-first from the output, like the playground's walk
        for j in inputs[i]:
            if j not in seen:
                seen.add(j)
                order.append(j)
    name = {old: f"n{new}" for new, old in enumerate(order)}
    return checked({
        "title": "loss",
        "nodes": [node(name[i], "loss" if i == loss else None, ops[i], round(0.1 * k, 3), round(-0.01 * k, 4))
                  for k, i in enumerate(order)],
        "edges": [edge(name[j], name[i]) for i in order for j in inputs[i]],
        "output": name[loss], "truncated": False, "note": None,
    })


@pytest.fixture
def page(context, isolated_url):
    site = Site(context.new_page(), isolated_url)
    site.page.wait_for_function("() => !!window.gradlab")
    site.page.wait_for_selector(".playground .console")  # where draw() puts its figures
    return site.page


def render(page, drawing: dict, compare: bool = False) -> None:
    page.evaluate("""async ([d, compare]) => {
        const box = document.createElement('div');
        box.id = 'drawing-test';
        document.querySelector('.playground .console').append(box);  // where draw() puts it
        window.compared = 0;
        const options = compare ? { onCompare: () => window.compared++ } : undefined;
        await window.gradlab.renderDrawing(box, d, options);
    }""", [drawing, compare])


EDGE_CLEAR_OF_NODES = """() => {
    // Sample every edge; no point may fall inside a node's box (an edge hidden behind a node).
    const rects = [...document.querySelectorAll('#drawing-test .drawing-node rect')].map(r => r.getBBox());
    const bad = [];
    for (const path of document.querySelectorAll('#drawing-test .drawing-edge')) {
        const length = path.getTotalLength();
        for (let s = 0; s <= length; s += 4) {
            const p = path.getPointAtLength(s);
            const inside = r => p.x > r.x + 1 && p.x < r.x + r.width - 1
                && p.y > r.y + 1 && p.y < r.y + r.height - 1;
            if (rects.some(inside)) {
                bad.push(path.dataset.from + '->' + path.dataset.to);
                break;
            }
        }
    }
    return bad;
}"""


def edge_paths(page, **where: str) -> list[str]:
    sel = "".join(f'[data-{k}="{v}"]' for k, v in where.items())
    paths = page.locator(f"#drawing-test .drawing-edge{sel}")
    return paths.evaluate_all("ps => ps.map(p => p.getAttribute('d'))")


LOADED_RENDERER = ("() => performance.getEntriesByType('resource')"
                   ".some(e => e.name.includes('/assets/drawing-'))")


def test_a_value_used_twice_has_two_distinct_edges_and_every_number_is_shown(page):
    assert not page.evaluate(LOADED_RENDERER)  # a problem page does not pay for the renderer
    render(page, xy_plus_x())
    assert page.evaluate(LOADED_RENDERER)
    # x*y + x: x goes into * and into +, two paths of different geometry, one per edge.
    from_x = edge_paths(page, **{"from": "n2"})
    assert len(from_x) == 2 and from_x[0] != from_x[1]
    assert len(edge_paths(page, to="n0")) == 2
    assert page.evaluate(EDGE_CLEAR_OF_NODES) == []
    svg = page.locator("#drawing-test svg")
    assert svg.get_attribute("aria-hidden") == "true"
    svg_text = svg.text_content()
    rows = page.locator("#drawing-test table tbody tr")
    expect(rows).to_have_count(4)
    for n in xy_plus_x()["nodes"]:
        assert f"data {n['data']}" in svg_text and f"grad {n['grad']}" in svg_text
        cells = page.locator(f'#drawing-test tr[data-node="{n["id"]}"] td').all_text_contents()
        assert str(n["data"]) == cells[2] and str(n["grad"]) == cells[3]
    assert page.locator('#drawing-test tr[data-node="n0"] td').nth(1).text_content() == "n1, x"
    expect(page.locator("#drawing-test figcaption")).to_have_text("draw(out)")
    # No steps, no comparison asked for: no step controls, no Compare button.
    expect(page.locator("#drawing-test .drawing-step-controls")).to_have_count(0)
    expect(page.get_by_role("button", name="Compare with the reference engine")).to_have_count(0)

    page.evaluate("() => document.getElementById('drawing-test').remove()")
    render(page, x_plus_x())
    twice = edge_paths(page, **{"from": "n1", "to": "n0"})
    assert len(twice) == 2 and twice[0] != twice[1]
    assert page.locator('#drawing-test tr[data-node="n0"] td').nth(1).text_content() == "x, x"


def test_stepping_through_backward_shows_each_grad_as_of_the_step(page):
    render(page, xy_plus_x(XY_STEPS))
    count = page.locator("#drawing-test .drawing-step-count")
    words = page.locator("#drawing-test .drawing-step-words")
    x_grad_svg = page.locator('#drawing-test g[data-node="n2"] .drawing-grad')
    x_grad_cell = page.locator('#drawing-test tr[data-node="n2"] td').nth(3)
    out_grad = page.locator('#drawing-test g[data-node="n0"] .drawing-grad')
    expect(count).to_have_text("Step 0 of 5")
    expect(out_grad).to_have_text("grad 0")  # before backward: the first write's `before`
    expect(x_grad_svg).to_have_text("grad 0")

    page.get_by_role("button", name="Next").click()
    expect(count).to_have_text("Step 1 of 5")
    expect(words).to_have_text("out.grad: 0 → 1")  # the seed: rule null, no "written by"
    expect(out_grad).to_have_text("grad 1")
    assert "written by" not in words.text_content()
    assert words.get_attribute("aria-live") == "polite"

    page.get_by_role("button", name="Next").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(count).to_have_text("Step 3 of 5")
    expect(words).to_have_text("x.grad: 0 → 1 (written by the rule of out)")
    expect(x_grad_svg).to_have_text("grad 1")
    expect(x_grad_cell).to_have_text("1")
    expect(page.locator("#drawing-test .drawing-node-written")).to_have_attribute("data-node", "n2")
    expect(page.locator("#drawing-test .drawing-node-rule")).to_have_attribute("data-node", "n0")

    page.keyboard.press("ArrowRight")
    expect(words).to_have_text("x.grad: 1 → 4 (written by the rule of n1 (*))")
    expect(x_grad_cell).to_have_text("4")
    page.keyboard.press("ArrowLeft")
    expect(count).to_have_text("Step 3 of 5")
    expect(x_grad_cell).to_have_text("1")
    page.get_by_role("button", name="Back").click()
    expect(count).to_have_text("Step 2 of 5")
    page.keyboard.press("End")
    expect(count).to_have_text("Step 5 of 5")
    expect(page.locator('#drawing-test g[data-node="n3"] .drawing-grad')).to_have_text("grad 2")
    page.keyboard.press("ArrowRight")  # past the end: stays
    expect(count).to_have_text("Step 5 of 5")
    page.keyboard.press("Home")
    expect(count).to_have_text("Step 0 of 5")
    expect(x_grad_cell).to_have_text("0")


def test_truncated_steps_and_an_error_in_backward_are_said(page):
    drawing = xy_plus_x(XY_STEPS[:2])
    drawing["steps"]["truncated"] = True
    drawing["steps"]["error"] = {"type": "TypeError", "message": "unsupported operand",
                                 "frames": [], "omitted": 0}
    drawing["note"] = "inputs found through _prev"
    render(page, checked(drawing))
    text = page.locator("#drawing-test").text_content()
    assert "backward() raised TypeError: unsupported operand" in text
    assert "only the first 2 writes" in text
    assert "inputs found through _prev" in text


def test_comparison_marks_the_first_step_that_differs(page):
    # The learner's backward sets x.grad (=) where it should add (+=): step 4 writes 3, not 4.
    mine = copy.deepcopy(XY_STEPS)
    mine[3] = write("n2", 1, 3, "n1")
    drawing = xy_plus_x(mine)
    for n in drawing["nodes"]:
        if n["id"] == "n2":
            n["grad"] = 3
    drawing["reference"] = xy_plus_x(XY_STEPS)
    render(page, checked(drawing), compare=True)
    page.get_by_role("button", name="Compare with the reference engine").click()
    assert page.evaluate("() => window.compared") == 1
    expect(page.locator("#drawing-test .drawing-compare-summary")).to_have_text("First difference at step 4.")
    # The table: the learner's final grad beside the reference's, matched by label.
    cells = page.locator('#drawing-test tr[data-node="n2"] td').all_text_contents()
    assert cells[3:] == ["0", "3", "4"]  # at step 0, final, the reference's final
    assert page.locator('#drawing-test tr[data-node="n1"] td').nth(5).text_content() == "no name to match by"
    words = page.locator("#drawing-test .drawing-step-words")
    page.get_by_role("button", name="Go to the first difference (step 4)").click()
    expect(page.locator("#drawing-test .drawing-step-count")).to_have_text("Step 4 of 5")
    rule = "(written by the rule of n1 (*))"
    expect(words.locator(".drawing-step-mine")).to_have_text(f"Yours: x.grad: 1 → 3 {rule}")
    expect(words.locator(".drawing-step-ref")).to_have_text(f"Reference engine: x.grad: 1 → 4 {rule}")
    expect(words).to_contain_text("First difference: step 4.")
    page.get_by_role("button", name="Back").click()
    assert "First difference" not in words.text_content()

    # Same steps: no difference is claimed.
    page.evaluate("() => document.getElementById('drawing-test').remove()")
    same = xy_plus_x(XY_STEPS)
    same["reference"] = xy_plus_x(XY_STEPS)
    render(page, checked(same))
    expect(page.locator("#drawing-test .drawing-compare-summary")).to_have_text(
        "Your 5 writes and the reference engine's are the same, step by step.")
    expect(page.get_by_role("button", name="Compare with the reference engine")).to_have_count(0)


def test_a_medium_graph_keeps_every_edge_clear_of_the_nodes(page):
    drawing = mlp(1)
    drawing["steps"] = {"steps": [write("n0", 0, 1, None), write("n1", 0, 1, "n0")], "truncated": False}
    render(page, checked(drawing))
    assert page.locator("#drawing-test .drawing-edge").count() == len(drawing["edges"])
    assert page.evaluate(EDGE_CLEAR_OF_NODES) == []
    # Over 60 nodes the table starts closed; opened at step 1, it shows the grads of step 1.
    page.get_by_role("button", name="Next").click()
    page.locator("#drawing-test details.drawing-table-details summary").click()
    grads = [page.locator(f'#drawing-test tr[data-node="{n}"] td').nth(3) for n in ("n0", "n1")]
    expect(grads[0]).to_have_text("1")
    expect(grads[1]).to_have_text("0")
    page.get_by_role("button", name="Next").click()
    expect(grads[1]).to_have_text("1")


def test_a_value_used_all_along_a_loop_keeps_its_long_edges_clear_of_the_nodes(page):
    # y = x; for _ in range(70): y = y*x + 1  (x feeds every step: edges spanning up to 140
    # columns, more than the layout's budget of slots, so the longest run in lanes below)
    nodes, edges = [], []
    count = 70
    for i in range(count):  # ids from the output: n(2i) = the +, n(2i+1) = the *
        plus, times = f"n{2 * i}", f"n{2 * i + 1}"
        nodes += [node(plus, "y" if i == 0 else None, "+", i, 1), node(times, None, "*", i, 1)]
        inner = f"n{2 * i + 2}"  # the previous y: the next + in, or x itself at the start
        edges += [edge(times, plus), edge(inner, times), edge(f"n{2 * count}", times)]
    nodes.append(node(f"n{2 * count}", "x", None, 2, 9))
    drawing = checked({"title": "y", "nodes": nodes, "edges": edges, "output": "n0",
                       "truncated": False, "note": None})
    render(page, drawing)
    assert page.locator("#drawing-test .drawing-edge").count() == len(edges)
    assert page.evaluate(EDGE_CLEAR_OF_NODES) == []
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")


@pytest.mark.parametrize("width", [1280, 420])
def test_a_500_node_graph_never_widens_the_page(page, width):
    page.set_viewport_size({"width": width, "height": 800})
    drawing = mlp(6)
    assert 450 <= len(drawing["nodes"]) <= 600
    render(page, drawing)
    expect(page.locator("#drawing-test .drawing-node")).to_have_count(len(drawing["nodes"]))
    assert page.locator("#drawing-test .drawing-edge").count() == len(drawing["edges"])
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    # Past 60 nodes the table starts closed; opening it does not widen the page either.
    details = page.locator("#drawing-test details.drawing-table-details")
    expect(details).not_to_have_attribute("open", "")
    details.locator("summary").click()
    expect(page.locator("#drawing-test table tbody tr")).to_have_count(len(drawing["nodes"]))
    assert page.evaluate("() => document.documentElement.scrollWidth <= innerWidth")
    # ... and in a box as narrow as a phone's console, its headings keep their words whole (one
    # line each, "Operation" not "Operat ion"): the table scrolls sideways in its own box instead
    page.evaluate("() => { document.getElementById('drawing-test').style.width = '300px'; }")
    assert page.evaluate("() => { const box = document.querySelector("
                         "'#drawing-test .drawing-table-scroll');"
                         " return box.scrollWidth > box.clientWidth; }")
    heights = page.locator("#drawing-test table thead th").evaluate_all(
        "ths => ths.map(th => th.getBoundingClientRect().height)")
    assert max(heights) - min(heights) < 2, heights
