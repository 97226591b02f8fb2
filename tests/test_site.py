"""The site in real Chromium (Playwright), against the built dist/ served on localhost.

What a learner relies on: correct code passes, wrong code fails with the right message, the page
never freezes (time limits and Stop, with and without cross-origin isolation), work is never lost
(reload, reset and undo, two tabs, export and import, offline), nothing is fetched from another
origin, and the keyboard works.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from conftest import BASIC, PATH, PATH_LENGTH, REFERENCE, patch
from engine.authoring.check import load_and_compile
from engine.grading.grade import grade

STARTER = (BASIC / "starter.py").read_text()
TEXTBOOK = (BASIC / "solutions/correct/micrograd_textbook.py").read_text()
pytestmark = pytest.mark.browser


def import_progress(page: Page, url: str, path: Path) -> None:
    """Import an export file from the problem list as a learner does (the confirmation accepted);
    returns once the reloaded page says it was imported."""
    page.goto(url)
    expect(page.locator(".problem-list")).to_be_visible()
    page.once("dialog", lambda d: d.accept())
    page.locator("#import-file").set_input_files(str(path))
    expect(page.locator("#banner-import")).to_be_visible()


class Site:
    """One tab on a problem page, driven as a learner would."""

    def __init__(self, page: Page, url: str, slug: str = "basic-ops") -> None:
        self.page = page
        self.requests: list[str] = []
        page.on("request", lambda r: self.requests.append(r.url))
        page.set_default_timeout(90_000)
        page.goto(f"{url}#/p/{slug}")
        expect(page.locator(".editor .cm-content")).to_be_visible()

    def set_code(self, code: str) -> None:
        """Replace the editor's text the way a paste does (typed text would be auto-indented)."""
        self.page.locator(".editor .cm-content").click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.insert_text(code)

    @property
    def code(self) -> str:
        return self.page.evaluate("() => window.gradlab.editorText()")

    def run(self, via_keyboard: bool = False) -> dict:
        self.page.evaluate("() => { window.gradlab.lastReport = null; }")
        if via_keyboard:
            self.page.locator(".editor .cm-content").press("Control+Enter")
        else:
            self.page.get_by_role("button", name="Run tests").click()
        self.page.wait_for_function("() => window.gradlab.lastReport !== null")
        expect(self.page.locator(".results-body .summary")).to_be_visible()
        return self.report()

    def report(self) -> dict:
        return self.page.evaluate("() => window.gradlab.lastReport")

    def summary(self) -> str:
        return self.page.locator(".results-body .summary").inner_text()

    def wait_saved(self, code: str) -> None:
        self.page.wait_for_function(
            "code => JSON.parse(localStorage.getItem('gradlab:v1:code:basic-ops') || '{}').code === code",
            arg=code)


@pytest.fixture(scope="module")
def shared(browser, isolated_url):
    """One booted tab reused by the tests that only grade code (Python boots once)."""
    ctx = browser.new_context()
    site_page = Site(ctx.new_page(), isolated_url)
    yield site_page
    ctx.close()


def case(report: dict, name_start: str) -> dict:
    return next(t for t in report["tests"] if t["name"].startswith(name_start))


def test_correct_solution_passes_every_case_and_nothing_leaves_the_origin(shared, isolated_url):
    shared.set_code(TEXTBOOK)
    report = shared.run()
    assert report["status"] == "pass" and report["passed"] == report["total"] == 39
    assert shared.summary() == "39 of 39 passed"
    # Python came from the build-time snapshot, which already held the suite: the page fetched
    # it (statement, starter), the worker did not.
    assert shared.page.evaluate("() => window.gradlab.restoredFromSnapshot") is True
    assert [u for u in shared.requests if u.endswith("/pyodide.asm.wasm")]  # the worker's are seen
    assert len([u for u in shared.requests if "/problems/basic-ops." in u]) == 1
    origin = re.match(r"https?://[^/]+", isolated_url).group(0)
    assert shared.requests and all(u.startswith((origin + "/", "data:", "blob:")) for u in shared.requests), \
        [u for u in shared.requests if not u.startswith(origin)]


