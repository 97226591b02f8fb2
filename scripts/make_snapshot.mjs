// Build step: boot Pyodide in Node with the engine installed and imported, and save a memory
// snapshot, so the browser restores a ready interpreter (~0.3-0.6 s) instead of booting (~5 s).
//   node scripts/make_snapshot.mjs PYODIDE_DIR WHEEL OUT [WARMUP_JSON]
// WARMUP_JSON lists the compiled suites ({suite: path, sources: [python source, ...]}): each suite
// is added, so a restored worker has every problem's tests without a fetch, and each source (the
// starters: public text only, since freed memory is in the snapshot too) is graded once, so the
// first run in the browser finds the grader warm (lazy imports done, regexes compiled, bytecode
// specialised) instead of paying for that while the learner waits.
// The snapshot holds wasm memory only, not the virtual filesystem: the worker unpacks the wheel
// again after restoring (a few ms), so lazy imports and package files still work.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheel, out, warmupFile] = process.argv.slice(2);

/** The snapshot without its all-zero pages (about half of it); web/src/snapshot.ts expands it
 * and documents the format. */
function sparse(snapshot, page = 4096) {
  const image = Buffer.from(snapshot.buffer, snapshot.byteOffset, snapshot.length);
  const zero = Buffer.alloc(page);
  const runs = [];
  for (let first = 0; first * page < image.length; first++) {
    const chunk = image.subarray(first * page, (first + 1) * page);
    if (chunk.equals(zero.subarray(0, chunk.length))) continue;
    const last = runs.at(-1);
    if (last && last[0] + last[1] === first) last[1]++;
    else runs.push([first, 1]);
  }
  const words = [0x4e534c47, 1, image.length, page, runs.length, ...runs.flat()];
  const head = Buffer.alloc(words.length * 4);
  words.forEach((word, i) => head.writeUInt32LE(word, i * 4));
  return Buffer.concat([head, ...runs.map(([first, count]) => image.subarray(first * page, (first + count) * page))]);
}
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: pyodideDir + "/", _makeSnapshot: true });
py.unpackArchive(new Uint8Array(readFileSync(wheel)), "wheel");
py.runPython(`
# Everything a run touches, imported now so a restored interpreter does no imports at all;
# plus the standard modules learners reach for most.
import engine.browser.worker, engine.autograd  # the worker imports every grading module it uses
import math, random, collections, functools, itertools, dataclasses, typing, enum, copy, operator
import json, re, traceback, time
engine.browser.protocol.schema()  # reads a package file: cache it before the snapshot
`);
const browser = py.pyimport("engine.browser.worker");
const warmups = warmupFile ? JSON.parse(readFileSync(warmupFile, "utf8")) : [];
let runId = 0;
for (const { suite, sources } of warmups) {
  const text = readFileSync(suite, "utf8");
  const version = browser.add_suite(text);
  const slug = JSON.parse(text).problem.slug;
  for (const source of sources) {
    const message = { v: 1, type: "run", runId: ++runId, slug, suiteVersion: version, source, known: {} };
    const report = JSON.parse(browser.run(JSON.stringify(message), () => {}, () => "timeout"));
    browser.keep_warm_up(JSON.stringify(message)); // the worker runs it again while idle
    if (report.load_error) throw new Error(`warm-up run of ${slug} did not load: ${JSON.stringify(report.load_error)}`);
  }
}
browser.destroy();
py.runPython("import gc; gc.collect()");
const snapshot = py.makeMemorySnapshot();
// Pyodide restores into the wasm module's initial memory (30 MiB in 0.314) and cannot grow it
// first, so a snapshot of a heap that grew fails in the browser (which then boots the slow way).
// Restore it here, so such a build fails instead.
const check = await loadPyodide({ indexURL: pyodideDir + "/", _loadSnapshot: snapshot }).catch((error) => {
  throw new Error(`the snapshot does not restore (heap ${(snapshot.length / 2 ** 20).toFixed(1)} MiB; did the warm-up grow it?): ${error}`);
});
const restored = JSON.parse(check.pyimport("engine.browser.worker").loaded_suites());
if (Object.keys(restored).length !== warmups.length) throw new Error(`restored snapshot holds ${JSON.stringify(restored)}`);
const packed = sparse(snapshot);
writeFileSync(out, packed);
console.log(`snapshot: ${(snapshot.length / 1e6).toFixed(1)} MB (${(packed.length / 1e6).toFixed(1)} MB sparse), ${warmups.length} suites preloaded, ${runId} warm-up runs`);
