// The Python worker: boots Pyodide, installs the engine wheel, grades runs. It never decides
// verdicts itself: engine.browser.worker does, exactly as `gradlab grade` does on CPython.
import type { PyodideInterface } from "pyodide";
import { bootStartMarks, type Marks, stamp } from "./marks";
import type { FromWorker, InitMessage, OutputStream, PlayMessage, PlayResult, Report, RunMessage } from "./protocol";
import { REASON_STOP } from "./protocol";
import { expandSnapshot } from "./snapshot";

declare const self: DedicatedWorkerGlobalScope;

let init: InitMessage | null = null;
let reasons: Int32Array | null = null;
let pyodide: PyodideInterface | null = null;
let PythonError: PyodideInterface["ffi"]["PythonError"] | null = null; // pyodide.ffi.PythonError, kept: see interpreterLost
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let browser: any = null;
const loadedSuites = new Map<string, string>(); // slug -> version
const queue: (RunMessage | PlayMessage)[] = [];
let booting: Promise<void> | null = null;
let unpackEngine: (() => void) | null = null; // pending until the engine's files are unpacked

function post(message: FromWorker): void {
  self.postMessage(message);
}

/** The snapshot's bytes, read straight from the service worker's offline copy when there is one
 * (URLs are content-addressed, so any cached copy is the right one; this skips a trip through
 * the service worker), else fetched. Rejects when it cannot be had, so boot falls back. */
async function readSnapshot(url: string): Promise<Uint8Array> {
  const cached = "caches" in self ? await caches.match(url).catch(() => undefined) : undefined;
  const response = cached ?? await fetch(url);
  if (!response.ok) throw new Error(`snapshot: ${response.status}`);
  return expandSnapshot(new Uint8Array(await response.arrayBuffer()));
}

async function boot(): Promise<void> {
  const marks = bootStartMarks();
  const { base, pyodide: pyodidePath, engine, snapshot, interrupt } = init!;
  post({ v: 1, type: "status", phase: "booting" });
  const indexURL = new URL(pyodidePath, base).href;
  // Start every download at once: the module, the snapshot and the engine wheel.
  const module = import(/* @vite-ignore */ new URL("pyodide.mjs", indexURL).href);
  const wheel = fetch(new URL(engine, base)).then((r) => {
    if (!r.ok) throw new Error(`could not load the grader (${r.status} ${engine})`);
    return r.arrayBuffer();
  });
  // The snapshot is handed to loadPyodide as a promise, so Pyodide's own downloads (the wasm,
  // its JavaScript, the standard library) run while it is still arriving.
  const image = snapshot ? readSnapshot(new URL(snapshot, base).href) : null;
  image?.then(() => stamp(marks, "snapshotFetched"), () => {});
  const { loadPyodide } = await module;
  stamp(marks, "module");
  let py: PyodideInterface;
  let restored = !!image;
  try {
    // A snapshot taken at build time with the engine imported: ~0.5 s instead of a ~5 s boot.
    py = await loadPyodide(image ? { indexURL, _loadSnapshot: image } : { indexURL });
  } catch (error) {
    if (!image) throw error;
    // No snapshot (a failed download, a host that lost the file): boot the slow way.
    restored = false;
    py = await loadPyodide({ indexURL });
  }
  stamp(marks, "pyodideReady");
  if (interrupt) {
    py.setInterruptBuffer(new Int32Array(interrupt, 0, 1));
    reasons = new Int32Array(interrupt, 4, 1);
  }
  post({ v: 1, type: "status", phase: "loading-engine" });
  // The engine is a pure-Python wheel: unpacking it is one call, no micropip needed. After a
  // snapshot restore its modules are already in memory (imported and warmed up at build time);
  // the files are only for anything read lazily, so they are unpacked once the first run is
  // done (or after a second of idling), not while the learner waits for a verdict. The
  // playground is one such: left out of the snapshot (smaller to download), imported from the
  // files the first time, so once they are here it is warmed up too while the learner reads.
  const bytes = await wheel;
  unpackEngine = () => {
    unpackEngine = null;
    py.unpackArchive(bytes, "wheel");
    setTimeout(() => {
      try {
        if (browser && !busy && !queue.length) browser.warm_up_play();
      } catch (error) {
        console.warn("playground warm-up failed (no harm done):", error);
      }
    }, 0);
  };
  if (restored) setTimeout(() => unpackEngine?.(), 1000);
  else unpackEngine();
  browser = py.pyimport("engine.browser.worker");
  // Suites added before the snapshot was taken are already here: no fetch for those.
  for (const [slug, version] of Object.entries(JSON.parse(browser.loaded_suites()) as Record<string, string>)) {
    loadedSuites.set(slug, version);
  }
  PythonError = py.ffi.PythonError;
  pyodide = py;
  // What every run starts from: this interpreter as restored, before any learner code.
  browser.mark_clean();
  stamp(marks, "engineReady");
  const ms = marks.engineReady - marks.bootStart;
  post({ v: 1, type: "status", phase: "ready", isolated: !!interrupt, ms, snapshot: restored, marks });
  // Nothing to do yet (the learner is reading): grade a few runs, unseen, one per task, so the
  // first real runs do not pay for the browser compiling Python's code paths. A step waits while
  // the learner's runs are queued or running (each waits for one step at most); once learner
  // code has run, Python keeps the baseline it took before (engine/browser/worker.py).
  const steps: number = browser.warm_up_steps();
  const warm = (step: number): void => {
    if (step >= steps) return;
    if (busy || queue.length) {
      setTimeout(() => warm(step), 200);
      return;
    }
    try {
      browser.warm_up(step);
    } catch (error) {
      console.warn("warm-up run failed (no harm done):", error);
      return;
    }
    setTimeout(() => warm(step + 1), 0);
  };
  setTimeout(() => warm(0), 0);
}

