// A trace problem's page: the statement, then each graph drawn (tracefigure.ts) beside a table of
// cells (a value for each operation, a gradient for every node). Each cell is checked when it
// changes or on Enter (tracecheck.ts), the result said politely and kept in localStorage; the
// problem is solved, in the problem list too, when every cell of every graph is right. No Python:
// it works while Pyodide is still starting.
import "./trace.css";
import { Announcer } from "./announce";
import type { TraceData, TracePage as TracePageData } from "./generated/tracepage";
import { appendInline } from "./inline";
import type { Phase } from "./pyrunner";
import type { ProblemEntry } from "./protocol";
import { renderStatement } from "./statement";
import { getProgress, recordResult, saveTraceCells, traceCells, type TraceCells } from "./store";
import { checkCell, type CellKind, type Verdict } from "./tracecheck";
import { traceFigure, type TraceFigure } from "./tracefigure";
import { el, showBanner } from "./ui";

interface Cell { trace: TraceData; name: string; kind: CellKind; input: HTMLInputElement; message: HTMLElement; figure: TraceFigure; verdict: Verdict }

export class TracePage {
  private cells: Cell[] = [];
  private saved: TraceCells = {};
  private said = new Announcer("trace-said");
  private title!: HTMLElement;
  private counts = new Map<string, HTMLElement>();

  constructor(private main: HTMLElement, private problem: ProblemEntry, private base: string,
              private all: ProblemEntry[] = [problem]) {}

  async show(): Promise<void> {
    const response = await fetch(new URL(this.problem.suite, this.base));
    if (!response.ok) throw new Error(`could not load ${this.problem.title} (${response.status})`);
    const data = (await response.json()) as TracePageData;
    this.saved = traceCells(this.problem.slug);
    this.main.replaceChildren(this.layout(data));
    for (const cell of this.cells) this.check(cell, false);
    this.updateCounts(false);
    this.title.focus();
  }

  dispose(): void {}
  flush(): void {}
  onPhase(_phase: Phase): void {}
  onCaseStarted(_index: number): void {}

  private layout(data: TracePageData): HTMLElement {
    const page = el("div", "trace-problem");
    const crumbs = el("p", "crumbs");
    crumbs.append(Object.assign(el("a", undefined, "All problems"), { href: "#/" }));
    page.append(crumbs);
    const body = el("div", "statement statement-body");
    body.innerHTML = renderStatement(data.problem.statement);
    const position = this.all.findIndex((p) => p.slug === this.problem.slug);
    if (this.all.length > 1 && position >= 0) {
      crumbs.append(` · Problem ${position + 1} of ${this.all.length}`);
      const nav = el("nav", "path-nav");
      nav.setAttribute("aria-label", "Problem path");
      const prev = this.all[position - 1];
      const next = this.all[position + 1];
      if (prev) nav.append(Object.assign(el("a", undefined, `← ${prev.title}`), { href: `#/p/${prev.slug}`, rel: "prev" }));
      if (next) nav.append(Object.assign(el("a", undefined, `Next: ${next.title} →`), { href: `#/p/${next.slug}`, rel: "next" }));
      page.append(nav);
    }
    const title = body.querySelector("h1") ?? el("h1", undefined, data.problem.title);
    if (!title.parentElement) body.prepend(title);
    title.id = "problem-title";
    title.tabIndex = -1;
    this.title = title;
    page.append(body, this.said.el);
    data.traces.forEach((trace, i) => page.append(this.traceSection(trace, i, data.traces.length)));
    return page;
  }

