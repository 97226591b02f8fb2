// Renders a grading report: a summary, then each case by the name its instructor gave it.
import { graphDetails } from "./graph";
import { hintLadder } from "./hints";
import type { CaseResult, GraphView, Report } from "./protocol";

const LABELS: Record<CaseResult["status"], string> = {
  passed: "passed", failed: "failed", error: "error", timeout: "timed out",
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

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

function renderCase(test: CaseResult, onLine: (line: number) => void, slug: string, onOpen?: OnOpenGraph): HTMLLIElement {
  const item = el("li", `case case-${test.status}`);
  item.dataset.status = test.status;
  const head = el("div", "case-head");
  head.append(el("span", `badge badge-${test.status}`, LABELS[test.status]), el("span", "case-name", test.name));
  if (test.visibility === "hidden") head.append(el("span", "tag", "hidden test"));
  item.append(head);
  if (test.status === "passed") {
    if (test.graph) item.append(graphDetails(test.graph));
    return item;
  }
  if (test.message) item.append(el("pre", "case-message", test.message));
  if (test.where) item.append(el("p", "case-where", test.where));
  if (test.line) {
    const where = el("p", "case-line", "In your code: ");
    where.append(lineButton(test.line, onLine));
    item.append(where);
  }
  if (test.hint) item.append(el("p", "case-hint", `Hint: ${test.hint}`));
  if (test.hints?.length) item.append(hintLadder(`${slug}/${test.id}`, test.hints, "More hints, one at a time"));
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

export function renderReport(container: HTMLElement, report: Report, onLine: (line: number) => void,
                             onOpen?: OnOpenGraph): void {
  container.replaceChildren();
  const summary = el("p", `summary summary-${report.status}`, summaryText(report));
  container.append(summary);
  if (report.diagnosis) {
    // The closest known mistake: said once, above the cases, because it explains many of them.
    const box = el("div", "diagnosis");
    // A known mistake is a name; a measured one says what the probes saw the code do.
    const lead = report.diagnosis.basis === "measured" ? "What your code does" : "This looks like";
    box.append(el("p", "diagnosis-mistake", `${lead}: ${report.diagnosis.mistake}`));
    if (report.diagnosis.hint) box.append(el("p", "diagnosis-hint", `Hint: ${report.diagnosis.hint}`));
    if (report.diagnosis.evidence.length) {
      const list = el("ul", "diagnosis-evidence");
      for (const line of report.diagnosis.evidence) list.append(el("li", "diagnosis-measured", line));
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
  const list = el("ol", "cases");
  // Failures first, so the learner sees what to fix without scrolling; order otherwise kept.
  const ordered = [...report.tests.filter((t) => t.status !== "passed"), ...report.tests.filter((t) => t.status === "passed")];
  for (const test of ordered) list.append(renderCase(test, onLine, report.problem, onOpen));
  container.append(list);
}
