// Runs learner code in a Web Worker so the page never freezes, and enforces the time limit.
//
// With cross-origin isolation (COOP/COEP), the page can write to a SharedArrayBuffer that Pyodide
// polls: a too-long case (or Stop) raises KeyboardInterrupt inside the learner's code, the
// interpreter survives, and the next case starts at once. Without it (a static host that cannot
// send headers), the worker is terminated and a new one is started; it is told which cases
// already timed out (`known`) and grades the rest. Python builds the report either way.
import type { FromWorker, KnownVerdict, ProblemEntry, Report, SiteIndex } from "./protocol";
import { REASON_STOP, REASON_TIMEOUT } from "./protocol";

export type Phase = "booting" | "loading-engine" | "ready" | "running" | "restarting" | "failed";

export interface RunnerEvents {
  phase(phase: Phase, detail?: string): void;
  caseStarted?(index: number): void;
}

/** How long an interrupted case may take to notice the interrupt before the worker is replaced. */
const INTERRUPT_GRACE_MS = 1500;

interface ActiveRun {
  runId: number;
  problem: ProblemEntry;
  source: string;
  known: Record<string, KnownVerdict>;
  current: number | null; // case index running now (-1: the module loading), null between cases
  timer: number | undefined;
  grace: number | undefined;
  stopRequested: boolean;
  resolve(report: Report): void;
  reject(error: Error): void;
}

/** The worker's marks are absolute (ms since the epoch): place them on this page's timeline. */
function onPageTimeline(marks: Record<string, number> | undefined): Record<string, number> {
  return Object.fromEntries(Object.entries(marks ?? {}).map(
    ([name, at]) => [name, Math.round(at - performance.timeOrigin)]));
}

export class PyRunner {
  readonly isolated = globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer !== "undefined";
  private worker: Worker | null = null;
  private ready = false;
  private signals: Int32Array | null = null; // [0]: signal Pyodide polls, [1]: why we sent it
  private run: ActiveRun | null = null;
  private nextRunId = 1;
  bootMs: number | null = null;
  restoredFromSnapshot = false; // false: the snapshot could not be used and Python booted slowly
  bootMarks: Record<string, number> | null = null; // where boot time went, ms since navigation
  private spawnedAt = 0;
  private markReady: () => void = () => {};
  /** Resolves when Python is first ready: other heavy start-up work (the service worker's
   * download of the whole site) waits for it, so it does not slow the first verdict. */
  readonly firstReady = new Promise<void>((resolve) => (this.markReady = resolve));
  runMarks: Record<string, number> | null = null; // the last run's marks, ms since navigation

  constructor(private base: string, private index: SiteIndex, private events: RunnerEvents) {}

  /** Start Python in the background now, so it is ready when the learner presses Run. */
  start(): void {
    if (!this.worker) this.spawn();
  }

  get busy(): boolean {
    return this.run !== null;
  }

  /** Whether Python is up (false while booting or restarting). */
  get isReady(): boolean {
    return this.ready;
  }

  /** Grade `source`; a run requested before Python is ready waits for it (the worker queues it). */
  grade(problem: ProblemEntry, source: string): Promise<Report> {
    if (this.run) return Promise.reject(new Error("a run is already in progress"));
    this.start();
    return new Promise<Report>((resolve, reject) => {
      this.run = {
        runId: this.nextRunId++, problem, source, known: {}, current: null, timer: undefined,
        grace: undefined, stopRequested: false, resolve, reject,
      };
      this.send();
    });
  }

  /** The learner pressed Stop. */
  stop(): void {
    const run = this.run;
    if (!run || run.stopRequested) return;
    run.stopRequested = true;
    if (run.current === null) {
      // Nothing of the learner's is running yet (Python still booting): just drop the run.
      this.finish();
      run.reject(new Error("stopped before Python was ready"));
      return;
    }
    this.expire(REASON_STOP);
  }

