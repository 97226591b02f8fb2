// Renders a grading report: a summary, then each case by the name its instructor gave it.
import { trainingFigure } from "./figures";
import { graphDetails } from "./graph";
import { hintLadder } from "./hints";
import { inlineEl } from "./inline";
import type { CaseResult, GraphView, Report } from "./protocol";
import { el } from "./ui";

const LABELS: Record<CaseResult["status"], string> = {
  passed: "passed", failed: "failed", error: "error", timeout: "timed out",
};

export function summaryText(report: Report): string {
  if (report.status === "error") return `Your code could not run: ${report.message ?? "error"}`;
  const stopped = report.tests.length < report.total ? ` (stopped after ${report.tests.length})` : "";
  return `${report.passed} of ${report.total} passed${stopped}`;
}

function lineButton(line: number, onLine: (line: number) => void): HTMLButtonElement {
  const button = el("button", "line-link", `line ${line}`);
  button.type = "button";
  button.title = `Show line ${line} in the editor`;
  button.addEventListener("click", () => onLine(line));
  return button;
}

/** Called with a failed visible case's graph: "Open in playground". */
export type OnOpenGraph = (graph: GraphView) => void;

/** A case stopped at a method the learner has not written: the grader's NotImplementedError
 * message (engine/grading/wording.py) names the method. */
const NOT_WRITTEN = /^NotImplementedError \(line \d+, in ([A-Za-z_]\w*)\)/;

export function unwrittenMethod(test: CaseResult): string | null {
  if (test.status !== "error") return null;
  return NOT_WRITTEN.exec(test.message ?? "")?.[1] ?? null;
}

function renderCase(test: CaseResult, onLine: (line: number) => void, slug: string, onOpen: OnOpenGraph | undefined,
                    foldHints: string | null): HTMLLIElement {
  const item = el("li", `case case-${test.status}`);
  item.dataset.status = test.status;
  const head = el("div", "case-head");
  head.append(el("span", `badge badge-${test.status}`, LABELS[test.status]), el("span", "case-name", test.name));
  if (test.visibility === "hidden") head.append(el("span", "tag", "hidden test"));
  item.append(head);
  if (test.status === "passed") {
    if (test.graph) item.append(graphDetails(test.graph));
    if (test.figure) item.append(trainingFigure(test.figure));
    return item;
  }
  if (test.message) item.append(inlineEl("p", "case-message", test.message));
  if (test.figure) item.append(trainingFigure(test.figure));
  if (test.where) item.append(inlineEl("p", "case-where", test.where));
  if (test.line) {
    const where = el("p", "case-line", "In your code: ");
    where.append(lineButton(test.line, onLine));
    item.append(where);
  }
  // Hints written for this case; when something above explains the failure better (a method not
  // written yet, the diagnosis), they are kept but folded, so they do not point elsewhere first.
  const hints: HTMLElement[] = [];
  if (test.hint) hints.push(inlineEl("p", "case-hint", `Hint: ${test.hint}`));
  if (test.hints?.length) hints.push(hintLadder(`${slug}/${test.id}`, test.hints, "More hints, one at a time"));
  const fold = unwrittenMethod(test) ? "Hints for this case (for once the method is written)" : foldHints;
  if (hints.length && fold) {
    const box = el("details", "case-hints");
    box.append(el("summary", undefined, fold), ...hints);
    item.append(box);
  } else {
    item.append(...hints);
  }
  if (test.graph) {
    item.append(graphDetails(test.graph));
    // Only visible cases carry a graph (hidden ones never do), so nothing hidden reaches the scratch code.
    if (onOpen && test.visibility === "visible") {
      const graph = test.graph;
      const open = el("button", "open-playground", "Open in playground");
      open.type = "button";
      open.title = "Put this case's computation in the scratch editor, to run and draw it";
      open.addEventListener("click", () => onOpen(graph));
      item.append(open);
    }
  }
  if (test.output) {
    const details = el("details", "case-output");
    details.append(el("summary", undefined, test.output_truncated ? "Printed output (cut: only the start is shown)" : "Printed output"));
    details.append(el("pre", undefined, test.output));
    item.append(details);
  }
  return item;
}

function listWords(words: string[]): string {
  return words.length < 2 ? words.join("") : `${words.slice(0, -1).join(", ")} and ${words[words.length - 1]}`;
}

