// The Python worker: boots Pyodide, installs the engine wheel, grades runs. It never decides
// verdicts itself: engine.grading.browser does, exactly as `gradlab grade` does on CPython.
import type { PyodideInterface } from "pyodide";
import type { FromWorker, InitMessage, RunMessage } from "./protocol";
import { REASON_STOP } from "./protocol";

declare const self: DedicatedWorkerGlobalScope;

let init: InitMessage | null = null;
let reasons: Int32Array | null = null;
let pyodide: PyodideInterface | null = null;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let browser: any = null;
const loadedSuites = new Map<string, string>(); // slug -> version
const queue: RunMessage[] = [];
let booting: Promise<void> | null = null;

function post(message: FromWorker): void {
  self.postMessage(message);
}

async function boot(): Promise<void> {
  const started = performance.now();
  const { base, pyodide: pyodidePath, engine, snapshot, interrupt } = init!;
  post({ v: 1, type: "status", phase: "booting" });
  const indexURL = new URL(pyodidePath, base).href;
  // Start every download at once: the module, the snapshot and the engine wheel.
  const module = import(/* @vite-ignore */ new URL("pyodide.mjs", indexURL).href);
  const wheel = fetch(new URL(engine, base)).then((r) => {
    if (!r.ok) throw new Error(`could not load the grader (${r.status} ${engine})`);
    return r.arrayBuffer();
  });
  const image = snapshot ? fetch(new URL(snapshot, base)).then((r) => (r.ok ? r.arrayBuffer() : null)) : null;
  const { loadPyodide } = await module;
  const marks: Record<string, number> = { module: performance.now() - started };
  let py: PyodideInterface;
  const bytes = image ? await image.catch(() => null) : null;
  marks.snapshotFetched = performance.now() - started;
  try {
    // A snapshot taken at build time with the engine imported: ~0.5 s instead of a ~5 s boot.
    py = await loadPyodide(bytes ? { indexURL, _loadSnapshot: bytes } : { indexURL });
  } catch (error) {
    if (!bytes) throw error;
    py = await loadPyodide({ indexURL });
  }
  marks.pyodideReady = performance.now() - started;
  if (interrupt) {
    py.setInterruptBuffer(new Int32Array(interrupt, 0, 1));
    reasons = new Int32Array(interrupt, 4, 1);
  }
  post({ v: 1, type: "status", phase: "loading-engine" });
  // The engine is a pure-Python wheel: unpacking it is one call, no micropip needed. After a
  // snapshot restore its modules are already in memory; the files are for anything read lazily.
  py.unpackArchive(await wheel, "wheel");
  browser = py.pyimport("engine.grading.browser");
  pyodide = py;
  marks.engineReady = performance.now() - started;
  post({ v: 1, type: "status", phase: "ready", isolated: !!interrupt, ms: performance.now() - started, snapshot: !!bytes, marks });
}

async function ensureSuite(run: RunMessage): Promise<void> {
  if (loadedSuites.get(run.slug) === run.suiteVersion) return;
  const response = await fetch(new URL(run.suiteUrl, init!.base));
  if (!response.ok) throw new Error(`could not load the tests for ${run.slug} (${response.status})`);
  const version = browser.add_suite(await response.text());
  loadedSuites.set(run.slug, version);
}

async function handle(run: RunMessage): Promise<void> {
  try {
    await booting;
    // A Stop or time limit that fired just as the last run ended must not hit this one.
    if (init!.interrupt) Atomics.store(new Int32Array(init!.interrupt), 0, 0);
    await ensureSuite(run);
    const { suiteUrl: _ignored, ...message } = run;
    const caseStart = (index: number, timeLimit: number) =>
      post({ v: 1, type: "case-start", runId: run.runId, index, timeLimit });
    const reason = () => {
      const code = reasons ? Atomics.exchange(reasons, 0, 0) : 0;
      return code === REASON_STOP ? "stop" : "timeout";
    };
    const json: string = browser.run(JSON.stringify(message), caseStart, reason);
    post({ v: 1, type: "report", runId: run.runId, report: JSON.parse(json) });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    // After a fatal error (the wasm stack or memory ran out) this interpreter cannot be reused.
    const fatal = !pyodide || /fatally failed|Maximum call stack|out of memory|RuntimeError: (unreachable|memory)/i.test(text);
    post({ v: 1, type: "failed", runId: run.runId, message: text.slice(-2000), fatal });
  }
}

let busy = false;
async function drain(): Promise<void> {
  if (busy) return;
  busy = true;
  while (queue.length) await handle(queue.shift()!);
  busy = false;
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
  } else if (message.type === "run") {
    queue.push(message);
    void drain();
  }
};
