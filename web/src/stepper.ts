// The backward step-through's model: which grad each node shows at step k, what step k says,
// and where the learner's steps first differ from the reference engine's. No DOM here.
import type { Drawing, DrawnNode, GradWrite, Reading } from "./generated/play";

/** A number as graph.ts shows it; a string (nan, inf, a repr) as is. */
export function fmt(x: Reading): string {
  if (x === null) return "None";
  if (typeof x === "string") return x;
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(6)));
}

/** How the learner knows a node: its scratch variable, else its id and op. */
export function nodeName(node: DrawnNode | undefined, id: string): string {
  if (!node) return id;
  if (node.label) return node.label;
  return node.op ? `${id} (${node.op})` : id;
}

/** Each node's grad as of step k (0 = before backward; k = after the k-th write). A node's grad
 * before its first write is that write's `before`; a node never written keeps its final grad. */
export function gradsAt(drawing: Drawing, k: number): Map<string, Reading> {
  const grads = new Map<string, Reading>(drawing.nodes.map((n) => [n.id, n.grad]));
  const writes = drawing.steps?.steps ?? [];
  const seen = new Set<string>();
  for (const w of writes) {
    if (seen.has(w.node)) continue;
    seen.add(w.node);
    if (grads.has(w.node)) grads.set(w.node, w.before);
  }
  for (let i = 0; i < Math.min(k, writes.length); i++) {
    if (grads.has(writes[i].node)) grads.set(writes[i].node, writes[i].after);
  }
  return grads;
}

export interface StepWords {
  /** the grad's owner as the learner knows it */
  who: string;
  before: string;
  after: string;
  /** the node whose rule wrote it, or null when that cannot be told */
  rule: string | null;
}

/** Step k's write (k >= 1) in words' parts. */
export function stepWords(drawing: Drawing, write: GradWrite): StepWords {
  const byId = new Map(drawing.nodes.map((n) => [n.id, n]));
  return {
    who: nodeName(byId.get(write.node), write.node),
    before: fmt(write.before),
    after: fmt(write.after),
    rule: write.rule === null ? null : nodeName(byId.get(write.rule), write.rule),
  };
}

function sameNumber(a: Reading, b: Reading): boolean {
  if (typeof a === "number" && typeof b === "number") {
    return a === b || Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) + 1e-12;
  }
  return a === b;
}

/** The first step (1-based) where the learner's writes and the reference's differ: by the
 * written node's label when both have one, and by the numbers. null when the kept steps agree
 * (or there is nothing to compare). A step one trace has and the other lacks is a difference,
 * unless that trace was cut short there. */
export function firstDifference(mine: Drawing, ref: Drawing): number | null {
  const a = mine.steps;
  const b = ref.steps;
  if (!a || !b) return null;
  const labelA = new Map(mine.nodes.map((n) => [n.id, n.label]));
  const labelB = new Map(ref.nodes.map((n) => [n.id, n.label]));
  const n = Math.min(a.steps.length, b.steps.length);
  for (let i = 0; i < n; i++) {
    const x = a.steps[i];
    const y = b.steps[i];
    const la = labelA.get(x.node) ?? null;
    const lb = labelB.get(y.node) ?? null;
    if (la !== null && lb !== null && la !== lb) return i + 1;
    if (!sameNumber(x.before, y.before) || !sameNumber(x.after, y.after)) return i + 1;
  }
  if (a.steps.length === b.steps.length) return null;
  const shorter = a.steps.length < b.steps.length ? a : b;
  if (shorter.truncated) return null;
  return n + 1;
}
