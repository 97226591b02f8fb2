// A playground drawing: the learner's own Value graph (draw(v)), and with draw(v, steps=True) a
// step-through of backward(). Like graph.ts, the SVG is decoration for sighted users (aria-hidden)
// and a table carries everything it shows; the step sentence is announced in an aria-live region.
// Layout: layout.ts; the steps' model: stepper.ts.
import "./drawing.css";
import type { Drawing, DrawnNode, Reading } from "./generated/play";
import { appendInline as withCode } from "./inline";
import { layoutGraph, NODE_H, NODE_W } from "./layout";
import { keyboardScrollable } from "./scrollable";
import { firstDifference, fmt, gradsAt, nodeName, stepWords } from "./stepper";
import { el } from "./ui";

const SVG = "http://www.w3.org/2000/svg";
/** Past this many nodes the table starts closed. */
const TABLE_OPEN_MAX = 60;
let figures = 0;

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function clip(text: string, max = 22): string {
  return text.length > max ? text.slice(0, max - 1) + "…" : text;
}

/** The node's first line in the figure: its variable and op, or what is known of it. */
function heading(node: DrawnNode): string {
  if (node.label && node.op) return `${node.label} (${node.op})`;
  return nodeName(node, node.id);
}

interface NodeView { group: SVGGElement; grad: SVGTextElement; x: number; y: number; tag: SVGTextElement | null }

