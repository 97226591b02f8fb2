"""Site timings in real headless Chromium against the built dist/ on localhost.

Every figure is measured in the page (``performance.now()``, milliseconds since navigation or since
the click) and paired with a baseline measured in the same run:

- bare boot: ``loadPyodide()`` on a page with nothing else (benchmarks/pages/bare.html);
- bare run: the same solution and cases through a bare worker, no grader, no UI;
- bare bytes: what a bare boot downloads (brotli and gzip).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

from serve import make_server  # noqa: E402
from site_fixtures import FLAGS, chromium_path  # noqa: E402

TEXTBOOK = (ROOT / "hidden_tests/basic-ops/solutions/correct/micrograd_textbook.py").read_text()
HANG = TEXTBOOK.replace("    def backward(self):\n", "    def backward(self):\n        while True: pass\n")
PAGES = ROOT / "benchmarks" / "pages"


class Server:
    """dist/ plus the baseline pages, in a thread, counting the bytes it sends."""

    def __init__(self, dist: Path, isolation: bool) -> None:
        import threading

        self.httpd = make_server(dist, port=0, isolation=isolation, mounts={"/__bench__/": str(PAGES)})
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def take_bytes(self) -> int:
        with self.httpd.lock:  # type: ignore[attr-defined]
            sent, self.httpd.bytes_sent = self.httpd.bytes_sent, 0  # type: ignore[attr-defined]
        return sent

    def close(self) -> None:
        self.httpd.shutdown()


_GZIP_SIZES: dict[str, int] = {}


def _pristine_gzip_bytes(by_path: dict[str, int]) -> int:
    """What the files a bare boot fetched weigh gzipped (level 9) as the npm package ships them,
    so the baseline is Pyodide as published, not our repacked build of it."""
    import gzip

    total = 0
    for path, sent in by_path.items():
        name = path.split("?", 1)[0].rsplit("/", 1)[-1]
        pristine = ROOT / "node_modules" / "pyodide" / name
        if "/pyodide/" in path and pristine.is_file():
            if name not in _GZIP_SIZES:
                _GZIP_SIZES[name] = len(gzip.compress(pristine.read_bytes(), 9))
            total += _GZIP_SIZES[name]
        else:
            total += sent
    return total


def _save_code(context: Any, code: str) -> None:
    """The learner's saved code, as if they had typed it on an earlier visit."""
    saved = json.dumps({"code": code, "rev": 1, "tab": "bench", "savedAt": 0})
    context.add_init_script(
        f"if (!localStorage.getItem('gradlab:v1:code:basic-ops')) "
        f"localStorage.setItem('gradlab:v1:code:basic-ops', {json.dumps(saved)});")


def _first_verdict(page: Any, url: str) -> float:
    """Navigate, press Run as soon as the button is there, return ms from navigation to render."""
    page.goto(f"{url}#/p/basic-ops")
    page.get_by_role("button", name="Run tests").click()
    page.wait_for_function("() => window.gradlab.lastReport", timeout=120_000)
    assert page.evaluate("() => window.gradlab.lastReport.status") == "pass"
    return page.evaluate("() => window.gradlab.marks.run.rendered")


def _rerun(page: Any) -> float:
    page.evaluate("() => { window.gradlab.lastReport = null; }")
    page.get_by_role("button", name="Run tests").click()
    page.wait_for_function("() => window.gradlab.lastReport")
    return page.evaluate("() => window.gradlab.marks.run.rendered - window.gradlab.marks.run.pressed")


def _bare_boot(page: Any, url: str) -> float:
    page.goto(f"{url}__bench__/bare.html")
    page.wait_for_function("() => window.benchReadyAt", timeout=120_000)
    return page.evaluate("() => window.benchReadyAt")


def _wait_for_service_worker(page: Any) -> None:
    page.wait_for_function("async () => !!(await navigator.serviceWorker.ready).active", timeout=120_000)
    page.wait_for_function("() => !!navigator.serviceWorker.controller", timeout=120_000)


