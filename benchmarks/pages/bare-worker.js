// Baseline worker: Pyodide and a few lines of Python that run the learner's code on the cases,
// with no grader, no checks, no report.
const RAW = `
import json
def run_all(source, cases_json):
    code = compile(source, "solution.py", "exec")
    out = []
    for c in json.loads(cases_json):
        ns = {}
        exec(code, ns)
        V = ns["Value"]
        if c["kind"] == "script":
            exec(c["script"], {"Value": V, "record": lambda label, value: out.append(value)})
            continue
        leaves = {k: V(v) for k, v in c["values"].items()}
        scope = dict(leaves)
        for step in c["steps"]:
            exec(step, scope)
        result = eval(c["expression"], scope)
        result.backward()
        out.append([result.data] + [leaves[n].grad for n in c["record"]])
    return json.dumps(out)
`;
let runAll = null;
self.onmessage = async (event) => {
  if (event.data.type === "boot") {
    const { loadPyodide } = await import(event.data.pyodide + "pyodide.mjs");
    const py = await loadPyodide({ indexURL: event.data.pyodide });
    py.runPython(RAW);
    runAll = py.globals.get("run_all");
    self.postMessage({ type: "ready" });
  } else {
    self.postMessage({ type: "done", result: runAll(event.data.source, event.data.cases) });
  }
};