@pytest.mark.parametrize(("wrong", "case_name", "words"), [
    ("relu_gradient_at_zero_is_one", "ReLU at exactly zero",
     "`x.grad`: expected 0.0, got 1 in `(x + y).relu()`"),
    ("assign_instead_of_accumulate", "Gradient accumulates when a value is reused",
     "`x.grad`: expected 2.0, got 1 in `x + x`"),
    ("plain_number_not_wrapped", "A plain number on the right",
     "AttributeError: 'int' object has no attribute 'data' (line"),
    ("missing_output_seed", "Product-plus-self", "`x.grad`: expected 5.0, got 0 in `x * y + x`"),
])
def test_wrong_solutions_fail_with_the_expected_case_and_message(shared, wrong, case_name, words):
    shared.set_code((BASIC / "solutions/wrong" / f"{wrong}.py").read_text())
    report = shared.run()
    assert report["status"] == "fail"
    result = case(report, case_name)
    assert result["status"] in ("failed", "error")
    assert words in result["message"]
    item = shared.page.locator(".case", has_text=case_name).first
    expect(item).to_contain_text(words.split(" (line")[0].replace("`", ""))  # `code` is shown as code


def test_the_reference_example_message_reads_as_documented(shared):
    shared.set_code(REFERENCE.replace("self.grad += (out.data > 0) * out.grad", "self.grad += out.grad"))
    report = shared.run()
    message = case(report, "Reference example")["message"]
    assert "`b.grad`: expected 0.0, got 10 in `(a + b * c).relu()`" in message.splitlines()


def test_syntax_error_names_its_line_and_the_line_link_jumps_there(shared):
    shared.set_code("class Value:\n    def __init__(self, data)\n        self.data = data\n")
    report = shared.run()
    assert report["status"] == "error"
    assert shared.summary().startswith("Your code could not run: SyntaxError")
    assert "line 2, column" in shared.summary()
    shared.page.get_by_role("button", name="line 2").click()
    expect(shared.page.locator(".editor .cm-error-line")).to_have_count(1)
    expect(shared.page.locator(".editor .cm-activeLine")).to_contain_text("def __init__(self, data)")


def test_browser_verdicts_match_the_cli_on_a_sample(shared, sandbox):
    _, suite = load_and_compile(BASIC)
    sample = ["solutions/correct/op_table.py", "solutions/wrong/mul_gradients_swapped.py",
              "solutions/wrong/upstream_read_too_early.py", "starter.py"]
    for name in sample:
        source = (BASIC / name).read_text()
        shared.set_code(source)
        browser_report = shared.run()
        cli = grade(suite, source, sandbox).to_dict()
        assert [(t["id"], t["status"], t["message"]) for t in browser_report["tests"]] == \
            [(t["id"], t["status"], t["message"]) for t in cli["tests"]], name


def test_deep_recursion_and_sys_exit_give_verdicts_not_a_dead_page(shared):
    shared.set_code(patch(REFERENCE, "    def backward(self):\n",
                          "    def backward(self):\n        return self.backward()\n"))
    report = shared.run()
    assert "RecursionError" in case(report, "Addition passes")["message"]
    shared.set_code(patch(REFERENCE, "    def backward(self):\n",
                          "    def backward(self):\n        import sys; sys.exit()\n"))
    report = shared.run()
    assert "called exit()" in case(report, "Addition passes")["message"]
    shared.set_code(TEXTBOOK)
    assert shared.run()["status"] == "pass"


HANG = patch(REFERENCE, "    def relu(self):\n", "    def relu(self):\n        while True: pass\n")


@pytest.mark.parametrize("mode", ["isolated", "plain"])
def test_infinite_loop_is_stopped_then_a_correct_run_passes(context, isolated_url, plain_url, mode):
    url = isolated_url if mode == "isolated" else plain_url
    site_page = Site(context.new_page(), url)
    assert site_page.page.evaluate("crossOriginIsolated") is (mode == "isolated")
    site_page.set_code(HANG)
    report = site_page.run()
    hung = case(report, "Reference example")
    assert hung["status"] == "timeout"
    # Isolated, the interrupt lands in the loop and its traceback says where; without
    # isolation the worker is replaced, and nothing says which line was running.
    line = HANG.splitlines().index("        while True: pass") + 1
    running = (f" It was still running line {line} (in relu) when the time limit hit."
               if mode == "isolated" else "")
    assert hung["message"] == (f"Stopped after 5 s: your code did not finish.{running} "
                               "Look for a loop that never ends.")
    assert hung["line"] == (line if mode == "isolated" else None)
    assert report["status"] == "fail"
    site_page.set_code(TEXTBOOK)
    assert site_page.run()["status"] == "pass"


