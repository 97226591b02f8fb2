// Draws a case's figure (report.schema.json, $defs/training_figure): what the learner's training
// produced, the loss at every step and the trained model's decision boundary over the data. Drawn
// whether the case passed or not: a failing learner learns most from seeing the boundary. Plain
// SVG by hand; colours only from style.css's variables (figures.css), so the dark scheme follows.
// The sentence under it is the text alternative and says everything the numbers show.
import "./figures.css";
import type { TrainingFigure } from "./generated/report";
import { el } from "./ui";

const SVG = "http://www.w3.org/2000/svg";
const CHART_W = 260;
const CHART_H = 200;
const PLANE = 200;
const PAD = 40; // room left of the loss axis for a label such as 2.5e+15
let drawn = 0;

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>,
                                                     className?: string): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (className) node.setAttribute("class", className);
  return node;
}

/** Two significant figures, as a learner reads a loss: 0.69, 34, and 2.5e+15 for a loss that
 * blew up (written out, it would not fit beside the chart). */
export function short(x: number): string {
  return Math.abs(x) >= 1e5 ? x.toExponential(1) : String(Number(x.toPrecision(2)));
}

/** The text alternative: "loss fell from 0.69 to 0.21 over 40 steps; accuracy 95% on 40 points". */
export function trainingSentence(figure: TrainingFigure): string {
  const losses = figure.losses.filter((x): x is number => x !== null);
  const steps = figure.losses.length;
  let loss: string;
  if (!steps) loss = "train() returned no losses";
  else if (!losses.length) loss = `none of the ${steps} losses was a finite number`;
  else {
    const [first, last] = [losses[0], losses[losses.length - 1]];
    const verb = last < first ? "fell" : last > first ? "rose" : "stayed";
    loss = verb === "stayed" ? `loss stayed at ${short(first)} over ${steps} steps`
      : `loss ${verb} from ${short(first)} to ${short(last)} over ${steps} steps`;
    const missing = steps - losses.length;
    if (missing) loss += ` (${missing} of them not a finite number)`;
  }
  const n = figure.points.length;
  const acc = figure.accuracy === null ? "accuracy unknown" : `accuracy ${Math.round(figure.accuracy * 100)}%`;
  return `${loss[0].toUpperCase()}${loss.slice(1)}; ${acc} on ${n} points.`;
}

/** The loss per step as a line, on axes from 0 (or the lowest loss, if negative) to the highest. */
function lossChart(losses: (number | null)[]): SVGSVGElement {
  const svg = svgEl("svg", { viewBox: `0 0 ${CHART_W} ${CHART_H}`, width: CHART_W, height: CHART_H,
    "aria-hidden": "true" }, "figure-loss");
  const finite = losses.filter((x): x is number => x !== null);
  const top = Math.max(0, ...finite);
  const bottom = Math.min(0, ...finite);
  const span = top - bottom || 1;
  const [x0, x1, y0, y1] = [PAD + 8, CHART_W - 8, CHART_H - PAD, 10];
  const x = (i: number) => x0 + (losses.length > 1 ? (i / (losses.length - 1)) * (x1 - x0) : 0);
  const y = (v: number) => y0 - ((v - bottom) / span) * (y0 - y1);
  svg.append(svgEl("path", { d: `M${x0},${y1} V${y0} H${x1}` }, "figure-axis"));
  const label = (text: string, ax: number, ay: number, anchor: string) => {
    const t = svgEl("text", { x: ax, y: ay, "text-anchor": anchor }, "figure-label");
    t.textContent = text;
    svg.append(t);
  };
  label(short(top), x0 - 4, y1 + 4, "end");
  label(short(bottom), x0 - 4, y0 + 4, "end");
  label("step 1", x0, y0 + 16, "start");
  label(`${losses.length}`, x1, y0 + 16, "end");
  label("loss", x0 + 4, y1 + 4, "start");
  // One polyline per run of numbers: a loss that was not a number leaves a gap.
  let run: string[] = [];
  const flush = () => {
    if (run.length > 1) svg.append(svgEl("polyline", { points: run.join(" ") }, "figure-line"));
    if (run.length === 1) {
      const [cx, cy] = run[0].split(",");
      svg.append(svgEl("circle", { cx, cy, r: 2 }, "figure-dot"));
    }
    run = [];
  };
  losses.forEach((v, i) => {
    if (v === null) flush();
    else run.push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
  });
  flush();
  return svg;
}

/** The plane: each grid cell coloured by the class the model predicts there (stronger where it is
 * surer), and the data points on top, class 0 as circles and class 1 as squares. */
function boundary(figure: TrainingFigure): SVGSVGElement {
  const { grid, points } = figure;
  // Whole-pixel cells (8 px for 24 of them): neighbours meet without a seam or an overlap.
  const cell = Math.max(4, Math.round(PLANE / grid.size));
  const side = cell * grid.size;
  const svg = svgEl("svg", { viewBox: `0 0 ${side} ${side}`, width: side, height: side,
    "aria-hidden": "true" }, "figure-plane");
  grid.scores.forEach((p, k) => {
    const [row, col] = [Math.floor(k / grid.size), k % grid.size];
    const rect = svgEl("rect", { x: col * cell, y: row * cell, width: cell, height: cell,
      "shape-rendering": "crispEdges" },
    p === null ? "figure-cell figure-cell-none" : `figure-cell figure-class${p >= 0.5 ? 1 : 0}`);
    if (p !== null) rect.setAttribute("fill-opacity", (0.12 + 0.5 * Math.abs(p - 0.5) * 2).toFixed(2));
    rect.dataset.score = p === null ? "" : String(p);
    svg.append(rect);
  });
  const [left, right] = grid.x;
  const [bottom, top] = grid.y;
  const px = (v: number) => ((v - left) / (right - left)) * side;
  const py = (v: number) => ((top - v) / (top - bottom)) * side;
  for (const [x, y, label] of points) {
    const cx = px(x), cy = py(y);
    const mark = label === 1
      ? svgEl("rect", { x: (cx - 3.5).toFixed(1), y: (cy - 3.5).toFixed(1), width: 7, height: 7 })
      : svgEl("circle", { cx: cx.toFixed(1), cy: cy.toFixed(1), r: 4 });
    mark.setAttribute("class", `figure-point figure-class${label === 1 ? 1 : 0}`);
    svg.append(mark);
  }
  return svg;
}

/** A case's training figure: the loss curve beside the decision boundary, and their sentence. */
export function trainingFigure(figure: TrainingFigure): HTMLElement {
  const box = el("figure", "training-figure");
  const caption = el("figcaption", "figure-caption", trainingSentence(figure));
  caption.id = `training-figure-${++drawn}`;
  // The two pictures are one image to a screen reader, named by the sentence under them.
  const pictures = el("div", "figure-pictures");
  pictures.setAttribute("role", "img");
  pictures.setAttribute("aria-labelledby", caption.id);
  const panel = (title: string, svg: SVGSVGElement) => {
    const part = el("div", "figure-panel");
    part.append(el("div", "figure-title", title), svg);
    return part;
  };
  pictures.append(panel("Loss at each step", lossChart(figure.losses)),
    panel("What the trained model predicts: class 0 blue circles, class 1 orange squares", boundary(figure)));
  box.append(pictures, caption);
  return box;
}
