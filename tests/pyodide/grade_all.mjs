// Grades learner files under real Pyodide (from node_modules), through the same entry point the
// site's worker uses (engine.browser.worker.run). Used by tests/test_pyodide_parity.py.
//   node grade_all.mjs WHEEL JOBS.json  ->  one JSON report per job on stdout, one per line
// JOBS.json: {"suites": {slug: suiteJsonText}, "jobs": [{"slug": ..., "source": ...}, ...]}
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const { loadPyodide } = await import(path.join(root, "node_modules/pyodide/pyodide.mjs"));
const [wheel, jobsFile] = process.argv.slice(2);
const py = await loadPyodide();
py.unpackArchive(new Uint8Array(readFileSync(wheel)), "wheel");
const browser = py.pyimport("engine.browser.worker");
const { suites, jobs } = JSON.parse(readFileSync(jobsFile, "utf8"));
const versions = {};
for (const [slug, text] of Object.entries(suites)) versions[slug] = browser.add_suite(text);
let runId = 0;
for (const job of jobs) {
  const message = { v: 1, type: "run", runId: runId++, slug: job.slug,
                    suiteVersion: versions[job.slug], source: job.source, known: {} };
  const report = browser.run(JSON.stringify(message), () => {}, () => "timeout");
  process.stdout.write(report + "\n");
}
