// Runs learner code in a Web Worker so the page never freezes, and enforces the time limit.
//
// With cross-origin isolation (COOP/COEP), the page can write to a SharedArrayBuffer that Pyodide
// polls: a too-long case (or Stop) raises KeyboardInterrupt inside the learner's code, the
// interpreter survives, and the next case starts at once. Without it (a static host that cannot
// send headers), the worker is terminated and a new one is started; it is told which cases
// already timed out (`known`) and grades the rest. Python builds the report either way.
//
// A playground Run (`play`) is the runner's second kind of run: the same time limit, Stop and
// crash handling, but it is never replayed. Isolated, the interrupt makes Python end it with
// status timeout/stopped; when the worker has to be replaced (no isolation, an interrupt that
// does not land in the grace, a crash) the play ends there with a result the page makes.
//
// The runner is an explicit state machine: `state` says where it is (see State), and
// `dispatch` is the one place it changes, for every input (the page's calls, the worker's
// messages, timers). Timers belong to the state that set them and are cleared when it is left.
import { runCleaned } from "./hooks";
import { bootDone, runGraded } from "./marks";
import type { FromWorker, KnownVerdict, OutputStream, PlayResult, ProblemEntry, Report, SiteIndex } from "./protocol";
import { REASON_STOP, REASON_TIMEOUT } from "./protocol";
import { type PlayRequest, PythonWorker, type RunRequest } from "./pyworker";

export type Phase = "booting" | "loading-engine" | "ready" | "running" | "restarting" | "failed";

export interface RunnerListeners {
  phase(phase: Phase, detail?: string): void;
  caseStarted?(index: number): void;
}

/** How long an interrupted case may take to notice the interrupt before the worker is replaced:
 * after a time limit, and after Stop when a spare worker is ready to take over at once. */
const INTERRUPT_GRACE_MS = 1500;
const STOP_GRACE_MS = 500;
/** How long after a run a spare worker starts booting (see Spare). */
const SPARE_DELAY_MS = 1000;
/** The case index the worker reports while the learner's module loads (and `known`'s key for it). */
const LOADING = -1;

/** How many times one run may kill its worker before the page gives up on it (each crash marks
 * a case "crashed" and Python skips the rest, so a run needs one; more means the grader itself
 * fails after the learner's code, and replaying it again would not help). */
const MAX_CRASHES = 3;

interface RunCommon {
  stopRequested: boolean;
  crashes: number;
  reject(error: Error): void;
}

/** Run tests: graded case by case, replayed on a new worker after a replacement. */
interface GradeRun extends RunRequest, RunCommon {
  kind: "grade";
  resolve(report: Report): void;
}

/** A playground Run: output streams to `onOutput`; never replayed. */
interface PlayRun extends PlayRequest, RunCommon {
  kind: "play";
  startedAt: number;
  onOutput(stream: OutputStream, text: string): void;
  resolve(result: PlayResult): void;
}

type Run = GradeRun | PlayRun;

const pageMade = new WeakSet<PlayResult>();

/** How a play ended when its worker had to be replaced: nothing of Python's result survives. */
function pageMadeResult(run: PlayRun, status: KnownVerdict): PlayResult {
  const result: PlayResult = {
    version: 1, status, echo: null, error: null, drawings: [], output_dropped: 0,
    duration_ms: Math.round(performance.now() - run.startedAt),
  };
  pageMade.add(result);
  return result;
}

/** Whether the page made this result because the play's worker was replaced (then output the
 * code printed in its last moments, still in Python's buffer, never arrived). */
export function workerWasReplaced(result: PlayResult): boolean {
  return pageMade.has(result);
}

type State =
  /** start() not called yet: no worker. */
  | { kind: "off" }
  /** Python is starting; a run may be waiting in the worker's queue. */
  | { kind: "booting"; py: PythonWorker; run: Run | null }
  /** Python is ready and has nothing to do. */
  | { kind: "idle"; py: PythonWorker }
  /** A run is being graded. `case`: the one running now (LOADING: the learner's module), null
   * until the first starts (the suite loading); `timer`: its time limit. */
  | { kind: "running"; py: PythonWorker; run: Run; case: number | null; timer?: number }
  /** KeyboardInterrupt was sent (isolated only) for `reason`; if Python has not moved on when
   * `grace` fires (learner code can swallow the interrupt), the worker is replaced. */
  | { kind: "interrupting"; py: PythonWorker; run: Run; case: number; reason: number; grace: number }
  /** A replacement worker is starting; the run, with its `known` verdicts, waits in its queue. */
  | { kind: "restarting"; py: PythonWorker; run: Run }
  /** Python could not start; the next start() or grade() tries again with a new worker. */
  | { kind: "failed"; message: string };

