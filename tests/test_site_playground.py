"""The playground ("Try it", issue #15) in real Chromium: scratch code run after the learner's
solution, its console (streamed output, the cap, the echo, a traceback whose frames link to
lines), the time limit and Stop with and without isolation, saving, and Open in playground.
"""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect
from test_site import TEXTBOOK, Site, import_progress

from conftest import BASIC

pytestmark = pytest.mark.browser

SCRATCH_KEY = "gradlab:v1:scratch:basic-ops"


class Playground(Site):
    """A problem page driven through its Try it area."""

    @property
    def scratch(self) -> str:
        return self.page.evaluate("() => window.gradlab.scratchText()")

    def set_scratch(self, code: str) -> None:
        self.page.locator(".scratch-editor .cm-content").click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.insert_text(code)

    def start_play(self, via_keyboard: bool = False) -> None:
        self.page.evaluate("() => { window.gradlab.lastPlay = null; }")
        if via_keyboard:
            self.page.locator(".editor .cm-content").press("Shift+Enter")
        else:
            self.page.get_by_role("button", name="Run", exact=True).click()

    def wait_played(self) -> dict:
        self.page.wait_for_function("() => window.gradlab.lastPlay !== null", timeout=60_000)
        return self.page.evaluate("() => window.gradlab.lastPlay")

    def play(self, scratch: str | None = None, via_keyboard: bool = False) -> dict:
        if scratch is not None:
            self.set_scratch(scratch)
        self.start_play(via_keyboard)
        return self.wait_played()

    def wait_scratch_saved(self, code: str) -> None:
        self.page.wait_for_function(
            "([key, code]) => JSON.parse(localStorage.getItem(key) || '{}').code === code",
            arg=[SCRATCH_KEY, code])

    def console(self, part: str = "") -> str:
        return self.page.locator(f".console {part}".strip()).inner_text()


@pytest.fixture(scope="module")
def shared(browser, isolated_url):
    """One booted tab with a correct solution, reused by the tests that only run code."""
    ctx = browser.new_context(viewport={"width": 1300, "height": 900})
    site_page = Playground(ctx.new_page(), isolated_url)
    site_page.set_code(TEXTBOOK)
    yield site_page
    ctx.close()


def test_the_default_scratch_code_runs_on_a_correct_solution_and_draws(shared):
    # Nothing saved yet: the example, the same for every problem, pointing out draw().
    assert "draw(b, steps=True)" in shared.scratch and "# " in shared.scratch
    result = shared.play()
    assert result["status"] == "ok" and result["error"] is None
    assert shared.console(".console-output") == "5.0\n"  # a = 2: b = a*a + a, db/da = 2a + 1
    [drawing] = result["drawings"]
    assert len(drawing["nodes"]) >= 3 and drawing["steps"] is not None
    expect(shared.page.locator(".console .console-drawing")).to_have_count(1)


def test_prints_arrive_in_order_stderr_apart_capped_with_a_note_and_the_last_expression_echoed(shared):
    result = shared.play(
        "import sys\n"
        "for i in range(3):\n"
        "    print('line', i)\n"
        "print('oops', file=sys.stderr)\n"
        "print('after')\n"
        "a = Value(2.0)\n"
        "(a * a).data\n",
        via_keyboard=True)  # Shift+Enter in the solution editor runs the scratch code too
    assert result["status"] == "ok" and result["echo"] == "4.0"
    assert shared.console(".console-output") == "line 0\nline 1\nline 2\noops\nafter\n"
    assert shared.console(".console-stderr") == "oops\n"
    assert shared.console(".console-echo") == "Out: 4.0"
    expect(shared.page.locator(".console .console-dropped")).to_have_count(0)

    result = shared.play("print('y' * 250_000)\nprint('never shown')\n")
    assert result["output_dropped"] > 50_000
    shown = shared.console(".console-output")
    assert shown.startswith("yyyy") and "never shown" not in shown and len(shown) < 250_000
    note = f"… {result['output_dropped']:,} more characters not shown (output is capped)"
    assert shared.console(".console-dropped") == note
    # A 200,000-character line wraps inside the console, which scrolls: the page never widens.
    assert shared.page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert shared.page.evaluate(
        "() => { const c = document.querySelector('.console'); return c.scrollHeight > c.clientHeight"
        " && c.clientHeight < window.innerHeight; }")
    # Each Run starts from an empty console.
    shared.play("print('fresh')\n")
    assert shared.console(".console-output") == "fresh\n"
    expect(shared.page.locator(".console .console-dropped")).to_have_count(0)