@pytest.mark.parametrize("mode", ["isolated", "plain"])
def test_stop_button_stops_a_run_and_the_next_run_works(context, isolated_url, plain_url, mode):
    site_page = Site(context.new_page(), isolated_url if mode == "isolated" else plain_url)
    page = site_page.page
    site_page.set_code(TEXTBOOK)
    site_page.run()  # Python is up
    site_page.set_code(patch(REFERENCE, "    def backward(self):\n",
                             "    def backward(self):\n        while True: pass\n"))
    page.evaluate("() => { window.gradlab.lastReport = null; }")
    page.get_by_role("button", name="Run tests").click()
    stop = page.get_by_role("button", name="Stop", exact=True)
    expect(stop).to_be_enabled()
    page.wait_for_timeout(500)
    stop.click()
    page.wait_for_function("() => window.gradlab.lastReport !== null", timeout=20_000)
    report = site_page.report()
    stopped = [t for t in report["tests"] if t["status"] == "timeout"]
    assert stopped and stopped[-1]["message"] == "Stopped: you pressed Stop before this case finished."
    assert len(report["tests"]) < report["total"]
    expect(page.locator(".results-body .summary")).to_contain_text("(stopped after")
    site_page.set_code(TEXTBOOK)
    assert site_page.run()["status"] == "pass"


def test_run_pressed_before_python_is_ready_is_queued(context, isolated_url):
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(f"{isolated_url}#/p/basic-ops")
    page.get_by_role("button", name="Run tests").click()  # Python is still booting
    expect(page.locator(".results-body")).to_contain_text("Python is starting")
    page.wait_for_function("() => window.gradlab.lastReport")
    assert page.evaluate("() => window.gradlab.lastReport.status") == "fail"  # the starter fails


@pytest.mark.parametrize("body", [b"not a snapshot", b"GLSN\x01\x00\x00\x00" + bytes(12)])
def test_a_broken_snapshot_falls_back_to_a_full_boot(context, isolated_url, body):
    """A snapshot that cannot be used (a host that mangles it, a stale copy) costs seconds, not
    the site: Python boots the slow way and grades as usual."""
    context.route("**/py/snapshot-*", lambda route: route.fulfill(status=200, body=body))
    site_page = Site(context.new_page(), isolated_url)
    site_page.set_code(TEXTBOOK)
    assert site_page.run()["status"] == "pass"
    assert site_page.page.evaluate("() => window.gradlab.restoredFromSnapshot") is False


def test_code_survives_reload(context, isolated_url):
    site_page = Site(context.new_page(), isolated_url)
    mine = TEXTBOOK + "\n# my notes\n"
    site_page.set_code(mine)
    site_page.wait_saved(mine)
    site_page.page.reload()
    expect(site_page.page.locator(".editor .cm-content")).to_be_visible()
    assert site_page.code == mine


def test_reset_asks_first_and_can_be_undone(context, isolated_url):
    site_page = Site(context.new_page(), isolated_url)
    page = site_page.page
    mine = TEXTBOOK + "\n# keep me\n"
    site_page.set_code(mine)
    page.once("dialog", lambda d: d.dismiss())
    page.get_by_role("button", name="Reset to starter code").click()
    assert "# keep me" in site_page.code  # said no: nothing changed
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="Reset to starter code").click()
    assert site_page.code.rstrip() == STARTER.rstrip()
    page.get_by_role("button", name="Undo reset").click()
    assert "# keep me" in site_page.code


