// Draws a data case's computational graph (SVG) and the same nodes as a table.
//
// The layout is the playground's (layout.ts): layered, inputs on the left, and one edge per use
// of a value with its own ports, so the `x` in `x*y + x` shows both of its edges. Boxes are as
// wide as their longest label. The SVG is decoration for sighted users; the table is the
// accessible view and carries everything the drawing shows.
import { layoutGraph, NODE_H, NODE_W } from "./layout";
import type { GraphNode, GraphView } from "./protocol";
import { keyboardScrollable } from "./scrollable";

const SVG = "http://www.w3.org/2000/svg";
/** Width of one character of the drawing's 12px monospace font, with a little to spare. */
const CHAR_W = 7.6;
const PAD_X = 8;
/** Labels longer than this are cut (the whole label is in the box's tooltip and the table). */
const MAX_CHARS = 40;

function fmt(x: number | null): string {
  if (x === null) return "not a number";
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

export function nodeLabel(node: GraphNode): string {
  if (node.op === "leaf") return node.id;
  return node.code.split(" = ", 2)[1] ?? node.op;
}

function clip(line: string): string {
  return line.length > MAX_CHARS ? line.slice(0, MAX_CHARS - 1) + "…" : line;
}

function nodeLines(node: GraphNode): string[] {
  return [
    node.op === "leaf" ? `${node.id} (input)` : `${node.id} = ${nodeLabel(node)}`,
    `data ${fmt(node.data)}${node.data_ok ? "" : ` (want ${fmt(node.expected_data)})`}`,
    `grad ${fmt(node.grad)}${node.grad_ok ? "" : ` (want ${fmt(node.expected_grad)})`}`,
  ];
}

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function drawing(view: GraphView): SVGSVGElement {
  const lines = new Map(view.nodes.map((node) => [node.id, nodeLines(node)]));
  const longest = Math.max(0, ...[...lines.values()].flat().map((line) => clip(line).length));
  const W = Math.max(NODE_W, Math.ceil(longest * CHAR_W) + 2 * PAD_X);
  // One edge per use: an input listed twice (x + x) gets two.
  const edges = view.nodes.flatMap((node) => node.inputs.map((input) => ({ from: input, to: node.id })));
  const place = layoutGraph(view.nodes.map((n) => n.id), edges, W);
  const svg = svgEl("svg", { viewBox: `0 0 ${place.width} ${place.height}`, width: place.width, height: place.height, class: "graph-svg" });
  svg.setAttribute("aria-hidden", "true"); // the table below says the same, for screen readers
  const defs = svgEl("defs", {});
  const marker = svgEl("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" });
  marker.append(svgEl("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "graph-arrow" }));
  defs.append(marker);
  svg.append(defs);
  for (const edge of place.edges) {
    svg.append(svgEl("path", { d: edge.d, class: "graph-edge", "marker-end": "url(#arrow)", "data-from": edge.from, "data-to": edge.to }));
  }
  for (const node of view.nodes) {
    const at = place.nodes.get(node.id);
    if (!at) continue;
    const first = node.id === view.first_difference;
    const group = svgEl("g", { class: `graph-node${node.data_ok && node.grad_ok ? "" : " graph-node-wrong"}${first ? " graph-node-first" : ""}${node.id === view.output ? " graph-node-output" : ""}`, "data-node": node.id });
    const text = lines.get(node.id) ?? [];
    if (text.some((line) => clip(line) !== line)) {
      const title = svgEl("title", {}); // the whole of a cut label, on hover
      title.textContent = text.join("\n");
      group.append(title);
    }
    group.append(svgEl("rect", { x: at.x, y: at.y, width: W, height: NODE_H, rx: 6 }));
    text.forEach((line, i) => {
      const label = svgEl("text", { x: at.x + PAD_X, y: at.y + 18 + i * 17, class: i === 0 ? "graph-title" : "" });
      label.textContent = clip(line);
      group.append(label);
    });
    if (first) {
      const tag = svgEl("text", { x: at.x + W - 6, y: at.y - 4, class: "graph-first-tag", "text-anchor": "end" });
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