type RunnerEvent =
  | { type: "start" } // the page wants Python up
  | { type: "submit"; run: Run } // Run tests, or a playground Run
  | { type: "interrupt" } // Stop
  | { type: "time-up" } // the running case's time limit passed
  | { type: "grace-over" } // an interrupted case did not notice the interrupt in time
  | { type: "crash"; message: string } // the worker died (an uncaught error)
  | FromWorker; // the current worker's messages: status, case-start, report, failed, output, played

/** What the page is told on entering `state` (nothing while an interrupt is pending). */
function phaseOf(state: State): Phase | undefined {
  switch (state.kind) {
    case "booting": return "booting";
    case "idle": return "ready";
    case "running": return "running";
    case "restarting": return "restarting";
    case "failed": return "failed";
    default: return undefined;
  }
}

function clearTimers(state: State): void {
  if (state.kind === "running") window.clearTimeout(state.timer);
  if (state.kind === "interrupting") window.clearTimeout(state.grace);
}

/** A worker started ahead of need, so replacing one (Stop, a time limit without isolation, a
 * crash) costs no boot when it has had time to get ready. */
interface Spare { py: PythonWorker; ready: boolean }

function send(py: PythonWorker, run: Run): void {
  if (run.kind === "play") py.play(run);
  else py.send(run);
}

export class PyRunner {
  readonly isolated = globalThis.crossOriginIsolated === true && typeof SharedArrayBuffer !== "undefined";
  private state: State = { kind: "off" };
  private spare: Spare | null = null;
  /** How many times a worker was replaced in the middle of a run (window.gradlab.replacements). */
  replacements = 0;
  private nextRunId = 1;
  restoredFromSnapshot = false; // false: the snapshot could not be used and Python booted slowly
  private markReady: () => void = () => {};
  /** Resolves when Python is first ready: other heavy start-up work (the service worker's
   * download of the whole site) waits for it, so it does not slow the first verdict. */
  readonly firstReady = new Promise<void>((resolve) => (this.markReady = resolve));

  constructor(private base: string, private index: SiteIndex, private events: RunnerListeners) {}

  /** Start Python in the background now, so it is ready when the learner presses Run. */
  start(): void {
    this.dispatch({ type: "start" });
  }

  /** Grade `source`; a run requested before Python is ready waits for it (the worker queues it). */
  grade(problem: ProblemEntry, source: string): Promise<Report> {
    return new Promise<Report>((resolve, reject) => this.dispatch({
      type: "submit",
      run: { kind: "grade", runId: this.nextRunId++, problem, source, known: {}, stopRequested: false, crashes: 0, resolve, reject },
    }));
  }

  /** Run the learner's `source`, then `scratch`, in the playground: printed text goes to
   * `onOutput` as it comes; `timeLimit` in seconds. Rejects only when the run could not start
   * (Python failed, Stop before Python was ready, another run in progress). */
  play(problem: ProblemEntry, source: string, scratch: string, timeLimit: number, compare: boolean,
       onOutput: (stream: OutputStream, text: string) => void): Promise<PlayResult> {
    return new Promise<PlayResult>((resolve, reject) => this.dispatch({
      type: "submit",
      run: {
        kind: "play", runId: this.nextRunId++, problem, source, scratch, timeLimit, compare,
        startedAt: performance.now(), onOutput, stopRequested: false, crashes: 0, resolve, reject,
      },
    }));
  }

  /** The learner pressed Stop. */
  interrupt(): void {
    this.dispatch({ type: "interrupt" });
  }

  /** Whether a run is in progress (from grade() until its promise settles). */
  get busy(): boolean {
    const s = this.state;
    return s.kind === "running" || s.kind === "interrupting" || s.kind === "restarting"
      || (s.kind === "booting" && s.run !== null);
  }

  /** What kind of run is in progress, if any. */
  get busyWith(): Run["kind"] | null {
    return this.busy && "run" in this.state && this.state.run ? this.state.run.kind : null;
  }

  /** Whether Python is up (false while booting or restarting). */
  get isReady(): boolean {
    return this.state.kind === "idle" || this.state.kind === "running" || this.state.kind === "interrupting";
  }

