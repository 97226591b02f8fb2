// One Python worker as the page sees it: the Worker, its interrupt buffer, and the messages it
// is sent. It holds no state about runs; pyrunner.ts decides what happens (and when a worker is
// replaced, ignores the old one's late messages by comparing handles).
import type { FromWorker, KnownVerdict, PlayMessage, ProblemEntry, SiteIndex } from "./protocol";
import { pageNow } from "./marks";

export interface RunRequest {
  runId: number;
  problem: ProblemEntry;
  source: string;
  known: Record<string, KnownVerdict>; // case index (-1: the module loading) -> given-up verdict
}

/** A playground Run: the learner's code, then their scratch code (never replayed on a new worker). */
export interface PlayRequest {
  runId: number;
  problem: ProblemEntry;
  source: string;
  scratch: string;
  timeLimit: number; // seconds
  compare: boolean;
}

export class PythonWorker {
  readonly spawnedAt = pageNow();
  private readonly worker: Worker;
  private readonly signals: Int32Array | null; // [0]: the signal Pyodide polls, [1]: why we sent it

  constructor(base: string, index: SiteIndex, isolated: boolean,
              onMessage: (from: PythonWorker, message: FromWorker) => void,
              onError: (from: PythonWorker, message: string) => void) {
    // A fresh buffer per worker: a signal the previous interpreter never consumed (it was stuck in
    // a sleep) must not interrupt the next one while it boots.
    const interrupt = isolated ? new SharedArrayBuffer(8) : null;
    this.signals = interrupt ? new Int32Array(interrupt) : null;
    this.worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
    this.worker.onmessage = (event: MessageEvent<FromWorker>) => onMessage(this, event.data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      onError(this, event.message || "the Python worker crashed");
    };
    this.worker.postMessage({
      v: 1, type: "init", base, pyodide: index.pyodide, engine: index.engine,
      snapshot: index.snapshot ?? null, interrupt,
    });
  }

  /** Grade a run (the worker queues it until Python is ready). */
  send(run: RunRequest): void {
    this.worker.postMessage({
      v: 1, type: "run", runId: run.runId, slug: run.problem.slug, suiteVersion: run.problem.version,
      suiteUrl: run.problem.suite, source: run.source, known: { ...run.known },
    });
  }

  /** Run a playground play (the worker queues it until Python is ready). */
  play(play: PlayRequest): void {
    this.worker.postMessage({
      v: 1, type: "play", runId: play.runId, slug: play.problem.slug, source: play.source,
      scratch: play.scratch, timeLimit: play.timeLimit, compare: play.compare,
    } satisfies PlayMessage);
  }

  /** Raise KeyboardInterrupt in the learner's code, saying why; false without isolation. */
  interrupt(reason: number): boolean {
    if (!this.signals) return false;
    Atomics.store(this.signals, 1, reason);
    Atomics.store(this.signals, 0, 2); // SIGINT: Pyodide raises KeyboardInterrupt
    return true;
  }

  terminate(): void {
    this.worker.terminate();
  }
}
