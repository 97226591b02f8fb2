// A layered (Sugiyama-style) layout for a playground drawing: inputs on the left, the output on
// the right, one column per layer. graph.ts's ~30-line layout is enough for a test case's graph
// (a few dozen nodes); a learner's own graph can have hundreds of nodes, long edges (a weight
// used deep in a network) and values used twice (x + x), so this one adds what that needs:
//   - every edge of `edges` is its own path (an input used twice gets two), with its own port
//     on each end, so two edges between the same nodes never lie on top of each other;
//   - an edge spanning several columns passes through a slot of its own in each column between
//     (a "dummy" item placed like a small node), so it never runs behind a node;
//   - a few barycenter sweeps order each column to cut crossings, and each item's height is
//     the closest to its neighbours' that keeps the column's order and gaps (isotonic
//     regression, linear time).
// @dagrejs/dagre 3.1.3 was measured for this (17 KB gzip) and rejected: 0.4-0.6 s for a 360-node
// MLP graph and 11 s for 500 nodes with long edges, against a 150 ms budget. This is O(items) per
// sweep, items = nodes + one per column an edge crosses.

export const NODE_W = 164;
export const NODE_H = 62;
const GAP_X = 70;
const GAP_Y = 16;
const DUMMY_H = 6;
const MARGIN = 18; // room for a tag above a top node
const SWEEPS = 6;
/** At most this many dummy items: past it the longest edges run in lanes below the graph. */
const DUMMY_BUDGET = 3000;
const LANE_GAP = 5;

export interface Point { x: number; y: number }
export interface PlacedNode { id: string; x: number; y: number }
export interface PlacedEdge {
  /** index into the drawing's `edges` */
  index: number;
  from: string;
  to: string;
  /** the SVG path */
  d: string;
  /** the edge goes against the flow (a cycle in a learner's graph) */
  back: boolean;
}
export interface Layout { nodes: Map<string, PlacedNode>; edges: PlacedEdge[]; width: number; height: number }

interface Item { key: string; layer: number; h: number; y: number; pos: number; bary: number; up: Item[]; down: Item[] }

/** Columns: longest path from an input, then every input moved right to just before its first
 * consumer (so a weight used deep in a network does not drag a long edge across the figure). */
function columns(ids: string[], edges: { from: string; to: string }[]): Map<string, number> {
  const outs = new Map<string, string[]>(ids.map((id) => [id, []]));
  const indeg = new Map<string, number>(ids.map((id) => [id, 0]));
  for (const e of edges) {
    outs.get(e.from)?.push(e.to);
    indeg.set(e.to, (indeg.get(e.to) ?? 0) + 1);
  }
  const col = new Map<string, number>();
  const queue = ids.filter((id) => indeg.get(id) === 0);
  for (const id of queue) col.set(id, 0);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i];
    for (const to of outs.get(id) ?? []) {
      col.set(to, Math.max(col.get(to) ?? 0, (col.get(id) ?? 0) + 1));
      const left = (indeg.get(to) ?? 0) - 1;
      indeg.set(to, left);
      if (left === 0) queue.push(to);
    }
  }
  // A cycle (a learner's class can build one): its nodes never reach in-degree 0. Place them
  // after what feeds them; their edges against the flow are drawn as back edges.
  for (const id of ids) if (!col.has(id)) col.set(id, 0);
  const hasInput = new Set(edges.map((e) => e.to));
  for (const id of ids) {
    if (hasInput.has(id)) continue;
    const consumers = (outs.get(id) ?? []).map((to) => col.get(to) ?? 0);
    if (consumers.length) col.set(id, Math.max(0, Math.min(...consumers) - 1));
  }
  return col;
}

/** Heights as close as possible to `want`, keeping the order and the minimum gaps. */
function placeColumn(items: Item[], want: number[]): void {
  const offset: number[] = [];
  let acc = 0;
  for (let i = 0; i < items.length; i++) {
    if (i > 0) acc += items[i - 1].h / 2 + GAP_Y + items[i].h / 2;
    offset.push(acc);
  }
  // Pool adjacent violators on want - offset: the best non-decreasing fit.
  const value: number[] = [];
  const weight: number[] = [];
  const count: number[] = [];
  for (let i = 0; i < items.length; i++) {
    let v = want[i] - offset[i];
    let w = 1;
    let c = 1;
    while (value.length && value[value.length - 1] > v) {
      const pw = weight.pop() ?? 1;
      const pv = value.pop() ?? 0;
      c += count.pop() ?? 1;
      v = (pv * pw + v * w) / (pw + w);
      w += pw;
    }
    value.push(v);
    weight.push(w);
    count.push(c);
  }
  let i = 0;
  for (let b = 0; b < value.length; b++) {
    for (let k = 0; k < count[b]; k++, i++) items[i].y = value[b] + offset[i];
  }
}