  private traceSection(trace: TraceData, i: number, n: number): HTMLElement {
    const section = el("section", "trace");
    const headingId = `trace-${i + 1}-title`;
    section.setAttribute("aria-labelledby", headingId);
    const heading = el("h2", undefined, `Graph ${i + 1} of ${n}: ${trace.title}`);
    heading.id = headingId;
    const given = el("p", "trace-given");
    const inputs = trace.nodes.filter((node) => node.op === "input");
    appendInline(given, `\`${trace.expression}\` with ${inputs.map((node) => `\`${node.name} = ${node.formula}\``).join(", ")}.`);
    const count = el("p", "trace-count");
    this.counts.set(trace.id, count);
    section.append(heading, given, count);
    const figure = traceFigure(trace, `trace-${i + 1}`);
    const table = el("table", "trace-table");
    table.append(el("caption", undefined, `The nodes of ${trace.expression}: fill in each value, then each gradient d${trace.output}/d(node), in any order.`));
    const head = table.createTHead().insertRow();
    for (const text of ["Node", "Computed as", "Value", `Gradient d${trace.output}/d(node)`]) {
      const th = el("th", undefined, text);
      th.scope = "col";
      head.append(th);
    }
    const body = table.createTBody();
    for (const node of trace.nodes) {
      const row = body.insertRow();
      row.dataset.node = node.name;
      const th = el("th", undefined, node.name);
      th.scope = "row";
      row.append(th);
      row.insertCell().textContent = node.op === "input" ? "input" : node.formula;
      for (const kind of ["value", "grad"] as const) {
        const td = row.insertCell();
        if (kind === "value" && node.op === "input") {
          td.textContent = `${node.formula} (given)`;
          continue;
        }
        this.cells.push(this.cellInput(td, trace, node.name, kind, figure));
      }
    }
    const scroll = el("div", "trace-table-scroll");
    scroll.append(table);
    const layout = el("div", "trace-body");
    layout.append(figure.root, scroll);
    section.append(layout);
    return section;
  }

  private cellInput(td: HTMLTableCellElement, trace: TraceData, name: string, kind: CellKind, figure: TraceFigure): Cell {
    const key = `${trace.id}/${name}/${kind}`;
    const input = el("input", "trace-input");
    input.type = "text";
    input.inputMode = "text";
    input.autocomplete = "off";
    input.spellcheck = false;
    input.id = `cell-${key.replace(/[^a-zA-Z0-9_-]/g, "-")}`;
    input.dataset.cell = key;
    input.setAttribute("aria-label", kind === "value" ? `Value of ${name}` : `Gradient d${trace.output}/d${name}`);
    input.value = this.saved[key] ?? "";
    const message = el("span", "trace-message");
    message.id = `${input.id}-said`;
    input.setAttribute("aria-describedby", message.id);
    td.append(input, message);
    const cell: Cell = { trace, name, kind, input, message, figure, verdict: { status: "empty" } };
    let checked = input.value;
    const onEntered = (): void => {
      if (input.value === checked) return; // Enter, then leaving the cell: checked once
      checked = input.value;
      this.remember(key, input.value);
      this.check(cell, true);
      this.updateCounts(true);
    };
    input.addEventListener("change", onEntered);
    input.addEventListener("keydown", (event) => {
      if (event.key !== "Enter") return;
      event.preventDefault();
      onEntered();
    });
    return cell;
  }

  private remember(key: string, text: string): void {
    if (text.trim()) this.saved[key] = text;
    else delete this.saved[key];
    if (!saveTraceCells(this.problem.slug, this.saved)) {
      showBanner("storage-failed", "Your entries could not be saved (storage is full or blocked): they will be gone when you leave this page.", []);
    }
  }

  /** Check a cell and show the verdict; `say` it when the learner just entered it. */
  private check(cell: Cell, say: boolean): void {
    const node = cell.trace.nodes.find((n) => n.name === cell.name)!;
    const verdict = checkCell(cell.trace, node, cell.kind, cell.input.value);
    const same = verdict.status === cell.verdict.status && (verdict as { say?: string }).say === (cell.verdict as { say?: string }).say;
    cell.verdict = verdict;
    const what = cell.kind === "value" ? `${cell.name}'s value` : `d${cell.trace.output}/d${cell.name}`;
    cell.input.setAttribute("aria-invalid", String(verdict.status === "wrong" || verdict.status === "invalid"));
    cell.input.dataset.status = verdict.status;
    cell.message.replaceChildren();
    cell.message.className = `trace-message trace-${verdict.status}`;
    if (verdict.status === "right") cell.message.append("✓ Right");
    else if (verdict.status !== "empty") {
      appendInline(cell.message, `✗ ${verdict.say}`);
      if (verdict.status === "wrong" && verdict.hint) {
        const hint = el("span", "trace-hint");
        appendInline(hint, `Hint: ${verdict.hint}`);
        cell.message.append(hint);
      }
    }
    cell.figure.set(cell.name, cell.kind, cell.input.value, verdict.status === "right" ? "right" : verdict.status === "empty" ? "empty" : "wrong");
    if (say && !(same && verdict.status === "empty")) {
      const text = verdict.status === "right" ? `${what}: right.` : verdict.status === "empty" ? `${what}: cleared.` : `${what}: ${verdict.say.replaceAll("`", "")}`;
      this.said.say(text);
    }
  }

  /** The count of right cells per graph, the problem's progress, and Solved when all are right. */
  private updateCounts(justEntered: boolean): void {
    const before = getProgress(this.problem.slug);
    let right = 0;
    for (const [id, count] of this.counts) {
      const mine = this.cells.filter((c) => c.trace.id === id);
      const done = mine.filter((c) => c.verdict.status === "right").length;
      right += done;
      count.textContent = done === mine.length ? `✓ All ${mine.length} cells right.` : `${done} of ${mine.length} cells right.`;
      count.classList.toggle("trace-count-done", done === mine.length);
    }
    const total = this.cells.length;
    if (justEntered || before) recordResult(this.problem.slug, right, total, this.problem.version);
    const solved = right === total || (getProgress(this.problem.slug)?.solved ?? false);
    if (solved && !this.main.querySelector(".solved-mark")) {
      const mark = el("p", "solved-mark", "✓ Solved");
      this.title.after(mark, this.nextStep());
      if (justEntered && right === total) this.said.say("Every cell is right: problem solved.");
    }
  }

  /** Once solved: on to the next problem on the path (or back to the list). */
  private nextStep(): HTMLElement {
    const box = el("p", "next-step");
    const next = this.all[this.all.findIndex((p) => p.slug === this.problem.slug) + 1];
    const link = Object.assign(el("a", "next-problem button-link"), next
      ? { href: `#/p/${next.slug}`, rel: "next", textContent: `Next problem: ${next.title} →` }
      : { href: "#/", textContent: "All problems" });
    box.append(link);
    return box;
  }
}
