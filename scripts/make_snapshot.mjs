// Build step: boot Pyodide in Node with the engine installed and imported, and save a memory
// snapshot, so the browser restores a ready interpreter (~0.3-0.6 s) instead of booting (~5 s).
//   node scripts/make_snapshot.mjs PYODIDE_DIR WHEEL OUT
// The snapshot holds wasm memory only, not the virtual filesystem: the worker unpacks the wheel
// again after restoring (a few ms), so lazy imports and package files still work.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, wheel, out] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: pyodideDir + "/", _makeSnapshot: true });
py.unpackArchive(new Uint8Array(readFileSync(wheel)), "wheel");
py.runPython(`
import gc
# Everything a run touches, imported now so a restored interpreter does no imports at all;
# plus the standard modules learners reach for most.
import engine.grading.browser, engine.grading.observe, engine.grading.judge, engine.grading.report
import engine.grading.protocol, engine.grading.runner, engine.autograd
import math, random, collections, functools, itertools, dataclasses, typing, enum, copy, operator
import json, re, traceback, time
engine.grading.protocol.schema()  # reads a package file: cache it before the snapshot
gc.collect()
`);
const snapshot = py.makeMemorySnapshot();
writeFileSync(out, snapshot);
console.log(`snapshot: ${(snapshot.length / 1e6).toFixed(1)} MB`);