def test_two_tabs_on_one_problem_do_not_silently_overwrite(context, isolated_url):
    first = Site(context.new_page(), isolated_url)
    second = Site(context.new_page(), isolated_url)
    first.set_code(TEXTBOOK + "\n# from the first tab\n")
    first.wait_saved(TEXTBOOK + "\n# from the first tab\n")
    banner = second.page.locator("#banner-conflict")
    expect(banner).to_contain_text("was changed in another tab")
    second.page.get_by_role("button", name="Use the other tab's version").click()
    assert "# from the first tab" in second.code


def test_export_then_import_in_a_fresh_browser_moves_code_and_progress(browser, isolated_url, tmp_path):
    ctx = browser.new_context()
    site_page = Site(ctx.new_page(), isolated_url)
    site_page.set_code(TEXTBOOK)
    site_page.run()
    with site_page.page.expect_download() as download:
        site_page.page.get_by_role("button", name="Export progress").click()
    path = tmp_path / "export.json"
    download.value.save_as(path)
    ctx.close()
    exported = json.loads(path.read_text())
    assert exported["format"] == "gradlab-export" and exported["problems"]["basic-ops"]["progress"]["solved"]
    # The instructor's side: the browser's claim is regraded on CPython, and it holds.
    regrade = subprocess.run([sys.executable, "-m", "engine.cli", "grade", "--bundle", str(path)],
                             capture_output=True, text=True, cwd=BASIC.parents[1])
    assert regrade.returncode == 0 and "HOLDS" in regrade.stdout, regrade.stdout + regrade.stderr

    fresh = browser.new_context()
    page = fresh.new_page()
    page.goto(isolated_url)
    expect(page.locator(".problem-list")).to_contain_text("not yet")
    page.once("dialog", lambda d: d.accept())
    page.locator("#import-file").set_input_files(str(path))
    expect(page.locator(".problem-list")).to_contain_text("solved")
    page.goto(f"{isolated_url}#/p/basic-ops")
    expect(page.locator(".editor .cm-content")).to_be_visible()
    assert page.evaluate("() => window.gradlab.editorText()") == TEXTBOOK
    fresh.close()


def test_the_name_and_id_typed_for_exports_are_remembered_and_graded_under(browser, isolated_url,
                                                                            tmp_path):
    ctx = browser.new_context()
    site_page = Site(ctx.new_page(), isolated_url)
    site_page.set_code(TEXTBOOK)
    site_page.wait_saved(TEXTBOOK)
    page = site_page.page
    page.goto(f"{isolated_url}#/")
    page.get_by_text("Your name on exported files (optional)").click()
    page.get_by_label("Name", exact=True).fill("Ada Lovelace")
    page.get_by_label("Student id or login").fill("ada7")
    page.reload()  # remembered in this browser
    expect(page.get_by_label("Student id or login")).to_have_value("ada7")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export progress").click()
    (tmp_path / "class").mkdir()
    path = tmp_path / "class" / "gradlab-progress.json"
    download.value.save_as(path)
    ctx.close()
    exported = json.loads(path.read_text())
    assert (exported["name"], exported["id"]) == ("Ada Lovelace", "ada7")
    graded = subprocess.run([sys.executable, "-m", "engine.cli", "grade", "--class",
                             str(tmp_path / "class"), "--format", "json"],
                            capture_output=True, text=True, cwd=BASIC.parents[1])
    assert graded.returncode == 0, graded.stderr
    [student] = json.loads(graded.stdout)["students"]
    assert (student["id"], student["name"]) == ("ada7", "Ada Lovelace")
    assert student["results"]["basic-ops"]["status"] == "pass"


def test_blocked_storage_is_detected_and_said(browser, isolated_url):
    ctx = browser.new_context()
    ctx.add_init_script("Storage.prototype.setItem = () => "
                        "{ throw new DOMException('blocked', 'SecurityError'); };")
    page = ctx.new_page()
    page.goto(f"{isolated_url}#/p/basic-ops")
    expect(page.locator("#banner-storage")).to_contain_text("will NOT be saved")
    ctx.close()


def test_offline_after_the_first_visit(browser, isolated_url):
    ctx = browser.new_context()
    site_page = Site(ctx.new_page(), isolated_url)
    page = site_page.page
    page.wait_for_function("async () => !!(await navigator.serviceWorker.ready).active")
    page.wait_for_function("() => !!navigator.serviceWorker.controller")
    ctx.set_offline(True)
    page.reload()
    expect(page.locator(".editor .cm-content")).to_be_visible()
    site_page.set_code(TEXTBOOK)
    assert site_page.run()["status"] == "pass"
    ctx.close()