/** Whether this worker's interpreter is gone after `error` escaped a run (the page then replaces
 * the worker), decided from Pyodide's own state, never from the error's text:
 * - no interpreter yet: boot failed (or never finished), so there is nothing to reuse;
 * - a PythonError: Python raised it and unwound it itself, so the interpreter is fine;
 * - anything else (a failed fetch, a wasm trap, the stack or memory running out inside Python):
 *   ask the interpreter something trivial. When Pyodide hits an error it cannot recover from, its
 *   fatal-error handler (API.fatal_error in pyodide.asm.mjs) replaces every public member of the
 *   pyodide object with a getter that throws ("Pyodide already fatally failed..."), so the
 *   question itself throws. A PythonError from the question (a KeyboardInterrupt still pending
 *   from a late Stop) is an answer: alive. */
function interpreterLost(error: unknown): boolean {
  if (!pyodide || !PythonError) return true;
  if (error instanceof PythonError) return false;
  try {
    pyodide.runPython("1");
    return false;
  } catch (probe) {
    return !(probe instanceof PythonError);
  }
}

async function ensureSuite(run: RunMessage): Promise<void> {
  if (loadedSuites.get(run.slug) === run.suiteVersion) return;
  const response = await fetch(new URL(run.suiteUrl, init!.base));
  if (!response.ok) throw new Error(`could not load the tests for ${run.slug} (${response.status})`);
  const version = browser.add_suite(await response.text());
  loadedSuites.set(run.slug, version);
}

/** A wasm heap grown past this (it never shrinks) is taken as a run that tried to use all
 * memory, even if a time limit stopped it before the MemoryError: a fresh worker starts small. */
const HEAP_LIMIT = 512 * 2 ** 20;

/** Whether the wasm heap grew past HEAP_LIMIT: the learner's code tried to take all memory. */
function heapExhausted(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const heap: number = (pyodide as any)?._module?.HEAPU8?.length ?? 0; // Pyodide's Emscripten module
  return heap > HEAP_LIMIT;
}

/** Whether the last run left this interpreter unfit for another: Python says so (a MemoryError, a
 * change it could not undo, an error escaping the grader) or cannot even say, or the heap grew
 * past HEAP_LIMIT. */