def measure(dist: Path, repeats: int, log: Callable[[str], None]) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    out: dict[str, list[float]] = {k: [] for k in (
        "cold_first_verdict", "bare_boot_cold", "returning_first_verdict", "bare_boot_returning",
        "warm_rerun", "bare_worker_rerun", "stop_isolated", "next_run_isolated", "stop_plain",
        "next_run_plain", "snapshot_restore", "bytes_cold", "bytes_return", "bytes_bare_br",
        "bytes_bare_gzip", "warm_play", "bare_worker_play")}
    suite = json.loads(next((dist / "problems").glob("basic-ops.*.json")).read_text())
    specs = json.dumps([c["spec"] for c in suite["cases"]])
    isolated, plain = Server(dist, True), Server(dist, False)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=FLAGS)
        try:
            for i in range(repeats):
                log(f"  site run {i + 1}/{repeats}")
                # Baselines first: a bare boot, cold (fresh profile) and then returning.
                ctx = browser.new_context()
                isolated.take_bytes()
                isolated.httpd.bytes_by_path.clear()  # type: ignore[attr-defined]
                out["bare_boot_cold"].append(_bare_boot(ctx.new_page(), isolated.url))
                out["bytes_bare_br"].append(isolated.take_bytes())
                out["bytes_bare_gzip"].append(_pristine_gzip_bytes(isolated.httpd.bytes_by_path))  # type: ignore[attr-defined]
                out["bare_boot_returning"].append(_bare_boot(ctx.new_page(), isolated.url))
                ctx.close()

                # Cold visit: fresh profile, no HTTP cache, no service worker.
                ctx = browser.new_context()
                _save_code(ctx, TEXTBOOK)
                page = ctx.new_page()
                isolated.take_bytes()
                out["cold_first_verdict"].append(_first_verdict(page, isolated.url))
                _wait_for_service_worker(page)
                out["bytes_cold"].append(isolated.take_bytes())
                out["snapshot_restore"].append(page.evaluate("() => window.gradlab.marks.bootMs"))
                # Warm re-run on the same page; the bare worker for comparison.
                out["warm_rerun"].append(min(_rerun(page) for _ in range(3)))
                bare = ctx.new_page()
                bare.goto(f"{isolated.url}__bench__/bare-run.html")
                bare.wait_for_function("() => window.benchReady", timeout=120_000)
                out["bare_worker_rerun"].append(min(
                    bare.evaluate("([s, c]) => window.benchRun(s, c)", [TEXTBOOK, specs]) for _ in range(3)))
                _warm_play(page, bare, out)
                bare.close()
                for key, value in _draw_times(page).items():
                    out.setdefault(key, []).append(value)
                # Returning visit: same profile, the service worker and HTTP cache are warm.
                page.close()
                page = ctx.new_page()
                isolated.take_bytes()
                out["returning_first_verdict"].append(_first_verdict(page, isolated.url))
                out["bytes_return"].append(isolated.take_bytes())
                # Stop, interrupting Python (isolated).
                stop, nxt = _stop_and_next(page)
                out["stop_isolated"].append(stop)
                out["next_run_isolated"].append(nxt)
                ctx.close()

                # Stop without isolation: the worker is replaced.
                ctx = browser.new_context()
                _save_code(ctx, TEXTBOOK)
                page = ctx.new_page()
                _first_verdict(page, plain.url)
                stop, nxt = _stop_and_next(page)
                out["stop_plain"].append(stop)
                out["next_run_plain"].append(nxt)
                ctx.close()
        finally:
            browser.close()
            isolated.close()
            plain.close()
    return out


PLAY_SNIPPET = "a = Value(2.0)\nb = a * a + a\nb.backward()\nprint(a.grad)\n"


def _warm_play(page: Any, bare: Any, out: dict[str, list[float]]) -> None:
    """Playground Run of a small scratch snippet on the solution, warm (best of 3): ms from the
    click to the console showing the result; and the same code through the bare worker."""
    page.locator(".scratch-editor .cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(PLAY_SNIPPET)
    click_to_console = """() => new Promise((done) => {
      window.gradlab.lastPlay = null;
      const console_ = document.querySelector('.console');
      const seen = new MutationObserver(() => {
        if (window.gradlab.lastPlay) { seen.disconnect(); done(performance.now() - start); }
      });
      seen.observe(console_, { childList: true, subtree: true, characterData: true });
      const start = performance.now();
      document.querySelector('button.play').click();
    })"""
    out["warm_play"].append(min(page.evaluate(click_to_console) for _ in range(3)))
    assert page.evaluate("() => window.gradlab.lastPlay.status") == "ok"  # timed a real run
    script = json.dumps([{"kind": "script", "script": PLAY_SNIPPET}])
    out["bare_worker_play"].append(min(
        bare.evaluate("([s, c]) => window.benchRun(s, c)", [TEXTBOOK, script]) for _ in range(3)))


def _draw_times(page: Any, repeats: int = 5) -> dict[str, float]:
    """Median ms from handing a Drawing to renderDrawing until it is laid out and painted (the call,
    then a frame): a 500-node MLP-shaped graph, and a 10-node one as the baseline. The renderer's
    chunk is loaded once before timing (a cold load is the service worker's business)."""
    import statistics

    from test_site_drawing import mlp

    big, small = mlp(6), mlp(1)
    small["nodes"] = small["nodes"][:10]
    kept = {n["id"] for n in small["nodes"]}
    small["edges"] = [e for e in small["edges"] if e["from"] in kept and e["to"] in kept]
    timed = """async d => {
        const box = document.createElement('div');
        document.querySelector('.playground .console').append(box);  // where draw() puts it
        const start = performance.now();
        await window.gradlab.renderDrawing(box, d);
        box.getBoundingClientRect();
        await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
        const ms = performance.now() - start;
        box.remove();
        return ms;
    }"""
    page.evaluate(timed, small)  # loads the chunk
    return {key: statistics.median(page.evaluate(timed, d) for _ in range(repeats))
            for key, d in (("draw_500", big), ("draw_10", small))}


def _set_code(page: Any, code: str) -> None:
    page.locator(".editor .cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(code)


def _stop_and_next(page: Any) -> tuple[float, float]:
    """ms from Stop to the verdict rendered; then ms from Run to the next run's verdict."""
    _set_code(page, HANG)
    page.evaluate("() => { window.gradlab.lastReport = null; }")
    page.get_by_role("button", name="Run tests").click()
    page.wait_for_timeout(300)
    stop_at = page.evaluate("() => new Promise(r => { const b = document.querySelector('button.stop');"
                            " const t = performance.now(); b.click(); r(t); })")
    page.wait_for_function("() => window.gradlab.lastReport", timeout=60_000)
    stopped = page.evaluate("() => window.gradlab.marks.run.rendered") - stop_at
    _set_code(page, TEXTBOOK)
    return stopped, _rerun(page)