function mean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Lay out the nodes (ids in drawing order: the output first) and every edge. */
/** `nodeW`: the width of every node box (a test case's graph sizes its boxes to their labels). */
export function layoutGraph(ids: string[], edges: { from: string; to: string }[], nodeW = NODE_W): Layout {
  const known = new Set(ids);
  const usable = edges.map((e, index) => ({ ...e, index })).filter((e) => known.has(e.from) && known.has(e.to));
  const col = columns(ids, usable);
  const items = new Map<string, Item>();
  const layers: Item[][] = [];
  const add = (key: string, layer: number, h: number): Item => {
    const item: Item = { key, layer, h, y: 0, pos: 0, bary: 0, up: [], down: [] };
    items.set(key, item);
    (layers[layer] ??= []).push(item);
    return item;
  };
  // First order: depth-first from the output through the inputs, so a node's inputs start next
  // to each other; ids never reached (a cycle, a truncated part) come last.
  const inputsOf = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const e of usable) inputsOf.get(e.to)?.push(e.from);
  const seen = new Set<string>();
  const order: string[] = [];
  for (const root of ids) {
    if (seen.has(root)) continue;
    const stack: [string, number][] = [[root, 0]];
    seen.add(root);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const ins = inputsOf.get(top[0]) ?? [];
      if (top[1] < ins.length) {
        const next = ins[top[1]++];
        if (!seen.has(next)) {
          seen.add(next);
          stack.push([next, 0]);
        }
      } else {
        order.push(top[0]);
        stack.pop();
      }
    }
  }
  for (const id of order) add(id, col.get(id) ?? 0, NODE_H);
  // Each edge: a chain of items through the columns it crosses.
  // Edges too long for the budget (a value used all along a 300-step loop) get a lane instead.
  const span = (e: { from: string; to: string }): number => (items.get(e.to) as Item).layer - (items.get(e.from) as Item).layer - 1;
  const bySpan = usable.filter((e) => span(e) > 0).sort((p, q) => span(p) - span(q));
  const laned = new Set<number>();
  let budget = DUMMY_BUDGET;
  for (const e of bySpan) {
    budget -= span(e);
    if (budget < 0) laned.add(e.index);
  }
  const chains: { edge: (typeof usable)[number]; chain: Item[]; back: boolean; lane: boolean }[] = [];
  for (const e of usable) {
    const a = items.get(e.from) as Item;
    const b = items.get(e.to) as Item;
    const chain = [a];
    const back = a.layer >= b.layer;
    const lane = laned.has(e.index);
    if (!back && !lane) {
      for (let layer = a.layer + 1; layer < b.layer; layer++) chain.push(add(`e${e.index}@${layer}`, layer, DUMMY_H));
    }
    chain.push(b);
    if (!back && !lane) {
      for (let k = 0; k + 1 < chain.length; k++) {
        chain[k].down.push(chain[k + 1]);
        chain[k + 1].up.push(chain[k]);
      }
    }
    chains.push({ edge: e, chain, back, lane });
  }
  for (let l = 0; l < layers.length; l++) layers[l] ??= [];
  const number = (layer: Item[]): void => layer.forEach((item, i) => (item.pos = i));
  layers.forEach(number);
  // Order: barycenter sweeps, left to right on inputs, right to left on consumers.
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    const forward = sweep % 2 === 0;
    const range = forward ? layers.map((_, i) => i).slice(1) : layers.map((_, i) => i).reverse().slice(1);
    for (const l of range) {
      const layer = layers[l];
      for (const item of layer) {
        const near = forward ? item.up : item.down;
        let sum = 0;
        for (const n of near) sum += n.pos;
        item.bary = near.length ? sum / near.length : item.pos;
      }
      layer.sort((p, q) => p.bary - q.bary || p.pos - q.pos);
      number(layer);
    }
  }
  // Heights: start packed, then pull each item towards its neighbours, a few sweeps each way.
  for (const layer of layers) placeColumn(layer, layer.map(() => 0));
  for (let sweep = 0; sweep < SWEEPS; sweep++) {
    const forward = sweep % 2 === 0;
    const range = forward ? layers.map((_, i) => i) : layers.map((_, i) => i).reverse();
    for (const l of range) {
      const layer = layers[l];
      placeColumn(layer, layer.map((item) => {
        const near = forward ? item.up : item.down;
        const both = near.length ? near : forward ? item.down : item.up;
        return both.length ? mean(both.map((n) => n.y)) : item.y;
      }));
    }
  }
  let top = Infinity;
  let bottom = -Infinity;
  for (const item of items.values()) {
    top = Math.min(top, item.y - item.h / 2);
    bottom = Math.max(bottom, item.y + item.h / 2);
  }
  const shift = MARGIN - (Number.isFinite(top) ? top : 0);
  const colX = (layer: number): number => MARGIN + layer * (nodeW + GAP_X);
  const nodes = new Map<string, PlacedNode>();
  for (const id of ids) {
    const item = items.get(id) as Item;
    nodes.set(id, { id, x: colX(item.layer), y: item.y + shift - NODE_H / 2 });
  }
  // Ports: each edge its own point on each node's side, in the order of where it comes from /
  // goes to, so parallel edges (x + x) leave and arrive apart.
  const outPorts = new Map<string, number[]>();
  const inPorts = new Map<string, number[]>();
  chains.forEach((c, k) => {
    (outPorts.get(c.edge.from) ?? outPorts.set(c.edge.from, []).get(c.edge.from))?.push(k);
    (inPorts.get(c.edge.to) ?? inPorts.set(c.edge.to, []).get(c.edge.to))?.push(k);
  });
  const portY = new Map<string, number>();
  const spread = (ports: Map<string, number[]>, side: "out" | "in"): void => {
    for (const [id, ks] of ports) {
      const at = nodes.get(id) as PlacedNode;
      const towards = (k: number): number => {
        const chain = chains[k].chain;
        const other = side === "out" ? chain[1] : chain[chain.length - 2];
        return other.y + k * 1e-6;
      };
      ks.sort((p, q) => towards(p) - towards(q));
      ks.forEach((k, i) => portY.set(`${side}${k}`, at.y + (NODE_H * (i + 1)) / (ks.length + 1)));
    }
  };
  spread(outPorts, "out");
  spread(inPorts, "in");
  // Lanes below the graph: interval colouring, each lane a horizontal track of its own.
  const laneOf = new Map<number, number>();
  const laneEnds: number[] = [];
  chains.map((c, k) => ({ c, k })).filter(({ c }) => c.lane)
    .sort((p, q) => p.c.chain[0].layer - q.c.chain[0].layer)
    .forEach(({ c, k }) => {
      const start = c.chain[0].layer;
      let lane = laneEnds.findIndex((end) => end < start);
      if (lane < 0) lane = laneEnds.push(0) - 1;
      laneEnds[lane] = c.chain[c.chain.length - 1].layer;
      laneOf.set(k, lane);
    });
  const graphBottom = (Number.isFinite(bottom) ? bottom : 0) + shift;
  const placedEdges: PlacedEdge[] = chains.map((c, k) => {
    const from = nodes.get(c.edge.from) as PlacedNode;
    const to = nodes.get(c.edge.to) as PlacedNode;
    const y1 = portY.get(`out${k}`) ?? from.y + NODE_H / 2;
    const y2 = portY.get(`in${k}`) ?? to.y + NODE_H / 2;
    let d: string;
    if (c.back) {
      // Against the flow: out of the right side, round below both nodes, into the left side.
      const x1 = from.x + nodeW;
      const x2 = to.x;
      const below = Math.max(from.y, to.y) + NODE_H + 10 + (k % 5) * 4;
      d = `M ${x1} ${y1} C ${x1 + 40} ${y1}, ${x1 + 40} ${below}, ${x1} ${below} L ${x2} ${below} C ${x2 - 40} ${below}, ${x2 - 40} ${y2}, ${x2} ${y2}`;
    } else if (c.lane) {
      // Down the gap after the source's column, along its lane, up the gap before the target's.
      const lane = laneOf.get(k) ?? 0;
      const y = graphBottom + 14 + lane * LANE_GAP;
      const x1 = from.x + nodeW;
      const x2 = to.x;
      const a = x1 + 8 + (lane % 10) * 5;
      const b = x2 - 8 - (lane % 10) * 5;
      d = `M ${x1} ${y1} L ${a} ${y1} L ${a} ${y} L ${b} ${y} L ${b} ${y2} L ${x2} ${y2}`;
    } else {
      const points: Point[] = [{ x: from.x + nodeW, y: y1 }];
      for (const item of c.chain.slice(1, -1)) {
        const x = colX(item.layer);
        points.push({ x, y: item.y + shift }, { x: x + nodeW, y: item.y + shift });
      }
      points.push({ x: to.x, y: y2 });
      d = `M ${points[0].x} ${points[0].y}`;
      for (let i = 1; i < points.length; i++) {
        const p = points[i - 1];
        const q = points[i];
        if (i % 2 === 0) d += ` L ${q.x} ${q.y}`; // across a column, in its own slot
        else {
          const mid = (p.x + q.x) / 2;
          d += ` C ${mid} ${p.y}, ${mid} ${q.y}, ${q.x} ${q.y}`;
        }
      }
    }
    return { index: c.edge.index, from: c.edge.from, to: c.edge.to, d, back: c.back };
  });
  const width = colX(Math.max(0, layers.length - 1)) + nodeW + MARGIN;
  const height = (Number.isFinite(bottom) ? bottom - top : 0) + 2 * MARGIN + (laneEnds.length ? 14 + laneEnds.length * LANE_GAP : 0);
  return { nodes, edges: placedEdges, width, height };
}