def test_traceback_frames_link_to_their_lines_in_the_scratch_and_the_solution_editor(shared):
    result = shared.play("x = 1\n\ndef f(v):\n    return v + 'text'\n\nf(Value(1.0))\n")
    assert result["status"] == "error" and result["error"]["type"] == "TypeError"
    frames = result["error"]["frames"]
    assert [(f["file"], f["line"]) for f in frames[:2]] == [("scratch", 6), ("scratch", 4)]
    inner = frames[-1]
    assert inner["file"] == "solution" and TEXTBOOK.splitlines()[inner["line"] - 1].strip() == inner["text"]
    expect(shared.page.locator(".console-traceback-head")).to_have_text("Traceback (your code only):")
    expect(shared.page.locator(".console-frame").nth(1)).to_contain_text(
        "scratch line 4, in f: return v + 'text'")

    shared.page.get_by_role("button", name="scratch line 4", exact=True).click()
    expect(shared.page.locator(".scratch-editor .cm-activeLine")).to_have_text("    return v + 'text'")
    expect(shared.page.locator(".scratch-editor .cm-error-line")).to_have_count(1)
    assert shared.page.evaluate("() => !!document.activeElement.closest('.scratch-editor')")

    shared.page.get_by_role("button", name=f"your code line {inner['line']}", exact=True).click()
    solution_line = TEXTBOOK.splitlines()[inner["line"] - 1]
    expect(shared.page.locator(".editor .cm-activeLine")).to_have_text(solution_line)
    expect(shared.page.locator(".editor .cm-error-line")).to_have_count(1)
    assert shared.page.evaluate("() => !!document.activeElement.closest('.editor')")


def test_run_tests_still_works_after_a_play_and_the_two_never_run_at_once(shared):
    shared.set_scratch("import time\nprint('x' * 5000)\nwhile True:\n    time.sleep(0.01)\n")
    shared.start_play()
    # The output is on screen while the code still runs (it streams), and Run tests waits.
    expect(shared.page.locator(".console .console-output")).to_contain_text("xxxxx")
    expect(shared.page.get_by_role("button", name="Run tests")).to_be_disabled()
    expect(shared.page.get_by_role("button", name="Running…")).to_be_visible()
    shared.page.get_by_role("button", name="Stop the scratch run").click()
    assert shared.wait_played()["status"] == "stopped"
    report = shared.run()
    assert report["status"] == "pass" and report["passed"] == report["total"] == 39
    expect(shared.page.get_by_role("button", name="Run", exact=True)).to_be_enabled()


@pytest.mark.parametrize("mode", ["isolated", "plain"])
def test_an_endless_scratch_loop_is_stopped_by_the_time_limit_and_by_stop_then_run_works(
        context, isolated_url, plain_url, mode):
    site_page = Playground(context.new_page(), isolated_url if mode == "isolated" else plain_url)
    page = site_page.page
    assert page.evaluate("crossOriginIsolated") is (mode == "isolated")
    site_page.set_code(TEXTBOOK)

    result = site_page.play("print('before')\nwhile True: pass\n")
    assert result["status"] == "timeout"
    expect(page.locator(".console .console-ended")).to_have_text(
        "Stopped after 5 s: your code was still running (an infinite loop?).")
    if mode == "isolated":
        expect(page.locator(".console .console-output")).to_have_text("before\n")
        expect(page.locator(".console .console-lost")).to_have_count(0)
    else:  # the worker was replaced with the text still in Python's buffer: said, not hidden
        expect(page.locator(".console .console-lost")).to_contain_text("may be missing")

    site_page.set_scratch("print('z' * 5000)\nwhile True: pass\n")
    site_page.start_play()
    expect(page.locator(".console .console-output")).to_contain_text("zzzz")  # streamed, still running
    page.get_by_role("button", name="Stop the scratch run").click()
    assert site_page.wait_played()["status"] == "stopped"
    expect(page.locator(".console .console-ended")).to_have_text(
        "Stopped: you pressed Stop before your code finished.")
    if mode == "plain":
        assert page.evaluate("() => window.gradlab.replacements") >= 2  # no interrupt: new workers

    result = site_page.play("v = Value(3.0) * 2\nv.data\n")
    assert result["status"] == "ok" and result["echo"] == "6.0"
    assert site_page.run()["status"] == "pass"


def test_scratch_code_survives_reload_and_moves_with_export_and_import(browser, isolated_url, tmp_path):
    ctx = browser.new_context()
    site_page = Playground(ctx.new_page(), isolated_url)
    mine = "# my experiment\nprint(Value(1.5).data)\n"
    site_page.set_scratch(mine)
    site_page.wait_scratch_saved(mine)
    site_page.page.reload()
    expect(site_page.page.locator(".scratch-editor .cm-content")).to_be_visible()
    assert site_page.scratch == mine
    site_page.set_code(TEXTBOOK)
    with site_page.page.expect_download() as download:
        site_page.page.get_by_role("button", name="Export progress").click()
    path = tmp_path / "export.json"
    download.value.save_as(path)
    ctx.close()
    entry = json.loads(path.read_text())["problems"]["basic-ops"]
    assert entry["scratch"] == mine and entry["code"] == TEXTBOOK

    fresh = browser.new_context()
    page = fresh.new_page()
    import_progress(page, isolated_url, path)
    page.goto(f"{isolated_url}#/p/basic-ops")
    expect(page.locator(".scratch-editor .cm-content")).to_be_visible()
    assert page.evaluate("() => window.gradlab.scratchText()") == mine
    assert page.evaluate("() => window.gradlab.editorText()") == TEXTBOOK
    fresh.close()