function mustReplace(): boolean {
  if (heapExhausted()) return true;
  try {
    return browser.clean_state() !== "restored";
  } catch {
    return true;
  }
}

/** Why the learner's code was interrupted (read once: the slot is cleared). */
function interruptReason(): "stop" | "timeout" {
  const code = reasons ? Atomics.exchange(reasons, 0, 0) : 0;
  return code === REASON_STOP ? "stop" : "timeout";
}

/** A Stop or time limit that fired just as the last run ended must not hit the next one. */
function clearInterrupt(): void {
  if (init!.interrupt) Atomics.store(new Int32Array(init!.interrupt), 0, 0);
}

/** A playground Run: Python runs the learner's code then the scratch code, streaming what they
 * print (`output`), and answers `played`. Same clean-up rules as a graded run. */
async function handlePlay(play: PlayMessage): Promise<void> {
  let damaged = false;
  try {
    await booting;
    clearInterrupt();
    unpackEngine?.(); // the playground is imported from the engine's files
    const caseStart = (index: number, timeLimit: number) =>
      post({ v: 1, type: "case-start", runId: play.runId, index, timeLimit });
    const emit = (stream: OutputStream, text: string) =>
      post({ v: 1, type: "output", runId: play.runId, stream, text });
    const json: string = browser.play(JSON.stringify(play), emit, caseStart, interruptReason, heapExhausted);
    let result: PlayResult;
    try {
      result = JSON.parse(json) as PlayResult;
    } catch {
      damaged = true;
      throw new Error("the playground's result was not valid JSON (Python's memory is damaged)");
    }
    const clean = mustReplace() ? "replaced" : "restored";
    post({ v: 1, type: "played", runId: play.runId, result, clean });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const fatal = damaged || interpreterLost(error) || mustReplace();
    post({ v: 1, type: "failed", runId: play.runId, message: text.slice(-2000), fatal });
  }
}

async function handle(run: RunMessage): Promise<void> {
  let damaged = false; // the report came back unreadable: the heap is not to be trusted
  try {
    await booting;
    clearInterrupt();
    const marks: Marks = {};
    stamp(marks, "runStart");
    await ensureSuite(run);
    stamp(marks, "suiteReady");
    const { suiteUrl: _ignored, ...message } = run;
    const caseStart = (index: number, timeLimit: number) =>
      post({ v: 1, type: "case-start", runId: run.runId, index, timeLimit });
    const json: string = browser.run(JSON.stringify(message), caseStart, interruptReason, heapExhausted);
    stamp(marks, "graded");
    let report: Report;
    try {
      report = JSON.parse(json) as Report;
    } catch {
      damaged = true; // seen after a memory bomb: Python hands back garbage from then on
      throw new Error("the grader's report was not valid JSON (Python's memory is damaged)");
    }
    // Python undid the run's changes to the interpreter ("restored"), or could not and this
    // worker is replaced by the page once the report is shown ("replaced").
    const clean = mustReplace() ? "replaced" : "restored";
    post({ v: 1, type: "report", runId: run.runId, report, marks, clean });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const fatal = damaged || interpreterLost(error) || mustReplace();
    post({ v: 1, type: "failed", runId: run.runId, message: text.slice(-2000), fatal });
  }
}

let busy = false;
async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  while (queue.length) {
    const next = queue.shift()!;
    await (next.type === "play" ? handlePlay(next) : handle(next));
  }
  busy = false;
  unpackEngine?.();
}

self.onmessage = (event: MessageEvent) => {
  const message = event.data;
  if (message?.v !== 1) {
    post({ v: 1, type: "failed", runId: null, message: `unknown protocol version ${message?.v}`, fatal: false });
    return;
  }
  if (message.type === "init") {
    init = message;
    booting = boot().catch((error) => {
      post({ v: 1, type: "failed", runId: null, message: `Python could not start: ${error}`, fatal: true });
      throw error;
    });
  } else if (message.type === "run" || message.type === "play") {
    queue.push(message);
    void drain();
  }
};
