// Benchmark marks: where the time goes between navigation and a verdict. Every mark the site
// records lives here; product code calls the small functions below, and hooks.ts exposes the
// result to benchmarks/site_bench.py (and anyone curious) as window.gradlab.marks.
//
// Two clocks: the worker stamps moments in ms since the epoch (its performance.now() has its own
// origin), and the page moves them onto its own timeline: ms since navigation, the same clock as
// the page's performance.now(). Worker marks are rounded to the ms; the page's are not.
// This module is imported by the worker too, so nothing here may touch the DOM or `window`.

export type Marks = Record<string, number>;

/** Worker side: record `name` as now, in ms since the epoch. */
export function stamp(marks: Marks, name: string): void {
  marks[name] = performance.timeOrigin + performance.now();
}

/** Worker side: the marks a boot starts with (when the worker was created, when boot began). */
export function bootStartMarks(): Marks {
  const marks: Marks = { workerCreated: performance.timeOrigin };
  stamp(marks, "bootStart");
  return marks;
}

export interface Timeline {
  /** Python's boot as the worker measured it, boot start to engine ready (ms). */
  bootMs: number | null;
  /** The last boot: spawned (page), workerCreated, bootStart, module, snapshotFetched,
   * pyodideReady, engineReady (worker). */
  boot: Marks | null;
  /** The last run: pressed (Run, page), runStart, suiteReady, graded (worker), rendered (page,
   * once its report is on screen). A run stopped before Python was ready has no worker marks. */
  run: Marks | null;
}

const timeline: Timeline = { bootMs: null, boot: null, run: null };

/** Everything recorded so far (live: it changes as marks are recorded). */
export const marks: Readonly<Timeline> = timeline;

/** Page side: now, ms since navigation. */
export function pageNow(): number {
  return performance.now();
}

/** The worker's marks (ms since the epoch) on this page's timeline. */
function onPageTimeline(worker: Marks | undefined): Marks {
  return Object.fromEntries(Object.entries(worker ?? {}).map(
    ([name, at]) => [name, Math.round(at - performance.timeOrigin)]));
}

/** A worker spawned at `spawnedAt` (pageNow()) says Python is ready. */
export function bootDone(spawnedAt: number, worker: Marks | undefined, ms: number | undefined): void {
  timeline.boot = { ...onPageTimeline(worker), spawned: Math.round(spawnedAt) };
  timeline.bootMs = ms ?? null;
}

/** The learner pressed Run: a new run's marks start. */
export function runPressed(): void {
  timeline.run = { pressed: pageNow() };
}

/** The worker's marks for the run it graded. */
export function runGraded(worker: Marks | undefined): void {
  timeline.run = { ...timeline.run, ...onPageTimeline(worker) };
}

/** The run's report is on screen. */
export function runRendered(): void {
  timeline.run = { ...timeline.run, rendered: pageNow() };
}