def test_open_in_playground_fills_the_scratch_editor_from_a_failed_visible_case_only(shared):
    before = "# before opening\n"
    shared.set_scratch(before)
    shared.set_code((BASIC / "solutions/wrong/mul_gradients_swapped.py").read_text())
    report = shared.run()
    failed = [t for t in report["tests"] if t["status"] != "passed"]
    hidden = [t for t in failed if t["visibility"] == "hidden"]
    # Hidden cases carry no graph, so there is nothing of theirs to open.
    assert hidden and all(t["graph"] is None for t in hidden)
    hidden_tag = shared.page.locator(".tag", has_text="hidden test")
    hidden_items = shared.page.locator(".case").filter(has=hidden_tag)
    expect(hidden_items.first).to_be_visible()
    expect(hidden_items.locator(".open-playground")).to_have_count(0)
    case = next(t for t in failed if t["visibility"] == "visible" and t["graph"])
    item = shared.page.locator(".case").filter(has_text=case["name"]).first
    item.get_by_role("button", name="Open in playground").click()

    graph = case["graph"]
    scratch = shared.scratch
    for node in graph["nodes"]:
        expected = (f"{node['id']} = Value({float(node['expected_data'])!r})" if node["op"] == "leaf"
                    else node["code"])
        assert expected + "\n" in scratch
    assert scratch.endswith(f"{graph['output']}.backward()\ndraw({graph['output']}, steps=True)\n")
    assert shared.page.evaluate("() => !!document.activeElement.closest('.scratch-editor')")
    # Replacing was one undoable change, offered in a banner.
    shared.page.locator("#banner-scratch-replaced").get_by_role("button", name="Undo").click()
    assert shared.scratch == before
    item.get_by_role("button", name="Open in playground").click()
    assert shared.scratch == scratch
    shared.wait_scratch_saved(scratch)
    result = shared.play()
    assert result["status"] == "ok" and len(result["drawings"]) == 1


XY_PLUS_X = ("x = Value(3.0)\ny = Value(2.0)\nout = x * y + x\nout.backward()\n"
             "draw(out, steps=True)\n")


def test_draw_shows_the_learners_own_graph_with_both_uses_of_x_and_steps_through_backward(shared):
    """End to end: the learner's class, read by Python's discovery, drawn by the page."""
    shared.set_code(TEXTBOOK)  # other tests on this page change it
    result = shared.play(XY_PLUS_X)
    [drawing] = result["drawings"]
    labels = {n["id"]: n["label"] for n in drawing["nodes"]}
    x = next(i for i, label in labels.items() if label == "x")
    assert sum(e["from"] == x for e in drawing["edges"]) == 2  # x*y and + x
    figure = shared.page.locator(".console .console-drawing")
    expect(figure.locator("figcaption")).to_have_text("draw(out)")
    paths = figure.locator(f'.drawing-edge[data-from="{x}"]').evaluate_all(
        "ps => ps.map(p => p.getAttribute('d'))")
    assert len(paths) == 2 and paths[0] != paths[1]  # two edges, drawn apart
    writes = drawing["steps"]["steps"]
    # textbook backward: out.grad = 1, then the + rule (x*y and x), then the * rule (x and y)
    assert len(writes) == 5
    count = figure.locator(".drawing-step-count")
    expect(count).to_have_text(f"Step 0 of {len(writes)}")
    figure.get_by_role("button", name="Last").click()
    expect(count).to_have_text(f"Step {len(writes)} of {len(writes)}")
    expect(figure.locator(f'g[data-node="{x}"] .drawing-grad')).to_have_text("grad 3")  # y + 1


def test_compare_runs_the_reference_engine_and_marks_the_first_step_that_differs(browser, isolated_url):
    ctx = browser.new_context(viewport={"width": 1300, "height": 900})
    try:
        site = Playground(ctx.new_page(), isolated_url)
        # `=` instead of `+=` in __mul__ only: x's grad from `+ x` is overwritten by the * rule.
        site.set_code(TEXTBOOK.replace("            self.grad += other.data * out.grad",
                                       "            self.grad = other.data * out.grad"))
        site.play(XY_PLUS_X)
        figure = site.page.locator(".console .console-drawing")
        site.page.evaluate("() => { window.gradlab.lastPlay = null; }")
        figure.get_by_role("button", name="Compare with the reference engine").click()
        compared = site.wait_played()
        [drawing] = compared["drawings"]
        assert drawing["reference"] is not None
        mine = [(w["before"], w["after"]) for w in drawing["steps"]["steps"]]
        theirs = [(w["before"], w["after"]) for w in drawing["reference"]["steps"]["steps"]]
        first = next(i for i, pair in enumerate(zip(mine, theirs, strict=False), 1) if pair[0] != pair[1])
        expect(site.page.locator(".console .drawing-compare-summary")).to_have_text(
            f"First difference at step {first}.")
        x = next(n["id"] for n in drawing["nodes"] if n["label"] == "x")
        figure.get_by_role("button", name="Last").click()
        # the * rule overwrote the 1 that + had given x: 2, where the reference has 3
        expect(site.page.locator(f'.console g[data-node="{x}"] .drawing-grad')).to_have_text("grad 2")
    finally:
        ctx.close()
