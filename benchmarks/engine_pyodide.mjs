// Engine workloads inside Pyodide (Node), reference engine and micrograd in the same process.
//   node engine_pyodide.mjs PYODIDE_DIR ENGINE_WHEEL MICROGRAD_DIR REPEATS SCALE
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const [pyodideDir, wheel, micrograd, repeats, scale] = process.argv.slice(2);
const here = path.dirname(fileURLToPath(import.meta.url));
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const py = await loadPyodide({ indexURL: pyodideDir + "/" });
py.unpackArchive(new Uint8Array(readFileSync(wheel)), "wheel");
py.FS.mkdirTree("/bench/micrograd");
for (const name of ["__init__.py", "engine.py"]) {
  py.FS.writeFile(`/bench/micrograd/${name}`, readFileSync(path.join(micrograd, name)));
}
py.FS.writeFile("/bench/workloads.py", readFileSync(path.join(here, "workloads.py")));
const result = py.runPython(`
import sys, json
sys.path.insert(0, "/bench")
from workloads import run_all
json.dumps(run_all(${Number(repeats)}, ${Number(scale)}))
`);
process.stdout.write(result + "\n");
