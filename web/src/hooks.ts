// Test hooks: the one thing the page puts on `window`, as window.gradlab. Installed once, by
// main.ts, before anything else can need it; the rest of the product calls the functions below
// and never touches `window` for hooks. Nothing in the page reads these: they are for the
// browser tests and the benchmarks (and for a curious learner in the console).

import { marks, type Timeline } from "./marks";
import type { Drawing } from "./generated/play";
import type { PlayResult, Report } from "./protocol";

/** window.gradlab. Who reads what: tests/test_site.py (editorText, lastReport,
 * restoredFromSnapshot), tests/test_site_trust.py (lastClean, replacements), tests/test_course_build.py (lastReport), benchmarks/site_bench.py
 * (lastReport, marks), tests/test_site_playground.py (scratchText, lastPlay). */
export interface GradlabHooks {
  /** The whole text in the open problem's editor ("" when no problem page is open). */
  editorText(): string;
  /** The whole text in the open problem's scratch editor ("" when no problem page is open). */
  scratchText(): string;
  /** The last playground result shown in the console (null until there is one). Set once the
   * console shows it, so a caller may set it to null, press Run, and wait until it is not null. */
  lastPlay: PlayResult | null;
  /** The last report rendered on this page, as JSON (null until there is one). Set only once
   * the report is on screen and marks.run.rendered is recorded, so a caller may set it to null,
   * press Run, and wait until it is not null. */
  lastReport: Report | null;
  /** How the last run left Python: "restored" (it undid the run's changes) or "replaced" (a
   * new worker was started for the next run); null until a run ends. */
  lastClean: "restored" | "replaced" | null;
  /** Whether Python was restored from the build-time snapshot (false: it booted the slow way). */
  readonly restoredFromSnapshot: boolean;
  /** How many times a run's worker was replaced (Stop or a time limit without isolation, a
   * crash, an interrupt not noticed in time): 0 while every Stop is an interrupt. */
  readonly replacements: number;
  /** Where time went, ms since navigation: see marks.ts. */
  readonly marks: Readonly<Timeline>;
  /** drawing.ts's renderDrawing, loaded on first use (tests/test_site_drawing.py, site_bench.py). */
  renderDrawing(parent: HTMLElement, drawing: Drawing, options?: { onCompare?: () => void }): Promise<void>;
}

declare global {
  interface Window {
    gradlab?: GradlabHooks;
  }
}

let hooks: GradlabHooks | null = null;
let editorText: () => string = () => "";
let scratchText: () => string = () => "";

/** Put window.gradlab in place; `python` answers whether the snapshot was used and how often
 * a worker was replaced. */
export function installHooks(python: { readonly restoredFromSnapshot: boolean; readonly replacements: number }): void {
  hooks = {
    editorText: () => editorText(),
    scratchText: () => scratchText(),
    lastPlay: null,
    lastReport: null,
    lastClean: null,
    get restoredFromSnapshot() {
      return python.restoredFromSnapshot;
    },
    get replacements() {
      return python.replacements;
    },
    marks,
    renderDrawing: async (...args) => (await import("./drawing")).renderDrawing(...args),
  };
  window.gradlab = hooks;
}

/** The open problem page's editor text (null: the page was closed). */
export function exposeEditor(text: (() => string) | null): void {
  editorText = text ?? (() => "");
}

/** The open problem page's scratch editor text (null: the page was closed). */
export function exposeScratch(text: (() => string) | null): void {
  scratchText = text ?? (() => "");
}

/** A playground result is in the console. */
export function playShown(result: PlayResult): void {
  if (hooks) hooks.lastPlay = result;
}

/** A run ended and its worker was cleaned up as `clean` says. */
export function runCleaned(clean: "restored" | "replaced"): void {
  if (hooks) hooks.lastClean = clean;
}

/** A report is on screen. */
export function reportShown(report: Report): void {
  if (hooks) hooks.lastReport = report;
}