def test_keyboard_only_ctrl_enter_runs_and_escape_tab_leaves_the_editor(shared):
    shared.set_code(TEXTBOOK)
    assert shared.run(via_keyboard=True)["status"] == "pass"
    page = shared.page
    page.locator(".editor .cm-content").click()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('cm-content')")  # Tab indents
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert not page.evaluate("() => !!document.activeElement.closest('.cm-editor')")


def test_results_are_announced_and_the_problem_list_shows_progress(shared, isolated_url):
    # said once, in a status region of its own (tests/test_site_a11y.py counts what is said)
    expect(shared.page.locator(".results-said")).to_have_attribute("aria-live", "polite")
    shared.set_code(TEXTBOOK)
    shared.run()
    shared.page.goto(isolated_url)
    item = shared.page.locator(".problem-list li", has_text="Implementing basic autograd operations")
    expect(item).to_contain_text("solved")
    expect(item).to_contain_text("medium")
    shared.page.goto(f"{isolated_url}#/p/basic-ops")
    expect(shared.page.locator(".editor .cm-content")).to_be_visible()


def test_huge_allocation_is_a_memory_error_verdict(shared):
    shared.set_code(patch(REFERENCE, "    def relu(self):\n",
                          "    def relu(self):\n        x = [0.0] * 10**9\n"))
    report = shared.run()
    assert case(report, "Reference example")["message"].startswith("MemoryError: your code ran out of memory")
    shared.set_code(TEXTBOOK)
    assert shared.run()["status"] == "pass"


@pytest.mark.parametrize("mode", ["isolated", "plain"])
def test_sleep_forever_and_an_interpreter_crash_give_verdicts(context, isolated_url, plain_url, mode):
    site_page = Site(context.new_page(), isolated_url if mode == "isolated" else plain_url)
    site_page.set_code(patch(REFERENCE, "    def relu(self):\n",
                             "    def relu(self):\n        import time; time.sleep(1e9)\n"))
    report = site_page.run()
    assert case(report, "Reference example")["status"] == "timeout"
    # Recursion far past the C stack kills the interpreter itself, not just the case.
    crash = "import sys\nsys.setrecursionlimit(10**7)\n" + patch(
        REFERENCE, "    def backward(self):\n", "    def backward(self):\n        return self.backward()\n")
    site_page.set_code(crash)
    report = site_page.run()
    first = report["tests"][0]
    assert first["status"] in ("error", "timeout")
    assert "crashed" in first["message"] or "RecursionError" in first["message"] \
        or "did not finish" in first["message"]
    site_page.set_code(TEXTBOOK)
    assert site_page.run()["status"] == "pass"


def test_a_wrong_solution_gets_its_diagnosis_a_localised_message_and_a_marked_graph(shared, tmp_path):
    shared.set_code((BASIC / "solutions/wrong/mul_gradients_swapped.py").read_text())
    report = shared.run()
    assert report["diagnosis"]["mistake"].startswith("In `*`, each input gets its own data")
    page = shared.page
    expect(page.locator(".diagnosis")).to_contain_text(
        "This looks like: In *, each input gets its own data")  # `code` is shown as code
    expect(page.locator(".diagnosis")).to_contain_text("Hint: For out = a * b")
    item = page.locator(".case", has_text="Multiplication: each input's gradient").first
    expect(item.locator(".case-where")).to_have_text(
        "Backward pass: your * in a * b sends 5 to b, its right input, where 2 was expected.")
    expect(item.locator(".case-where code")).to_have_text(["*", "a * b", "b"])
    summary = item.locator(".case-graph > summary")
    expect(summary).to_have_text("Show the graph (first difference at b)")
    summary.focus()
    page.keyboard.press("Enter")  # keyboard opens the drawing
    expect(item.locator(".graph-svg")).to_be_visible()
    expect(item.locator('.graph-svg [data-node="b"]')).to_have_class(re.compile(r"graph-node-first"))
    row = item.locator('.graph-table tr[data-node="b"]')
    expect(row.locator("td")).to_have_text(["input", "5", "5", "5", "2", "first difference, grad differs"])
    expect(item.locator('.graph-table tr[data-node="t1"] td').first).to_have_text("a * b")
    item.screenshot(path=str(tmp_path / "graph.png"))
    # the same page with a correct solution: no diagnosis, graphs of passed cases still open
    shared.set_code(TEXTBOOK)
    shared.run()
    expect(page.locator(".diagnosis")).to_have_count(0)
    expect(page.locator(".case", has_text="Multiplication: each input's gradient").first
           .locator(".case-graph > summary")).to_have_text("Show the graph")


