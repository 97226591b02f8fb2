// A trace problem's graph, drawn like the playground's (layout.ts, drawing.css): each node shows
// its name and operation, then the learner's value and gradient as they fill them in (✓ right,
// ✗ not yet). Decoration for sighted users (aria-hidden): the table beside it carries the same.
import "./drawing.css";
import type { TraceData } from "./generated/tracepage";
import { layoutGraph, NODE_H } from "./layout";
import { keyboardScrollable } from "./scrollable";
import type { CellKind } from "./tracecheck";
import { el } from "./ui";

const SVG = "http://www.w3.org/2000/svg";
const NODE_W = 132;
const MAX_CHARS = 16;

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

export type CellMark = "right" | "wrong" | "empty";

export interface TraceFigure {
  root: HTMLElement;
  /** Show an entry on its node ("" and "empty": a question mark). */
  set(name: string, kind: CellKind, text: string, mark: CellMark): void;
}

export function traceFigure(trace: TraceData, id: string): TraceFigure {
  const edges = trace.nodes.flatMap((n) => n.inputs.map((i) => ({ from: i, to: n.name })));
  const layout = layoutGraph(trace.nodes.map((n) => n.name), edges, NODE_W);
  const svg = svgEl("svg", { viewBox: `0 0 ${layout.width} ${layout.height}`, width: layout.width, height: layout.height, class: "drawing-svg" });
  svg.setAttribute("aria-hidden", "true");
  const marker = svgEl("marker", { id: `${id}-arrow`, viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" });
  marker.append(svgEl("path", { d: "M 0 0 L 10 5 L 0 10 z", class: "drawing-arrow" }));
  const defs = svgEl("defs", {});
  defs.append(marker);
  svg.append(defs);
  const paths = svgEl("g", { class: "drawing-edges" });
  for (const edge of layout.edges) paths.append(svgEl("path", { d: edge.d, class: "drawing-edge", "marker-end": `url(#${id}-arrow)` }));
  svg.append(paths);
  const texts = new Map<string, SVGTextElement>();
  for (const node of trace.nodes) {
    const at = layout.nodes.get(node.name);
    if (!at) continue;
    const group = svgEl("g", { class: `drawing-node${node.name === trace.output ? " drawing-node-output" : ""}`, "data-node": node.name });
    group.append(svgEl("rect", { x: at.x, y: at.y, width: NODE_W, height: NODE_H, rx: 6 }));
    const lines: [string, string][] = [
      ["title", node.op === "input" ? `${node.name} (input)` : `${node.name} (${node.op})`],
      ["value", node.op === "input" ? `value ${node.formula}` : "value ?"],
      ["grad", "grad ?"],
    ];
    lines.forEach(([key, line], i) => {
      const text = svgEl("text", { x: at.x + 8, y: at.y + 18 + i * 17, class: `drawing-${key === "title" ? "title" : key === "value" ? "data" : "grad"}` });
      text.textContent = line;
      group.append(text);
      texts.set(`${node.name}/${key}`, text);
    });
    svg.append(group);
  }
  const scroller = keyboardScrollable(el("div", "drawing-scroll"), `The graph of ${trace.expression} drawn; the table says the same`);
  scroller.append(svg);
  const root = el("figure", "drawing-figure trace-figure");
  const caption = el("figcaption", "drawing-caption");
  caption.append(el("code", undefined, trace.expression));
  root.append(caption, scroller);
  // A little too wide for its box: shrink it (down to 70 %, still readable); more: it scrolls.
  requestAnimationFrame(() => {
    const room = scroller.clientWidth - 2;
    if (room > 0 && layout.width > room && room / layout.width >= 0.7) {
      svg.setAttribute("width", String(room));
      svg.setAttribute("height", String(Math.round(layout.height * room / layout.width)));
    }
  });
  return {
    root,
    set(name, kind, text, mark) {
      const line = texts.get(`${name}/${kind}`);
      if (!line) return;
      const word = kind === "value" ? "value" : "grad";
      const shown = mark === "empty" || !text.trim() ? "?" : text.trim().slice(0, MAX_CHARS - word.length - 3);
      line.textContent = `${word} ${shown}${mark === "right" ? " ✓" : mark === "wrong" ? " ✗" : ""}`;
      line.classList.toggle("trace-mark-wrong", mark === "wrong");
      line.classList.toggle("trace-mark-right", mark === "right");
    },
  };
}
