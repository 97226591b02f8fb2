// Messages between the page and the Python worker, protocol version 1.
// The JSON Schema is engine/schemas/worker.schema.json; the Python side checks `run`
// messages against it (engine/grading/protocol.py). Bump PROTOCOL_VERSION on any change.

export const PROTOCOL_VERSION = 1;

export type KnownVerdict = "timeout" | "crashed" | "stopped";

/** Page -> worker, once: where the site lives and, when cross-origin isolated, the interrupt buffer. */
export interface InitMessage {
  v: 1;
  type: "init";
  base: string; // absolute URL of the site root, ending in "/"
  pyodide: string; // "pyodide/<version>/", relative to base
  engine: string; // "py/engine-<hash>.whl", relative to base
  snapshot: string | null; // "py/snapshot-<hash>.bin": Pyodide memory with the engine imported
  interrupt: SharedArrayBuffer | null; // Int32Array[2]: [0] signal for Pyodide, [1] reason
}

/** Page -> worker: grade `source` against a problem's suite. */
export interface RunMessage {
  v: 1;
  type: "run";
  runId: number;
  slug: string;
  suiteVersion: string;
  suiteUrl: string; // relative to base; not seen by Python
  source: string;
  known: Record<string, KnownVerdict>; // case index (-1: loading) -> verdict from a previous worker
}

export interface StatusMessage { v: 1; type: "status"; phase: "booting" | "loading-engine" | "ready"; isolated?: boolean; ms?: number; snapshot?: boolean; marks?: Record<string, number> }
export interface CaseStartMessage { v: 1; type: "case-start"; runId: number; index: number; timeLimit: number }
export interface ReportMessage { v: 1; type: "report"; runId: number; report: Report; marks?: Record<string, number> }
export interface FailedMessage { v: 1; type: "failed"; runId: number | null; message: string; fatal: boolean }

export type FromWorker = StatusMessage | CaseStartMessage | ReportMessage | FailedMessage;
export type ToWorker = InitMessage | RunMessage;

/** Interrupt reasons written to Int32Array slot 1 before signalling. */
export const REASON_TIMEOUT = 1;
export const REASON_STOP = 2;

// The grading report: engine/schemas/report.schema.json (engine/grading/report.py).
export type CaseStatus = "passed" | "failed" | "error" | "timeout";

export interface CaseResult {
  id: string;
  name: string;
  status: CaseStatus;
  message: string | null;
  visibility: "visible" | "hidden";
  hint: string | null;
  line: number | null;
  output: string;
  output_truncated: boolean;
  duration_ms: number;
  details: null | {
    expected: Record<string, number>;
    got: Record<string, string>;
    values?: Record<string, number>;
    steps?: string[];
    expression?: string;
  };
  where: string | null; // the first operation that goes wrong, forward or backward
  graph: GraphView | null; // visible data cases: every node, the learner's and expected values
  hints: string[]; // a ladder (concept, direction, specific, code), revealed one at a time
}

export interface GraphNode {
  id: string;
  op: string; // "leaf", "+", "*", "relu", ...
  inputs: string[]; // node ids, or plain numbers as written
  code: string; // "t1 = b * c"; empty for leaves
  data: number | null; // the learner's (null: not a number)
  grad: number | null;
  expected_data: number;
  expected_grad: number;
}

export interface GraphView {
  nodes: GraphNode[];
  output: string;
  first_difference: string | null;
}

export interface Diagnosis {
  mistake: string;
  hint: string | null;
  score: number;
}

export interface Report {
  version: 1;
  problem: string;
  suite_version: string;
  status: "pass" | "fail" | "error";
  message: string | null;
  load_error: null | { type: string; message: string; line: number | null; column: number | null; traceback: string };
  total: number;
  passed: number;
  duration_ms: number;
  tests: CaseResult[];
  diagnosis: Diagnosis | null; // the closest known mistake, when one matches clearly
}

export interface ProblemEntry {
  slug: string;
  title: string;
  difficulty: "easy" | "medium" | "hard";
  order: number;
  summary: string;
  version: string;
  cases: number;
  suite: string;
}

export interface SiteIndex {
  engine: string;
  snapshot: string | null;
  pyodide: string;
  problems: ProblemEntry[];
}
