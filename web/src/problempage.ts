// A problem page: statement, editor, Run/Stop, results, and the playground ("Try it"). The
// learner's code is saved as they type.
import { Announcer, brief } from "./announce";
import { Autosave } from "./autosave";
import { CodeEditor } from "./editor";
import { fitBelowHeader } from "./fit";
import { exposeEditor, reportShown } from "./hooks";
import { runPressed, runRendered } from "./marks";
import { Playground } from "./playground";
import type { ProblemEntry, Report } from "./protocol";
import type { Phase, PyRunner } from "./pyrunner";
import { hintLadder } from "./hints";
import { renderReport, summaryText } from "./results";
import { renderStatement } from "./statement";
import { definesValue, missingFrom, missingSentence } from "./carry";
import { CodeSlot, getProgress, recordResult, savedCode } from "./store";
import { wireSplit } from "./split";
import { wireTabs, type Tabs } from "./tabs";
import { isTabModeKey, onTabFocusChange, tabFocus, toggleTabFocus } from "./tabmode";
import { showBanner } from "./ui";

/** The live count of a run changes at most this often. */
const PROGRESS_MS = 250;

interface Suite {
  version: string;
  problem: { statement: string; starter: string; title: string; time_limit: number; hints?: string[] };
}

/** What is said when a report is shown: the summary, the known mistake, the first failure. The
 * report itself is read at the learner's pace (the Results tab). */
export function resultSentence(report: Report): string {
  const parts = [`${summaryText(report)}.`];
  if (report.diagnosis) parts.push(`This looks like: ${report.diagnosis.mistake}`);
  const first = report.tests.find((t) => t.status !== "passed");
  if (first) parts.push(`First failure: ${first.name}.`);
  if (report.status !== "pass") parts.push("The report is in the Results tab.");
  return brief(parts.join(" "), 400);
}

export class ProblemPage {
  private editor!: CodeEditor;
  private slot: CodeSlot;
  private autosave: Autosave | null = null;
  private playground: Playground | null = null;
  private unfit: () => void = () => {};
  private runButton!: HTMLButtonElement;
  private stopButton!: HTMLButtonElement;
  private results!: HTMLElement;
  /** A run's start and its result, said once (the report itself is not a live region). */
  private said = new Announcer("results-said");
  private tabs!: Tabs;
  private starter = "";
  private stopFollowingTabMode: () => void = () => {};
  private title!: HTMLElement;
  /** The live count of a run: the last case started, shown at most every PROGRESS_MS. */
  private progress: HTMLElement | null = null;
  private progressIndex: number | null = null;
  private progressTimer = 0;

  constructor(private main: HTMLElement, private problem: ProblemEntry, private runner: PyRunner,
              private base: string, private all: ProblemEntry[] = [problem]) {
    this.slot = new CodeSlot(problem.slug);
  }

  async show(): Promise<void> {
    const response = await fetch(new URL(this.problem.suite, this.base));
    if (!response.ok) throw new Error(`could not load ${this.problem.title} (${response.status})`);
    const suite = (await response.json()) as Suite;
    this.starter = suite.problem.starter;
    this.main.replaceChildren(this.layout(suite));
    this.unfit = fitBelowHeader(this.main);
    const saved = this.slot.load();
    this.editor = new CodeEditor({
      parent: this.main.querySelector<HTMLElement>(".editor")!,
      doc: saved ?? this.starter,
      label: `Your code for ${this.problem.title}`,
      describedBy: "editor-help",
      onChange: (code) => this.autosave?.schedule(code),
      onRun: () => void this.run(),
      onPlay: () => void this.playground?.run(),
    });
    this.autosave = new Autosave(this.slot, () => this.editor, `“${this.problem.title}”`, "conflict");
    this.playground = new Playground(this.main.querySelector<HTMLElement>("section.playground")!, {
      problem: this.problem,
      title: this.problem.title,
      starter: suite.problem.starter,
      timeLimit: suite.problem.time_limit,
      runner: this.runner,
      solution: () => {
        this.flush();
        return this.editor.code;
      },
      jumpToSolution: (line) => this.editor.jumpTo(line),
      runTests: () => void this.run(),
      busyChanged: () => this.onPhase(this.runner.busy ? "running" : "ready"),
    });
    exposeEditor(() => this.editor.code);
    window.addEventListener("beforeunload", this.flush);
    document.addEventListener("keydown", this.onKey);
    this.main.querySelector<HTMLElement>("h1")!.focus();
    this.onPhase(this.runner.busy ? "running" : "booting");
  }