  private spawn(): void {
    this.ready = false;
    this.spawnedAt = performance.now();
    // A fresh buffer per worker: a signal the previous interpreter never consumed (it was stuck in
    // a sleep) must not interrupt the next one while it boots.
    const interrupt = this.isolated ? new SharedArrayBuffer(8) : null;
    this.signals = interrupt ? new Int32Array(interrupt) : null;
    const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    worker.onmessage = (event: MessageEvent<FromWorker>) => this.onMessage(worker, event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      this.onCrash(worker, event.message || "the Python worker crashed");
    };
    worker.postMessage({
      v: 1, type: "init", base: this.base, pyodide: this.index.pyodide, engine: this.index.engine,
      snapshot: this.index.snapshot ?? null, interrupt,
    });
    this.worker = worker;
    this.events.phase("booting");
  }

  private send(): void {
    const run = this.run!;
    run.current = null;
    this.worker!.postMessage({
      v: 1, type: "run", runId: run.runId, slug: run.problem.slug, suiteVersion: run.problem.version,
      suiteUrl: run.problem.suite, source: run.source, known: { ...run.known },
    });
    if (this.ready) this.events.phase("running");
  }

  private onMessage(worker: Worker, message: FromWorker): void {
    if (worker !== this.worker) return; // a replaced worker's last words
    const run = this.run;
    switch (message.type) {
      case "status":
        if (message.phase === "ready") {
          this.ready = true;
          this.markReady();
          this.bootMs = message.ms ?? null;
          this.restoredFromSnapshot = message.snapshot ?? false;
          this.bootMarks = onPageTimeline(message.marks);
          this.bootMarks.spawned = Math.round(this.spawnedAt);
        }
        this.events.phase(message.phase === "ready" && run ? "running" : message.phase);
        break;
      case "case-start":
        if (!run || message.runId !== run.runId) return;
        this.clearTimers(run);
        run.current = message.index;
        this.events.caseStarted?.(message.index);
        run.timer = window.setTimeout(() => this.expire(REASON_TIMEOUT), message.timeLimit * 1000);
        break;
      case "report":
        if (!run || message.runId !== run.runId) return;
        this.finish();
        this.runMarks = onPageTimeline(message.marks);
        run.resolve(message.report);
        break;
      case "failed":
        if (message.fatal || !this.ready) this.onCrash(worker, message.message);
        else if (run && (message.runId === run.runId || message.runId === null)) {
          this.finish();
          run.reject(new Error(message.message));
        }
        break;
    }
  }

  /** A case ran out of time, or Stop was pressed, while learner code was running. */
  private expire(reason: number): void {
    const run = this.run;
    if (!run) return;
    this.clearTimers(run);
    if (this.signals) {
      Atomics.store(this.signals, 1, reason);
      Atomics.store(this.signals, 0, 2); // SIGINT: Pyodide raises KeyboardInterrupt
      const stuckOn = run.current;
      // Learner code can swallow KeyboardInterrupt (a bare `except:` in a loop): then replace the worker.
      run.grace = window.setTimeout(() => {
        if (this.run === run && run.current === stuckOn) this.restart(reason);
      }, INTERRUPT_GRACE_MS);
    } else {
      this.restart(reason);
    }
  }

  /** Replace the worker and re-send the run, telling Python which case was given up on. */
  private restart(reason: number, verdict?: KnownVerdict): void {
    const run = this.run!;
    const index = run.current ?? -1;
    run.known[String(index)] = verdict ?? (reason === REASON_STOP ? "stopped" : "timeout");
    this.worker?.terminate();
    this.worker = null;
    this.events.phase("restarting");
    this.spawn();
    this.send();
  }

  private onCrash(worker: Worker, message: string): void {
    if (worker !== this.worker) return;
    const run = this.run;
    if (!this.ready && (run?.current ?? null) === null) {
      // Python itself failed to start: nothing the learner did. Report and give up this worker.
      this.worker?.terminate();
      this.worker = null;
      this.events.phase("failed", message);
      if (run) {
        this.finish();
        run.reject(new Error(message));
      }
      return;
    }
    if (run) {
      this.clearTimers(run);
      this.restart(REASON_TIMEOUT, "crashed");
    } else {
      this.worker?.terminate();
      this.worker = null;
      this.spawn();
    }
  }

  private clearTimers(run: ActiveRun): void {
    window.clearTimeout(run.timer);
    window.clearTimeout(run.grace);
    run.timer = run.grace = undefined;
  }

  private finish(): void {
    if (this.run) this.clearTimers(this.run);
    this.run = null;
    this.events.phase(this.ready ? "ready" : "booting");
  }
}
