// Draws a data case's computational graph (SVG) and the same nodes as a table.
//
// Case graphs are small (a few to ~40 nodes) and always flow from leaves to one output, so a
// layered layout is enough: a node's column is its longest path from a leaf, rows follow creation
// order. That is ~30 lines here; a general layout library (dagre, elkjs: 40-400 KB) would not earn
// its weight. The SVG is decoration for sighted users; the table is the accessible view and
// carries everything the drawing shows.
import type { GraphNode, GraphView } from "./protocol";
import { keyboardScrollable } from "./scrollable";

const SVG = "http://www.w3.org/2000/svg";
const W = 150; // node box
const H = 58;
const GAP_X = 60;
const GAP_Y = 18;

function fmt(x: number | null): string {
  if (x === null) return "not a number";
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

export function nodeLabel(node: GraphNode): string {
  if (node.op === "leaf") return node.id;
  return node.code.split(" = ", 2)[1] ?? node.op;
}

/** Columns by longest path from a leaf; rows in creation order within a column. */
export function layout(nodes: GraphNode[]): Map<string, { x: number; y: number }> {
  const depth = new Map<string, number>();
  for (const node of nodes) {
    const inputs = node.inputs.filter((i) => depth.has(i)).map((i) => depth.get(i) ?? 0);
    depth.set(node.id, inputs.length ? Math.max(...inputs) + 1 : 0);
  }
  const rows = new Map<number, number>();
  const place = new Map<string, { x: number; y: number }>();
  for (const node of nodes) {
    const column = depth.get(node.id) ?? 0;
    const row = rows.get(column) ?? 0;
    rows.set(column, row + 1);
    place.set(node.id, { x: 10 + column * (W + GAP_X), y: 10 + row * (H + GAP_Y) });
  }
  return place;
}

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function drawing(view: GraphView): SVGSVGElement {
  const place = layout(view.nodes);
  const width = Math.max(...[...place.values()].map((p) => p.x)) + W + 10;
  const height = Math.max(...[...place.values()].map((p) => p.y)) + H + 10;
  const svg = svgEl("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "graph-svg" });
  svg.setAttribute("aria-hidden", "true"); // the table below says the same, for screen readers
  const defs = svgEl("defs", {});
  const marker = svgEl("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" });
  marker.append(svgEl("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "graph-arrow" }));
  defs.append(marker);
  svg.append(defs);
  for (const node of view.nodes) {
    const to = place.get(node.id);
    if (!to) continue;
    for (const input of new Set(node.inputs)) {
      const from = place.get(input);
      if (!from) continue;
      const x1 = from.x + W, y1 = from.y + H / 2, x2 = to.x, y2 = to.y + H / 2;
      const mid = (x1 + x2) / 2;
      svg.append(svgEl("path", { d: `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`, class: "graph-edge", "marker-end": "url(#arrow)" }));
    }
  }
  for (const node of view.nodes) {
    const at = place.get(node.id);
    if (!at) continue;
    const dataOk = node.data_ok;
    const gradOk = node.grad_ok;
    const first = node.id === view.first_difference;
    const group = svgEl("g", { class: `graph-node${dataOk && gradOk ? "" : " graph-node-wrong"}${first ? " graph-node-first" : ""}${node.id === view.output ? " graph-node-output" : ""}`, "data-node": node.id });
    group.append(svgEl("rect", { x: at.x, y: at.y, width: W, height: H, rx: 6 }));
    const lines = [
      node.op === "leaf" ? `${node.id} (input)` : `${node.id} = ${nodeLabel(node)}`,
      `data ${fmt(node.data)}${dataOk ? "" : ` (want ${fmt(node.expected_data)})`}`,
      `grad ${fmt(node.grad)}${gradOk ? "" : ` (want ${fmt(node.expected_grad)})`}`,
    ];
    lines.forEach((line, i) => {
      const text = svgEl("text", { x: at.x + 8, y: at.y + 17 + i * 16, class: i === 0 ? "graph-title" : "" });
      text.textContent = line.length > 24 ? line.slice(0, 23) + "…" : line;
      group.append(text);
    });
    if (first) {
      const tag = svgEl("text", { x: at.x + W - 6, y: at.y - 3, class: "graph-first-tag", "text-anchor": "end" });
      tag.textContent = "first difference";
      group.append(tag);
    }
    svg.append(group);
  }
  return svg;
}

function table(view: GraphView): HTMLTableElement {
  const t = document.createElement("table");
  t.className = "graph-table";
  const caption = document.createElement("caption");
  caption.textContent = "Every node of the graph, from the inputs to the output: your values and the expected ones.";
  t.append(caption);
  const head = t.createTHead().insertRow();
  for (const title of ["Node", "Operation", "data (yours)", "data (expected)", "grad (yours)", "grad (expected)", "Note"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = title;
    head.append(th);
  }
  const body = t.createTBody();
  for (const node of view.nodes) {
    const row = body.insertRow();
    row.dataset.node = node.id;
    const dataOk = node.data_ok;
    const gradOk = node.grad_ok;
    const th = document.createElement("th");
    th.scope = "row";
    th.textContent = node.id;
    row.append(th);
    const notes: string[] = [];
    if (node.id === view.first_difference) notes.push("first difference");
    if (!dataOk) notes.push("data differs");
    if (!gradOk) notes.push("grad differs");
    if (node.id === view.output) notes.push("output");
    for (const text of [node.op === "leaf" ? "input" : nodeLabel(node), fmt(node.data), fmt(node.expected_data), fmt(node.grad), fmt(node.expected_grad), notes.join(", ")]) {
      row.insertCell().textContent = text;
    }
    if (!dataOk || !gradOk) row.classList.add("graph-row-wrong");
    if (node.id === view.first_difference) row.classList.add("graph-row-first");
  }
  return t;
}

/** A closed <details> with the drawing and the table; opened by the learner (keyboard: Enter). */
export function graphDetails(view: GraphView): HTMLDetailsElement {
  const details = document.createElement("details");
  details.className = "case-graph";
  const summary = document.createElement("summary");
  summary.textContent = view.first_difference ? `Show the graph (first difference at ${view.first_difference})` : "Show the graph";
  details.append(summary);
  details.addEventListener("toggle", () => {
    if (details.open && details.childElementCount === 1) {
      const scroller = document.createElement("div");
      scroller.className = "graph-scroll";
      keyboardScrollable(scroller, "The graph drawn; the table below says the same");
      scroller.append(drawing(view));
      const tableBox = document.createElement("div"); // a wide table scrolls, never the page
      tableBox.className = "graph-table-scroll";
      keyboardScrollable(tableBox, "The graph as a table");
      tableBox.append(table(view));
      details.append(scroller, tableBox);
    }
  }, { once: false });
  return details;
}