  dispose(): void {
    this.flush();
    this.autosave?.dispose();
    this.playground?.dispose();
    this.unfit();
    window.clearTimeout(this.progressTimer);
    exposeEditor(null);
    window.removeEventListener("beforeunload", this.flush);
    document.removeEventListener("keydown", this.onKey);
    this.stopFollowingTabMode();
    this.editor?.view.destroy();
  }

  private layout(suite: Suite): HTMLElement {
    const page = document.createElement("div");
    page.className = "problem";
    // Wide screens: two panes filling the window; the left one (statement | results) scrolls on
    // its own, the editor on the right never scrolls away. Narrow screens: one column (style.css).
    page.innerHTML = `
      <div class="pane pane-info">
        <div class="pane-head">
          <div class="tabs" role="tablist" aria-label="Problem and results">
            <button type="button" role="tab" id="tab-problem" data-tab="problem" aria-controls="panel-problem" aria-selected="true">Problem</button>
            <button type="button" role="tab" id="tab-results" data-tab="results" aria-controls="panel-results" aria-selected="false" tabindex="-1">Results</button>
          </div>
          <p class="crumbs"><a href="#/">All problems</a></p>
        </div>
        <section class="statement tabpanel" id="panel-problem" role="tabpanel" aria-labelledby="tab-problem" tabindex="0">
          <div class="statement-body"></div>
        </section>
        <section class="results tabpanel" id="panel-results" role="tabpanel" aria-labelledby="tab-results" tabindex="0" hidden>
          <h2 id="results-title" class="visually-hidden">Results</h2>
          <div class="results-body"><p class="muted">Press Run tests to check your code.</p></div>
        </section>
      </div>
      <section class="pane work" aria-label="Your solution">
        <div class="toolbar" role="toolbar" aria-label="Editor actions">
          <button type="button" class="run primary" aria-keyshortcuts="Control+Enter Meta+Enter">Run tests</button>
          <button type="button" class="stop" disabled>Stop</button>
          <button type="button" class="tab-mode" aria-pressed="false" aria-keyshortcuts="Control+M" title="Ctrl+M: Tab moves focus out of the editors instead of indenting">Tab moves focus</button>
          <span class="tab-mode-said visually-hidden" role="status"></span>
          <span class="spacer"></span>
          <button type="button" class="reset">Reset to starter code</button>
          <button type="button" class="download">Download my code</button>
        </div>
        <p class="editor-help" id="editor-help">Ctrl+Enter (⌘+Enter) runs the tests; Shift+Enter runs your scratch code (Try it, below). Tab indents. Esc, then Tab, leaves the editor (Shift+Tab goes back); any other key after Esc returns Tab to indenting. Ctrl+M (or “Tab moves focus”) makes Tab always move focus, in both editors, until you press it again (remembered in this browser); Ctrl+] and Ctrl+[ indent then.</p>
        <div class="editor" id="editor-area"></div>
        <div class="split" role="separator" tabindex="0" aria-orientation="horizontal" aria-label="Resize the editor and the playground (Up and Down arrows)" aria-controls="editor-area playground-area" aria-valuemin="20" aria-valuemax="85" aria-valuenow="55"></div>
        <section class="playground" id="playground-area" aria-label="Try it: scratch code and console">
        </section>
      </section>`;
    this.tabs = wireTabs(page.querySelector<HTMLElement>(".tabs")!);
    wireSplit(page.querySelector<HTMLElement>(".split")!, page.querySelector<HTMLElement>(".work")!);
    const crumbs = page.querySelector<HTMLElement>(".crumbs")!; // above the tabs: always shown
    const body = page.querySelector<HTMLElement>(".statement-body")!;
    const position = this.all.findIndex((p) => p.slug === this.problem.slug);
    if (this.all.length > 1 && position >= 0) {
      // The path: where this problem sits, and a way on (skipping ahead is always allowed).
      crumbs.append(` · Problem ${position + 1} of ${this.all.length}`);
      const nav = document.createElement("nav");
      nav.className = "path-nav";
      nav.setAttribute("aria-label", "Problem path");
      const prev = this.all[position - 1];
      const next = this.all[position + 1];
      if (prev) nav.append(Object.assign(document.createElement("a"), { href: `#/p/${prev.slug}`, textContent: `← ${prev.title}`, rel: "prev" }));
      if (next) nav.append(Object.assign(document.createElement("a"), { href: `#/p/${next.slug}`, textContent: `Next: ${next.title} →`, rel: "next" }));
      body.before(nav);
    }
    body.innerHTML = renderStatement(suite.problem.statement);
    if (suite.problem.hints?.length) {
      body.after(hintLadder(`${this.problem.slug}/problem`, suite.problem.hints, "Stuck? Hints for the whole problem, one at a time"));
    }
    const title = body.querySelector("h1") ?? document.createElement("h1");
    if (!title.parentElement) {
      title.textContent = suite.problem.title;
      body.prepend(title);
    }
    title.id = "problem-title";
    title.tabIndex = -1;
    this.title = title;
    if (getProgress(this.problem.slug)?.solved) this.markSolved();
    this.runButton = page.querySelector(".run")!;
    this.stopButton = page.querySelector(".stop")!;
    this.results = page.querySelector(".results-body")!;
    this.runButton.addEventListener("click", () => void this.run());
    this.stopButton.addEventListener("click", () => this.runner.interrupt());
    page.querySelector(".reset")!.addEventListener("click", () => this.reset());
    // The code problem before this one (a trace problem between them has no code to carry).
    const prev = this.all.slice(0, Math.max(0, position)).reverse().find((p) => p.kind !== "trace");
    const prevCode = prev ? savedCode(prev.slug) : null;
    const prevNumber = prev ? this.all.indexOf(prev) + 1 : 0;
    if (prev && prevCode !== null && definesValue(prevCode) && !definesValue(suite.problem.starter)) {
      // A problem whose code is no engine (a test to write, check_engine(Value)): the learner's
      // Value goes to the scratch code, where their functions can be tried on it.
      const carry = document.createElement("button");
      carry.type = "button";
      carry.className = "carry";
      carry.textContent = `Try my Value from problem ${prevNumber}`;
      carry.title = `Put your Value from problem ${prevNumber}, “${prev.title}”, in the scratch code below, to try your functions on it. Your code here stays as it is.`;
      carry.addEventListener("click", () => this.playground?.openEngine(prevCode, prev.title));
      page.querySelector(".reset")!.after(carry);
    } else if (prev && prevCode !== null && definesValue(prevCode)) {
      // Problems build on each other: the learner's own Value from the problem before, offered
      // beside the given starter.
      const carry = document.createElement("button");
      carry.type = "button";
      carry.className = "carry";
      // Short enough to keep the toolbar on one line; the title says which problem that is.
      carry.textContent = `Start from my Value from problem ${prevNumber}`;
      const missing = missingSentence(missingFrom(prevCode, suite.problem.starter));
      carry.title = `Put your code from problem ${prevNumber}, “${prev.title}”, in the editor. ${missing.replaceAll("`", "")}`;
      carry.addEventListener("click", () => this.startFrom(prev, prevCode, missing));
      page.querySelector(".reset")!.after(carry);
    }
    page.querySelector(".download")!.addEventListener("click", () => this.download());
    page.querySelector(".toolbar")!.after(this.said.el);
    this.wireTabMode(page.querySelector<HTMLButtonElement>(".tab-mode")!, page.querySelector<HTMLElement>(".tab-mode-said")!);
    return page;
  }