  /** The only place `state` changes. */
  private dispatch(event: RunnerEvent): void {
    const s = this.state;
    // Enter `next`, then tell the page (which reads `busy` and `isReady` as it redraws).
    const go = (next: State, phase?: Phase, detail?: string): void => {
      clearTimers(s);
      this.state = next;
      if (phase) this.events.phase(phase, detail);
    };
    const giveUp = (reason: number, py: PythonWorker, run: Run, index: number): void => {
      const next = this.giveUp({ py, run, case: index }, reason);
      go(next, phaseOf(next));
    };
    switch (event.type) {
      case "start":
        if (s.kind === "off" || s.kind === "failed") {
          go({ kind: "booting", py: this.spawn(), run: null }, "booting");
        }
        return;

      case "submit": {
        const run = event.run;
        if (s.kind === "off" || s.kind === "failed") {
          const py = this.spawn();
          send(py, run);
          go({ kind: "booting", py, run }, "booting");
        } else if (s.kind === "booting" && !s.run) {
          send(s.py, run);
          go({ ...s, run });
        } else if (s.kind === "idle") {
          send(s.py, run);
          go({ kind: "running", py: s.py, run, case: null }, "running");
          // A time limit without isolation, a crash, or a Stop the code does not notice (deep
          // recursion spends seconds unwinding) means a new worker: have one ready, so Stop
          // answers at once. It boots once, in the background, while the learner reads.
          this.prepareSpare();
        } else {
          run.reject(new Error("a run is already in progress"));
        }
        return;
      }

      case "interrupt":
        if ((s.kind === "running" || s.kind === "interrupting") && s.case !== null) {
          if (s.run.stopRequested) return;
          s.run.stopRequested = true;
          giveUp(REASON_STOP, s.py, s.run, s.case);
        } else if (s.kind === "restarting") {
          // The replacement only replays what the last worker finished and then says how its
          // last case ended (Python runs nothing after a known time-out, crash or Stop): its
          // verdict is the quickest there is. Should it start a new case, it is stopped at once.
          s.run.stopRequested = true;
        } else if (s.kind === "booting" || s.kind === "running") {
          // Nothing of the learner's is running yet (Python still starting): just drop the run.
          if (!s.run || s.run.stopRequested) return;
          if (s.kind === "running") go({ kind: "idle", py: s.py }, "ready");
          else go({ kind: "booting", py: s.py, run: null }, "booting");
          s.run.reject(new Error("stopped before Python was ready"));
        }
        return;

      case "time-up":
        if (s.kind === "running" && s.case !== null) {
          giveUp(REASON_TIMEOUT, s.py, s.run, s.case);
        }
        return;

      case "grace-over":
        if (s.kind === "interrupting") {
          if (s.reason === REASON_STOP && this.spare && !this.spare.ready) {
            // Replacing now would only wait for the spare's boot: the interrupt may still land
            // meanwhile. Look again shortly; the spare is either ready soon or dropped.
            go({ ...s, grace: window.setTimeout(() => this.dispatch({ type: "grace-over" }), 50) });
            return;
          }
          const next = this.replace(s, s.reason === REASON_STOP ? "stopped" : "timeout");
          go(next, phaseOf(next));
        }
        return;

      case "status":
        if (s.kind !== "booting" && s.kind !== "restarting") return;
        if (event.phase !== "ready") {
          this.events.phase(event.phase);
          return;
        }
        this.restoredFromSnapshot = event.snapshot ?? false;
        bootDone(s.py.spawnedAt, event.marks, event.ms);
        this.markReady();
        if (s.run) go({ kind: "running", py: s.py, run: s.run, case: null }, "running");
        else go({ kind: "idle", py: s.py }, "ready");
        return;

      case "case-start":
        if ((s.kind === "running" || s.kind === "interrupting") && event.runId === s.run.runId) {
          const timer = window.setTimeout(() => this.dispatch({ type: "time-up" }), event.timeLimit * 1000);
          go({ kind: "running", py: s.py, run: s.run, case: event.index, timer });
          this.events.caseStarted?.(event.index);
          const known = s.run.kind === "grade" ? Object.keys(s.run.known).map(Number) : [];
          if (s.run.stopRequested && known.length && event.index > Math.max(...known)) {
            // Stop was pressed while this worker was starting: nothing new may run.
            s.run.stopRequested = false;
            this.dispatch({ type: "interrupt" });
          }
        }
        return;

      case "output":
        if ((s.kind === "running" || s.kind === "interrupting") && event.runId === s.run.runId && s.run.kind === "play") {
          s.run.onOutput(event.stream, event.text);
        }
        return;

      case "report":
      case "played":
        if ((s.kind === "running" || s.kind === "interrupting") && event.runId === s.run.runId
            && (event.type === "report") === (s.run.kind === "grade")) {
          if (event.clean === "replaced") {
            // Python could not undo what the run did to it: the next run gets a fresh one.
            s.py.terminate();
            const { py, ready } = this.takeWorker();
            go(ready ? { kind: "idle", py } : { kind: "booting", py, run: null }, ready ? "ready" : "booting");
          } else {
            go({ kind: "idle", py: s.py }, "ready");
          }
          runCleaned(event.clean ?? "restored");
          if (event.type === "report" && s.run.kind === "grade") {
            runGraded(event.marks);
            s.run.resolve(event.report);
          } else if (event.type === "played" && s.run.kind === "play") {
            s.run.resolve(event.result);
          }
          // Without isolation the next Stop or time limit needs it: now. With isolation only an
          // interrupt that does not land does: once the page has settled, so that it does not
          // compete with an immediate re-run for the CPU.
          if (this.isolated) window.setTimeout(() => this.prepareSpare(), SPARE_DELAY_MS);
          else this.prepareSpare();
        }
        return;

      case "failed":
        // The worker decides whether its interpreter survived (worker.ts, interpreterLost); a
        // failure before Python was ever ready means it could not start.
        if (!event.fatal && s.kind !== "booting" && s.kind !== "restarting") {
          if ((s.kind === "running" || s.kind === "interrupting")
              && (event.runId === s.run.runId || event.runId === null)) {
            go({ kind: "idle", py: s.py }, "ready");
            s.run.reject(new Error(event.message));
          }
          return;
        }
      // falls through: this worker's Python is gone
      case "crash":
        if (s.kind === "booting" || s.kind === "restarting") {
          // Python itself failed to start: nothing the learner did. Report and give up this worker.
          s.py.terminate();
          go({ kind: "failed", message: event.message }, "failed", event.message);
          s.run?.reject(new Error(event.message));
        } else if (s.kind === "idle") {
          s.py.terminate();
          go({ kind: "booting", py: this.spawn(), run: null }, "booting");
        } else if (s.kind === "running" || s.kind === "interrupting") {
          if (++s.run.crashes > MAX_CRASHES) {
            s.py.terminate();
            go({ kind: "booting", py: this.spawn(), run: null }, "booting");
            s.run.reject(new Error(event.message));
            return;
          }
          // Python died on this case (after Stop: it was stopped). The replacement replays the
          // cases before it and runs none after it (a play just ends: crashed).
          const next = this.replace(s, s.run.stopRequested ? "stopped" : "crashed");
          go(next, phaseOf(next));
        }
        return;
    }
  }

