// Messages between the page and the Python worker, protocol version 1, and the grading report.
// The contracts are the JSON Schemas in engine/schemas/ (worker.schema.json, report.schema.json, play.schema.json);
// their types are generated into ./generated/ by scripts/gen_types.mjs (never edit those; change
// the schema and regenerate: `./scripts/test` fails when they drift). This module names them for
// the rest of the site. The Python side checks `run` messages against the same schema
// (engine/browser/protocol.py). Bump PROTOCOL_VERSION on any change.

import type {
  CaseStartMessage,
  FailedMessage,
  InitMessage,
  OutputMessage,
  PlayedMessage,
  PlayMessage,
  RunMessage as RunMessageToPython,
  StatusMessage,
  ReportMessage,
} from "./generated/worker";
import type { Report } from "./generated/report";
import type { Drawing, PlayError, PlayFrame, PlayResult } from "./generated/play";

export type { CaseStartMessage, FailedMessage, InitMessage, OutputMessage, PlayedMessage, PlayMessage, ReportMessage, Report, StatusMessage };
export type { Drawing, PlayError, PlayFrame, PlayResult };

export const PROTOCOL_VERSION = 1;

/** Page -> worker: grade `source` against a problem's suite. */
export type RunMessage = RunMessageToPython & {
  suiteUrl: string; // relative to base; the worker fetches the suite and drops this before Python sees it
};

/** A verdict from a previous worker for a case index (-1: loading). */
export type KnownVerdict = RunMessage["known"][string];

export type FromWorker = StatusMessage | CaseStartMessage | ReportMessage | FailedMessage | OutputMessage | PlayedMessage;
export type ToWorker = InitMessage | RunMessage | PlayMessage;

/** Which stream a playground `output` chunk came from. */
export type OutputStream = OutputMessage["stream"];

/** Interrupt reasons written to Int32Array slot 1 before signalling. */
export const REASON_TIMEOUT = 1;
export const REASON_STOP = 2;

// Parts of the report, by the names the site uses.
export type CaseResult = Report["tests"][number];
export type CaseStatus = CaseResult["status"];
export type GraphView = NonNullable<CaseResult["graph"]>;
export type GraphNode = GraphView["nodes"][number];
export type Diagnosis = NonNullable<Report["diagnosis"]>;

// Not a worker message: the site index scripts/build_site.py writes (site.json).
export interface ProblemEntry {
  slug: string;
  title: string;
  difficulty: "easy" | "medium" | "hard";
  order: number;
  summary: string;
  version: string;
  cases: number; // a trace problem: its traces
  suite: string; // a trace problem: its page data (generated/tracepage.ts), no suite
  kind?: "trace"; // absent: a code problem
}

export interface SiteIndex {
  engine: string;
  snapshot: string | null;
  pyodide: string;
  problems: ProblemEntry[];
}