function figureSvg(drawing: Drawing, id: string): { svg: SVGSVGElement; views: Map<string, NodeView> } {
  const layout = layoutGraph(drawing.nodes.map((n) => n.id), drawing.edges);
  const svg = svgEl("svg", { viewBox: `0 0 ${layout.width} ${layout.height}`, width: layout.width, height: layout.height, class: "drawing-svg" });
  svg.setAttribute("aria-hidden", "true"); // the table says the same, for screen readers
  const defs = svgEl("defs", {});
  const marker = svgEl("marker", { id: `${id}-arrow`, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" });
  marker.append(svgEl("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "drawing-arrow" }));
  defs.append(marker);
  svg.append(defs);
  const edges = svgEl("g", { class: "drawing-edges" });
  for (const edge of layout.edges) {
    edges.append(svgEl("path", { d: edge.d, class: edge.back ? "drawing-edge drawing-edge-back" : "drawing-edge", "marker-end": `url(#${id}-arrow)`, "data-from": edge.from, "data-to": edge.to, "data-edge": edge.index }));
  }
  svg.append(edges);
  const views = new Map<string, NodeView>();
  for (const node of drawing.nodes) {
    const at = layout.nodes.get(node.id);
    if (!at) continue;
    const group = svgEl("g", { class: `drawing-node${node.id === drawing.output ? " drawing-node-output" : ""}`, "data-node": node.id });
    group.append(svgEl("rect", { x: at.x, y: at.y, width: NODE_W, height: NODE_H, rx: 6 }));
    const lines = [heading(node), `data ${fmt(node.data)}`, `grad ${fmt(node.grad)}`];
    if (lines.some((line) => clip(line) !== line)) {
      const title = svgEl("title", {}); // the whole of a clipped line, on hover
      title.textContent = lines.join("\n");
      group.prepend(title);
    }
    const texts = lines.map((line, i) => {
      const text = svgEl("text", { x: at.x + 8, y: at.y + 18 + i * 17, class: ["drawing-title", "drawing-data", "drawing-grad"][i] });
      text.textContent = clip(line);
      group.append(text);
      return text;
    });
    svg.append(group);
    views.set(node.id, { group, grad: texts[2], x: at.x, y: at.y, tag: null });
  }
  return { svg, views };
}

function inputsOf(drawing: Drawing): Map<string, string[]> {
  const byId = new Map(drawing.nodes.map((n) => [n.id, n]));
  const inputs = new Map<string, string[]>(drawing.nodes.map((n) => [n.id, []]));
  for (const e of drawing.edges) inputs.get(e.to)?.push(byId.get(e.from)?.label ?? e.from);
  return inputs;
}

/** The reference's final grads by label (a label held by two reference nodes matches neither). */
function referenceGrads(drawing: Drawing): Map<string, Reading> | null {
  const ref = drawing.reference;
  if (!ref) return null;
  const grads = new Map<string, Reading>();
  const twice = new Set<string>();
  for (const n of ref.nodes) {
    if (n.label === null) continue;
    if (grads.has(n.label)) twice.add(n.label);
    grads.set(n.label, n.grad);
  }
  for (const label of twice) grads.delete(label);
  return grads;
}

/** A few words above a node in the figure ("" clears them). */
function setTag(view: NodeView, text: string): void {
  if (!view.tag) {
    view.tag = svgEl("text", { x: view.x + NODE_W - 4, y: view.y - 4, class: "drawing-tag", "text-anchor": "end" });
    view.group.append(view.tag);
  }
  view.tag.textContent = text;
}

interface Table { wrap: HTMLElement; cells: Map<string, HTMLTableCellElement>; gradHead: HTMLTableCellElement }

/** The accessible view. Past TABLE_OPEN_MAX nodes it starts closed and its rows are made when it
 * is first opened (`gradNow`: the grads to show then). */
function table(drawing: Drawing, stepping: boolean, gradNow: () => Map<string, Reading> | null): Table {
  const t = el("table", "drawing-table");
  t.append(el("caption", undefined, "Every node of the graph, the output first."));
  const head = t.createTHead().insertRow();
  const refGrads = referenceGrads(drawing);
  const titles = ["Node", "Operation", "Inputs", "data", stepping ? "grad (at this step)" : "grad"];
  if (stepping) titles.push("grad (final)");
  if (refGrads) titles.push("grad (reference engine)");
  let gradHead = null as unknown as HTMLTableCellElement;
  titles.forEach((title, i) => {
    const th = el("th", undefined, title);
    th.scope = "col";
    head.append(th);
    if (i === 4) gradHead = th;
  });
  const body = t.createTBody();
  const cells = new Map<string, HTMLTableCellElement>();
  const rows = (): void => {
    const inputs = inputsOf(drawing);
    const now = gradNow();
    for (const node of drawing.nodes) {
      const row = body.insertRow();
      row.dataset.node = node.id;
      const th = el("th", undefined, node.label ?? node.id);
      th.scope = "row";
      row.append(th);
      const ins = inputs.get(node.id) ?? [];
      for (const text of [node.op ?? "none recorded", ins.length ? ins.join(", ") : "none", fmt(node.data)]) row.insertCell().textContent = text;
      const grad = row.insertCell();
      grad.textContent = fmt(now?.has(node.id) ? (now.get(node.id) ?? null) : node.grad);
      cells.set(node.id, grad);
      if (stepping) row.insertCell().textContent = fmt(node.grad);
      if (refGrads) {
        const ref = node.label === null ? undefined : refGrads.get(node.label);
        row.insertCell().textContent = node.label === null ? "no name to match by" : ref === undefined ? "no node of that name" : fmt(ref);
      }
    }
  };
  const wrap = keyboardScrollable(el("div", "drawing-table-scroll"), "The graph as a table");
  wrap.append(t);
  if (drawing.nodes.length <= TABLE_OPEN_MAX) {
    rows();
    return { wrap, cells, gradHead };
  }
  const details = el("details", "drawing-table-details");
  details.append(el("summary", undefined, `Show the ${drawing.nodes.length} nodes as a table`), wrap);
  details.addEventListener("toggle", () => {
    if (details.open && cells.size === 0) rows();
  });
  return { wrap: details, cells, gradHead };
}

/** "b.grad: 0 → 10 (written by the rule of out)" with the names in <code>. */
function sentence(parent: HTMLElement, drawing: Drawing, k: number): void {
  const writes = drawing.steps?.steps ?? [];
  if (k === 0) {
    parent.append("Before backward(): every grad as it was when draw() was called.");
    return;
  }
  const words = stepWords(drawing, writes[k - 1]);
  parent.append(el("code", undefined, `${words.who}.grad`), `: ${words.before} → ${words.after}`);
  if (words.rule !== null) parent.append(" (written by the rule of ", el("code", undefined, words.rule), ")");
}

/** Append one self-contained figure for `drawing` to `parent`. */
export function renderDrawing(parent: HTMLElement, drawing: Drawing, options?: { onCompare?: () => void }): void {
  const id = `drawing-${++figures}`;
  const root = el("section", "drawing");
  root.setAttribute("aria-label", drawing.title ? `Drawing of ${drawing.title}` : "Drawing");
  const notes: string[] = [];
  if (drawing.note) notes.push(drawing.note);
  if (drawing.truncated) notes.push(`The graph has more nodes than drawn: only the ${drawing.nodes.length} found first from the output are shown.`);
  for (const text of notes) root.append(withCode(el("p", "drawing-note"), text));

  const figure = el("figure", "drawing-figure");
  const caption = el("figcaption", "drawing-caption");
  caption.append(el("code", undefined, drawing.title ? `draw(${drawing.title})` : "draw(…)"));
  // Keyboard users can pan a large figure too (arrow keys once it has focus).
  const scroller = keyboardScrollable(el("div", "drawing-scroll"), "The graph drawn; the table below says the same");
  const { svg, views } = figureSvg(drawing, id);
  scroller.append(svg);
  figure.append(caption, scroller);
  // A figure a little wider than its box is shrunk to fit (down to 70 %: text stays readable);
  // a bigger one keeps its size and scrolls.
  requestAnimationFrame(() => {
    const natural = Number(svg.getAttribute("width"));
    const room = scroller.clientWidth - 2;
    if (room > 0 && natural > room && room / natural >= 0.7) {
      svg.setAttribute("height", String(Math.round(Number(svg.getAttribute("height")) * room / natural)));
      svg.setAttribute("width", String(room));
    }
  });

  const trace = drawing.steps ?? null;
  let gradNow: Map<string, Reading> | null = null;
  const { wrap, cells, gradHead } = table(drawing, trace !== null, () => gradNow);

  if (options?.onCompare) {
    const compare = el("button", "drawing-compare", "Compare with the reference engine");
    compare.type = "button";
    const onCompare = options.onCompare;
    compare.addEventListener("click", () => onCompare());
    root.append(compare);
  }

  if (trace) root.append(stepper(drawing, trace.steps.length, views, cells, gradHead, scroller, (g) => (gradNow = g)));
  root.append(figure, wrap);
  parent.append(root);
  // A figure larger than its box opens on the output, where backward() starts.
  const output = views.get(drawing.output);
  if (output && scroller.scrollWidth > scroller.clientWidth) reveal(scroller, output.group);
}

function stepper(
  drawing: Drawing, total: number, views: Map<string, NodeView>, cells: Map<string, HTMLTableCellElement>,
  gradHead: HTMLTableCellElement, scroller: HTMLElement, shown: (grads: Map<string, Reading>) => void,
): HTMLElement {
  const trace = drawing.steps ?? { steps: [], truncated: false, error: null };
  const box = el("div", "drawing-steps");
  if (trace.zeroed) box.append(el("p", "drawing-note", "backward() had already run on this graph, so its grads were set to 0 before stepping: the steps show one backward pass (a second one would add to the first)."));
  if (trace.truncated) box.append(el("p", "drawing-note", `backward() wrote more grads than were kept: only the first ${total} writes can be stepped through.`));
  if (trace.error) {
    box.append(el("p", "drawing-note drawing-error", `backward() raised ${trace.error.type}: ${trace.error.message}. The ${total} writes before it can be stepped through.`));
  }
  const ref = drawing.reference ?? null;
  const refTotal = ref?.steps?.steps.length ?? 0;
  const first = ref ? firstDifference(drawing, ref) : null;
  if (ref?.steps) {
    const text = first !== null
      ? `First difference at step ${first}.`
      : refTotal === total
        ? `Your ${total} writes and the reference engine's are the same, step by step.`
        : `No difference in the ${Math.min(total, refTotal)} steps both traces kept.`;
    box.append(el("p", first !== null ? "drawing-compare-summary drawing-differs" : "drawing-compare-summary", text));
  }
  const group = el("div", "drawing-step-controls");
  group.setAttribute("role", "group");
  group.setAttribute("aria-label", "Step through backward()");
  const button = (label: string, action: string): HTMLButtonElement => {
    const b = el("button", undefined, label);
    b.type = "button";
    b.dataset.step = action;
    group.append(b);
    return b;
  };
  const firstB = button("First", "first");
  const backB = button("Back", "back");
  const nextB = button("Next", "next");
  const lastB = button("Last", "last");
  const counter = el("span", "drawing-step-count");
  group.append(counter);
  if (first !== null && first <= total) button(`Go to the first difference (step ${first})`, "difference");
  const live = el("div", "drawing-step-words");
  live.setAttribute("aria-live", "polite");
  box.append(group, live);

  let k = 0;
  let marked: string[] = [];
  const show = (next: number): void => {
    k = Math.max(0, Math.min(total, next));
    const grads = gradsAt(drawing, k);
    shown(grads);
    for (const [nid, v] of views) {
      const text = fmt(grads.get(nid) ?? null);
      const line = clip(`grad ${text}`);
      if (v.grad.textContent !== line) v.grad.textContent = line;
      const cell = cells.get(nid);
      if (cell && cell.textContent !== text) cell.textContent = text;
    }
    for (const nid of marked) {
      const v = views.get(nid);
      v?.group.classList.remove("drawing-node-written", "drawing-node-rule");
      if (v) setTag(v, "");
    }
    marked = [];
    const write = k > 0 ? trace.steps[k - 1] : null;
    if (write) {
      if (write.rule !== null && write.rule !== write.node) {
        const r = views.get(write.rule);
        r?.group.classList.add("drawing-node-rule");
        if (r) setTag(r, "its rule");
        marked.push(write.rule);
      }
      const w = views.get(write.node);
      w?.group.classList.add("drawing-node-written");
      if (w) setTag(w, write.rule === write.node ? "written by its own rule" : "grad written");
      marked.push(write.node);
      if (w) reveal(scroller, w.group);
    }
    counter.textContent = `Step ${k} of ${total}`;
    gradHead.textContent = `grad (at step ${k})`;
    for (const [b, off] of [[firstB, k === 0], [backB, k === 0], [nextB, k === total], [lastB, k === total]] as const) {
      b.setAttribute("aria-disabled", String(off));
    }
    live.replaceChildren();
    const mine = el("p", "drawing-step-mine");
    if (ref) mine.append(el("strong", undefined, "Yours: "));
    sentence(mine, drawing, k);
    live.append(mine);
    if (ref?.steps) {
      const theirs = el("p", "drawing-step-ref");
      theirs.append(el("strong", undefined, "Reference engine: "));
      if (k === 0 || k <= refTotal) sentence(theirs, ref, k);
      else theirs.append(`no step ${k}: it wrote ${refTotal} grads${ref.steps.truncated ? " (all it kept)" : ""}.`);
      live.append(theirs);
      if (first !== null && k === first) live.append(el("p", "drawing-differs", `First difference: step ${k}.`));
    }
  };
  group.addEventListener("click", (event) => {
    const action = (event.target as HTMLElement).closest("button")?.dataset.step;
    if (action === "first") show(0);
    else if (action === "back") show(k - 1);
    else if (action === "next") show(k + 1);
    else if (action === "last") show(total);
    else if (action === "difference" && first !== null) show(first);
  });
  group.addEventListener("keydown", (event) => {
    const moves: Record<string, number> = { ArrowLeft: k - 1, ArrowRight: k + 1, Home: 0, End: total };
    if (!(event.key in moves)) return;
    event.preventDefault();
    show(moves[event.key]);
  });
  show(0);
  return box;
}

/** Scroll the figure's box (never the page) so that `node` is in view. */
function reveal(scroller: HTMLElement, node: SVGGElement): void {
  const box = node.getBBox?.();
  if (!box || scroller.clientWidth === 0) return;
  const left = scroller.scrollLeft;
  const top = scroller.scrollTop;
  if (box.x < left || box.x + box.width > left + scroller.clientWidth) scroller.scrollLeft = box.x - (scroller.clientWidth - box.width) / 2;
  if (box.y < top || box.y + box.height > top + scroller.clientHeight) scroller.scrollTop = box.y - (scroller.clientHeight - box.height) / 2;
}