  /** The state after giving up on the running case for `reason`: interrupting it (isolated),
   * else a replacement worker. */
  private giveUp(s: { py: PythonWorker; run: Run; case: number }, reason: number): State {
    if (s.py.interrupt(reason)) {
      // Stop: the learner waits. Should the interrupt not land at once (deep recursion, code
      // that swallows it), a spare is already starting to take over.
      if (reason === REASON_STOP) this.prepareSpare();
      // After Stop the spare takes over once the grace is over and it is ready (grace-over).
      const wait = reason === REASON_STOP ? STOP_GRACE_MS : INTERRUPT_GRACE_MS;
      const grace = window.setTimeout(() => this.dispatch({ type: "grace-over" }), wait);
      return { kind: "interrupting", py: s.py, run: s.run, case: s.case, reason, grace };
    }
    return this.replace(s, reason === REASON_STOP ? "stopped" : "timeout");
  }

  /** The state after replacing the worker (with the spare when there is one) and re-sending the
   * run, telling Python how the current case ended. A play is not re-sent: it ends here, with
   * `verdict` as its status. */
  private replace(s: { py: PythonWorker; run: Run; case: number | null }, verdict: KnownVerdict): State {
    this.replacements++;
    s.py.terminate();
    const { py, ready } = this.takeWorker();
    this.prepareSpare(); // for the next replacement
    if (s.run.kind === "play") {
      runCleaned("replaced");
      s.run.resolve(pageMadeResult(s.run, verdict)); // settles after this dispatch: the page then sees the new state
      return ready ? { kind: "idle", py } : { kind: "booting", py, run: null };
    }
    s.run.known[String(s.case ?? LOADING)] = verdict;
    py.send(s.run);
    return ready ? { kind: "running", py, run: s.run, case: null } : { kind: "restarting", py, run: s.run };
  }

  /** The spare worker if there is one (ready or still starting), else a new worker. */
  private takeWorker(): Spare {
    const spare = this.spare ?? { py: this.spawn(), ready: false };
    this.spare = null;
    return spare;
  }

  /** Start a spare worker in the background, unless there is one. */
  private prepareSpare(): void {
    if (!this.spare) this.spare = { py: this.spawn(), ready: false };
  }

  private spawn(): PythonWorker {
    // Messages from a worker that has since been replaced are its last words: ignored. A
    // spare's only news is that it is ready (or that it could not start: then it is dropped).
    const current = (from: PythonWorker) => "py" in this.state && this.state.py === from;
    const spare = (from: PythonWorker, fatal: boolean, ready: boolean): void => {
      if (this.spare?.py !== from) return;
      if (ready) this.spare.ready = true;
      if (fatal) {
        from.terminate();
        this.spare = null;
      }
    };
    return new PythonWorker(this.base, this.index, this.isolated,
      (from, message) => {
        if (current(from)) this.dispatch(message);
        else spare(from, message.type === "failed",
          message.type === "status" && message.phase === "ready");
      },
      (from, message) => {
        if (current(from)) this.dispatch({ type: "crash", message });
        else spare(from, true, false);
      });
  }
}