def test_hints_are_revealed_one_level_at_a_time_code_needs_two_presses_and_is_remembered(
        context, isolated_url):
    site = Site(context.new_page(), isolated_url)
    page = site.page
    ladder = page.locator(".statement .hint-ladder")
    button = ladder.locator(".hint-next")
    expect(button).to_have_text("Show a hint: concept (1 of 4)")
    button.click()
    expect(ladder.locator(".hint")).to_have_count(1)
    button.click()
    button.click()
    expect(ladder.locator(".hint")).to_have_count(3)
    button.click()  # the code level: the first press only asks
    expect(ladder.locator(".hint")).to_have_count(3)
    expect(button).to_have_text("Press again to see code that solves it")
    button.click()
    expect(ladder.locator(".hint-code pre")).to_contain_text("def backward(self):")
    expect(button).to_be_hidden()
    page.reload()
    expect(page.locator(".statement .hint-ladder .hint")).to_have_count(4)  # remembered
    # a case's own ladder appears with its failure
    site.set_code(patch(REFERENCE, "self.grad += (out.data > 0) * out.grad",
                        "self.grad += (out.data >= 0) * out.grad"))
    site.run()
    case_ladder = page.locator(".case", has_text="ReLU at exactly zero").first.locator(".hint-ladder")
    expect(case_ladder.locator(".hint-next")).to_have_text("Show a hint: concept (1 of 4)")


def test_the_path_lists_every_problem_in_order_with_progress_and_skipping_ahead(context, isolated_url,
                                                                                tmp_path):
    page = context.new_page()
    page.set_default_timeout(90_000)
    page.goto(isolated_url)
    titles = page.locator(".problem-list > li > a")
    expect(titles).to_have_count(PATH_LENGTH)
    expect(titles.first).to_have_text("Implementing basic autograd operations")
    expect(page.locator(".problem-list > li.is-next .next-up")).to_have_text("start here")
    expect(page.locator(".path-progress")).to_contain_text(f"0 of {PATH_LENGTH} solved")
    # skip ahead to the neural-net problem and solve it with its reference solution
    page.get_by_role("link", name="Neuron, Layer and MLP on top of Value").click()
    number = PATH.index("neural-net") + 1
    expect(page.locator(".crumbs")).to_contain_text(f"Problem {number} of {PATH_LENGTH}")
    expect(page.locator(".path-nav a[rel=next]")).to_have_text(
        "Next: Training loop: zero_grad, SGD with momentum, then Adam →")
    expect(page.locator(".editor .cm-content")).to_be_visible()
    page.locator(".editor .cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text((BASIC.parent / "neural-net" / "reference.py").read_text())
    page.evaluate("() => { window.gradlab.lastReport = null; }")
    page.get_by_role("button", name="Run tests").click()
    page.wait_for_function("() => window.gradlab.lastReport !== null")
    report = page.evaluate("() => window.gradlab.lastReport")
    assert report["problem"] == "neural-net" and report["status"] == "pass", report["message"]
    page.screenshot(path=str(tmp_path / "neural-net.png"), full_page=True)
    page.get_by_role("link", name="All problems").click()
    expect(page.locator(".path-progress")).to_contain_text(f"1 of {PATH_LENGTH} solved")
    expect(page.locator(".problem-list > li").nth(number - 1).locator(".state.solved")).to_have_text("solved")
    expect(page.locator(".problem-list > li.is-next > a")).to_have_text(
        "Implementing basic autograd operations")
    page.screenshot(path=str(tmp_path / "list.png"), full_page=True)
