// Checking one cell of a trace problem, with no Python: the build computed every answer and the
// known wrong answers (engine/authoring/trace.py), each with the one sentence that is true of it.
// A wrong entry gets that sentence only when it is that number; otherwise a general reminder that
// claims nothing about what the learner did.
import type { NodeData, TraceData } from "./generated/tracepage";

export type CellKind = "value" | "grad";
export type Verdict = { status: "empty" } | { status: "invalid"; say: string } | { status: "right" } | { status: "wrong"; say: string; hint: string | null };

/** The longest entry read as a number: no number a learner types is longer, and the pattern is
 * never run on pasted pages of text. */
export const ENTRY_MAX = 100;

/** A number as a learner types it: 2, -0.5, .786, 1e-3, 3/4, with a typographic minus too. */
export function parseEntry(text: string): number | null {
  const t = text.trim().replace(/[−–]/g, "-").replace(/\s+/g, "");
  if (!t || t.length > ENTRY_MAX) return null;
  // Digits split one way only (\d+(\.\d*)?), so a long run of them that fails cannot backtrack.
  const num = "[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:e[+-]?\\d+)?";
  const m = new RegExp(`^(${num})(?:/(${num}))?$`, "i").exec(t);
  if (!m) return null;
  const x = Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2]));
  return Number.isFinite(x) ? x : null;
}

export function near(entry: number, answer: number, tol: TraceData["tolerance"]): boolean {
  return Math.abs(entry - answer) <= Math.max(tol.rel * Math.abs(answer), tol.abs);
}

/** Who uses `node`, one entry per use, in graph order. */
export function usersOf(trace: TraceData, name: string): string[] {
  return trace.nodes.flatMap((n) => n.inputs.filter((i) => i === name).map(() => n.name));
}

const FORWARD: Record<NodeData["op"], (ins: string[]) => string> = {
  input: () => "it is given",
  "+": (ins) => `add the values of ${ins.join(" and ")}`,
  "*": (ins) => `multiply the values of ${ins.join(" and ")}`,
  relu: (ins) => `max(0, value of ${ins[0]})`,
  tanh: (ins) => `tanh of ${ins[0]}'s value`,
};

/** The general reminder: true whatever the learner's mistake was. */
function reminder(trace: TraceData, node: NodeData, kind: CellKind): string {
  if (kind === "value") return `Not right. ${node.name} = ${node.formula}: ${FORWARD[node.op](node.inputs)}.`;
  if (node.name === trace.output) return `Not right. The backward pass starts at the output: d${trace.output}/d${trace.output} is 1.`;
  const users = [...new Set(usersOf(trace, node.name))];
  return `Not right. d${trace.output}/d${node.name} is the sum, over each use of ${node.name} (by ${users.join(" and ")}), of that user's gradient times its local derivative for ${node.name}.`;
}

export function checkCell(trace: TraceData, node: NodeData, kind: CellKind, text: string): Verdict {
  if (!text.trim()) return { status: "empty" };
  const entry = parseEntry(text);
  if (entry === null) return { status: "invalid", say: "Not a number: type a number such as 6, -0.5, 0.786 or 3/4." };
  const right = kind === "value" ? node.value : node.grad;
  if (near(entry, right, trace.tolerance)) return { status: "right" };
  const known = node.wrong[kind].filter((w) => near(entry, w.answer, trace.tolerance));
  const says = [...new Set(known.map((w) => w.say))];
  return { status: "wrong", say: says.length === 1 ? `Not right. ${says[0]}` : reminder(trace, node, kind), hint: node.hint };
}

/** The cells of a trace: a value for every operation (inputs are given), a gradient for all. */
export function cellsOf(trace: TraceData): { node: NodeData; kind: CellKind }[] {
  return trace.nodes.flatMap((node) => [
    ...(node.op === "input" ? [] : [{ node, kind: "value" as const }]),
    { node, kind: "grad" as const },
  ]);
}

/** A number as the page shows it: at most 4 significant figures. */
export function show(x: number): string {
  if (Number.isInteger(x)) return String(x);
  return String(Number(x.toPrecision(4)));
}