/** One sentence for the cases that stopped at a method not written yet (two or more of them):
 * which methods, and how many cases stopped at each. Read off the report, nothing more. */
export function unwrittenSummary(cases: CaseResult[], total: number): string | null {
  const counts = new Map<string, number>();
  for (const test of cases) {
    const method = unwrittenMethod(test);
    if (method) counts.set(method, (counts.get(method) ?? 0) + 1);
  }
  const n = [...counts.values()].reduce((a, b) => a + b, 0);
  if (n < 2) return null;
  const scope = n === total ? `all ${n} cases` : `${n} cases`;
  const methods = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  if (methods.length === 1) {
    return `\`${methods[0][0]}\` is not written yet (it raises NotImplementedError): ${scope} stop there.`;
  }
  const names = listWords(methods.map(([m]) => `\`${m}\``));
  const each = methods.map(([m, c], i) => `\`${m}\` in ${c}${i === 0 ? (c === 1 ? " case" : " cases") : ""}`);
  return `Not written yet (each raises NotImplementedError): ${names}. ` +
    `${scope[0].toUpperCase()}${scope.slice(1)} stop at one of them: ${listWords(each)}.`;
}

export function renderReport(container: HTMLElement, report: Report, onLine: (line: number) => void,
                             onOpen?: OnOpenGraph): void {
  container.replaceChildren();
  const summary = el("p", `summary summary-${report.status}`, summaryText(report));
  container.append(summary);
  const failing = report.tests.filter((t) => t.status !== "passed");
  const unwritten = report.load_error ? null : unwrittenSummary(failing, report.total);
  const onlyUnwritten = unwritten !== null && failing.every((t) => unwrittenMethod(t));
  if (unwritten) container.append(inlineEl("p", "unwritten", unwritten));
  // When every failure is a method not written yet, a diagnosis about NotImplementedError only
  // repeats the line above; any other diagnosis is still shown.
  const diagnosis = onlyUnwritten && report.diagnosis?.mistake.includes("NotImplementedError") ? null : report.diagnosis;
  if (diagnosis) {
    // The closest known mistake: said once, above the cases, because it explains many of them.
    const box = el("div", "diagnosis");
    // A known mistake is a name; a measured one says what the probes saw the code do.
    const lead = diagnosis.basis === "measured" ? "What your code does" : "This looks like";
    box.append(inlineEl("p", "diagnosis-mistake", `${lead}: ${diagnosis.mistake}`));
    if (diagnosis.hint) box.append(inlineEl("p", "diagnosis-hint", `Hint: ${diagnosis.hint}`));
    if (diagnosis.evidence.length) {
      const list = el("ul", "diagnosis-evidence");
      for (const line of diagnosis.evidence) list.append(inlineEl("li", "diagnosis-measured", line));
      box.append(list);
    }
    container.append(box);
  }
  if (report.load_error) {
    if (report.load_error.line) {
      const where = el("p", "case-line", "In your code: ");
      where.append(lineButton(report.load_error.line, onLine));
      container.append(where);
    }
    if (report.load_error.traceback) container.append(el("pre", "case-message", report.load_error.traceback));
    return;
  }
  const foldHints = diagnosis ? "Hints for this case (the diagnosis above comes first)" : null;
  const card = (test: CaseResult) => renderCase(test, onLine, report.problem, onOpen, foldHints);
  // Failures first, so the learner sees what to fix without scrolling; order otherwise kept.
  // Cases stopped at a method not written yet say nothing the line above does not: folded together.
  const folded = unwritten ? failing.filter((t) => unwrittenMethod(t)) : [];
  const list = el("ol", "cases");
  for (const test of failing) if (!folded.includes(test)) list.append(card(test));
  if (list.childElementCount) container.append(list);
  if (folded.length) {
    const box = el("details", "unwritten-cases");
    box.append(el("summary", undefined, `Show the ${folded.length} cases that stop at a method not written yet`));
    const inner = el("ol", "cases");
    for (const test of folded) inner.append(card(test));
    box.append(inner);
    container.append(box);
  }
  const passed = el("ol", "cases");
  for (const test of report.tests) if (test.status === "passed") passed.append(card(test));
  if (passed.childElementCount) container.append(passed);
}