  /** The "Tab moves focus" button shows the setting (aria-pressed) and toggles it; a change,
   * from here or Ctrl+M, is said once in a status region. */
  private wireTabMode(button: HTMLButtonElement, said: HTMLElement): void {
    const show = (on: boolean): void => button.setAttribute("aria-pressed", String(on));
    show(tabFocus());
    button.addEventListener("click", () => toggleTabFocus());
    this.stopFollowingTabMode = onTabFocusChange((on) => {
      show(on);
      said.textContent = on ? "Tab moves focus in the code editors. Ctrl+M: Tab indents again." : "Tab indents in the code editors.";
    });
  }

  /** Ctrl+M outside the editors (inside them, the editor's own binding handled it). */
  private onKey = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || !isTabModeKey(event)) return;
    event.preventDefault();
    toggleTabFocus();
  };

  /** Reflect the runner's state on the Run and Stop buttons (and the playground's). */
  onPhase(_phase: Phase): void {
    if (!this.runButton) return;
    const running = this.runner.busy;
    this.runButton.disabled = running;
    this.stopButton.disabled = !running;
    this.runButton.textContent = this.runner.busyWith === "grade" ? "Running…" : "Run tests";
    this.playground?.onPhase();
  }

  async run(): Promise<void> {
    if (this.runner.busy) return;
    this.flush();
    this.editor.markLine(null);
    const code = this.editor.code;
    runPressed();
    const promise = this.runner.grade(this.problem, code);
    this.onPhase("running");
    this.tabs.select("results"); // shown before anything is said in it: a hidden live region is silent
    const starting = this.runner.isReady
      ? "Running the tests…"
      : "Python is starting; your tests will run as soon as it is ready.";
    this.results.innerHTML = `<p class="muted">${starting}</p>`;
    this.said.say(starting);
    // The count changes many times a second: shown, never read out (aria-live off), so a screen
    // reader hears the line above and then the result.
    this.progress = Object.assign(document.createElement("p"), { className: "run-progress muted" });
    this.progress.setAttribute("aria-live", "off");
    this.results.append(this.progress);
    let report: Report;
    try {
      report = await promise;
    } catch (error) {
      this.endProgress();
      this.results.innerHTML = "";
      const p = document.createElement("p");
      p.className = "summary summary-error";
      p.textContent = `The tests could not run: ${(error as Error).message}`;
      this.results.append(p);
      this.said.say(p.textContent);
      this.onPhase("ready");
      return;
    }
    this.endProgress();
    this.onPhase("ready");
    renderReport(this.results, report, (line) => this.editor.jumpTo(line),
      (graph) => this.playground?.openGraph(graph));
    this.said.say(resultSentence(report));
    runRendered();
    reportShown(report);
    const firstLine = report.load_error?.line ?? report.tests.find((t) => t.line)?.line;
    if (firstLine) this.editor.markLine(firstLine);
    if (report.status !== "error" && report.tests.length === report.total) {
      recordResult(this.problem.slug, report.passed, report.total, report.suite_version);
    }
    if (report.status === "pass" && report.passed === report.total && report.total > 0) {
      this.markSolved();
      this.results.querySelector(".summary")?.after(this.nextStep());
    }
  }

  /** The runner started case `index` of this run (-1: the learner's module loading; past the
   * cases: the probes that explain a failure). */
  onCaseStarted(index: number): void {
    if (!this.progress) return;
    this.progressIndex = index;
    if (this.progressTimer) return;
    this.showProgress();
    this.progressTimer = window.setTimeout(() => {
      this.progressTimer = 0;
      this.showProgress();
    }, PROGRESS_MS);
  }

  private showProgress(): void {
    const index = this.progressIndex;
    if (!this.progress || index === null) return;
    const total = this.problem.cases;
    this.progress.textContent = index < 0 ? "Loading your code…"
      : index < total ? `Running case ${index + 1} of ${total}…`
        : "Checking what went wrong…";
  }

  private endProgress(): void {
    window.clearTimeout(this.progressTimer);
    this.progressTimer = 0;
    this.progress = null;
    this.progressIndex = null;
  }

  /** A "Solved" mark beside the title (once). */
  private markSolved(): void {
    if (this.main.querySelector(".solved-mark")) return;
    const mark = document.createElement("p");
    mark.className = "solved-mark";
    mark.textContent = "✓ Solved";
    this.title.after(mark);
  }

  /** After every case passed: on to the next problem on the path (or back to the list). */
  private nextStep(): HTMLElement {
    const box = document.createElement("p");
    box.className = "next-step";
    const position = this.all.findIndex((p) => p.slug === this.problem.slug);
    const next = position >= 0 ? this.all[position + 1] : undefined;
    const link = document.createElement("a");
    link.className = "next-problem button-link";
    if (next) {
      link.href = `#/p/${next.slug}`;
      link.rel = "next"; // where a keyboard user is once they pass (the path's own link is in the Problem tab)
      link.textContent = `Next problem: ${next.title} →`;
    } else {
      link.href = "#/";
      link.textContent = "All problems";
      box.append("This was the last problem. ");
    }
    box.append(link);
    return box;
  }

  /** Save what the learner typed now, in both editors (also called before an export or an
   * import reads the stored code). */
  flush = (): void => {
    this.autosave?.flush();
    this.playground?.flush();
  };

  private reset(): void {
    if (!window.confirm("Replace your code with the starter code? You can undo this afterwards.")) return;
    this.editor.replace(this.starter);
    showBanner("reset", "Your code was replaced with the starter code.", [
      { label: "Undo reset", action: () => this.editor.undo() },
    ], 15000);
  }

  private startFrom(prev: ProblemEntry, code: string, missing: string): void {
    if (!window.confirm(`Replace the code here with your code from “${prev.title}”? You can undo this afterwards.\n\n${missing.replaceAll("`", "")}`)) return;
    this.editor.replace(code);
    showBanner("reset", `Your code from “${prev.title}” is in the editor. ${missing}`, [
      { label: "Undo", action: () => this.editor.undo() },
    ], 30000);
  }

  private download(): void {
    const blob = new Blob([this.editor.code], { type: "text/x-python" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `${this.problem.slug}.py`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }
}
